"""Effective permissions: what each guardrail removed, on hand-built and loaded worlds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iamsim.analysis.effective import (
    EffectiveAnalyzer,
    EffectivePermissions,
    Status,
    effective_permissions,
    term_to_dict,
)
from iamsim.analysis.synthesize import synthesize
from iamsim.engine import PolicySet, decide
from iamsim.errors import RequestError
from iamsim.ingest import load_inputs
from iamsim.model import (
    Account,
    ManagedPolicy,
    PolicyVersion,
    Role,
    Session,
    SessionKind,
    User,
    World,
)
from iamsim.policy import PolicyType, parse_policy, policy_to_json
from iamsim.report.permissions import permissions_to_dict, render_permissions

DATA = Path(__file__).parent / "data"
ACCOUNT = "222222222222"


@pytest.fixture(scope="module")
def world() -> World:
    return load_inputs([DATA / "gaad.yaml", DATA / "org.yaml", DATA / "resources.yaml"])


@pytest.fixture(scope="module")
def analyzer(world: World) -> EffectiveAnalyzer:
    return EffectiveAnalyzer(world)


def grants(result: EffectivePermissions, action: str) -> list[dict[str, object]]:
    found = result.get(action)
    assert found is not None, action
    return [term_to_dict(t) for t in found.case.terms]


def test_admin_without_guardrails_gets_every_action() -> None:
    admin = parse_policy(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
        PolicyType.IDENTITY,
        name="admin",
    )
    world = World.of(
        accounts=[Account("123456789012")],
        users=[
            User(
                arn="arn:aws:iam::123456789012:user/root-like",
                name="root-like",
                account="123456789012",
                inline_policies=(admin,),
            )
        ],
    )
    result = effective_permissions(world, "root-like")
    assert len(result) == len(result.index.actions) > 20000
    assert result.counts()["allowed"] == len(result)
    assert all(
        grants(result, a) == [{"resources": ["*"]}] for a in ("s3:GetObject", "iam:PassRole")
    )
    assert synthesize(result).document["Statement"] == [
        {"Sid": "Allow1", "Effect": "Allow", "Action": ["*"], "Resource": ["*"]}
    ]


def test_boundary_narrows_and_cuts(analyzer: EffectiveAnalyzer) -> None:
    result = analyzer.permissions("dev")
    # s3:* on * from DevPolicy, narrowed to the first-* buckets by DevBoundary
    assert result.status("s3:GetObject") is Status.ALLOWED
    assert grants(result, "s3:GetObject") == [{"resources": ["arn:aws:s3:::first-*"]}]
    removed = result.get("s3:GetObject").case.removals  # type: ignore[union-attr]
    assert [(r.kind, r.by, r.full) for r in removed] == [("cut", "permissions boundary", False)]
    # iam:* is granted but the boundary allows none of it
    assert result.status("iam:GetUser") is Status.CUT
    assert result.get("iam:GetUser").case.cut_by == ["permissions boundary"]  # type: ignore[union-attr]


def test_boundary_deny_and_boundary_conditions(analyzer: EffectiveAnalyzer) -> None:
    result = analyzer.permissions("dev")
    assert result.status("iam:PutUserPermissionsBoundary") is Status.DENIED
    (ref,) = result.get("iam:PutUserPermissionsBoundary").case.denied_by  # type: ignore[union-attr]
    assert (ref.policy_type, ref.policy, ref.statement) == (
        "boundary",
        "DevBoundary",
        "KeepBoundary",
    )
    # The boundary's condition carries over, with the principal's own tag resolved at request time.
    assert result.status("ec2:StartInstances") is Status.CONDITIONAL
    (term,) = grants(result, "ec2:StartInstances")
    assert term["conditions"] == {
        "StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}
    }


def test_compare_boundary(analyzer: EffectiveAnalyzer) -> None:
    result = analyzer.permissions("dev", service="s3", compare_boundary=True)
    case = result.get("s3:PutObject").case  # type: ignore[union-attr]
    assert [term_to_dict(t) for t in case.granted] == [{"resources": ["*"]}]
    assert [term_to_dict(t) for t in case.within_boundary or ()] == [
        {"resources": ["arn:aws:s3:::first-*"]}
    ]
    text = render_permissions(result, compare_boundary=True)
    assert "within the boundary" in text and "arn:aws:s3:::first-*" in text


def test_scp_cut_names_the_level_and_scp_deny_the_statement(analyzer: EffectiveAnalyzer) -> None:
    result = analyzer.permissions("admin")
    assert result.status("lambda:InvokeFunction") is Status.CUT
    assert result.get("lambda:InvokeFunction").case.cut_by == ["SCP at level 2"]  # type: ignore[union-attr]
    assert result.status("iam:CreateUser") is Status.DENIED
    (ref,) = result.get("iam:CreateUser").case.denied_by  # type: ignore[union-attr]
    assert (ref.policy_type, ref.level, ref.statement) == ("scp", 2, "NoNewUsers")
    # The region SCP's conditional Deny makes regional services conditional
    (term,) = grants(result, "ec2:DescribeInstances")
    unless: Any = term["unless_denied_by"][0]  # type: ignore[index]
    assert unless["statement"]["statement"] == "DenyOutsideRegions"
    # ... but not IAM, which it exempts with NotAction
    assert result.status("iam:GetUser") is Status.ALLOWED


def test_rcp_deny_is_named(analyzer: EffectiveAnalyzer) -> None:
    result = analyzer.permissions("admin")
    assert result.status("secretsmanager:DeleteSecret") is Status.DENIED
    (ref,) = result.get("secretsmanager:DeleteSecret").case.denied_by  # type: ignore[union-attr]
    assert (ref.policy_type, ref.policy, ref.statement) == ("rcp", "sqs-and-secrets", "KeepSecrets")
    # The root RCP keeps S3 inside the organization: this principal is inside, so no effect.
    assert result.status("s3:GetObject") is Status.ALLOWED


def test_explicit_deny_partial_and_conditional(analyzer: EffectiveAnalyzer) -> None:
    result = analyzer.permissions("limited")
    assert result.status("iam:DeleteUser") is Status.DENIED
    assert [r.statement for r in result.get("iam:DeleteUser").case.denied_by] == ["NoUserDeletes"]  # type: ignore[union-attr]
    assert grants(result, "s3:DeleteObject") == [
        {"resources": ["*"], "except": ["arn:aws:s3:::private-*", "arn:aws:s3:::logs-*/*"]}
    ]
    (put,) = grants(result, "s3:PutObject")
    assert put["unless_denied_by"][0]["conditions"] == {  # type: ignore[index]
        "Null": {"s3:x-amz-server-side-encryption": "true"}
    }
    assert result.status("s3:PutObject") is Status.CONDITIONAL


def test_not_action_and_not_resource(analyzer: EffectiveAnalyzer) -> None:
    auditor = analyzer.permissions("auditor")
    assert auditor.status("iam:GetUser") is None  # NotAction iam:*
    assert auditor.status("organizations:ListAccounts") is None
    assert auditor.status("s3:GetObject") is Status.ALLOWED  # every other service
    limited = analyzer.permissions("limited")
    assert grants(limited, "s3:GetObject") == [
        {"resources": ["*"], "except": ["arn:aws:s3:::private-*"]}
    ]


def test_conditions_over_principal_keys_are_resolved(analyzer: EffectiveAnalyzer) -> None:
    app = analyzer.permissions("arn:aws:iam::222222222222:role/app/app")
    # env=prod on the role: the ProdSecrets condition holds, DevLogs never applies
    (term,) = grants(app, "secretsmanager:GetSecretValue")
    assert "conditions" not in term
    assert app.status("logs:PutLogEvents") is None
    # ${aws:username} in a Resource is the user's name
    limited = analyzer.permissions("limited")
    assert grants(limited, "dynamodb:GetItem")[0]["resources"] == [
        "arn:aws:dynamodb:*:222222222222:table/limited-*"
    ]
    # a condition on a request key stays a condition
    (kms,) = grants(limited, "kms:Decrypt")
    assert kms["conditions"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def test_resource_types_decide_which_patterns_apply(analyzer: EffectiveAnalyzer) -> None:
    app = analyzer.permissions("arn:aws:iam::222222222222:role/app/app")
    # the bucket ARN cannot name an object: s3:GetObject only keeps data-bucket/*
    assert grants(app, "s3:GetObject") == [{"resources": ["arn:aws:s3:::data-bucket/*"]}]
    # sqs patterns keep their account and name
    assert grants(app, "sqs:SendMessage")[0]["resources"] == ["arn:aws:sqs:*:222222222222:jobs-*"]


def test_session_policy_and_federated_user() -> None:
    identity = parse_policy(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","sqs:*"],'
        '"Resource":"*"}]}',
        PolicyType.IDENTITY,
        name="role-policy",
    )
    session_policy = parse_policy(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",'
        '"Resource":"arn:aws:s3:::shared/*"}]}',
        PolicyType.SESSION,
        name="scope-down",
    )
    role = Role(
        arn="arn:aws:iam::123456789012:role/worker",
        name="worker",
        account="123456789012",
        inline_policies=(identity,),
    )
    session = Session(
        kind=SessionKind.ASSUMED_ROLE,
        account="123456789012",
        name="job-1",
        role_arn=role.arn,
        session_policies=(session_policy,),
    )
    user = User(
        arn="arn:aws:iam::123456789012:user/u",
        name="u",
        account="123456789012",
        inline_policies=(identity,),
    )
    federated = Session(
        kind=SessionKind.FEDERATED_USER, account="123456789012", name="fed", user_arn=user.arn
    )
    world = World.of(
        accounts=[Account("123456789012")],
        roles=[role],
        users=[user],
        sessions=[session, federated],
    )
    analyzer = EffectiveAnalyzer(world)
    result = analyzer.permissions(session.arn or "")
    assert grants(result, "s3:GetObject") == [{"resources": ["arn:aws:s3:::shared/*"]}]
    assert result.status("sqs:SendMessage") is Status.CUT
    assert result.get("sqs:SendMessage").case.cut_by == ["session policy"]  # type: ignore[union-attr]
    fed = analyzer.permissions(federated.arn or "")
    assert fed.counts()["allowed"] == 0 and fed.counts()["cut"] > 0
    assert any("federated-user session" in n for n in fed.notes)
    # the role itself (any session without a session policy) keeps everything
    assert analyzer.permissions("worker").status("sqs:SendMessage") is Status.ALLOWED


def test_root_user_in_a_member_account(analyzer: EffectiveAnalyzer) -> None:
    result = analyzer.permissions(ACCOUNT)
    assert result.caller.kind.value == "root"
    assert result.status("s3:GetObject") is Status.ALLOWED
    assert result.status("lambda:InvokeFunction") is Status.CUT  # the SCP allow list


def test_service_principal_is_refused(analyzer: EffectiveAnalyzer) -> None:
    with pytest.raises(RequestError, match="who-can"):
        analyzer.permissions("lambda.amazonaws.com")


def test_synthesized_policy_round_trips(analyzer: EffectiveAnalyzer) -> None:
    for principal in ("dev", "limited", "auditor", "arn:aws:iam::222222222222:role/app/app"):
        made = synthesize(analyzer.permissions(principal))
        assert made.approximations == []
        policy = made.policy()
        assert json.loads(policy_to_json(policy)) == made.document


def test_synthesized_policy_grants_what_the_result_says(analyzer: EffectiveAnalyzer) -> None:
    result = analyzer.permissions("limited")
    policy = synthesize(result).policy()
    builder = analyzer.builder
    cases = [
        ("s3:GetObject", "arn:aws:s3:::reports/a.csv", {}, True),
        ("s3:GetObject", "arn:aws:s3:::private-x/a.csv", {}, False),
        ("s3:DeleteObject", "arn:aws:s3:::logs-1/a", {}, False),
        ("s3:PutObject", "arn:aws:s3:::b/k", {}, False),
        ("s3:PutObject", "arn:aws:s3:::b/k", {"s3:x-amz-server-side-encryption": "AES256"}, True),
        ("kms:Decrypt", "*", {"aws:MultiFactorAuthPresent": "true"}, True),
        ("dynamodb:GetItem", f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/limited-t", {}, True),
        ("dynamodb:GetItem", f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/other-t", {}, False),
        ("iam:DeleteUser", f"arn:aws:iam::{ACCOUNT}:user/x", {}, False),
    ]
    for action, resource, context, expected in cases:
        context = {"aws:RequestedRegion": "eu-west-1", **context}
        built = builder.build("limited", action, resource, context=context)
        synthesized = decide(built.request, PolicySet(identity=(policy,))).allowed
        real = decide(built.request, built.policies).allowed
        assert synthesized == real == expected, (action, resource, context)


def test_json_and_text_are_reproducible(world: World) -> None:
    first = EffectiveAnalyzer(world).permissions("limited")
    second = EffectiveAnalyzer(world).permissions("limited")
    assert json.dumps(permissions_to_dict(first)) == json.dumps(permissions_to_dict(second))
    assert render_permissions(first) == render_permissions(second)
    assert synthesize(first).document == synthesize(second).document
    data = permissions_to_dict(first)
    assert [a["action"] for a in data["actions"]] == sorted(a["action"] for a in data["actions"])
    assert len(data["cases"]) == max(a["case"] for a in data["actions"]) + 1


def test_text_report_summarizes_large_results(analyzer: EffectiveAnalyzer) -> None:
    text = render_permissions(analyzer.permissions("admin"))
    assert "By service" in text and "details left out" in text
    assert "s3 — Amazon S3" not in text
    detailed = render_permissions(analyzer.permissions("admin", service="s3"))
    assert "s3 — Amazon S3" in detailed


def test_text_report_groups_by_service_and_level(analyzer: EffectiveAnalyzer) -> None:
    text = render_permissions(analyzer.permissions("dev"))
    assert "s3 — Amazon S3" in text
    assert "cut by permissions boundary" in text
    assert "denied by boundary 'DevBoundary' statement KeepBoundary" in text


def test_managed_boundary_from_the_model_api() -> None:
    doc = parse_policy(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}',
        PolicyType.IDENTITY,
        name="only-sqs",
    )
    broad = parse_policy(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:*","sns:*"],'
        '"Resource":"*"}]}',
        PolicyType.IDENTITY,
        name="broad",
    )
    boundary = ManagedPolicy(
        arn="arn:aws:iam::123456789012:policy/only-sqs",
        name="only-sqs",
        versions=(PolicyVersion("v1", doc, is_default=True),),
    )
    world = World.of(
        accounts=[Account("123456789012")],
        managed_policies=[boundary],
        roles=[
            Role(
                arn="arn:aws:iam::123456789012:role/r",
                name="r",
                account="123456789012",
                inline_policies=(broad,),
                boundary_arn=boundary.arn,
            )
        ],
    )
    result = effective_permissions(world, "r")
    assert result.status("sqs:SendMessage") is Status.ALLOWED
    assert result.status("sns:Publish") is Status.CUT
