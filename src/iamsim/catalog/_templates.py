"""Compiled templates of the service reference: ARN formats and condition-key name patterns.

This module owns how a text with placeholders from the reference data is matched against a
concrete string, without ever building a regular expression from the data:

* :class:`ArnFormat` compiles one resource-type ARN format such as
  ``arn:${Partition}:s3:::${BucketName}/${ObjectName}``.
* :class:`KeyTemplate` compiles one condition-key name pattern such as
  ``aws:RequestTag/${TagKey}`` or ``s3:ExistingObjectTag/<key>``.

Both are built from :class:`iamsim.patterns.glob.Glob` automata, so a match costs time linear in
the length of the matched string.

ARN format rules (the reference data only says "a placeholder is a value"; these make them
precise):

* ``${...}`` placeholders (and a literal ``*`` in a format, which the reference uses for "any")
  match a run of characters that does not cross ``:``; a placeholder inside the resource part
  must be non-empty, a placeholder that is a whole partition/service/region/account field may be
  empty (global resources have empty region and account fields).
* The final placeholder of a format, when it lies in the resource part (after the fifth colon),
  may contain anything, ``:`` included (``${RoleNameWithPath}``, ``${ObjectName}``,
  ``${LogGroupName}`` in ``log-group:${LogGroupName}``).
* :attr:`ArnFormat.specificity` counts the separators (``:`` and ``/``) and characters the
  format spells out literally. When several formats fit one ARN, the one with the highest
  specificity left the fewest separators to its placeholders: ``arn:aws:s3:::b/k`` fits both
  ``${BucketName}`` (the final placeholder absorbing ``/k``) and ``${BucketName}/${ObjectName}``,
  and the second, more specific, is the object.
"""

from __future__ import annotations

from iamsim.patterns.glob import WILD_ONE, WILD_STAR, Glob

# A parsed template: literal characters, or None for a placeholder / wildcard.
_Token = str | None

# Placeholder forms: ``${Name}`` (ARN formats, condition keys) and ``<name>`` (a few S3 keys).
_OPENERS = (("${", "}"), ("<", ">"))


def parse_template(text: str, *, angle: bool = False) -> list[_Token]:
    """Split ``text`` into literal characters and ``None`` placeholders.

    ``${...}`` is a placeholder, and with ``angle`` so is ``<...>``; ``*`` is always one (the
    reference writes ``*`` for "anything" in a few ARN formats). An opener without its closer is
    literal text.
    """
    tokens: list[_Token] = []
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char == "*":
            tokens.append(None)
            i += 1
            continue
        matched = False
        for opener, closer in _OPENERS:
            if opener == "<" and not angle:
                continue
            if text.startswith(opener, i):
                end = text.find(closer, i + len(opener))
                if end >= 0:
                    tokens.append(None)
                    i = end + len(closer)
                    matched = True
                    break
        if not matched:
            tokens.append(char)
            i += 1
    return tokens


def _glob(tokens: list[_Token], *, nonempty: bool = True, ignore_case: bool = False) -> Glob:
    """A glob where each placeholder is a (non-empty, by default) run of any characters."""
    out: list[str] = []
    for token in tokens:
        if token is None:
            out.extend((WILD_ONE, WILD_STAR) if nonempty else (WILD_STAR,))
        else:
            out.append(token)
    return Glob.from_tokens(out, ignore_case=ignore_case)


def _split_tokens(tokens: list[_Token], sep: str) -> list[list[_Token]]:
    parts: list[list[_Token]] = [[]]
    for token in tokens:
        if token == sep:
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


class _Segment:
    """One ``:``-free segment of an ARN format."""

    __slots__ = ("_any", "_glob", "_literal")

    def __init__(self, tokens: list[_Token], *, whole_field_may_be_empty: bool) -> None:
        self._any = whole_field_may_be_empty and tokens == [None]
        self._literal: str | None = None
        self._glob: Glob | None = None
        if self._any:
            return
        if None not in tokens:
            self._literal = "".join(t for t in tokens if t is not None)
        else:
            self._glob = _glob(tokens)

    def matches(self, value: str) -> bool:
        if self._any:
            return True
        if self._literal is not None:
            return value == self._literal
        assert self._glob is not None
        return self._glob.matches(value)


