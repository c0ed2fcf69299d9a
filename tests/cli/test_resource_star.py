"""Actions without resource-level permissions are asked on Resource "*" by every command.

AWS authorizes s3:ListAllMyBuckets, sts:GetCallerIdentity, ec2:DescribeInstances, kms:ListKeys
(the service reference lists no resource type for them) against "*": a statement naming a
specific ARN never allows them, and a Deny naming one never denies them, whatever resource the
caller names. https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html

The world is ``tests/cli/data/star/gaad.yaml``: ``narrow`` allows the four actions on a bucket
ARN only, ``wide`` on "*", ``mixed`` allows s3:* and denies s3:* on bucket x only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iamsim.cli.main import cli

GAAD = Path(__file__).resolve().parent / "data" / "star" / "gaad.yaml"
INPUTS = ["-i", str(GAAD)]
ACCOUNT = "222222222222"
BUCKET = "arn:aws:s3:::x"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
INSTANCE = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0123456789abcdef0"
NO_RESOURCE = [
    ("s3:ListAllMyBuckets", BUCKET),
    ("ec2:DescribeInstances", INSTANCE),
    ("kms:ListKeys", KEY),
]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def user(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:user/{name}"


# -- check / explain ----------------------------------------------------------------------------


@pytest.mark.parametrize(("action", "arn"), NO_RESOURCE)
def test_check_asks_on_star_whatever_arn_is_named(action: str, arn: str) -> None:
    for resource in (arn, "*"):
        code, out, _ = run("check", "narrow", action, resource, *INPUTS, "--json")
        assert code == 0
        record = json.loads(out)
        assert record["request"]["resource"] == "*"
        assert record["decision"] == "ImplicitDeny"  # a statement on an ARN never allows it
        code, out, _ = run("check", "wide", action, resource, *INPUTS, "--json")
        assert json.loads(out)["decision"] == "Allow"


def test_check_says_the_named_arn_was_replaced_by_star() -> None:
    code, out, _ = run("check", "narrow", "s3:ListAllMyBuckets", BUCKET, *INPUTS)
    assert code == 0
    assert out.startswith(f"ImplicitDeny: {user('narrow')} -> s3:ListAllMyBuckets on * ")
    assert f'AWS evaluates it against Resource "*", not {BUCKET}' in out


def test_a_deny_on_the_named_arn_does_not_apply() -> None:
    code, out, _ = run("check", "mixed", "s3:ListAllMyBuckets", BUCKET, *INPUTS)
    assert code == 0 and out.startswith("Allow:")
    _code, out, _ = run("check", "mixed", "s3:ListBucket", BUCKET, *INPUTS)
    assert out.startswith("ExplicitDeny:")  # a resource-level action keeps its ARN


def test_explain_asks_on_star() -> None:
    code, out, _ = run("explain", "narrow", "s3:ListAllMyBuckets", BUCKET, *INPUTS)
    assert code == 0
    assert f"Question: can {user('narrow')} perform s3:ListAllMyBuckets on *?" in out
    assert "DENIED" in out


# -- eval (scenarios) and test (expectations) ----------------------------------------------------


def test_eval_scenario_naming_an_arn_is_asked_on_star(tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        f"""
- name: list buckets on a bucket ARN
  principal: {user("u")}
  action: s3:ListAllMyBuckets
  resource: {BUCKET}
  policies:
    identity:
      - Version: "2012-10-17"
        Statement: [{{Effect: Allow, Action: s3:ListAllMyBuckets, Resource: "{BUCKET}"}}]
  expect: ImplicitDeny
- name: an unknown action keeps its resource
  principal: {user("u")}
  action: example:DoThing
  resource: {BUCKET}
  policies:
    identity:
      - Version: "2012-10-17"
        Statement: [{{Effect: Allow, Action: example:DoThing, Resource: "{BUCKET}"}}]
  expect: Allow
"""
    )
    code, out, _ = run("eval", str(scenario), "--json")
    assert code == 0, out
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["decision"] == "ImplicitDeny"
    assert first["notes"] == [
        f"""s3:ListAllMyBuckets supports no resource-level permissions; AWS evaluates it against Resource "*", not {BUCKET}"""
    ]
    assert second["decision"] == "Allow" and "notes" not in second
    code, out, _ = run("eval", str(scenario))
    assert "assumed: s3:ListAllMyBuckets supports no resource-level permissions" in out


def test_expectations_naming_an_arn_are_asked_on_star(tmp_path: Path) -> None:
    expectations = tmp_path / "e.yaml"
    expectations.write_text(
        f"""
