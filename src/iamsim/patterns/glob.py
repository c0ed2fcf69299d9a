"""Linear-time glob matching for policy text (``*`` any run, ``?`` one character).

Patterns come from untrusted policies, so they are never turned into backtracking regular
expressions. A compiled :class:`Glob` picks the cheapest exact strategy for its shape:

* no wildcard: string equality;
* only ``*``: the literal pieces between stars are located left to right with ``str.find``
  (greedy leftmost placement is exact for ``*``-only globs), anchored at both ends;
* any ``?``: a bit-parallel simulation of the pattern's automaton (Shift-And), one pass over
  the value whatever the pattern: O(len(value) * len(pattern) / word size).

:attr:`Glob.test` is the same predicate specialised once, at compile time, for the commonest
shapes (everything, exact, prefix, suffix, contains, prefix and suffix, prefix-middle-suffix):
a few string method calls per value instead of the general dispatch. Hot loops call
``glob.test(value)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Glob:
    """A compiled glob. ``literal_stars`` marks positions holding a literal ``*``/``?``.

    ``tokens`` is the pattern as a tuple of single characters, where the wildcard characters
    ``*`` and ``?`` are the strings ``"\\x00*"`` and ``"\\x00?"`` so that literal ``*`` and ``?``
    (from ``${*}`` and ``${?}`` policy variables) stay distinct.
    """

    pattern: str
    ignore_case: bool = False
    _kind: str = field(init=False, repr=False)
    _pieces: tuple[str, ...] = field(init=False, repr=False)
    _masks: dict[str, int] = field(init=False, repr=False)
    _any_mask: int = field(init=False, repr=False)
    _star_mask: int = field(init=False, repr=False)
    _accept: int = field(init=False, repr=False)
    test: Callable[[str], bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pattern = self.pattern
        if "?" not in pattern and "\x00" not in pattern and pattern.isascii():
            # The commonest pattern: its pieces straight from the text (see _star_pieces).
            _set_star(self, _star_pieces(pattern, "*", self.ignore_case))
            return
        _compile(self, tokenize(pattern))

    @classmethod
    def from_tokens(cls, tokens: list[str], *, ignore_case: bool = False) -> Glob:
        """Compile from tokens where ``WILD_STAR``/``WILD_ONE`` are wildcards, others literal."""
        glob = cls.__new__(cls)
        joined = "".join(tokens)
        if joined.count("\x00") == tokens.count(WILD_STAR) + tokens.count(WILD_ONE):
            # Every NUL starts a wildcard token: the pattern by replacing them in one go.
            text = joined.replace(WILD_STAR, "*").replace(WILD_ONE, "?")
        else:
            text = "".join("*" if t == WILD_STAR else "?" if t == WILD_ONE else t for t in tokens)
        object.__setattr__(glob, "pattern", text)
        object.__setattr__(glob, "ignore_case", ignore_case)
        _compile(glob, tokens)
        return glob

    @property
    def is_literal(self) -> bool:
        return self._kind == "literal"

    @property
    def case_sensitive_prefix(self) -> str | None:
        """``P`` when this glob is exactly ``P*`` compared case-sensitively (``test`` is then
        ``value.startswith(P)``), else None: lets a caller inline the commonest shape."""
        pieces = self._pieces
        if self._kind == "star" and len(pieces) == 2 and not pieces[1] and not self.ignore_case:
            return pieces[0]
        return None

    @property
    def matches_everything(self) -> bool:
        return self._kind == "star" and self._pieces == ("", "")

    def matches(self, value: str) -> bool:
        if self.ignore_case:
            value = value.lower()
        kind = self._kind
        if kind == "literal":
            return value == self._pieces[0]
        if kind == "star":
            pieces = self._pieces
            if len(pieces) == 2 and not pieces[0] and not pieces[1]:
                return True
            return _match_stars(pieces, value)
        return _match_automaton(self, value)


WILD_STAR = "\x00*"
WILD_ONE = "\x00?"


def tokenize(pattern: str) -> list[str]:
    """Tokens of a plain glob: every ``*`` and ``?`` is a wildcard."""
    return [WILD_STAR if c == "*" else WILD_ONE if c == "?" else c for c in pattern]


def _star_pieces(text: str, star: str, ignore_case: bool) -> list[str]:
    """The pieces between the stars of ``text`` (``star`` spelling a wildcard ``*`` and no
    other part of it), consecutive stars counted as one, lower-cased with ``ignore_case``: what
    _compile builds token by token, in a few string operations. Only for ASCII text, where
    lower-casing the whole equals lower-casing each character (not so for, say, a Greek
    capital sigma, whose lower case depends on its neighbours)."""
    if ignore_case:
        text = text.lower()
    pieces = text.split(star)
    if len(pieces) > 2 and "" in pieces[1:-1]:  # an empty piece between two stars
        pieces = [pieces[0], *[p for p in pieces[1:-1] if p], pieces[-1]]
    return pieces


def _set_star(glob: Glob, pieces: list[str]) -> None:
    """Fill ``glob`` as _compile does for a pattern without ``?``, from its pieces."""
    setattr_ = object.__setattr__
    setattr_(glob, "_masks", {})
    setattr_(glob, "_any_mask", 0)
    setattr_(glob, "_star_mask", 0)
    setattr_(glob, "_accept", 0)
    setattr_(glob, "_kind", "literal" if len(pieces) == 1 else "star")
    frozen = tuple(pieces)
    setattr_(glob, "_pieces", frozen)
    setattr_(glob, "test", _specialised(glob, frozen))


def _compile(glob: Glob, tokens: list[str]) -> None:
    if WILD_ONE not in tokens:
        joined = "".join(tokens)
        # Every NUL of the text the start of a wildcard star token (a literal NUL followed
        # by a literal "*" would read as one), and ASCII: the pieces by string operations.
        if joined.isascii() and joined.count("\x00") == tokens.count(WILD_STAR):
            _set_star(glob, _star_pieces(joined, WILD_STAR, glob.ignore_case))
            return
    _compile_tokens(glob, tokens)


def _compile_tokens(glob: Glob, tokens: list[str]) -> None:
    """_compile token by token: the definition the shortcuts above must agree with
    (tests/patterns/test_glob_compile.py)."""
    if glob.ignore_case:
        tokens = [t if t in (WILD_STAR, WILD_ONE) else t.lower() for t in tokens]
    # Consecutive stars are one star.
    collapsed: list[str] = []
    for token in tokens:
        if token == WILD_STAR and collapsed and collapsed[-1] == WILD_STAR:
            continue
        collapsed.append(token)
    setattr_ = object.__setattr__
    setattr_(glob, "_masks", {})
    setattr_(glob, "_any_mask", 0)
    setattr_(glob, "_star_mask", 0)
    setattr_(glob, "_accept", 0)
    if WILD_ONE in collapsed:
        _compile_automaton(glob, collapsed)
        setattr_(glob, "test", glob.matches)
        return
    pieces: list[str] = [""]
    for token in collapsed:
        if token == WILD_STAR:
            pieces.append("")
        else:
            pieces[-1] += token
    if len(pieces) == 1:
        setattr_(glob, "_kind", "literal")
    else:
        setattr_(glob, "_kind", "star")
    setattr_(glob, "_pieces", tuple(pieces))
    setattr_(glob, "test", _specialised(glob, tuple(pieces)))


def _true(value: str) -> bool:
    return True


def _specialised(glob: Glob, pieces: tuple[str, ...]) -> Callable[[str], bool]:
    """A predicate equal to ``glob.matches`` for a ``*``-only glob, shaped for its pieces."""
    fold = glob.ignore_case
    if len(pieces) == 1:
        exact = pieces[0]
        if fold:
            return lambda value: value.lower() == exact
        return lambda value: value == exact
    first, last = pieces[0], pieces[-1]
    if len(pieces) == 2:
        if not first and not last:
            return _true
        if not last:
            if fold:
                return lambda value: value.lower().startswith(first)
            return lambda value: value.startswith(first)
        if not first:
            if fold:
                return lambda value: value.lower().endswith(last)
            return lambda value: value.endswith(last)
        least = len(first) + len(last)
        if fold:
            # Lower-cased before its length is taken: a character may lower-case to two
            # (U+0130 to "i" and a combining dot), as ``matches`` compares it.
            return lambda value: (
                len(lowered := value.lower()) >= least
                and lowered.startswith(first)
                and lowered.endswith(last)
            )
        return lambda value: (
            len(value) >= least and value.startswith(first) and value.endswith(last)
        )
    if len(pieces) == 3 and not first and not last:
        middle = pieces[1]
        if fold:
            return lambda value: middle in value.lower()
        return lambda value: middle in value
    if len(pieces) == 3 and not fold:
        # first*middle*last (``first-*/*``): the middle piece (never empty: stars are
        # collapsed) must lie wholly between the anchored first and last pieces.
        middle = pieces[1]
        head, tail = len(first), len(last)
        return lambda value: (
            len(value) >= head + tail
            and value.startswith(first)
            and value.endswith(last)
            and value.find(middle, head, len(value) - tail) >= 0
        )
    return glob.matches


def _match_stars(pieces: tuple[str, ...], value: str) -> bool:
    first, last = pieces[0], pieces[-1]
    if len(value) < len(first) + len(last):
        return False
    if not value.startswith(first):
        return False
    end = len(value) - len(last)
    if not value.endswith(last):
        return False
    pos = len(first)
    # Greedy leftmost placement of each middle piece; the last piece is anchored at the end.
    for piece in pieces[1:-1]:
        if not piece:
            continue
        found = value.find(piece, pos, end)
        if found < 0:
            return False
        pos = found + len(piece)
    return pos <= end


def _compile_automaton(glob: Glob, tokens: list[str]) -> None:
    # State bit i set: tokens[0:i] matched a prefix of the value read so far.
    masks: dict[str, int] = {}
    any_mask = 0
    star_mask = 0
    for i, token in enumerate(tokens):
        bit = 1 << i
        if token == WILD_STAR:
            star_mask |= bit
        elif token == WILD_ONE:
            any_mask |= bit
        else:
            masks[token] = masks.get(token, 0) | bit
    for char in masks:
        masks[char] |= any_mask
    setattr_ = object.__setattr__
    setattr_(glob, "_kind", "automaton")
    setattr_(glob, "_pieces", ())
    setattr_(glob, "_masks", masks)
    setattr_(glob, "_any_mask", any_mask)
    setattr_(glob, "_star_mask", star_mask)
    setattr_(glob, "_accept", 1 << len(tokens))


def _match_automaton(glob: Glob, value: str) -> bool:
    masks = glob._masks
    any_mask = glob._any_mask
    star = glob._star_mask
    state = 1
    state |= (state & star) << 1  # a star may match the empty string
    for char in value:
        state = (state & star) | ((state & masks.get(char, any_mask)) << 1)
        if not state:
            return False
        state |= (state & star) << 1
    return bool(state & glob._accept)
