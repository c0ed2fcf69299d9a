"""Whether a ``Resource`` pattern can name a resource of a type an action acts on.

Resource patterns (``arn:aws:s3:::bucket/*``) are compared with the action's resource types by
looking for an ARN that both the pattern and a type's ARN format accept (a breadth-first search
over the two small automata: no regular expression, linear in the product of their sizes),
then asking the service reference which type that ARN really is (``arn:aws:s3:::b/x`` is an
object, so ``s3:ListBucket`` on ``arn:aws:s3:::b/*`` never applies).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


# Tokens of the small automata below: a literal character, or a wildcard.
@dataclass(frozen=True, slots=True)
class _Wild:
    many: bool  # "*" (any run) rather than "?" (one character)
    crosses_colon: bool  # in the resource part; header wildcards stay within their field


def _pattern_tokens(pattern: str, *, nonempty: bool) -> tuple[str | _Wild, ...]:
    """A policy Resource pattern as tokens: ``*`` any run, ``?`` one character, a policy
    variable ``${...}`` any run (it could be substituted by anything). AWS matches the five
    header fields of an ARN one by one, so only wildcards of the resource part (after the fifth
    colon) may match a colon. With ``nonempty`` every run matches at least one character."""
    out: list[str | _Wild] = []
    colons = 0
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        in_resource = colons >= 5
        if ch == "$" and pattern.startswith("${", i) and "}" in pattern[i:]:
            ch = "*"
            i = pattern.index("}", i) + 1
        else:
            i += 1
        if ch in "*?":
            if nonempty or ch == "?":
                out.append(_Wild(False, in_resource))
            if ch == "*":
                out.append(_Wild(True, in_resource))
            continue
        if ch == ":":
            colons += 1
        out.append(ch)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class _Placeholder:
    may_be_empty: bool  # a whole ARN header field (global resources leave region/account empty)
    crosses_colon: bool  # the final placeholder of the resource part may contain ':'


@lru_cache(maxsize=2048)
def _format_tokens(fmt: str) -> tuple[str | _Placeholder, ...]:
    """An ARN format of the reference (``arn:${Partition}:s3:::${BucketName}``) as tokens,
    following the catalog's reading (see ``iamsim.catalog._templates``)."""
    raw: list[str | None] = []
    i = 0
    while i < len(fmt):
        if fmt.startswith("${", i) and "}" in fmt[i:]:
            raw.append(None)
            i = fmt.index("}", i) + 1
            continue
        raw.append(None if fmt[i] == "*" else fmt[i])
        i += 1
    colons = 0
    positions: list[int] = []  # the ARN field (0-5) each token lies in
    for token in raw:
        positions.append(colons)
        if token == ":":
            colons += 1
    placeholders = [i for i, t in enumerate(raw) if t is None]
    last = placeholders[-1] if placeholders else -1
    out: list[str | _Placeholder] = []
    for index, token in enumerate(raw):
        if token is not None:
            out.append(token)
            continue
        field = positions[index]
        alone = (
            0 < field < 5
            and (index == 0 or raw[index - 1] == ":")
            and (index + 1 == len(raw) or raw[index + 1] == ":")
        )
        out.append(_Placeholder(alone, index == last and field >= 5))
    return tuple(out)