class _FinalSegment:
    """The segment holding the final placeholder, which may absorb ``:`` and anything else.

    ``head`` is what precedes the final placeholder in its segment (placeholders there still may
    not cross ``:``), ``tail`` the literal text after it.
    """

    __slots__ = ("_head_then_any", "_head_then_one", "_tail")

    def __init__(self, head: list[_Token], tail: str) -> None:
        self._tail = tail
        # head followed by a possibly-empty run: "head matches some prefix".
        self._head_then_any = _glob([*head, None], nonempty=False)
        # head followed by a non-empty run (the final placeholder itself, within the segment).
        self._head_then_one = _glob([*head, None], nonempty=True)

    def matches(self, value: str) -> bool:
        tail = self._tail
        if tail:
            if not value.endswith(tail):
                return False
            value = value[: len(value) - len(tail)]
        colon = value.find(":")
        if colon < 0:
            return self._head_then_one.matches(value)
        # The head lies within the first sub-segment; the final placeholder takes the rest,
        # which contains a colon and so is non-empty.
        return self._head_then_any.matches(value[:colon])


class ArnFormat:
    """A compiled resource-type ARN format (see the module docstring for the rules)."""

    __slots__ = (
        "_after",
        "_before",
        "_final",
        "_literal",
        "_nsegments",
        "service",
        "specificity",
        "text",
    )

    def __init__(self, text: str) -> None:
        self.text = text
        tokens = parse_template(text)
        segments = _split_tokens(tokens, ":")
        self._nsegments = len(segments)
        fields = text.split(":", 5)
        # The service field as written ("" when it is a placeholder such as ${Vendor}).
        service_tokens = segments[2] if len(segments) > 2 else []
        self.service = (
            "".join(t for t in service_tokens if t is not None).lower()
            if service_tokens and None not in service_tokens
            else ""
        )
        literal = [t for t in tokens if t is not None]
        self.specificity = (sum(1 for t in literal if t in ":/"), len(literal))
        self._literal: str | None = text if None not in tokens else None
        self._before: tuple[_Segment, ...] = ()
        self._after: tuple[_Segment, ...] = ()
        self._final: _FinalSegment | None = None
        if self._literal is not None:
            return
        last = max(i for i, seg in enumerate(segments) if None in seg)
        if last < 5 or len(fields) < 6:
            # The last placeholder is in a header field: nothing may absorb a colon.
            self._before = tuple(
                _Segment(seg, whole_field_may_be_empty=0 < i < 5) for i, seg in enumerate(segments)
            )
            return
        self._before = tuple(
            _Segment(seg, whole_field_may_be_empty=0 < i < 5)
            for i, seg in enumerate(segments[:last])
        )
        self._after = tuple(
            _Segment(seg, whole_field_may_be_empty=False) for seg in segments[last + 1 :]
        )
        final = segments[last]
        cut = max(i for i, t in enumerate(final) if t is None)
        tail = "".join(t for t in final[cut + 1 :] if t is not None)
        self._final = _FinalSegment(final[:cut], tail)

    def matches(self, arn: str) -> bool:
        """Whether the concrete ``arn`` is an ARN of this format."""
        if self._literal is not None:
            return arn == self._literal
        parts = arn.split(":")
        if self._final is None:
            if len(parts) != self._nsegments:
                return False
            return all(seg.matches(part) for seg, part in zip(self._before, parts, strict=True))
        before, after = self._before, self._after
        stop = len(parts) - len(after)
        if stop <= len(before):
            return False
        for seg, part in zip(before, parts, strict=False):
            if not seg.matches(part):
                return False
        for seg, part in zip(after, parts[stop:], strict=True):
            if not seg.matches(part):
                return False
        return self._final.matches(":".join(parts[len(before) : stop]))


class KeyTemplate:
    """A condition-key name pattern (``aws:RequestTag/${TagKey}``), matched case-insensitively.

    A placeholder matches a non-empty run of any characters (tag keys may contain ``:`` and
    ``/``). ``prefix`` is the lower-cased text before the first ``:`` when it has no
    placeholder (used to index templates by key prefix), else ``""``.
    """

    __slots__ = ("_glob", "key", "prefix")

    def __init__(self, key: str) -> None:
        self.key = key
        tokens = parse_template(key, angle=True)
        head = key.split(":", 1)[0]
        self.prefix = "" if ("${" in head or "<" in head or "*" in head) else head.lower()
        self._glob = _glob(tokens, ignore_case=True)

    def matches(self, key: str) -> bool:
        return self._glob.matches(key)


def is_key_template(key: str) -> bool:
    """Whether a condition-key name from the reference is a pattern rather than one key."""
    return "${" in key or ("<" in key and ">" in key)
