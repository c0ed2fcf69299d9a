"""Identity policies that cannot apply are not compiled, and the answers do not change.

A cross-account caller whose identity statements (Allow or Deny) cannot apply to the asked
actions on their resources is decided without them (WhoCan._identity_silent): the same
principals, the same blocked requests with the same reasons, as deciding with them. Asked on
the generated organization, in a Region its SCP allows and in one it denies (where every
principal is blocked by the SCP, the silent ones too)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iamsim.analysis import who_can as who_can_module
from iamsim.analysis.who_can import WhoCan
from iamsim.builder import RequestBuilder
from iamsim.ingest import load_inputs
from iamsim.model import World

QUESTIONS = [
    (["s3:GetObject"], "arn:aws:s3:::org-shared-data/report.csv"),
    (["s3:PutObject", "s3:GetObject", "s3:DeleteObject"], "arn:aws:s3:::org-shared-data/x"),
    (["s3:GetObject", "s3:ListBucket"], "arn:aws:s3:::a00001-app000-bucket-000"),
    (["sts:AssumeRole"], "SECOND_ACCOUNT_ROLE"),
    (["kms:Decrypt", "sqs:SendMessage"], "*"),
]


@pytest.fixture(scope="module")
def world(org_dir: Path) -> World:
    return load_inputs([org_dir])


def _answer(world: World, actions: list[str], resource: str, region: str) -> dict[str, Any]:
    analyzer = WhoCan(world, builder=RequestBuilder(world, region=region))
    return analyzer.who_can(actions, resource).to_dict()


@pytest.mark.parametrize("region", ["eu-west-1", "ap-south-1"])
@pytest.mark.parametrize(("actions", "resource"), QUESTIONS)
def test_silent_identity_policies_change_no_answer(
    world: World,
    org_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    actions: list[str],
    resource: str,
    region: str,
) -> None:
    if resource == "SECOND_ACCOUNT_ROLE":
        gaad = json.loads(next((org_dir / "accounts").iterdir()).joinpath("gaad.json").read_text())
        resource = gaad["RoleDetailList"][0]["Arn"]
    silent = 0
    original = WhoCan._identity_silent

    def counted(self: WhoCan, identity: Any, plan: Any) -> bool:
        nonlocal silent
        found = original(self, identity, plan)
        silent += found
        return found

    monkeypatch.setattr(WhoCan, "_identity_silent", counted)
    fast = _answer(world, actions, resource, region)
    monkeypatch.setattr(WhoCan, "_identity_silent", lambda self, identity, plan: False)
    full = _answer(world, actions, resource, region)
    assert fast == full
    if "org-shared-data" in resource:  # granted to the organization: every principal asked
        assert silent > 0


def test_a_policy_is_silent_only_when_no_statement_can_apply() -> None:
    from iamsim.policy import PolicyType, parse_policy

    def silent(statement: dict[str, Any], asked: list[tuple[str, str]]) -> bool:
        doc = {"Version": "2012-10-17", "Statement": [statement]}
        policy = parse_policy(doc, PolicyType.IDENTITY)
        return who_can_module._policy_silent(policy, asked)

    obj = [("s3:getobject", "arn:aws:s3:::b/k")]
    assert silent({"Effect": "Allow", "Action": "s3:Put*", "Resource": "*"}, obj)
    assert not silent({"Effect": "Allow", "Action": "S3:get*", "Resource": "*"}, obj)
    assert not silent({"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}, obj)
    assert silent({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::c/*"}, obj)
    assert not silent({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}, obj)
    # a policy variable may name the resource: counted as matching
    var = {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::${aws:username}/*"}
    assert not silent(var, obj)
    assert silent({"Effect": "Allow", "NotAction": "s3:Get*", "Resource": "*"}, obj)
    assert not silent({"Effect": "Allow", "NotAction": "ec2:*", "Resource": "*"}, obj)
    assert silent({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::b/*"}, obj)
    assert not silent({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::c/*"}, obj)
