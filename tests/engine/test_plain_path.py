"""The short decision path (``decision._decide_plain``) is taken only where it may be.

It decides from the policies alone, so no action that a rule beyond the policies concerns
(credential restrictions, AWS-managed entities, actions needing no permission, trust and key
policies, owner-only operations, the bucket owner's policy access) may reach it; and it must
agree with the traced evaluation wherever it is taken (random sets: test_properties.py).
"""

from __future__ import annotations

import pytest

from iamsim.engine import (
    CompiledPolicySet,
    PolicySet,
    decide,
    evaluate,
    make_request,
    service_rules,
)
from iamsim.engine.decision import (
    NO_PERMISSION_ACTIONS,
    RCP_EXEMPT_ACTIONS,
    policies_alone_decide,
)
from iamsim.policy.model import PolicyType
from iamsim.policy.parser import parse_policy
from iamsim.vocabulary.targets import TRUST_ACTIONS

RULED = sorted(
    service_rules._ROLE_SESSION_CANNOT
    | service_rules._SQS_OWNER_ONLY
    | service_rules._KMS_CROSS_ACCOUNT_OPERATIONS
    | service_rules.BUCKET_POLICY_ACTIONS
    | service_rules._POLICY_CHANGES
    | service_rules._ROLE_CHANGES
    | service_rules._RESERVED_ROLE_CHANGES
    | service_rules._KMS_ALIAS_CHANGES
    | NO_PERMISSION_ACTIONS
    | RCP_EXEMPT_ACTIONS
    | TRUST_ACTIONS
)


@pytest.mark.parametrize("action", RULED)
def test_actions_under_a_rule_take_the_full_procedure(action: str) -> None:
    assert not policies_alone_decide(action)


@pytest.mark.parametrize("action", ["iam:listusers", "sts:getfederationtoken", "kms:encrypt"])
def test_whole_ruled_services_take_the_full_procedure(action: str) -> None:
    # Federated-user credentials are refused every IAM and STS call; every KMS key use goes
    # through the key policy: the whole service is ruled, not only the listed actions.
    assert not policies_alone_decide(action)


def test_other_actions_take_the_short_path() -> None:
    assert policies_alone_decide("s3:getobject")
    assert policies_alone_decide("dynamodb:getitem")


def _doc(statements: list[dict[str, object]]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": statements}


ALLOW_ALL = _doc([{"Effect": "Allow", "Action": "*", "Resource": "*"}])


def test_sets_with_an_endpoint_or_a_trust_policy_take_the_full_procedure() -> None:
    identity = parse_policy(ALLOW_ALL, PolicyType.IDENTITY, name="all")
    endpoint = parse_policy(
        _doc([{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]),
        PolicyType.ENDPOINT,
        name="endpoint",
    )
    trust = parse_policy(
        _doc([{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]),
        PolicyType.TRUST,
        name="trust",
    )
    plain = CompiledPolicySet(PolicySet(identity=(identity,)))
    assert plain.plain_plan("s3:getobject") is not None
    with_endpoint = CompiledPolicySet(PolicySet(identity=(identity,), endpoint=(endpoint,)))
    assert with_endpoint.plain_plan("s3:getobject") is None
    with_trust = CompiledPolicySet(PolicySet(identity=(identity,), resource=trust))
    assert with_trust.plain_plan("s3:getobject") is None


A, B = "111122223333", "444455556666"


@pytest.mark.parametrize(
    ("caller", "resource_account"),
    [
        (f"arn:aws:iam::{A}:user/alice", A),
        (f"arn:aws:iam::{A}:root", A),
        (f"arn:aws:sts::{A}:assumed-role/app/s1", A),
        (f"arn:aws:sts::{A}:federated-user/carol", A),
        (f"arn:aws:iam::{B}:user/xena", A),
        (f"arn:aws:iam::{B}:root", A),
        (f"arn:aws:sts::{B}:assumed-role/auditor/s1", A),
    ],
)
@pytest.mark.parametrize("with_session", [False, True])
def test_short_path_agrees_with_the_traced_evaluation(
    caller: str, resource_account: str, with_session: bool
) -> None:
    """Every branch of the short path: Deny, SCP levels, resource grants by match class,
    boundary, session policy, same and cross account."""
    identity = parse_policy(
        _doc([{"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/*"}]),
        PolicyType.IDENTITY,
        name="id",
    )
    boundary = parse_policy(
        _doc([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]),
        PolicyType.BOUNDARY,
        name="pb",
    )
    session = parse_policy(
        _doc([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]),
        PolicyType.SESSION,
        name="session",
    )
    bucket = parse_policy(
        _doc(
            [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": [B, f"arn:aws:iam::{A}:user/alice"]},
                    "Action": "s3:*",
                    "Resource": "arn:aws:s3:::b/*",
                },
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:DeleteObject",
                    "Resource": "*",
                },
            ]
        ),
        PolicyType.RESOURCE,
        name="bucket",
    )
    scp = parse_policy(
        _doc([{"Effect": "Allow", "Action": ["s3:Get*", "s3:Put*"], "Resource": "*"}]),
        PolicyType.SCP,
        name="scp",
    )
    compiled = CompiledPolicySet(
        PolicySet(
            identity=(identity,),
            boundary=boundary,
            session=(session,) if with_session else (),
            resource=bucket,
            scp=((parse_policy(ALLOW_ALL, PolicyType.SCP, name="full"),), (scp,)),
        )
    )
    for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"):
        for resource in ("arn:aws:s3:::b/k", "arn:aws:s3:::c/k"):
            request = make_request(caller, action, resource, resource_account=resource_account)
            assert compiled.plain_plan(action.lower()) is not None
            assert decide(request, compiled) is evaluate(request, compiled).value, (
                action,
                resource,
            )
