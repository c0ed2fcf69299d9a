"""Terraform's regular-expression functions (``regex``, ``regexall``, ``replace``) on RE2."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import re2

from iamsim import limits
from iamsim.ingest.terraform.budget import check_limit
from iamsim.ingest.terraform.functions.call import Call, FunctionError, need, str_arg


def fn_replace(call: Call, text: str, search: str, repl: str) -> str:
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        pattern = _regexp(search[1:-1])
        out: list[str] = []
        size, last = 0, 0
        for count, match in enumerate(_find_all(pattern, text), 1):
            # Each match costs the RE2 binding microseconds: their number is capped too.
            check_limit(count, "max_collection_elements", "the matches of the pattern")
            out.append(text[last : match.start()])
            out.append(_expand(repl, match))
            size += len(out[-2]) + len(out[-1])
            check_limit(size, "max_string_chars", "the result")
            last = match.end()
        out.append(text[last:])
        check_limit(size + len(out[-1]), "max_string_chars", "the result")
        return "".join(out)
    if search:
        # The result's size is known before it is built.
        growth = text.count(search) * (len(repl) - len(search))
        check_limit(len(text) + growth, "max_string_chars", "the result")
    else:
        check_limit(len(text) + (len(text) + 1) * len(repl), "max_string_chars", "the result")
    return text.replace(search, repl)


# Regular expressions from inputs run on RE2, as in Terraform (Go's regexp is RE2): linear
# time in the text, memory capped by max_regex_memory, and RE2's syntax (no backreferences,
# no lookaround: Terraform rejects those patterns too).
_REGEXP_CACHE: dict[tuple[str, int], Any] = {}


def _regexp(pattern: str) -> Any:
    """The compiled RE2 pattern; an invalid one fails as Terraform's does."""
    max_mem = limits.current().max_regex_memory
    compiled = _REGEXP_CACHE.get((pattern, max_mem))
    if compiled is None:
        options = re2.Options()
        options.max_mem = max_mem
        options.log_errors = False
        try:
            compiled = re2.compile(pattern, options)
        except re2.error as exc:
            reason = exc.args[0] if exc.args else exc
            if isinstance(reason, bytes):
                reason = reason.decode("utf-8", "replace")
            raise FunctionError(f"invalid regular expression: {reason}") from None
        if len(_REGEXP_CACHE) > 256:
            _REGEXP_CACHE.clear()
        _REGEXP_CACHE[(pattern, max_mem)] = compiled
    return compiled


def _find_all(pattern: Any, text: str) -> Iterator[Any]:
    """Successive non-overlapping matches as Go's FindAll gives them: an empty match right
    after the previous match is skipped."""
    previous_end = -1
    for match in pattern.finditer(text):
        if match.start() == match.end() == previous_end:
            continue
        previous_end = match.end()
        yield match


_GO_TEMPLATE = re.compile(r"\$(?:\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))")


def _expand(template: str, match: Any) -> str:
    """Go's Regexp.Expand: ``$1``, ``${1}``, ``$name``, ``${name}`` (longest name; an
    unknown group is empty) and ``$$`` for a dollar."""

    def group(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m.group(1) or m.group(2)
        try:
            key: int | str = int(name) if name.isdigit() else name
            value = match.group(key)
        except (IndexError, KeyError, re2.error):
            return ""
        return value or ""

    if "$" not in template:
        return template
    return _GO_TEMPLATE.sub(group, template)


def _regex_result(pattern: Any, match: Any) -> Any:
    """cty's regex result: the match without capture groups, a map of named groups, or a
    list of unnamed ones (an unmatched group is null)."""
    if pattern.groupindex:
        return {name: match.group(name) for name in pattern.groupindex}
    if pattern.groups:
        return list(match.groups())
    return match.group(0)


def _checked_pattern(pattern: str) -> Any:
    compiled = _regexp(pattern)
    named = len(compiled.groupindex)
    need(
        named in (0, compiled.groups),
        "invalid regular expression: cannot mix both named and unnamed capture groups",
    )
    return compiled


def fn_regex(call: Call, pattern: Any, text: Any) -> Any:
    compiled = _checked_pattern(str_arg(pattern))
    match = compiled.search(str_arg(text))
    need(match is not None, "pattern did not match any part of the given string")
    return _regex_result(compiled, match)


def fn_regexall(call: Call, pattern: Any, text: Any) -> list[Any]:
    compiled = _checked_pattern(str_arg(pattern))
    out: list[Any] = []
    for match in _find_all(compiled, str_arg(text)):
        out.append(_regex_result(compiled, match))
        check_limit(len(out), "max_collection_elements", "the list of matches")
    return out
