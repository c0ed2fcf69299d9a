"""The equivalence classes a finite set of globs induces on strings, each with a witness.

Given globs ``g1 … gn`` (``*`` any run, ``?`` one character, other tokens literal, optionally
case-insensitive), every string ``s`` has a *signature*: the vector ``(gi matches s)``. Only
finitely many signatures are realizable, and :func:`glob_classes` returns each realizable one
with a shortest string that has it. That is the domain partition the symbolic layer needs for
actions, resource segments and string condition values.

How: the glob automata are the engine's own Shift-And automata (state bit ``i`` set: the first
``i`` tokens matched a prefix of the input; :mod:`iamsim.patterns.glob`). Their product is
explored breadth first over an alphabet of every literal character the globs mention (both
cases of each letter of a case-insensitive glob) plus one *fresh* character none mentions.
This is exact: two characters no glob mentions move every automaton identically, so one fresh
character stands for all of them, and breadth-first search reaches every reachable product
state, hence every realizable signature, with a shortest witness. Work is bounded by
:class:`SymbolicLimitError` (never a silent truncation): the caller reports the question as
too large rather than answer it from part of the space.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from iamsim import limits
from iamsim.errors import InputError
from iamsim.patterns import WILD_ONE, WILD_STAR, tokenize

# Characters tried, in order, as the one character no glob mentions.
_FRESH = "xqzkj0123456789_"


class SymbolicLimitError(InputError):
    """A symbolic question whose exact answer needs more work than the configured bound."""


@dataclass(frozen=True, slots=True)
class GlobSpec:
    """One glob: its tokens (``WILD_STAR``/``WILD_ONE`` or one literal character each)."""

    tokens: tuple[str, ...]
    ignore_case: bool = False

    @classmethod
    def of(cls, text: str, *, ignore_case: bool = False) -> GlobSpec:
        return cls(tuple(tokenize(text)), ignore_case)


class _Automaton:
    __slots__ = ("accept", "any_mask", "masks", "star")

    def __init__(self, spec: GlobSpec) -> None:
        tokens: list[str] = []
        for token in spec.tokens:
            if token == WILD_STAR and tokens and tokens[-1] == WILD_STAR:
                continue  # consecutive stars are one star
            if spec.ignore_case and token not in (WILD_STAR, WILD_ONE):
                token = token.lower()
            tokens.append(token)
        masks: dict[str, int] = {}
        any_mask = star = 0
        for i, token in enumerate(tokens):
            if token == WILD_STAR:
                star |= 1 << i
            elif token == WILD_ONE:
                any_mask |= 1 << i
            else:
                masks[token] = masks.get(token, 0) | 1 << i
        for char in masks:
            masks[char] |= any_mask
        self.masks = masks
        self.any_mask = any_mask
        self.star = star
        self.accept = 1 << len(tokens)

    def start(self) -> int:
        return 1 | ((1 & self.star) << 1)

    def step(self, state: int, char: str) -> int:
        star = self.star
        state = (state & star) | ((state & self.masks.get(char, self.any_mask)) << 1)
        return state | ((state & star) << 1)


def alphabet(specs: Sequence[GlobSpec], extra: str = "") -> str:
    """Every literal character of the globs (both cases where case is ignored), plus a fresh
    one no glob mentions."""
    chars: set[str] = set(extra)
    for spec in specs:
        for token in spec.tokens:
            if token in (WILD_STAR, WILD_ONE):
                continue
            chars.add(token)
            if spec.ignore_case:
                chars.add(token.lower())
                chars.add(token.upper())
    fresh = next((c for c in _FRESH if c not in chars), None)
    if fresh is None:  # pragma: no cover - needs globs mentioning every fresh candidate
        fresh = next(chr(c) for c in range(0x100, 0x10000) if chr(c) not in chars)
    # Lower case first, so that shortest witnesses read like the policies' own names.
    return "".join(sorted(chars, key=lambda c: (not c.islower(), c))) + fresh


def glob_classes(
    specs: Sequence[GlobSpec],
    *,
    prefix: str = "",
    extra_chars: str = "",
    limit: int | None = None,
) -> list[tuple[tuple[bool, ...], str]]:
    """Every realizable signature over ``specs`` of the strings starting with ``prefix``, each
    with a shortest witness (``prefix`` included), in breadth-first order (cached).
    ``limit``: product states explored at most (default: ``limits.max_symbolic_states``)."""
    bound = limit if limit is not None else limits.current().max_symbolic_states
    return list(_glob_classes(tuple(specs), prefix, extra_chars, bound))


@lru_cache(maxsize=4096)
def _glob_classes(
    specs: tuple[GlobSpec, ...], prefix: str, extra_chars: str, limit: int
) -> tuple[tuple[tuple[bool, ...], str], ...]:
    return tuple(_search(specs, prefix=prefix, extra_chars=extra_chars, limit=limit))


def _search(
    specs: Sequence[GlobSpec],
    *,
    prefix: str = "",
    extra_chars: str = "",
    limit: int = 200_000,
) -> list[tuple[tuple[bool, ...], str]]:
    """Every realizable signature over ``specs`` of the strings starting with ``prefix``, each
    with a shortest witness (``prefix`` included), in breadth-first order.

    A product state keeps only the automata still alive (a non-zero state), so a literal glob
    costs nothing once the input has left it: the product of many literals is their trie.
    """
    automata = [_Automaton(s) for s in specs]
    letters = alphabet(specs, extra_chars)
    folds = [spec.ignore_case for spec in specs]
    count = len(automata)

    def advance(state: tuple[tuple[int, int], ...], char: str) -> tuple[tuple[int, int], ...]:
        out = []
        lowered = char.lower()
        for index, bits in state:
            nxt = automata[index].step(bits, lowered if folds[index] else char)
            if nxt:
                out.append((index, nxt))
        return tuple(out)

    start: tuple[tuple[int, int], ...] = tuple((i, a.start()) for i, a in enumerate(automata))
    for char in prefix:
        start = advance(start, char)
    seen: dict[tuple[tuple[int, int], ...], str] = {start: prefix}
    found: dict[tuple[bool, ...], str] = {}
    queue: deque[tuple[tuple[int, int], ...]] = deque([start])
    while queue:
        state = queue.popleft()
        word = seen[state]
        signature = [False] * count
        for index, bits in state:
            if bits & automata[index].accept:
                signature[index] = True
        found.setdefault(tuple(signature), word)
        if not state:
            continue  # dead in every automaton: every extension has the all-false signature
        for char in letters:
            nxt = advance(state, char)
            if nxt not in seen:
                if len(seen) >= limit:
                    raise SymbolicLimitError(
                        f"the patterns induce more than {limit} string classes; "
                        "the question is too large to decide exactly"
                    )
                seen[nxt] = word + char
                queue.append(nxt)
    return list(found.items())
