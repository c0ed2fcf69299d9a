"""Property tests against a simple dynamic-programming reference, plus adversarial inputs.

The reference matcher is the textbook O(len(pattern) * len(value)) table, written
independently of the library's strategies (string search, bit-parallel automaton), so any
disagreement on random inputs points at a bug in the fast path.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iamsim.patterns import (
    WILD_ONE,
    WILD_STAR,
    Glob,
    compile_action,
    compile_arn_condition,
    compile_resource,
    parse_template,
    tokenize,
)
from iamsim.vocabulary.request import Context

EMPTY = Context()


def reference_match(tokens: Sequence[str], value: str) -> bool:
    """Does the token list (WILD_STAR / WILD_ONE wildcards, else literal chars) match value?"""
    n = len(value)
    # row[j]: tokens[:i] matches value[:j]
    row = [True] + [False] * n
    for token in tokens:
        new = [False] * (n + 1)
        if token == WILD_STAR:
            seen = False
            for j in range(n + 1):
                seen = seen or row[j]
                new[j] = seen
        else:
            for j in range(1, n + 1):
                new[j] = row[j - 1] and (token == WILD_ONE or token == value[j - 1])
        row = new
    return row[n]


def ref_text(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    if ignore_case:
        pattern, value = pattern.lower(), value.lower()
    return reference_match(tokenize(pattern), value)


# Small alphabets make matches (and near misses) frequent.
PATTERNS = st.text(alphabet="ab*?", max_size=12)
VALUES = st.text(alphabet="ab", max_size=14)
MIXED_PATTERNS = st.text(alphabet="aAbB*?:/", max_size=12)
MIXED_VALUES = st.text(alphabet="aAbB:/", max_size=14)


@settings(max_examples=600)
@given(PATTERNS, VALUES)
def test_glob_agrees_with_reference(pattern: str, value: str) -> None:
    assert Glob(pattern).matches(value) is ref_text(pattern, value)


@settings(max_examples=400)
@given(MIXED_PATTERNS, MIXED_VALUES)
def test_glob_ignore_case_agrees_with_reference(pattern: str, value: str) -> None:
    assert Glob(pattern, ignore_case=True).matches(value) is ref_text(
        pattern, value, ignore_case=True
    )


TOKENS = st.lists(st.sampled_from(["a", "b", "*", "?", WILD_STAR, WILD_ONE]), max_size=10)


@settings(max_examples=400)
@given(TOKENS, st.text(alphabet="ab*?", max_size=12))
def test_glob_from_tokens_keeps_literal_wildcard_characters(tokens: list[str], value: str) -> None:
    assert Glob.from_tokens(tokens).matches(value) is reference_match(tokens, value)


@settings(max_examples=300)
@given(
    st.text(alphabet="ab*?", max_size=6),
    st.text(alphabet="ab*?", max_size=4),
    st.text(alphabet="ab*?", max_size=6),
    VALUES,
)
def test_variable_values_are_literal(prefix: str, user: str, suffix: str, value: str) -> None:
    template = parse_template(prefix + "${aws:username}" + suffix, enabled=True)
    context = Context({"aws:username": user})
    expected = reference_match([*tokenize(prefix), *user, *tokenize(suffix)], value)
    glob = template.glob(context)
    assert glob is not None
    assert glob.matches(value) is expected
    assert template.text_value(context) == prefix + user + suffix


@settings(max_examples=400)
@given(MIXED_PATTERNS, MIXED_VALUES)
def test_action_agrees_with_reference(name: str, action: str) -> None:
    pattern = "svc:" + name
    value = "SVC:" + action
    assert compile_action(pattern).matches(value) is ref_text(pattern, value, ignore_case=True)


SEGMENT_PATTERNS = st.text(alphabet="ab*?", max_size=4)
SEGMENT_VALUES = st.text(alphabet="ab", max_size=4)
RESOURCE_PATTERNS = st.text(alphabet="ab*?:/", max_size=8)
RESOURCE_VALUES = st.text(alphabet="ab:/", max_size=10)


def reference_resource(pattern: str, resource: str) -> bool:
    """The documented rules, spelled out directly (see arn.py's module docstring)."""
    if pattern == "*":
        return True
    if resource == "*":
        return False
    p = pattern.split(":", 5)
    r = resource.split(":", 5)
    if len(r) != 6 or r[0] != "arn" or p[0] != "arn":
        return False
    short = len(p) < 6
    if short and not p[-1].endswith("*"):
        return False
    for i in range(1, min(len(p), 5)):
        if not ref_text(p[i], r[i], ignore_case=(i == 2)):
            return False
    return True if short else ref_text(p[5], r[5])


@settings(max_examples=500)
@given(
    st.lists(SEGMENT_PATTERNS, min_size=1, max_size=4),
    st.one_of(st.none(), RESOURCE_PATTERNS),
    st.lists(SEGMENT_VALUES, min_size=4, max_size=4),
    RESOURCE_VALUES,
)
def test_resource_agrees_with_reference(
    prefix: list[str], resource_part: str | None, values: list[str], resource_value: str
) -> None:
    segments = ["arn", *prefix]
    if resource_part is not None and len(prefix) == 4:
        segments.append(resource_part)
    pattern = ":".join(segments)
    resource = ":".join(["arn", *values, resource_value])
    compiled = compile_resource(pattern, variables_enabled=True)
    assert compiled.matches(resource, EMPTY) is reference_resource(pattern, resource)


def reference_arn_condition(pattern: str, value: str) -> bool:
    p = pattern.split(":", 5)
    v = value.split(":", 5)
    if len(p) != 6 or len(v) != 6:
        return False
    return all(ref_text(a, b) for a, b in zip(p, v, strict=True))


@settings(max_examples=500)
@given(st.text(alphabet="ab*?:", max_size=16), st.text(alphabet="ab:", max_size=16))
def test_arn_condition_agrees_with_reference(pattern: str, value: str) -> None:
    compiled = compile_arn_condition(pattern, variables_enabled=True)
    assert compiled.matches(value, EMPTY) is reference_arn_condition(pattern, value)


# --- Adversarial patterns: exponential for a backtracking matcher, linear here ------------

ADVERSARIAL_STARS = "*a" * 40 + "b"
ADVERSARIAL_MIXED = "?*a" * 40 + "b"
MANY_A = "a" * 10_000


@pytest.mark.parametrize("pattern", [ADVERSARIAL_STARS, ADVERSARIAL_MIXED])
def test_adversarial_glob(pattern: str) -> None:
    assert Glob(pattern).matches(MANY_A) is False
    assert Glob(pattern).matches(MANY_A + "b") is True


@pytest.mark.parametrize("pattern", [ADVERSARIAL_STARS, ADVERSARIAL_MIXED])
def test_adversarial_resource_and_condition(pattern: str) -> None:
    resource = compile_resource("arn:aws:s3:::" + pattern, variables_enabled=True)
    assert resource.matches("arn:aws:s3:::" + MANY_A, EMPTY) is False
    assert resource.matches("arn:aws:s3:::" + MANY_A + "b", EMPTY) is True
    condition = compile_arn_condition("arn:aws:s3:::" + pattern, variables_enabled=True)
    assert condition.matches("arn:aws:s3:::" + MANY_A, EMPTY) is False
    assert condition.matches("arn:aws:s3:::" + MANY_A + "b", EMPTY) is True
    action = compile_action("s3:" + pattern)
    assert action.matches("s3:" + MANY_A) is False
    assert action.matches("s3:" + MANY_A + "b") is True


def test_adversarial_variable_value() -> None:
    # A hostile context value is literal text: it cannot add wildcards to the pattern.
    template = parse_template("${aws:username}", enabled=True)
    context = Context({"aws:username": ADVERSARIAL_STARS})
    glob = template.glob(context)
    assert glob is not None
    assert glob.matches(MANY_A) is False
    assert glob.matches(ADVERSARIAL_STARS) is True
