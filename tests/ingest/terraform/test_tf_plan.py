"""Terraform plan JSON: child modules, unknown-until-apply attributes resolved through the
configuration's references (or reported), the account and region, detection, malformed plans."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamsim.errors import InputError
from iamsim.ingest import InputFile, detect_format
from iamsim.ingest.terraform.plan import detect, load_terraform_plan, read_terraform_plan
from iamsim.model import World

PLANS = Path(__file__).parent / "data" / "plans"
ACCT = "222233334444"  # data.aws_caller_identity in the plan's prior state


@pytest.fixture(scope="module")
def world() -> World:
    return load_terraform_plan(PLANS / "modules_plan.json")


def test_account_from_caller_identity_and_region_from_provider(world: World) -> None:
    assert set(world.accounts) == {ACCT}
    assert not any("placeholder" in n for n in world.notes)


def test_unknown_attributes_resolved_through_references(world: World) -> None:
    role = world.roles[f"arn:aws:iam::{ACCT}:role/svc/app"]  # arn unknown: derived
    # role = aws_iam_role.app.name, policy_arn = aws_iam_policy.p.arn: both unknown in the plan
    assert role.managed_policy_arns == (f"arn:aws:iam::{ACCT}:policy/reader",)
    assert dict(role.tags) == {"env": "prod"}
    # bucket = aws_s3_bucket.b.id (the bucket name)
    assert "arn:aws:s3:::prod-data" in world.resources


def test_child_module_resources(world: World) -> None:
    user = world.users[f"arn:aws:iam::{ACCT}:user/team/erin"]
    assert [p.name for p in user.inline_policies] == ["team"]  # user = aws_iam_user.u.name
    # groups = var.group, a module input given as a constant list
    assert user.group_names == ("devs",)
    assert "module.team.aws_iam_user.u" in world.sources[user.arn]


def test_what_the_plan_cannot_show_is_reported(world: World) -> None:
    bucket = world.resources["arn:aws:s3:::prod-data"]
    assert bucket.policy is None
    notes = "\n".join(world.notes)
    assert "aws_s3_bucket_policy.b: policy is unknown" in notes
    assert "aws_s3_bucket.b.arn" in notes and "load the Terraform directory" in notes
    # `users = [var.env]` and `users = var.env` look alike in a plan: reported, not guessed
    assert "aws_iam_group_membership.g: users is unknown" in notes


def test_structured_warnings_name_file_and_address() -> None:
    _, warnings = read_terraform_plan(PLANS / "modules_plan.json")
    found = {w.address: w for w in warnings}
    assert found["aws_s3_bucket_policy.b"].source.endswith("modules_plan.json")


def test_account_and_region_options(tmp_path: Path) -> None:
    doc = json.loads((PLANS / "modules_plan.json").read_text())
    del doc["prior_state"]
    doc["configuration"]["provider_config"] = {}
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(doc))
    default = load_terraform_plan(plan)
    assert "arn:aws:iam::000000000000:role/svc/app" in default.roles
    assert any("placeholder account 000000000000" in n for n in default.notes)
    chosen = load_terraform_plan(plan, account="999988887777", region="eu-west-1")
    assert "arn:aws:iam::999988887777:role/svc/app" in chosen.roles
    with pytest.raises(InputError, match="12-digit"):
        load_terraform_plan(plan, account="12")


def test_provider_assume_role_sets_the_account(tmp_path: Path) -> None:
    doc = json.loads((PLANS / "modules_plan.json").read_text())
    del doc["prior_state"]
    doc["configuration"]["provider_config"]["aws"]["expressions"]["assume_role"] = [
        {"role_arn": {"constant_value": "arn:aws:iam::555566667777:role/deploy"}}
    ]
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(doc))
    assert "arn:aws:iam::555566667777:role/svc/app" in load_terraform_plan(plan).roles


def test_state_json_loads_too(tmp_path: Path) -> None:
    doc = json.loads((PLANS / "modules_plan.json").read_text())
    state = {"format_version": "1.0", "values": doc["planned_values"]}
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    assert detect(path)
    world = load_terraform_plan(path, account=ACCT)
    assert f"arn:aws:iam::{ACCT}:role/svc/app" in world.roles


def test_detection_from_content(tmp_path: Path) -> None:
    copy = tmp_path / "whatever.txt"
    copy.write_text((PLANS / "modules_plan.json").read_text())
    assert detect(copy)
    assert detect(copy.read_text())
    assert detect_format(InputFile(copy)).name == "terraform-plan"
    assert not detect('{"format_version": "1.0"}')
    assert not detect(tmp_path)
    assert not detect("not json at all")


def test_malformed_structure_is_located() -> None:
    with pytest.raises(InputError) as info:
        load_terraform_plan(PLANS / "malformed_structure.json")
    assert info.value.source.endswith("malformed_structure.json")
    assert info.value.path == "/planned_values/root_module/resources"


def test_truncated_json_is_located() -> None:
    with pytest.raises(InputError) as info:
        load_terraform_plan(PLANS / "truncated.json")
    assert info.value.path == "line 2, column 1"
    assert "invalid JSON" in info.value.reason


def test_not_a_plan(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"Version": "2012-10-17"}')
    with pytest.raises(InputError, match="not Terraform plan JSON"):
        load_terraform_plan(path)


def test_invalid_policy_in_a_plan_is_located(tmp_path: Path) -> None:
    doc = json.loads((PLANS / "modules_plan.json").read_text())
    doc["planned_values"]["root_module"]["resources"][1]["values"]["policy"] = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]}
    )
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError) as info:
        load_terraform_plan(path)
    assert info.value.path.startswith("aws_iam_policy.p.policy/Statement/0")


def test_after_apply_attributes_get_the_same_standins_as_hcl() -> None:
    # aws_lambda_permission.source_arn = aws_sfn_state_machine.sm.arn, known after apply: the
    # state machine's ARN is built from its name as for HCL, so the function's policy loads.
    world, warnings = read_terraform_plan(PLANS / "standins_plan.json", account="111122223333")
    function = "arn:aws:lambda:us-east-1:111122223333:function:worker"
    assert function not in world.unresolved
    policy = world.resources[function].policy
    assert policy is not None
    (statement,) = policy.statements
    (condition,) = statement.conditions
    assert condition.values == ("arn:aws:states:us-east-1:111122223333:stateMachine:orders",)
    assert any("stand-in for aws_sfn_state_machine.sm.arn" in w.message for w in warnings)


def test_default_account_option_reaches_a_plan(tmp_path: Path) -> None:
    from iamsim.ingest import IacOptions, load_input

    world = load_input(
        PLANS / "standins_plan.json", options=IacOptions(default_account="111122223333")
    )
    assert "arn:aws:lambda:us-east-1:111122223333:function:worker" in world.resources
