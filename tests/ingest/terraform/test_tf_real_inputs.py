"""The real Terraform inputs (awslabs/terraform-iam-policy-validator test data, see
tests/real_inputs/README.md): every plan and every directory loads, with concrete content, and
the HCL and plan loaders agree on every directory."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from iamsim.ingest import InputFile, detect_format, load_input
from iamsim.ingest.iac.placeholders import PLACEHOLDER_ACCOUNT
from iamsim.ingest.terraform.loader import load_terraform_dir
from iamsim.ingest.terraform.plan import load_terraform_plan
from iamsim.model import World
from iamsim.model.world import _content_equal
from iamsim.policy.model import Effect, Policy

TF = Path(__file__).resolve().parents[2] / "real_inputs" / "terraform"

DIRS = sorted(p for p in TF.iterdir() if p.is_dir())
A = PLACEHOLDER_ACCOUNT


def _statement(policy: Policy, sid: str) -> Any:
    return next(s for s in policy.statements if s.sid == sid)


def test_inputs_are_all_there() -> None:
    assert {d.name for d in DIRS} >= {
        "iam_policy",
        "identity_policies",
        "multiple_policies",
        "no_access_granted",
        "public_access",
        "role_inline_assume_policy",
    }


@pytest.mark.parametrize("directory", DIRS, ids=lambda p: p.name)
def test_every_plan_loads_and_is_detected(directory: Path) -> None:
    plan = directory / "test_plan.json"
    assert detect_format(InputFile(plan)).name == "terraform-plan"
    world = load_input(plan)
    assert world.users or world.roles or world.managed_policies or world.resources


@pytest.mark.parametrize("directory", DIRS, ids=lambda p: p.name)
def test_every_directory_loads_and_is_detected(directory: Path) -> None:
    assert detect_format(InputFile(directory)).name == "terraform"
    world = load_input(directory)
    assert world.users or world.roles or world.managed_policies or world.resources


def test_top_level_tf_files_load_as_a_directory() -> None:
    world = load_terraform_dir(TF)
    assert f"arn:aws:iam::{A}:policy/demo-policy" in world.managed_policies


def _normalized(value: Any) -> Any:
    """Drop what legitimately differs between the loaders: where a policy was read from, and
    the empty Sid that provider 4.x wrote and 5.x omits."""
    if isinstance(value, Policy):
        statements = tuple(dataclasses.replace(s, sid=s.sid or None) for s in value.statements)
        return dataclasses.replace(value, statements=statements, source=None)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value,
            **{
                f.name: _normalized(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if f.init
            },
        )
    if isinstance(value, tuple):
        return tuple(_normalized(v) for v in value)
    return value


@pytest.mark.parametrize("directory", DIRS, ids=lambda p: p.name)
def test_plan_and_hcl_give_the_same_world(directory: Path) -> None:
    hcl = load_terraform_dir(directory)
    plan = load_terraform_plan(directory / "test_plan.json")
    for table in ("users", "groups", "roles", "managed_policies", "resources"):
        a, b = getattr(hcl, table), getattr(plan, table)
        assert set(a) == set(b), table
        for arn in a:
            assert _content_equal(_normalized(a[arn]), _normalized(b[arn])), arn


@pytest.mark.parametrize("loader", ["hcl", "plan"])
def test_role_inline_assume_policy(loader: str) -> None:
    d = TF / "role_inline_assume_policy"
    world = load_terraform_dir(d) if loader == "hcl" else load_terraform_plan(d / "test_plan.json")
    role = world.roles[f"arn:aws:iam::{A}:role/test_role"]
    assert role.trust_policy is not None
    (trust,) = role.trust_policy.statements
    assert trust.actions == ("sts:AssumeRole",)
    assert trust.principal is not None
    assert trust.principal.values("Service") == ("ec2.amazonaws.com",)
    (inline,) = role.inline_policies
    assert inline.name == "my_inline_policy"
    assert inline.statements[0].actions == ("ec2:Describe*",)
    assert inline.statements[0].resources == ("*",)
    assert dict(role.tags) == {"tag-key": "tag-value"}


@pytest.mark.parametrize("loader", ["hcl", "plan"])
def test_iam_policy_document_with_passrole_condition(loader: str) -> None:
    d = TF / "iam_policy"
    world = load_terraform_dir(d) if loader == "hcl" else load_terraform_plan(d / "test_plan.json")
    policy = world.managed_policies[f"arn:aws:iam::{A}:policy/demo-policy"]
    doc = policy.document
    assert [s.sid for s in doc.statements] == [
        "PassExecutionRole",
        "ReadOnlyPermissions",
        "ViewAndConfigureFunctions",
    ]
    passrole = _statement(doc, "PassExecutionRole")
    assert passrole.actions == ("iam:PassRole",)
    assert passrole.resources == ("arn:aws:iam::123456789012:role/topping-*",)
    (clause,) = passrole.conditions
    assert clause.operator.base == "StringEquals"
    assert clause.key == "iam:PassedToService"
    assert clause.values == ("lambda.amazonaws.com",)
    assert len(_statement(doc, "ViewAndConfigureFunctions").actions or ()) == 11


def test_identity_policies_everything_attached() -> None:
    world = load_terraform_dir(TF / "identity_policies")
    yak = world.roles[f"arn:aws:iam::{A}:role/yak_role"]
    assert [p.name for p in yak.inline_policies] == ["my_inline_policy", "policy-8675309"]
    assert yak.inline_policies[1].statements[0].actions == ("ec2:Apply*",)
    test_role = world.roles[f"arn:aws:iam::{A}:role/test_role"]
    assert [p.name for p in test_role.inline_policies] == ["test_policy"]
    user = world.users[f"arn:aws:iam::{A}:user/system/loadbalancer"]
    assert user.path == "/system/"
    assert [p.name for p in user.inline_policies] == ["test"]
    group = world.groups[f"arn:aws:iam::{A}:group/users/developers"]
    assert group.inline_policies[0].statements[0].actions == ("ec2:Allocate*",)
    assert f"arn:aws:iam::{A}:policy/test_policy" in world.managed_policies


def test_bucket_policies_attach_to_their_buckets() -> None:
    world = load_terraform_dir(TF / "no_access_granted")
    bucket = world.resources["arn:aws:s3:::other-tf-test-bucket"]
    assert bucket.account == A
    assert bucket.policy is not None
    stmt = bucket.policy.statements[0]
    assert stmt.effect is Effect.ALLOW
    assert set(stmt.actions or ()) == {"s3:GetObject", "s3:PutObject"}
    assert stmt.principal is not None and stmt.principal.values("AWS") == ("123456789012",)


def _public(world: World) -> None:
    topic = world.resources["arn:aws:sns:us-east-2:123456789012:my-topic-with-policy"]
    assert topic.account == "123456789012" and topic.policy is not None
    assert topic.policy.id == "__default_policy_ID"
    domain = world.resources[f"arn:aws:es:us-east-2:{A}:domain/tf-test"]
    assert domain.policy is not None and domain.policy.statements[0].principal is not None
    assert domain.policy.statements[0].principal.wildcard  # {type "*", identifiers ["*"]}
    lam = world.resources[f"arn:aws:lambda:us-east-2:{A}:function:lambda_called_from_sns"]
    assert lam.policy is not None and lam.policy.statements[0].sid == "AllowExecutionFromSNS"
    stream = world.resources["arn:aws:kinesis::111122223333:stream/example-stream"]
    assert stream.account == "111122223333"
    unmodeled = [n for n in world.notes if "does not model" in n]
    assert any("aws_api_gateway_rest_api_policy.example" in n for n in unmodeled)
    assert any("aws_s3tables_table_policy.example" in n for n in unmodeled)


def test_public_access_resource_policies() -> None:
    _public(load_terraform_dir(TF / "public_access"))
    _public(load_terraform_plan(TF / "public_access" / "test_plan.json"))


def test_account_option_replaces_the_placeholder() -> None:
    world = load_terraform_plan(
        TF / "role_inline_assume_policy" / "test_plan.json", account="111122223333"
    )
    assert "arn:aws:iam::111122223333:role/test_role" in world.roles
    assert not any("placeholder account" in n for n in world.notes)
    default = load_terraform_plan(TF / "role_inline_assume_policy" / "test_plan.json")
    assert any(f"placeholder account {A}" in n for n in default.notes)
