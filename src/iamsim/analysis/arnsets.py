"""Set algebra over ``Resource`` patterns and catalog ARN formats.

The engine answers "does this pattern match this ARN"; analyses also need "can these two
patterns match a common ARN" (intersection) and "is every ARN this pattern matches also matched
by that one" (containment). This module answers both over the same pattern language the engine
compiles (:func:`iamsim.patterns.arn.compile_resource`), without ever matching a request:

* A pattern is put in the engine's shape: ``"*"``; a six-part ARN pattern whose partition,
  service, region and account are globbed one segment each and whose resource part is globbed
  whole; a short ARN pattern ending in ``*`` (its last segment then absorbs the rest, the same as
  padding with ``*`` segments); a short pattern not ending in ``*`` (matches nothing); or a
  non-ARN pattern globbed over the whole string. The resource part's glob tokens are the
  engine's own (:meth:`iamsim.patterns.variables.Template.tokens`), with policy variables
  substituted from the values known about the principal.
* A catalog ARN format (``arn:${Partition}:s3:::${BucketName}/${ObjectName}``) becomes a
  pattern where each placeholder is ``*`` in a header field and a non-empty run (``?*``) in the
  resource part. That reading is a superset of the catalog's (which also keeps non-final
  placeholders from crossing ``:``), so "no intersection" is always exact.
* :func:`intersects` runs the product of the two glob automata segment by segment; it is exact
  for two patterns in the token model (``*``, ``?``, literal characters).
* :func:`covers` is a sufficient test: it says yes only when the covering pattern generalizes
  the other token by token (``*`` covers any run of tokens, ``?`` one non-star token). A "no"
  may therefore be a containment it could not prove; callers use it only to simplify
  results, never to decide access.

A pattern whose variables depend on the request (not on the principal) keeps the variable as
``*`` (a superset), and is flagged ``dynamic`` so that it never *covers* anything.

The property tests in ``tests/analysis/test_effective_algebra.py`` check both functions
against the engine's own matcher on random patterns and ARNs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from iamsim.analysis.facts import NO_FACTS, Facts
from iamsim.patterns.arn import ResourcePattern, compile_resource
from iamsim.patterns.glob import WILD_ONE, WILD_STAR, tokenize
from iamsim.patterns.variables import parse_template, split_outside_variables
from iamsim.vocabulary.request import Context

STAR = WILD_STAR
ONE = WILD_ONE

Tokens = tuple[str, ...]

_ALL, _NEVER, _ARN, _FLAT = "all", "never", "arn", "flat"
_SERVICE = 2  # index of the service segment (compared case-insensitively)


@dataclass(frozen=True, slots=True, eq=False)
class ArnSet:
    """A set of resources written as one pattern, in the engine's shape (see module doc).

    ``text`` is what a person should see (variables resolved where the principal fixes them);
    ``segments`` holds six token tuples for an ARN pattern (``arn``, partition, service, region,
    account, resource), ``flat`` the tokens of a non-ARN pattern. ``engine`` is the engine's
    compiled pattern for the original text, used to test membership of a concrete resource.
    """

    text: str
    kind: str
    segments: tuple[Tokens, ...] = ()
    flat: Tokens = ()
    dynamic: bool = False
    engine: ResourcePattern | None = field(default=None, compare=False, hash=False)
    _key: tuple[object, ...] = field(init=False, repr=False, compare=False, hash=False)
    _hash: int = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        # Sets are compared and hashed by what they match; the hash is computed once, since
        # the algebra's memo tables hash them over and over.
        key = (self.kind, self.segments, self.flat, self.dynamic)
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_hash", hash(key))

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        return isinstance(other, ArnSet) and self._hash == other._hash and self._key == other._key

    def __hash__(self) -> int:
        return self._hash

    @property
    def is_all(self) -> bool:
        return self.kind == _ALL

    @property
    def is_never(self) -> bool:
        return self.kind == _NEVER

    def contains(self, resource: str, context: Context) -> bool:
        """Whether the concrete ``resource`` is in the set (the engine's matcher decides)."""
        if self.kind == _ALL:
            return True
        engine = self.engine
        if engine is None:
            engine = compile_resource(self.text, variables_enabled=False)
        return engine.matches(resource, context)

    def __str__(self) -> str:
        return self.text


ALL = ArnSet("*", _ALL, engine=compile_resource("*", variables_enabled=False))
NEVER = ArnSet("(nothing)", _NEVER)


def _lower_tokens(tokens: Sequence[str]) -> Tokens:
    return tuple(t if t in (STAR, ONE) else t.lower() for t in tokens)


def _pad(segments: list[Tokens]) -> tuple[Tokens, ...]:
    while len(segments) < 6:
        segments.append((STAR,))
    return tuple(segments)


def resource_set(
    text: str,
    *,
    variables_enabled: bool,
    facts: Facts | None = None,
    engine: ResourcePattern | None = None,
) -> ArnSet:
    """The :class:`ArnSet` of one ``Resource``/``NotResource`` entry.

    ``facts`` says which context keys the principal fixes (``aws:username``,
    ``aws:PrincipalTag/...``): variables over them are substituted as the engine would; a
    variable over any other key makes the set ``dynamic`` (the variable reads as ``*``).
    """
    if engine is None:
        engine = compile_resource(text, variables_enabled=variables_enabled)
    if text == "*":
        return ALL
    facts = facts if facts is not None else NO_FACTS
    if not text.startswith("arn:"):
        tokens, shown, dynamic = _template_tokens(text, variables_enabled, facts)
        if tokens is None:
            return ArnSet(text, _NEVER, engine=engine)
        return ArnSet(shown, _FLAT, flat=tokens, dynamic=dynamic, engine=engine)
    parts = split_outside_variables(text, ":", 5, enabled=variables_enabled)
    # Before the fifth colon nothing is substituted: the segments are plain globs.
    segments = [tuple(tokenize(p)) for p in parts[:5]]
    if len(parts) < 6:
        if not parts[-1].endswith("*"):
            return ArnSet(text, _NEVER, engine=engine)
        segments = list(_pad(segments))
        segments[_SERVICE] = _lower_tokens(segments[_SERVICE])
        return ArnSet(text, _ARN, segments=tuple(segments), engine=engine)
    tokens, shown, dynamic = _template_tokens(parts[5], variables_enabled, facts)
    if tokens is None:
        return ArnSet(text, _NEVER, engine=engine)
    segments.append(tokens)
    segments[_SERVICE] = _lower_tokens(segments[_SERVICE])
    display = ":".join([*parts[:5], shown])
    return ArnSet(display, _ARN, segments=tuple(segments), dynamic=dynamic, engine=engine)


def _template_tokens(text: str, enabled: bool, facts: Facts) -> tuple[Tokens | None, str, bool]:
    """(glob tokens, display text, dynamic) of a policy string with variables."""
    template = parse_template(text, enabled=enabled)
    if not template.has_variables:
        static = template.static_tokens
        assert static is not None
        return tuple(static), text, False
    known = facts.context
    tokens = template.tokens(known)
    if tokens is not None:
        shown = template.text_value(known)
        return tuple(tokens), shown if shown is not None else text, False
    # Some variable is not fixed by the principal: a superset where it reads as "*".
    unknown = [k for k in template.variable_keys if not facts.determines(k)]
    if not unknown:
        return None, text, False  # fixed by the principal and absent: matches nothing
    wide: dict[str, str] = {}
    marker = "\x01"
    for key in unknown:
        wide[key] = marker
    tokens = template.tokens(known.with_values(wide))
    if tokens is None:
        return None, text, False
    widened = tuple(STAR if t == marker else t for t in tokens)
    return widened, text, True


@lru_cache(maxsize=16384)
def format_set(arn_format: str) -> ArnSet:
    """The :class:`ArnSet` of a catalog ARN format (placeholders as wildcards; see module doc)."""
    tokens: list[str] = []
    i = 0
    n = len(arn_format)
    while i < n:
        if arn_format.startswith("${", i):
            end = arn_format.find("}", i + 2)
            if end >= 0:
                tokens.append("\x02")  # placeholder
                i = end + 1
                continue
        char = arn_format[i]
        tokens.append("\x03" if char == "*" else char)
        i += 1
    segments: list[list[str]] = [[]]
    for token in tokens:
        if token == ":" and len(segments) < 6:
            segments.append([])
        else:
            segments[-1].append(token)
    if len(segments) != 6 or "".join(t for t in segments[0]) != "arn":
        flat = tuple(STAR if t in ("\x02", "\x03") else t for t in tokens)
        return ArnSet(arn_format, _FLAT, flat=flat)
    out: list[Tokens] = []
    for index, segment in enumerate(segments):
        converted: list[str] = []
        for token in segment:
            if token == "\x02":
                converted.extend((ONE, STAR) if index == 5 else (STAR,))
            elif token == "\x03":
                converted.append(STAR)
            else:
                converted.append(token)
        out.append(tuple(converted))
    out[_SERVICE] = _lower_tokens(out[_SERVICE])
    return ArnSet(arn_format, _ARN, segments=tuple(out))


# ---------------------------------------------------------------------------- token algebra


@lru_cache(maxsize=65536)
def _tokens_intersect(a: Tokens, b: Tokens) -> bool:
    """Whether some string matches both globs (product automaton, depth-first)."""
    na, nb = len(a), len(b)
    seen: set[tuple[int, int]] = set()
    stack = [(0, 0)]
    while stack:
        i, j = stack.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == na and j == nb:
            return True
        ta = a[i] if i < na else None
        tb = b[j] if j < nb else None
        if ta == STAR:
            stack.append((i + 1, j))
        if tb == STAR:
            stack.append((i, j + 1))
        if ta is None or tb is None:
            continue
        # Both consume one common character.
        if ta not in (STAR, ONE) and tb not in (STAR, ONE) and ta != tb:
            continue
        stack.append((i if ta == STAR else i + 1, j if tb == STAR else j + 1))
    return False


@lru_cache(maxsize=65536)
def _tokens_cover(p: Tokens, q: Tokens) -> bool:
    """Sufficient test that every string of glob ``q`` matches glob ``p``.

    ``p``'s ``*`` absorbs any run of ``q``'s tokens, ``?`` one non-star token, a literal only
    the same literal.
    """
    np_, nq = len(p), len(q)
    # reach[j]: p[:i] can generate q[:j]
    reach = [False] * (nq + 1)
    reach[0] = True
    for i in range(np_):
        token = p[i]
        nxt = [False] * (nq + 1)
        if token == STAR:
            running = False
            for j in range(nq + 1):
                running = running or reach[j]
                nxt[j] = running
        else:
            for j in range(nq):
                if not reach[j]:
                    continue
                other = q[j]
                if token == ONE:
                    if other != STAR:
                        nxt[j + 1] = True
                elif other == token:
                    nxt[j + 1] = True
        reach = nxt
        if not any(reach):
            return False
    return reach[nq]


def _joined(s: ArnSet) -> Tokens:
    """A flat superset of an ARN set: its segments joined with ``:``."""
    if s.kind == _FLAT:
        return s.flat
    out: list[str] = []
    for index, segment in enumerate(s.segments):
        if index:
            out.append(":")
        out.extend(segment)
    return tuple(out)


@lru_cache(maxsize=65536)
def intersects(a: ArnSet, b: ArnSet) -> bool:
    """Whether some resource can be in both sets (exact in the token model)."""
    if a.kind == _NEVER or b.kind == _NEVER:
        return False
    if a.kind == _ALL or b.kind == _ALL:
        return True
    if a.kind == _ARN and b.kind == _ARN:
        return all(_tokens_intersect(x, y) for x, y in zip(a.segments, b.segments, strict=True))
    # A non-ARN pattern is globbed over the whole resource string: compare flat supersets.
    return _tokens_intersect(_joined(a), _joined(b))


@lru_cache(maxsize=65536)
def covers(outer: ArnSet, inner: ArnSet) -> bool:
    """Sufficient test that ``inner`` is a subset of ``outer`` (see module doc)."""
    if outer.kind == _ALL or inner.kind == _NEVER:
        return True
    if outer.kind == _NEVER or inner.kind == _ALL or outer.dynamic:
        return False
    if outer.kind == _ARN and inner.kind == _ARN:
        return all(_tokens_cover(x, y) for x, y in zip(outer.segments, inner.segments, strict=True))
    if outer.kind == _FLAT:
        return _tokens_cover(outer.flat, _joined(inner))
    return False


def intersects_any(s: ArnSet, formats: Sequence[ArnSet]) -> bool:
    return any(intersects(s, f) for f in formats)


# ---------------------------------------------------------------------------- examples

# Values tried first for the header fields of an example ARN (partition, region, account).
_HINTS: dict[int, tuple[str, ...]] = {1: ("aws",), 3: ("us-east-1", "")}


def _literal_tokens(text: str) -> Tokens:
    return tuple(text)


def _tokens_example(a: Tokens, b: Tokens, filler: str) -> str | None:
    """A shortest-ish string matched by both globs (breadth-first over the product)."""
    na, nb = len(a), len(b)
    start = (0, 0)
    parent: dict[tuple[int, int], tuple[tuple[int, int], str]] = {}
    seen = {start}
    queue = [start]
    head = 0
    while head < len(queue):
        i, j = queue[head]
        head += 1
        if i == na and j == nb:
            out: list[str] = []
            node = (i, j)
            while node != start:
                node, step = parent[node]
                out.append(step)
            return "".join(reversed(out))
        ta = a[i] if i < na else None
        tb = b[j] if j < nb else None
        moves: list[tuple[tuple[int, int], str]] = []
        if ta == STAR:
            moves.append(((i + 1, j), ""))
        if tb == STAR:
            moves.append(((i, j + 1), ""))
        if ta is not None and tb is not None:
            char: str | None
            if ta in (STAR, ONE) and tb in (STAR, ONE):
                char = filler
            elif ta in (STAR, ONE):
                char = tb
            elif tb in (STAR, ONE) or ta == tb:
                char = ta
            else:
                char = None
            if char is not None:
                moves.append(((i if ta == STAR else i + 1, j if tb == STAR else j + 1), char))
        for node, step in moves:
            if node not in seen:
                seen.add(node)
                parent[node] = ((i, j), step)
                queue.append(node)
    return None


def example(
    a: ArnSet, b: ArnSet | None = None, *, account: str | None = None, filler: str = "x"
) -> str | None:
    """A concrete resource in both sets (``b`` defaults to everything), or None if none is found.

    Header fields prefer realistic values (partition ``aws``, region ``us-east-1`` or empty,
    ``account``); wildcards elsewhere become ``filler``. The result is not checked against the
    engine here; callers that need certainty check it with :meth:`ArnSet.contains`.
    """
    b = b if b is not None else ALL
    if a.kind == _NEVER or b.kind == _NEVER:
        return None
    if a.kind == _ALL and b.kind == _ALL:
        return None
    if a.kind == _ALL:
        a, b = b, a
    if a.kind == _FLAT or b.kind == _FLAT:
        return _tokens_example(_joined(a), _joined(b) if b.kind != _ALL else (STAR,), filler)
    other = b.segments if b.kind == _ARN else ((STAR,),) * 6
    parts: list[str] = []
    for index, (x, y) in enumerate(zip(a.segments, other, strict=True)):
        hints = _HINTS.get(index, ())
        if index == 4 and account is not None:
            hints = (account, "")
        chosen = None
        for hint in hints:
            literal = _literal_tokens(hint)
            if _tokens_intersect(x, literal) and _tokens_intersect(y, literal):
                chosen = hint
                break
        if chosen is None:
            chosen = _tokens_example(x, y, filler)
        if chosen is None:
            return None
        parts.append(chosen)
    return ":".join(parts)
