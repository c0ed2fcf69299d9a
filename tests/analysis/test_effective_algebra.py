"""The resource-set algebra against the engine's own matcher (property tests)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from iamsim.analysis.arnsets import covers, example, format_set, intersects, resource_set
from iamsim.patterns.arn import compile_resource
from iamsim.vocabulary.request import Context

_SEGMENT = st.text(alphabet="ab*?", min_size=0, max_size=4)
_RESOURCE = st.text(alphabet="ab/:*?", min_size=0, max_size=6)


@st.composite
def patterns(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return "*"
    if kind == 1:  # a short pattern
        parts = draw(st.lists(_SEGMENT, min_size=1, max_size=4))
        return "arn:" + ":".join(parts)
    if kind == 2:  # a non-ARN pattern, globbed whole
        return draw(st.text(alphabet="ab:*", min_size=1, max_size=6))
    service = draw(st.sampled_from(["s3", "S3", "sqs", "*", "s?"]))
    region, account = draw(_SEGMENT), draw(_SEGMENT)
    return f"arn:aws:{service}:{region}:{account}:{draw(_RESOURCE)}"


@st.composite
def arns(draw: st.DrawFn) -> str:
    service = draw(st.sampled_from(["s3", "sqs"]))
    region = draw(st.text(alphabet="ab", max_size=2))
    account = draw(st.text(alphabet="ab", max_size=2))
    resource = draw(st.text(alphabet="ab/:", max_size=5))
    return f"arn:aws:{service}:{region}:{account}:{resource}"


NO_CONTEXT = Context()


def matches(pattern: str, arn: str) -> bool:
    return compile_resource(pattern, variables_enabled=True).matches(arn, NO_CONTEXT)


@settings(max_examples=400, deadline=None)
@given(patterns(), patterns(), arns())
def test_intersects_and_covers_are_sound(p: str, q: str, arn: str) -> None:
    a = resource_set(p, variables_enabled=True)
    b = resource_set(q, variables_enabled=True)
    in_a, in_b = matches(p, arn), matches(q, arn)
    if in_a and in_b:
        assert intersects(a, b), (p, q, arn)
    if covers(a, b) and in_b:
        assert in_a, (p, q, arn)


@settings(max_examples=300, deadline=None)
@given(patterns(), patterns())
def test_examples_are_members_of_both_sets(p: str, q: str) -> None:
    a = resource_set(p, variables_enabled=True)
    b = resource_set(q, variables_enabled=True)
    found = example(a, b)
    # Against a non-ARN pattern the example comes from a flat superset: not guaranteed.
    if found is not None and "flat" not in (a.kind, b.kind):
        assert a.contains(found, NO_CONTEXT) and b.contains(found, NO_CONTEXT), (p, q, found)
    if found is None and not (a.is_all and b.is_all):
        assert not intersects(a, b) or a.kind == "flat" or b.kind == "flat"


def test_formats_and_patterns() -> None:
    obj = format_set("arn:${Partition}:s3:::${BucketName}/${ObjectName}")
    bucket = format_set("arn:${Partition}:s3:::${BucketName}")
    assert intersects(resource_set("arn:aws:s3:::b/*", variables_enabled=True), obj)
    assert not intersects(resource_set("arn:aws:s3:::b", variables_enabled=True), obj)
    assert intersects(resource_set("arn:aws:s3:::*", variables_enabled=True), bucket)
    assert not intersects(resource_set("arn:aws:sqs:*:*:q", variables_enabled=True), obj)
    assert covers(
        resource_set("arn:aws:s3:::first-*", variables_enabled=True),
        resource_set("arn:aws:s3:::first-*/*", variables_enabled=True),
    )
    assert not covers(
        resource_set("arn:aws:s3:::first-*/*", variables_enabled=True),
        resource_set("arn:aws:s3:::first-*", variables_enabled=True),
    )
    # service names compare case-insensitively, as the engine does
    assert covers(
        resource_set("arn:aws:S3:::*", variables_enabled=True),
        resource_set("arn:aws:s3:::b", variables_enabled=True),
    )


def test_variables_from_the_principal_and_from_the_request() -> None:
    from iamsim.analysis.facts import principal_facts

    facts = principal_facts(Context({"aws:username": "alice", "aws:PrincipalArn": "x"}))
    fixed = resource_set("arn:aws:s3:::home/${aws:username}/*", variables_enabled=True, facts=facts)
    assert fixed.text == "arn:aws:s3:::home/alice/*" and not fixed.dynamic
    dynamic = resource_set("arn:aws:s3:::home/${s3:prefix}*", variables_enabled=True, facts=facts)
    assert dynamic.dynamic and not covers(dynamic, fixed)
    assert intersects(dynamic, fixed)