def _witness(pattern: tuple[str | _Wild, ...], fmt: tuple[str | _Placeholder, ...]) -> str | None:
    """The shortest string both the pattern and the ARN format accept, or None.

    A breadth-first search over pairs of positions (pattern token, format token, inside a
    placeholder); moves that read nothing cost 0, moves that read a character cost 1.
    """
    start = (0, 0, False)
    dist = {start: 0}
    parent: dict[tuple[int, int, bool], tuple[tuple[int, int, bool], str]] = {}
    queue: deque[tuple[int, int, bool]] = deque([start])
    n, m = len(pattern), len(fmt)
    goal: tuple[int, int, bool] | None = None
    while queue:
        state = queue.popleft()
        i, j, inside = state
        if i == n and j == m:
            goal = state
            break
        p = pattern[i] if i < n else None
        f = fmt[j] if j < m else None
        moves: list[tuple[tuple[int, int, bool], str]] = []
        if isinstance(p, _Wild) and p.many:
            moves.append(((i + 1, j, inside), ""))
        if isinstance(f, _Placeholder) and (inside or f.may_be_empty):
            moves.append(((i, j + 1, False), ""))
        if p is not None and f is not None:
            char = _common_char(p, f, inside)
            if char is not None:
                next_i = i if isinstance(p, _Wild) and p.many else i + 1
                if isinstance(f, _Placeholder):
                    moves.append(((next_i, j, True), char))
                else:
                    moves.append(((next_i, j + 1, False), char))
        base = dist[state]
        for next_state, char in moves:
            cost = base + (1 if char else 0)
            if cost < dist.get(next_state, cost + 1):
                dist[next_state] = cost
                parent[next_state] = (state, char)
                if char:
                    queue.append(next_state)
                else:
                    queue.appendleft(next_state)
    if goal is None:
        return None
    chars: list[str] = []
    state = goal
    while state != start:
        state, char = parent[state]
        chars.append(char)
    return "".join(reversed(chars))


def _common_char(p: str | _Wild, f: str | _Placeholder, inside: bool) -> str | None:
    """A character the pattern token and the format token can both read next, if any."""
    if isinstance(f, _Placeholder):
        if isinstance(p, _Wild):
            return "x"
        return p if (p != ":" or f.crosses_colon) else None
    if inside:
        return None  # a literal format token is only reached after leaving the placeholder
    if isinstance(p, _Wild):
        return f if (f != ":" or p.crosses_colon) else None
    return p if p == f else None


class PatternFit:
    """Whether a Resource entry can name a resource of a type an action acts on."""

    def __init__(self, catalog: Any) -> None:
        self.cat = catalog
        self._types = lru_cache(maxsize=4096)(self._types_uncached)
        self._fits = lru_cache(maxsize=16384)(self._fits_uncached)

    def fits(self, action: str, resource: str) -> bool:
        return self._fits(action, resource)

    def _types_uncached(self, arn: str, service: str) -> frozenset[str]:
        """The resource types of ``service`` that the concrete ``arn`` really is."""
        best = [name for svc, name in self.cat.resource_type_for_arn(arn) if svc == service]
        if not best:
            best = [
                name
                for svc, name in self.cat.resource_type_for_arn(arn, most_specific=False)
                if svc == service
            ]
        return frozenset(best)

    def _is_a(self, arn: str, type_name: str, service: str) -> bool:
        """Whether ``arn`` is a resource of ``type_name``. A trailing ``:qualifier`` in the
        resource part counts as the unqualified resource: the reference lists qualified Lambda
        ARNs (``function:f:alias``) as types of their own, but AWS accepts them wherever the
        function is (https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html)."""
        if type_name in self._types(arn, service):
            return True
        fields = arn.split(":", 5)
        if len(fields) == 6 and ":" in fields[5]:
            return type_name in self._types(arn.rsplit(":", 1)[0], service)
        return False

    def _fits_uncached(self, action: str, resource: str) -> bool:
        service = action.split(":", 1)[0].lower()
        types = self.cat.resource_types(action)
        if not types:
            return True
        wanted = {t.name for t in types}
        if not has_wildcard(resource) and "${" not in resource:
            return bool(self._types(resource, service) & wanted)
        # First read each "*" as matching something, the way patterns are meant (b/* names
        # objects, not a bucket "b/"); only when no such ARN exists, let it match nothing.
        for nonempty in (True, False):
            tokens = _pattern_tokens(resource, nonempty=nonempty)
            found_any = False
            for rtype in types:
                for fmt in rtype.arn_formats:
                    witness = _witness(tokens, _format_tokens(fmt))
                    if witness is None:
                        continue
                    found_any = True
                    if self._is_a(witness, rtype.name, service):
                        return True
            if found_any:
                return False
        return False
