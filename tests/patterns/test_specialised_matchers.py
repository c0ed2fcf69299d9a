"""Compile-time specialised matchers agree with the general ones they stand in for.

``Glob.test`` picks a single string operation for common glob shapes (exact, prefix, suffix,
contains, prefix and suffix); static ``Resource`` ARN patterns skip the template resolution
and the per-segment dispatch. Both must decide exactly as the general path does.
"""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from iamsim.patterns.arn import compile_resource, split_request_arn
from iamsim.patterns.glob import Glob, _match_automaton, _match_stars
from iamsim.vocabulary.arn import parse_arn
from iamsim.vocabulary.request import Context

# Small alphabets so that random values often hit the pattern's literal pieces.
PATTERN_CHARS = st.sampled_from(list("abAB/:*?-"))
VALUE_CHARS = st.sampled_from(list("abAB/:-*?"))


def _general(glob: Glob, value: str) -> bool:
    """The unspecialised decision, straight from the compiled pieces or automaton."""
    if glob.ignore_case:
        value = value.lower()
    kind = glob._kind
    if kind == "literal":
        return value == glob._pieces[0]
    if kind == "star":
        return _match_stars(glob._pieces, value)
    return _match_automaton(glob, value)


@settings(max_examples=500)
@given(st.text(PATTERN_CHARS, max_size=8), st.text(VALUE_CHARS, max_size=10), st.booleans())
def test_specialised_glob_equals_general_glob(pattern: str, value: str, fold: bool) -> None:
    glob = Glob(pattern, ignore_case=fold)
    assert glob.test(value) is _general(glob, value)
    assert glob.matches(value) is _general(glob, value)


def test_each_specialised_shape() -> None:
    cases = {
        "abc": (["abc"], ["ab", "abcd", "ABC"]),
        "*": (["", "x"], []),
        "ab*": (["ab", "abx"], ["a", "xab"]),
        "*ab": (["ab", "xab"], ["abx"]),
        "*ab*": (["ab", "xaby"], ["a-b"]),
        "a*b": (["ab", "axxb"], ["a", "ba", "abx"]),
        "a*b*c": (["abc", "axbxc"], ["acb"]),
        # prefix-middle-suffix: the middle piece may not overlap the anchored ends.
        "ab*b*ba": (["abbba", "abxbyba"], ["abba", "aba", "abxba"]),
        "first-*/*": (["first-b/k", "first-/"], ["first-b", "first/x", "xfirst-b/k"]),
    }
    for pattern, (yes, no) in cases.items():
        glob = Glob(pattern)
        assert all(glob.test(v) for v in yes), pattern
        assert not any(glob.test(v) for v in no), pattern
    assert Glob("AB*", ignore_case=True).test("abX")
    assert not Glob("AB*").test("abX")


SEGMENTS = st.sampled_from(["aws", "*", "a*", "s3", "S3", "", "eu-*", "1111", "?"])
RESOURCES = st.sampled_from(["*", "b/*", "b/k", "*/k", "b?/k", "b/*/x", "b:c", "*:*"])
ARN_VALUES = st.sampled_from(
    [
        "arn:aws:s3:::b/k",
        "arn:aws:S3:::b/k",
        "arn:aws:s3:::b/a/x",
        "arn:aws:s3:eu-west-1:1111:b/k",
        "arn:aws-cn:s3:::bx/k",
        "arn:aws:ec2:a:1111:b:c",
        "arn:aws:s3:::b",
    ]
)


@settings(max_examples=400)
@given(st.lists(SEGMENTS, min_size=4, max_size=4), RESOURCES, ARN_VALUES)
def test_static_resource_pattern_equals_template_path(
    segments: list[str], resource: str, value: str
) -> None:
    text = "arn:" + ":".join(segments) + ":" + resource
    static = compile_resource(text, variables_enabled=True)
    assert static._checks is not None
    # The same pattern through the general path: resolve every segment and the resource part.
    # A copy: compile_resource is memoised, so the shared pattern must not be altered.
    general = dataclasses.replace(static, _checks=None)
    arn = parse_arn(value)
    assert arn is not None
    context = Context()
    assert static.matches_arn(arn, context) is general.matches_arn(arn, context)
    assert static.matches(value, context) is general.matches(value, context)
    assert static.arn_test(arn, context) is general.matches_arn(arn, context)
    parts = split_request_arn(value)
    assert parts is not None
    assert static.parts_test(parts, context) is general.matches_arn(arn, context)


USER_NAMES = st.sampled_from(["b", "k", "B", "*", "b/k", ""])


@settings(max_examples=400)
@given(
    st.lists(SEGMENTS, min_size=4, max_size=4),
    st.sampled_from(["${aws:username}/*", "b/${aws:username}", "*${aws:username}?", "${x:y}"]),
    ARN_VALUES,
    st.one_of(st.none(), USER_NAMES),
)
def test_resource_pattern_with_variables_equals_general_path(
    segments: list[str], resource: str, value: str, user: str | None
) -> None:
    """Variables in the resource part only: the specialised test resolves them per request
    (its glob cached by their values) and decides as the general template path does."""
    text = "arn:" + ":".join(segments) + ":" + resource
    pattern = compile_resource(text, variables_enabled=True)
    general = dataclasses.replace(pattern, _checks=None)
    arn = parse_arn(value)
    assert arn is not None
    context = Context({} if user is None else {"aws:username": user})
    expected = general.matches_arn(arn, context)
    assert pattern.matches_arn(arn, context) is expected
    assert pattern.arn_test(arn, context) is expected
    assert pattern.arn_test(arn, context) is expected  # from the cache of resolved values
    parts = split_request_arn(value)
    assert parts is not None
    assert pattern.parts_test(parts, context) is expected


@settings(max_examples=400)
@given(
    st.one_of(
        # Six-part patterns (static or with variables), short patterns, non-ARN patterns.
        st.tuples(st.lists(SEGMENTS, min_size=4, max_size=4), RESOURCES).map(
            lambda p: "arn:" + ":".join(p[0]) + ":" + p[1]
        ),
        st.lists(SEGMENTS, min_size=1, max_size=3).map(lambda s: "arn:" + ":".join(s) + "*"),
        st.sampled_from(
            ["*", "arn:${aws:username}:s3:::b/*", "arn:aws:s3:${x:y}::b/k", "b/*", "arn:aws"]
        ),
    ),
    st.one_of(ARN_VALUES, st.sampled_from(["arn:aws:s3::b", "b/k", "*", "arn:aws:s3:::"])),
    st.one_of(st.none(), USER_NAMES),
)
def test_parts_test_equals_matches(pattern_text: str, value: str, user: str | None) -> None:
    """Over a split request ARN, ``parts_test`` decides every pattern shape as ``matches``;
    a value that is not an ARN is not split (the engine then asks ``matches``)."""
    pattern = compile_resource(pattern_text, variables_enabled=True)
    context = Context({} if user is None else {"aws:username": user})
    parts = split_request_arn(value)
    if parts is None:
        assert parse_arn(value) is None
        return
    assert pattern.parts_test(parts, context) is pattern.matches(value, context)
