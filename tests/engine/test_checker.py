"""A statement's compiled check (``CompiledStatement.checker``) equals ``applies``.

``decide()`` asks each statement a closure shaped at compile time for its elements (the match
class itself for a statement that applies to every request of its actions); ``applies`` stays
the reference it must equal, for every policy type's statement shapes, with and without a
permissions boundary in the set (NotPrincipal), over ARN, ``"*"`` and non-ARN resources.
The whole short decision path is checked against the traced evaluation in test_properties.py.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from test_properties import CALLERS, CONTEXT_VALUES, laws, statements

from iamsim.engine import make_request
from iamsim.engine.compiled import CompiledStatement
from iamsim.policy.model import PolicyType
from iamsim.policy.parser import parse_policy
from iamsim.vocabulary.arn import parse_arn
from iamsim.vocabulary.request import Request

A = "111122223333"
RESOURCES = [
    "arn:aws:s3:::bucket/key",
    "arn:aws:s3:::bucket/alice",
    "arn:aws:s3:::other/x",
    "*",
    f"arn:aws:ec2:us-east-1:{A}:instance/i-1",
    f"arn:aws:kms:us-east-1:{A}:key/k1",
    "arn:aws:sqs:us-east-1:444455556666:queue",
    "bucket/key",  # not an ARN: only "*" and non-ARN patterns can match it
    "arn:aws:s3",  # too few parts
]
TYPES = [
    PolicyType.IDENTITY,
    PolicyType.RESOURCE,
    PolicyType.SCP,
    PolicyType.RCP,
    PolicyType.BOUNDARY,
    PolicyType.ENDPOINT,
]


@st.composite
def cases(draw: st.DrawFn) -> tuple[CompiledStatement, Request, bool]:
    policy_type = draw(st.sampled_from(TYPES))
    stmt = draw(statements(policy_type))
    policy = parse_policy({"Version": "2012-10-17", "Statement": [stmt]}, policy_type, name="p")
    compiled = CompiledStatement(policy.statements[0], policy, None)
    keys = draw(st.lists(st.sampled_from(sorted(CONTEXT_VALUES)), max_size=4, unique=True))
    context = {k: draw(st.sampled_from(CONTEXT_VALUES[k])) for k in keys}
    if draw(st.booleans()):
        context["aws:username"] = draw(st.sampled_from(["alice", "bob", "*"]))
    request = make_request(
        draw(st.sampled_from(CALLERS)),
        "s3:GetObject",
        draw(st.sampled_from(RESOURCES)),
        context=context,
    )
    return compiled, request, draw(st.booleans())


@laws(400)
@given(cases())
def test_checker_equals_applies(case: tuple[CompiledStatement, Request, bool]) -> None:
    statement, request, bounded = case
    resource = request.resource
    arn = parse_arn(resource) if resource != "*" else None
    expected = statement.applies(request, bounded, arn)
    check = statement.checker(bounded)
    if isinstance(check, int):
        assert expected == check
        return
    split = resource.split(":", 5)
    parts = split if len(split) == 6 and split[0] == "arn" else None
    assert check(request, parts) == expected
