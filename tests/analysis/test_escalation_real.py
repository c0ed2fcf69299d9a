"""Escalation on the real exports in ../shared/data/gaad (cloudsplaining examples, which
include Bishop Fox's iam-vulnerable users): it runs, is reproducible, and finds what each
privesc user was built to show while the false-positive users stay contained."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from iamsim.analysis.escalation import EscalationGraph, analyze_escalation
from iamsim.analysis.techniques import Oracle
from iamsim.ingest import load_inputs

GAAD = Path(__file__).resolve().parents[1] / "real_inputs" / "gaad"
EXAMPLE = GAAD / "cloudsplaining-example.json"
SMALL = GAAD / "cloudsplaining-test-authz-details.json"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


# iam-vulnerable user -> a technique its paths must use.
EXPECTED = {
    "privesc1-CreateNewPolicyVersion-user": "iam-create-policy-version",
    "privesc3-CreateEC2WithExistingInstanceProfile-user": "passrole-ec2-run-instances",
    "privesc4-CreateAccessKey-user": "iam-create-access-key",
    "privesc5-CreateLoginProfile-user": "iam-create-login-profile",
    "privesc6-UpdateLoginProfile-user": "iam-update-login-profile",
    "privesc7-AttachUserPolicy-user": "iam-attach-user-policy",
    "privesc8-AttachGroupPolicy-user": "iam-attach-group-policy",
    "privesc10-PutUserPolicy-user": "iam-put-user-policy",
    "privesc11-PutGroupPolicy-user": "iam-put-group-policy",
    "privesc13-AddUserToGroup-user": "iam-add-user-to-group",
    "privesc14-UpdatingAssumeRolePolicy-user": "iam-update-assume-role-policy",
    "privesc15-PassExistingRoleToNewLambdaThenInvoke-user": "passrole-lambda-invoke",
    "privesc16-PassRoleToNewLambdaThenTriggerWithNewDynamo-user": "passrole-lambda-event-source",
    "privesc17-EditExistingLambdaFunctionWithRole-user": "lambda-update-function-code",
    "privesc18-PassExistingRoleToNewGlueDevEndpoint-user": "passrole-glue-dev-endpoint",
    "privesc19-UpdateExistingGlueDevEndpoint-user": "glue-update-dev-endpoint",
    "privesc20-PassExistingRoleToCloudFormation-user": "passrole-cloudformation-create-stack",
    "privesc21-PassExistingRoleToNewDataPipeline-user": "passrole-datapipeline",
    "privesc-CloudFormationUpdateStack-user": "cloudformation-update-stack",
    "privesc-codeBuildCreateProjectPassRole-user": "passrole-codebuild",
    "privesc-ec2InstanceConnect-user": "ec2-instance-connect",
    "privesc-sageMakerCreateNotebookPassRole-user": "passrole-sagemaker-notebook",
    "privesc-sageMakerCreatePresignedNotebookURL-user": "sagemaker-presigned-notebook-url",
    "privesc-sageMakerCreateProcessingJobPassRole-user": "passrole-sagemaker-processing-job",
    "privesc-sageMakerCreateTrainingJobPassRole-user": "passrole-sagemaker-training-job",
    "privesc-ssmSendCommand-user": "ssm-send-command",
    "privesc-ssmStartSession-user": "ssm-start-session",
    "privesc-sre-user": "iam-attach-user-policy",
    "fn1-privesc3-partial-user": "passrole-ec2-run-instances",
    "fn2-exploitableResourceConstraint-user": "iam-create-policy-version",
    "fn4-exploitableNotAction-user": "iam-put-user-policy",
}
# Contained, and why.
CONTAINED = {
    "fp1-allow-and-deny-user": "Deny iam:* beside the Allow",
    "fp2-allow-and-deny-multiple-policies-user": "Deny * in another policy",
    "fp3-deny-iam-user": "only a Deny",
    "fp4-nonExploitableResourceConstraint-user": "new versions of AWS policies only",
    "fp5-nonExploitableConditionConstraint-user": "token issued before 2020",
    "fn3-exploitableConditionConstraint-user": "long-term keys carry no aws:TokenIssueTime",
    "privesc2-SetExistingDefaultPolicyVersion-user": "its policy has a single version",
    "privesc9-AttachRolePolicy-user": "it can assume no role to use the policy",
    "privesc12-PutRolePolicy-user": "it can assume no role to use the policy",
    "privesc-AssumeRole-start-user": "the chain starts at an SSO session, not this user",
    "biden": "no IAM permissions",
}


@pytest.fixture(scope="module")
def report() -> dict[str, object]:
    world = load_inputs([EXAMPLE])
    graph = EscalationGraph(world, oracle=Oracle(world, now=NOW))
    return analyze_escalation(world, graph=graph, max_paths=20).to_dict()


def _result(report: dict[str, object], name: str) -> dict[str, object]:
    results = report["results"]
    assert isinstance(results, list)
    return next(r for r in results if r["label"].rsplit("/", 1)[-1] == name)


@pytest.mark.parametrize("user", sorted(EXPECTED))
def test_privesc_users_escalate(report: dict[str, object], user: str) -> None:
    result = _result(report, user)
    assert result["status"] == "escalates"
    techniques = {s["technique"] for p in result["paths"] for s in p["steps"]}
    assert EXPECTED[user] in techniques, techniques


@pytest.mark.parametrize("user", sorted(CONTAINED))
def test_false_positives_stay_contained(report: dict[str, object], user: str) -> None:
    assert _result(report, user)["status"] == "contained", CONTAINED[user]


def test_roles_with_the_same_policies_escalate_like_their_users(report: dict[str, object]) -> None:
    # fn3's role holds temporary credentials, so its aws:TokenIssueTime condition passes.
    assert _result(report, "fn3-exploitableConditionConstraint-role")["status"] == "escalates"
    assert _result(report, "privesc9-AttachRolePolicy-role")["status"] == "escalates"


def test_administrators_and_summary(report: dict[str, object]) -> None:
    admins = report["administrators"]
    assert isinstance(admins, list) and len(admins) == 8
    assert "arn:aws:iam::012345678901:user/obama" in admins
    summary = report["summary"]
    assert summary == {"principals": 114, "already_at_goal": 8, "escalate": 64, "contained": 42}


def test_reproducible() -> None:
    def run() -> str:
        world = load_inputs([EXAMPLE, SMALL])
        graph = EscalationGraph(world, oracle=Oracle(world, now=NOW))
        return json.dumps(analyze_escalation(world, graph=graph, max_paths=5).to_dict())

    assert run() == run()


def test_to_a_resource() -> None:
    world = load_inputs([EXAMPLE])
    graph = EscalationGraph(world, oracle=Oracle(world, now=NOW))
    report = analyze_escalation(
        world,
        start="privesc-AssumeRole-start-user",
        to="arn:aws:iam::200611803367:role/privesc-AssumeRole-ending-role",
        graph=graph,
    )
    assert report.results[0].status == "contained"
    report = analyze_escalation(
        world,
        start="privesc4-CreateAccessKey-user",
        to="arn:aws:s3:::some-bucket/key",
        actions=["s3:GetObject"],
        graph=graph,
        max_paths=3,
    )
    (result,) = report.results
    assert result.status == "escalates"
    assert all(
        p.goal.startswith("s3:GetObject on arn:aws:s3:::some-bucket/key") for p in result.paths
    )