inputs: [{GAAD}]
expectations:
  - {{name: narrow, principal: narrow, action: s3:ListAllMyBuckets, resource: "{BUCKET}", expect: Deny}}
  - {{name: wide, principal: wide, action: kms:ListKeys, resource: "{KEY}", expect: Allow}}
  - {{name: mixed, principal: mixed, action: s3:ListAllMyBuckets, resource: "{BUCKET}", expect: Allow}}
"""
    )
    code, out, _ = run("test", str(expectations), "--json")
    assert code == 0, out
    results = json.loads(out)["files"][0]["results"]
    assert [r["status"] for r in results] == ["passed"] * 3


# -- who-can ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("action", "arn"), NO_RESOURCE)
def test_who_can_answers_the_same_for_an_arn_and_for_star(action: str, arn: str) -> None:
    answers = []
    for resource in (arn, "*"):
        code, out, _ = run("who-can", action, resource, *INPUTS, "--json")
        assert code == 0
        record = json.loads(out)
        assert record["resource"] == "*"
        answers.append(sorted(p["principal"] for p in record["principals"]))
    assert answers[0] == answers[1]
    assert user("narrow") not in answers[0]
    assert user("wide") in answers[0]
    # On "*" each caller acts in its own account: the account's root user can.
    assert f"arn:aws:iam::{ACCOUNT}:root" in answers[0]


def test_who_can_root_is_listed_for_an_arn_of_another_account() -> None:
    other = "arn:aws:kms:us-east-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    _code, out, _ = run("who-can", "kms:ListKeys", other, *INPUTS, "--json")
    names = [p["principal"] for p in json.loads(out)["principals"]]
    assert f"arn:aws:iam::{ACCOUNT}:root" in names


def test_who_can_get_caller_identity_is_everyone() -> None:
    # "No permissions are required to perform this operation."
    # https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
    code, out, _ = run("who-can", "sts:GetCallerIdentity", "*", *INPUTS, "--json")
    assert code == 0
    names = {p["principal"] for p in json.loads(out)["principals"]}
    assert {user("narrow"), user("wide"), user("mixed")} <= names
    for name in ("narrow", "wide", "mixed"):
        _code, out, _ = run("check", name, "sts:GetCallerIdentity", *INPUTS, "--json")
        assert json.loads(out)["decision"] == "Allow"


# -- permissions --------------------------------------------------------------------------------


def _permissions(name: str) -> dict[str, str]:
    code, out, _ = run("permissions", name, *INPUTS, "--json")
    assert code == 0
    return {a["action"]: a["status"] for a in json.loads(out)["actions"]}


def test_permissions_list_the_actions_on_star_only_when_star_is_granted() -> None:
    narrow = _permissions("narrow")
    for action, _ in NO_RESOURCE:
        assert action not in narrow  # a statement on a bucket ARN grants none of them
        assert _permissions("wide")[action] == "allowed"
    assert _permissions("mixed")["s3:ListAllMyBuckets"] == "allowed"  # Deny on x is not "*"


# -- the library entry point ----------------------------------------------------------------------


def test_make_request_asks_on_star_too() -> None:
    from iamsim import make_request
    from iamsim.engine import evaluate
    from iamsim.engine.policies import PolicySet
    from iamsim.policy import PolicyType, parse_policy

    narrow = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": BUCKET}],
        },
        PolicyType.IDENTITY,
    )
    request = make_request(user("narrow"), "s3:ListAllMyBuckets", BUCKET)
    assert request.resource == "*" and request.resource_account == ACCOUNT
    assert evaluate(request, PolicySet(identity=(narrow,))).value.value == "ImplicitDeny"
    # Resource-level actions and actions the service reference does not know keep the ARN.
    assert make_request(user("u"), "s3:GetObject", f"{BUCKET}/k").resource == f"{BUCKET}/k"
    assert make_request(user("u"), "example:DoThing", BUCKET).resource == BUCKET
