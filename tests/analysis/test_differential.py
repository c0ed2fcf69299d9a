"""A second opinion on every engine change: three independent deciders compared on random input.

Hypothesis draws small random identity policies and permissions boundaries for one IAM user
(actions from a tiny vocabulary, wildcard resources, Action/NotAction, Resource/NotResource,
Allow/Deny, a few conditions) and asks the same concrete questions of

* ``decide()`` - the engine's fast path over compiled statement plans;
* ``evaluate()`` - the explained path that traces every statement;
* the effective-permissions algebra (:mod:`iamsim.analysis.effective`), which never simulates a
  request: its result is read back at the request with ``decision_at``.

All three must agree (the algebra in the categories it reports: allowed, explicitly denied, cut
by a guardrail). The example count stays small and derandomized so ``make test`` is fast and
repeatable; raise ``IAMSIM_DIFF_EXAMPLES`` for a longer run.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.analysis.test_effective_engine import _disagreement

from iamsim.analysis.effective import EffectiveAnalyzer
from iamsim.builder import RequestBuilder
from iamsim.engine import decide, evaluate
from iamsim.engine.decision import compile_policy_set
from iamsim.errors import RequestError
from iamsim.ingest.gaad import load_document

ACCOUNT = "222222222222"
USER = f"arn:aws:iam::{ACCOUNT}:user/u"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k1"

# Policy patterns: exact actions, service wildcards, prefix wildcards, the global wildcard.
ACTION_PATTERNS = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:Get*",
    "s3:*",
    "kms:Decrypt",
    "kms:*",
    "ec2:DescribeInstances",
    "iam:GetUser",
    "*",
]
RESOURCE_PATTERNS = [
    "*",
    "arn:aws:s3:::bkt/*",
    "arn:aws:s3:::bkt/a*",
    "arn:aws:s3:::other/*",
    "arn:aws:s3:::*",
    f"arn:aws:kms:*:{ACCOUNT}:key/*",
    KEY,
    f"arn:aws:iam::{ACCOUNT}:user/*",
]
CONDITIONS: list[dict[str, Any]] = [
    {"StringEquals": {"aws:RequestedRegion": "us-east-1"}},
    {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}},
    {"StringLike": {"aws:PrincipalTag/team": "blu*"}},
    {"StringEquals": {"aws:PrincipalTag/team": "red"}},
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
]
# Concrete questions: each action with resources of its own resource types (actions with no
# resource type are asked on "*").
QUESTIONS: list[tuple[str, str]] = [
    ("s3:GetObject", "arn:aws:s3:::bkt/a1"),
    ("s3:GetObject", "arn:aws:s3:::bkt/b"),
    ("s3:GetObject", "arn:aws:s3:::other/x"),
    ("s3:PutObject", "arn:aws:s3:::bkt/a1"),
    ("s3:DeleteObject", "arn:aws:s3:::other/x"),
    ("kms:Decrypt", KEY),
    ("kms:Decrypt", f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k2"),
    ("ec2:DescribeInstances", "*"),
    ("s3:ListAllMyBuckets", "*"),
    ("iam:GetUser", USER),
]
CONTEXTS: list[dict[str, Any]] = [{}, {"aws:RequestedRegion": "eu-west-1"}]


def _one_or_list(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


@st.composite
def statements(draw: st.DrawFn) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Deny"]))}
    actions = draw(st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=2, unique=True))
    statement["NotAction" if draw(st.booleans()) and "*" not in actions else "Action"] = (
        _one_or_list(actions)
    )
    resources = draw(
        st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2, unique=True)
    )
    statement["NotResource" if draw(st.integers(0, 3)) == 0 else "Resource"] = _one_or_list(
        resources
    )
    if draw(st.integers(0, 2)) == 0:
        statement["Condition"] = draw(st.sampled_from(CONDITIONS))
    return statement


def _document(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statements}


@st.composite
def worlds(draw: st.DrawFn) -> dict[str, Any]:
    inline = draw(st.lists(statements(), min_size=1, max_size=3))
    user: dict[str, Any] = {
        "UserName": "u",
        "Path": "/",
        "UserId": "AIDADIFF000000000001",
        "Arn": USER,
        "GroupList": [],
        "UserPolicyList": [{"PolicyName": "inline", "PolicyDocument": _document(inline)}],
        "AttachedManagedPolicies": [],
        "Tags": [{"Key": "team", "Value": draw(st.sampled_from(["blue", "red"]))}],
    }
    policies: list[dict[str, Any]] = []
    if draw(st.booleans()):
        boundary = draw(st.lists(statements(), min_size=1, max_size=2))
        arn = f"arn:aws:iam::{ACCOUNT}:policy/Boundary"
        user["PermissionsBoundary"] = {
            "PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": arn,
        }
        policies.append(
            {
                "PolicyName": "Boundary",
                "Arn": arn,
                "Path": "/",
                "DefaultVersionId": "v1",
                "PolicyVersionList": [
                    {"VersionId": "v1", "IsDefaultVersion": True, "Document": _document(boundary)}
                ],
            }
        )
    return {
        "UserDetailList": [user],
        "GroupDetailList": [],
        "RoleDetailList": [],
        "Policies": policies,
    }


EXAMPLES = int(os.environ.get("IAMSIM_DIFF_EXAMPLES", "60"))


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(doc=worlds())
def test_decide_evaluate_and_the_algebra_agree(doc: dict[str, Any]) -> None:
    world = load_document(doc, "differential")
    builder = RequestBuilder(world)
    analyzer = EffectiveAnalyzer(world, builder=builder)
    results = {
        service: analyzer.permissions(USER, service=service)
        for service in ("s3", "kms", "ec2", "iam")
    }
    compared = 0
    for action, resource in QUESTIONS:
        result = results[action.partition(":")[0]]
        for context in CONTEXTS:
            try:
                built = builder.build(USER, action, resource, context=context)
            except RequestError:
                continue
            request = built.request
            compiled = compile_policy_set(built.policies)
            explained = evaluate(request, compiled)
            fast = decide(request, compiled)
            assert fast is explained.value, (
                f"{action} {resource} {context}: decide={fast.value} "
                f"evaluate={explained.value.value} ({explained.reason})"
            )
            if not request.same_account or built.policies.resource is not None:
                continue
            verdict, by = result.decision_at(action, resource, request.context)
            problem = _disagreement(verdict, by, explained.value, explained.blocked_by)
            assert problem is None, f"{action} {resource} {context}: {problem} ({explained.reason})"
            compared += 1
    assert compared
