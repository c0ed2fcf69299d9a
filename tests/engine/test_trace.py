"""The explanation of a decision: decisive statements, the blocking guardrail, why each
statement did not apply, the context keys the decision depended on but were absent, the result
of every policy type and organization level, and the text and JSON renderings (issue 2, §4).

Decision rules exercised here:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from iamsim.checks.scenarios import parse_scenario
from iamsim.engine import Decision, DecisionValue, decide, evaluate
from iamsim.engine.trace import PolicyTypeVerdict, StatementTrace
from iamsim.report.text import render_decision

A = "111122223333"
B = "444455556666"
ALICE = f"arn:aws:iam::{A}:user/alice"
SESSION = f"arn:aws:sts::{A}:assumed-role/app/s1"
OBJECT = "arn:aws:s3:::bucket/key"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def named(name: str, *statements: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "document": doc(*statements)}


def allow(
    sid: str, action: str = "s3:GetObject", resource: str = "*", **extra: Any
) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(
    sid: str, action: str = "s3:GetObject", resource: str = "*", **extra: Any
) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Deny", "Action": action, "Resource": resource, **extra}


FULL = named("FullAWSAccess", allow("FullAccess", "*"))


def run(
    principal: str = ALICE, action: str = "s3:GetObject", resource: str = OBJECT, **fields: Any
) -> Decision:
    """Evaluate one scenario (the ``iamsim eval`` format) and check that the fast path agrees."""
    scenario = parse_scenario(
        {"principal": principal, "action": action, "resource": resource, **fields}, name="trace"
    )
    decision = evaluate(scenario.request, scenario.policies)
    assert decide(scenario.request, scenario.policies) is decision.value
    return decision


def trace_of(decision: Decision, policy: str, statement: str) -> StatementTrace:
    found = [
        t for t in decision.statements if t.ref.policy == policy and t.ref.statement == statement
    ]
    assert len(found) == 1, [t.ref for t in decision.statements]
    return found[0]


# ------------------------------------------------------------------------------ decisive statements


def test_decisive_allow_names_policy_and_sid() -> None:
    decision = run(
        policies={"identity": [named("S3Read", allow("AllowGet"), allow("Ec2", "ec2:*"))]}
    )
    assert decision.value is DecisionValue.ALLOW
    assert [(r.policy_type, r.policy, r.statement, r.effect) for r in decision.decisive] == [
        ("identity", "S3Read", "AllowGet", "Allow")
    ]
    assert decision.blocked_by is None


def test_decisive_explicit_deny_names_the_deny_statement() -> None:
    decision = run(
        action="iam:GenerateCredentialReport",
        resource="*",
        policies={
            "identity": [
                named(
                    "ReadOnlyNoReports",
                    allow("AllowGetList", ["iam:Get*", "iam:List*", "iam:Generate*"]),
                    deny("DenyReports", "iam:*Report"),
                )
            ]
        },
    )
    assert decision.value is DecisionValue.EXPLICIT_DENY
    assert [(r.policy, r.statement, r.effect) for r in decision.decisive] == [
        ("ReadOnlyNoReports", "DenyReports", "Deny")
    ]
    assert "identity" in decision.reason


def test_statement_without_sid_is_named_by_its_index() -> None:
    decision = run(
        policies={
            "identity": [
                {
                    "name": "NoSids",
                    "document": doc(
                        {"Effect": "Allow", "Action": "ec2:*", "Resource": "*"},
                        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                    ),
                }
            ]
        }
    )
    assert [(r.policy, r.statement) for r in decision.decisive] == [("NoSids", "#1")]
    assert trace_of(decision, "NoSids", "#0").applied is False


def test_decisive_resource_grant_reports_the_principal_match_class() -> None:
    direct = run(
        principal=SESSION,
        policies={
            "resource": named(
                "BucketPolicy",
                allow("ToSession", Principal={"AWS": SESSION}, Resource="arn:aws:s3:::bucket/*"),
            )
        },
    )
    assert direct.value is DecisionValue.ALLOW
    assert [(r.policy, r.statement, r.principal_match) for r in direct.decisive] == [
        ("BucketPolicy", "ToSession", "DIRECT")
    ]
    entity = run(
        principal=SESSION,
        policies={
            "resource": named(
                "BucketPolicy",
                allow(
                    "ToRole",
                    Principal={"AWS": f"arn:aws:iam::{A}:role/app"},
                    Resource="arn:aws:s3:::bucket/*",
                ),
            )
        },
    )
    assert [(r.statement, r.principal_match) for r in entity.decisive] == [("ToRole", "ENTITY")]


def test_cross_account_allow_names_both_sides() -> None:
    decision = run(
        principal=f"arn:aws:iam::{B}:user/xena",
        resource_account=A,
        policies={
            "identity": [named("XenaS3", allow("ReadShared"))],
            "resource": named(
                "BucketPolicy",
                allow("GrantB", Principal={"AWS": B}, Resource="arn:aws:s3:::bucket/*"),
            ),
        },
    )
    assert decision.value is DecisionValue.ALLOW
    assert {(r.policy, r.statement) for r in decision.decisive} == {
        ("XenaS3", "ReadShared"),
        ("BucketPolicy", "GrantB"),
    }
    grant = next(r for r in decision.decisive if r.policy == "BucketPolicy")
    assert grant.principal_match == "ACCOUNT"


# ------------------------------------------------------------------------------ blocking guardrails


IDENTITY_ALLOWS = [named("S3Read", allow("AllowGet"))]
SILENT = named("Ec2Only", allow("Ec2", "ec2:*"))


@pytest.mark.parametrize(
    ("principal", "policies", "guard"),
    [
        (ALICE, {"boundary": SILENT}, "permissions boundary"),
        (SESSION, {"session": [SILENT]}, "session policy"),
        (ALICE, {"scp": [[FULL], [SILENT], [FULL]]}, "SCP at level 1"),
        (ALICE, {"scp": [[FULL], [FULL], [SILENT]]}, "SCP at level 2"),
        (
            ALICE,
            {
                "endpoint": [
                    named(
                        "Endpoint",
                        allow("OtherBucket", Principal="*", Resource="arn:aws:s3:::other/*"),
                    )
                ]
            },
            "endpoint policy",
        ),
    ],
    ids=["boundary", "session", "scp-level-1", "scp-level-2", "endpoint"],
)
def test_implicit_deny_names_the_guardrail_that_blocked(
    principal: str, policies: dict[str, Any], guard: str
) -> None:
    decision = run(principal=principal, policies={"identity": IDENTITY_ALLOWS, **policies})
    assert decision.value is DecisionValue.IMPLICIT_DENY
    assert decision.blocked_by == guard
    assert "otherwise allowed" in decision.reason


@pytest.mark.parametrize(
    ("policies", "guard", "statement"),
    [
        (
            {"boundary": named("Boundary", allow("All", "*"), deny("NoGet"))},
            "permissions boundary",
            "NoGet",
        ),
        (
            {"session": [named("Session", allow("All", "*"), deny("NoGet"))]},
            "session policy",
            "NoGet",
        ),
        (
            {"scp": [[FULL], [FULL, named("DenyS3", deny("NoS3", "s3:*"))]]},
            "SCP at level 1",
            "NoS3",
        ),
        (
            {"rcp": [[named("DenyS3", deny("NoS3", "s3:*", Principal="*"))]]},
            "RCP at level 0",
            "NoS3",
        ),
        (
            {
                "endpoint": [
                    named(
                        "Endpoint", allow("All", "*", Principal="*"), deny("NoGet", Principal="*")
                    )
                ]
            },
            "endpoint policy",
            "NoGet",
        ),
    ],
    ids=["boundary", "session", "scp", "rcp", "endpoint"],
)
def test_explicit_deny_in_a_guardrail_is_named(
    policies: dict[str, Any], guard: str, statement: str
) -> None:
    decision = run(principal=SESSION, policies={"identity": IDENTITY_ALLOWS, **policies})
    assert decision.value is DecisionValue.EXPLICIT_DENY
    assert decision.blocked_by == guard
    assert [r.statement for r in decision.decisive] == [statement]


def test_rcp_level_and_scp_level_results_carry_their_level() -> None:
    decision = run(
        policies={
            "identity": IDENTITY_ALLOWS,
            "scp": [[FULL], [SILENT]],
            "rcp": [[named("DenyDelete", deny("NoDelete", "s3:DeleteBucket", Principal="*"))]],
        }
    )
    levels = {
        (r.policy_type, r.level): r.verdict for r in decision.policy_results if r.level is not None
    }
    assert levels[("scp", 0)] is PolicyTypeVerdict.ALLOW
    assert levels[("scp", 1)] is PolicyTypeVerdict.NO_MATCH
    # The RCP level allows through the implicit RCPFullAWSAccess; the customer Deny does not match.
    assert levels[("rcp", 0)] is PolicyTypeVerdict.ALLOW


def test_identity_silence_is_not_reported_as_a_guardrail() -> None:
    decision = run(policies={"identity": [SILENT]})
    assert decision.value is DecisionValue.IMPLICIT_DENY
    assert decision.blocked_by is None
    assert decision.decisive == ()


def test_guardrail_exemptions_are_noted() -> None:
    slr = run(
        principal=f"arn:aws:iam::{A}:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport",
        policies={"identity": IDENTITY_ALLOWS, "scp": [[named("DenyAll", deny("All", "*"))]]},
    )
    assert slr.value is DecisionValue.ALLOW
    assert any("service-linked" in note for note in slr.notes)
    ec2 = run(
        action="ec2:StartInstances",
        resource=f"arn:aws:ec2:us-east-1:{A}:instance/i-1",
        policies={
            "identity": [SILENT],
            "rcp": [[named("DenyAll", deny("All", "*", Principal="*"))]],
        },
    )
    assert ec2.value is DecisionValue.ALLOW
    assert any("RCP" in note and "ec2" in note for note in ec2.notes)


# ------------------------------------------------------------------------------ why statements did not apply


def test_non_matching_reasons_action_resource_principal_condition() -> None:
    decision = run(
        context={"aws:SourceIp": "198.51.100.7"},
        policies={
            "identity": [
                named(
                    "Mixed",
                    allow("WrongAction", "ec2:*"),
                    allow("WrongResource", "s3:*", "arn:aws:s3:::other/*"),
                    allow(
                        "WrongIp",
                        "s3:*",
                        Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
                    ),
                    {
                        "Sid": "NotActionExcludes",
                        "Effect": "Allow",
                        "NotAction": "s3:*",
                        "Resource": "*",
                    },
                )
            ],
            "resource": named(
                "BucketPolicy",
                allow(
                    "OtherUser",
                    Principal={"AWS": f"arn:aws:iam::{A}:user/bob"},
                    Resource="arn:aws:s3:::bucket/*",
                ),
            ),
        },
    )
    assert decision.value is DecisionValue.IMPLICIT_DENY
    reasons = {t.ref.statement: (t.applied, t.reason) for t in decision.statements}
    assert reasons["WrongAction"] == (False, "action")
    assert reasons["WrongResource"] == (False, "resource")
    assert reasons["WrongIp"] == (False, "condition")
    assert reasons["NotActionExcludes"] == (False, "action")
    assert reasons["OtherUser"] == (False, "principal")
    assert "NotAction" in (trace_of(decision, "Mixed", "NotActionExcludes").detail or "")
    assert "bucket/key" in (trace_of(decision, "Mixed", "WrongResource").detail or "")
    assert ALICE in (trace_of(decision, "BucketPolicy", "OtherUser").detail or "")


def test_failing_condition_names_key_and_values() -> None:
    decision = run(
        context={"aws:SourceIp": "198.51.100.7"},
        policies={
            "identity": [
                named(
                    "IpOnly",
                    allow(
                        "FromOffice",
                        Condition={
                            "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
                            "Bool": {"aws:SecureTransport": "true"},
                        },
                    ),
                )
            ]
        },
    )
    trace = trace_of(decision, "IpOnly", "FromOffice")
    assert trace.reason == "condition"
    assert "aws:SourceIp" in (trace.detail or "")
    checks = {c.key: c for c in trace.conditions}
    assert checks["aws:SourceIp"].result is False
    assert checks["aws:SourceIp"].request_values == ("198.51.100.7",)
    assert checks["aws:SourceIp"].policy_values == ("203.0.113.0/24",)
    assert checks["aws:SecureTransport"].request_values is None


def test_not_resource_and_not_principal_exclusions_are_explained() -> None:
    decision = run(
        principal=f"arn:aws:iam::{B}:user/Bob",
        resource_account=A,
        policies={
            "identity": IDENTITY_ALLOWS,
            "resource": named(
                "BucketPolicy",
                allow("GrantB", Principal={"AWS": B}, Resource="arn:aws:s3:::bucket/*"),
                {
                    "Sid": "AllButBob",
                    "Effect": "Deny",
                    "NotPrincipal": {
                        "AWS": [f"arn:aws:iam::{B}:user/Bob", f"arn:aws:iam::{B}:root"]
                    },
                    "Action": "s3:*",
                    "Resource": "arn:aws:s3:::bucket/*",
                },
                {
                    "Sid": "OutsideBucket",
                    "Effect": "Deny",
                    "Action": "s3:*",
                    "Principal": "*",
                    "NotResource": "arn:aws:s3:::bucket/*",
                },
            ),
        },
    )
    assert decision.value is DecisionValue.ALLOW
    bob = trace_of(decision, "BucketPolicy", "AllButBob")
    assert (bob.applied, bob.reason) == (False, "principal")
    assert "NotPrincipal" in (bob.detail or "")
    outside = trace_of(decision, "BucketPolicy", "OutsideBucket")
    assert (outside.applied, outside.reason) == (False, "resource")
    assert "NotResource" in (outside.detail or "")


def test_trust_policy_statements_are_traced_as_trust() -> None:
    decision = run(
        action="sts:AssumeRole",
        resource=f"arn:aws:iam::{A}:role/Target",
        policies={
            "resource": named(
                "Trust",
                {
                    "Sid": "TrustAccount",
                    "Effect": "Allow",
                    "Principal": {"AWS": A},
                    "Action": "sts:AssumeRole",
                },
            )
        },
    )
    assert decision.value is DecisionValue.IMPLICIT_DENY
    trust = trace_of(decision, "Trust", "TrustAccount")
    assert trust.ref.policy_type == "trust"
    assert trust.applied and trust.ref.principal_match == "ACCOUNT"
    assert "identity" in decision.reason


# ------------------------------------------------------------------------------ missing context keys


def test_absent_keys_the_decision_depended_on_are_listed() -> None:
    decision = run(
        policies={
            "identity": [
                named(
                    "Conditional",
                    allow(
                        "FromOffice", Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}
                    ),
                    allow("Tagged", Condition={"StringEquals": {"aws:PrincipalTag/team": "a"}}),
                )
            ]
        }
    )
    assert decision.value is DecisionValue.IMPLICIT_DENY
    assert set(decision.missing_context_keys) == {"aws:SourceIp", "aws:PrincipalTag/team"}


def test_present_keys_are_not_listed_as_missing() -> None:
    decision = run(
        context={"aws:SourceIp": "203.0.113.9"},
        policies={
            "identity": [
                named(
                    "FromOffice",
                    allow("Ip", Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}),
                )
            ]
        },
    )
    assert decision.value is DecisionValue.ALLOW
    assert decision.missing_context_keys == ()


def test_keys_the_engine_derives_are_not_missing() -> None:
    decision = run(
        policies={
            "identity": [
                named(
                    "Own",
                    allow(
                        "OwnAccount",
                        Condition={
                            "StringEquals": {"aws:PrincipalAccount": A, "aws:username": "alice"}
                        },
                    ),
                )
            ]
        }
    )
    assert decision.value is DecisionValue.ALLOW
    assert decision.missing_context_keys == ()


def test_missing_key_that_fired_a_deny_is_listed() -> None:
    decision = run(
        policies={
            "identity": [
                named(
                    "Mfa",
                    allow("All", "*"),
                    deny(
                        "NoMfa",
                        "*",
                        Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
                    ),
                )
            ]
        }
    )
    assert decision.value is DecisionValue.EXPLICIT_DENY
    assert "aws:MultiFactorAuthPresent" in decision.missing_context_keys


# ------------------------------------------------------------------------------ renderings


def test_text_rendering_names_guardrail_decisive_statements_and_reasons() -> None:
    decision = run(
        policies={
            "identity": [
                named(
                    "S3Read",
                    allow("AllowGet"),
                    allow(
                        "NeedIp",
                        "s3:*",
                        Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
                    ),
                )
            ],
            "scp": [[FULL], [SILENT]],
        }
    )
    text = render_decision(decision)
    assert text.startswith("ImplicitDeny")
    assert "blocked by: SCP at level 1" in text
    assert "'S3Read' AllowGet (Allow): applies" in text
    assert "'Ec2Only' Ec2 (Allow): does not apply" in text
    assert "aws:SourceIp" in text
    assert "absent context keys" in text

    allowed = run(policies={"identity": IDENTITY_ALLOWS})
    assert "decisive: identity 'S3Read' statement AllowGet (Allow)" in render_decision(allowed)


def test_json_rendering_is_serializable_and_complete() -> None:
    decision = run(
        principal=SESSION,
        policies={"identity": IDENTITY_ALLOWS, "session": [SILENT]},
    )
    data = json.loads(json.dumps(decision.to_dict()))
    assert data["decision"] == "ImplicitDeny"
    assert data["blocked_by"] == "session policy"
    assert data["decisive_statements"] == []
    assert {r["policy_type"] for r in data["policy_results"]} >= {"identity", "session"}
    statements = {(s["policy"], s["statement"]): s for s in data["statements"]}
    assert statements[("S3Read", "AllowGet")]["applied"] is True
    assert statements[("Ec2Only", "Ec2")]["not_applied_because"] == "action"


def test_fast_path_gives_the_value_without_a_trace() -> None:
    scenario = parse_scenario(
        {
            "principal": ALICE,
            "action": "s3:GetObject",
            "resource": OBJECT,
            "policies": {"identity": IDENTITY_ALLOWS},
        },
        name="fast",
    )
    quiet = evaluate(scenario.request, scenario.policies, explain=False)
    assert quiet.value is DecisionValue.ALLOW
    assert quiet.statements == ()
