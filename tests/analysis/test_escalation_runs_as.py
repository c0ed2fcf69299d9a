"""Runs-as links read from the inputs drive escalation: Terraform, CloudFormation and the
resources file give the link (with where it was read), ``--runs-as`` overrides it, and the
paths through it reach across accounts (a role trusted from another account) and to a
resource (``--to ARN --action A``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from iamsim.analysis.escalation import EscalationGraph, analyze_escalation
from iamsim.analysis.techniques import Oracle
from iamsim.cli.main import cli
from iamsim.ingest import load_inputs
from iamsim.ingest.terraform.loader import load_terraform_dir
from iamsim.model import RunsAs, World, merge_worlds

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def _role(name: str, service: str, *, trust_account: str | None = None, policy: str = "") -> str:
    principal = (
        f'{{ AWS = "arn:aws:iam::{trust_account}:root" }}'
        if trust_account
        else f'{{ Service = "{service}" }}'
    )
    attach = (
        f'resource "aws_iam_role_policy_attachment" "{name}" {{\n'
        f'  role = aws_iam_role.{name}.name\n  policy_arn = "{ADMIN}"\n}}\n'
        if not policy
        else f'resource "aws_iam_role_policy" "{name}" {{\n  name = "{name}"\n'
        f"  role = aws_iam_role.{name}.name\n  policy = <<EOT\n{policy}\nEOT\n}}\n"
    )
    return (
        f'resource "aws_iam_role" "{name}" {{\n  name = "{name}"\n'
        '  assume_role_policy = jsonencode({Version = "2012-10-17", Statement = [{'
        f'Effect = "Allow", Action = "sts:AssumeRole", Principal = {principal}}}]}})\n}}\n' + attach
    )


def _allow(*actions: str, resource: str = "*") -> str:
    statement = {"Effect": "Allow", "Action": list(actions), "Resource": resource}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _user(name: str, policy: str) -> str:
    return (
        f'resource "aws_iam_user" "{name}" {{ name = "{name}" }}\n'
        f'resource "aws_iam_user_policy" "{name}" {{\n  name = "{name}"\n'
        f"  user = aws_iam_user.{name}.name\n  policy = <<EOT\n{policy}\nEOT\n}}\n"
    )


PROVIDER = 'provider "aws" {\n  region = "us-east-1"\n}\n'
LAMBDA = (
    'resource "aws_lambda_function" "ops" {{\n  function_name = "ops"\n'
    "  role = aws_iam_role.{role}.arn\n}}\n"
)


def _tf(tmp_path: Path, name: str, text: str, account: str) -> World:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "main.tf").write_text(PROVIDER + text)
    return load_terraform_dir(folder, account=account)


def _paths(world: World, start: str, **kwargs: Any) -> list[Any]:
    graph = EscalationGraph(world, oracle=Oracle(world, region="us-east-1"))
    report = analyze_escalation(world, start=start, graph=graph, **kwargs)
    (result,) = report.results
    return list(result.paths)


def _ids(path: Any) -> list[str]:
    return [s.edge.technique.id for s in path.steps]


def test_terraform_link_says_where_it_came_from(tmp_path: Path) -> None:
    world = _tf(
        tmp_path,
        "a",
        _role("svc", "lambda.amazonaws.com") + LAMBDA.format(role="svc"),
        "111111111111",
    )
    (link,) = world.runs_as
    assert link == RunsAs(
        "arn:aws:lambda:us-east-1:111111111111:function:ops",
        "arn:aws:iam::111111111111:role/svc",
        "Lambda function",
        "execution role",
        link.source,
    )
    assert "main.tf:" in link.source and link.source.endswith("(aws_lambda_function.ops.role)")
    assert link.runs_code and link.kind == "lambda-function"


def test_unknown_role_is_a_note_and_no_link(tmp_path: Path) -> None:
    text = (
        'variable "role" {}\n'
        'resource "aws_codebuild_project" "b" {\n  name = "b"\n  service_role = var.role\n}\n'
    )
    world = _tf(tmp_path, "a", text, "111111111111")
    assert world.runs_as == ()
    assert any("service_role is unknown" in n and "not linked" in n for n in world.notes)


def test_ecs_execution_role_is_kept_but_runs_no_code(tmp_path: Path) -> None:
    text = (
        _role("task", "ecs-tasks.amazonaws.com")
        + _role("exec", "ecs-tasks.amazonaws.com")
        + 'resource "aws_ecs_task_definition" "t" {\n  family = "app"\n'
        '  container_definitions = "[]"\n  task_role_arn = aws_iam_role.task.arn\n'
        "  execution_role_arn = aws_iam_role.exec.arn\n}\n" + _user("dev", _allow("ecs:RunTask"))
    )
    world = _tf(tmp_path, "a", text, "111111111111")
    uses = {(link.role.rsplit("/", 1)[1], link.use, link.runs_code) for link in world.runs_as}
    assert uses == {("task", "task role", True), ("exec", "task execution role", False)}
    reached = {p.reaches for p in _paths(world, "user/dev") if not p.conditional}
    assert reached == {"role/task"}  # RunTask with overrides runs as the task role only


def test_cross_account_path_through_an_assumed_role(tmp_path: Path) -> None:
    # Account A's developer assumes a deployer role of account B (trusting A), which may
    # replace the code of B's function running as B's administrator role.
    a = _tf(
        tmp_path,
        "a",
        _user("dev", _allow("sts:AssumeRole", resource="arn:aws:iam::222222222222:role/deployer")),
        "111111111111",
    )
    b = _tf(
        tmp_path,
        "b",
        _role("admin", "lambda.amazonaws.com")
        + _role(
            "deployer",
            "",
            trust_account="111111111111",
            policy=_allow("lambda:UpdateFunctionCode"),
        )
        + LAMBDA.format(role="admin"),
        "222222222222",
    )
    world = merge_worlds([a, b])
    paths = _paths(world, "arn:aws:iam::111111111111:user/dev")
    found = [p for p in paths if _ids(p) == ["sts-assume-role", "lambda-update-function-code"]]
    assert found and not found[0].conditional
    assert found[0].reaches.endswith("role/admin")


def test_cross_account_resource_policy_edge_is_conditional(tmp_path: Path) -> None:
    # The function's policy lets account A update its code: the engine allows it, but whether
    # Lambda honours that action from another account is not the engine's to say.
    a = _tf(tmp_path, "a", _user("dev", _allow("lambda:UpdateFunctionCode")), "111111111111")
    b_text = _role("admin", "lambda.amazonaws.com") + LAMBDA.format(role="admin")
    permission = (
        'resource "aws_lambda_permission" "a" {\n  statement_id = "a"\n'
        '  action = "lambda:UpdateFunctionCode"\n  function_name = aws_lambda_function.ops.arn\n'
        '  principal = "111111111111"\n}\n'
    )
    with_policy = merge_worlds([a, _tf(tmp_path, "b", b_text + permission, "222222222222")])
    without = merge_worlds([a, _tf(tmp_path, "c", b_text, "222222222222")])
    paths = _paths(with_policy, "arn:aws:iam::111111111111:user/dev")
    direct = [p for p in paths if _ids(p) == ["lambda-update-function-code"]]
    assert direct and all(p.conditional for p in direct)
    assert "another account" in direct[0].steps[0].edge.conditions[0]
    # Without the function's policy another account cannot touch it.
    assert not _paths(without, "arn:aws:iam::111111111111:user/dev")


def test_path_to_a_resource_through_a_linked_function(tmp_path: Path) -> None:
    reader = _allow("s3:GetObject", resource="arn:aws:s3:::payroll/*")
    text = (
        'resource "aws_iam_role" "reader" {\n  name = "reader"\n'
        '  assume_role_policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = '
        '"Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" }}]})\n}\n'
        f'resource "aws_iam_role_policy" "reader" {{\n  name = "reader"\n'
        f"  role = aws_iam_role.reader.name\n  policy = <<EOT\n{reader}\nEOT\n}}\n"
        + LAMBDA.format(role="reader")
        + _user("dev", _allow("lambda:UpdateFunctionCode"))
    )
    world = _tf(tmp_path, "a", text, "111111111111")
    paths = _paths(
        world, "user/dev", to="arn:aws:s3:::payroll/salaries.csv", actions=["s3:GetObject"]
    )
    assert [(_ids(p), p.conditional) for p in paths] == [(["lambda-update-function-code"], False)]
    assert not _paths(world, "user/dev")  # reader is no administrator


def test_cloudformation_and_resources_file_links(tmp_path: Path) -> None:
    template = tmp_path / "t.yaml"
    template.write_text(
        """
Resources:
  Svc:
    Type: AWS::IAM::Role
    Properties:
      RoleName: svc
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Principal: {Service: states.amazonaws.com}, Action: sts:AssumeRole}]
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      StateMachineName: flow
      RoleArn: !GetAtt Svc.Arn
      DefinitionString: "{}"
"""
    )
    (link,) = load_inputs([template]).runs_as
    assert link.resource.endswith(":stateMachine:flow") and link.role.endswith(":role/svc")
    assert link.source.endswith("#/Resources/Flow/Properties/RoleArn")
    res = tmp_path / "res.yaml"
    res.write_text(
        "resources:\n  - arn: arn:aws:ec2:us-east-1:111111111111:instance/i-0abc\n"
        "    runs_as: arn:aws:iam::111111111111:role/web\n"
    )
    (link,) = load_inputs([res]).runs_as
    assert (link.kind, link.role, link.source) == (
        "ec2-instance",
        "arn:aws:iam::111111111111:role/web",
        f"{res}#/resources/0/runs_as",
    )
    res.write_text(
        "resources:\n  - arn: arn:aws:ec2:us-east-1:111111111111:instance/i-0abc\n"
        "    runs_as: web\n"
    )
    result = CliRunner().invoke(cli, ["validate", str(res)])
    assert result.exit_code == 2 and "runs_as is the ARN of the role" in result.output


def test_runs_as_option_overrides_the_inputs_link(tmp_path: Path) -> None:
    text = (
        _role("admin", "lambda.amazonaws.com")
        + _role("plain", "lambda.amazonaws.com", policy=_allow("s3:ListBucket"))
        + LAMBDA.format(role="plain")
        + _user("dev", _allow("lambda:UpdateFunctionCode"))
    )
    folder = tmp_path / "a"
    folder.mkdir()
    (folder / "main.tf").write_text(PROVIDER + text)
    base = ["escalation", "-i", str(folder), "--default-account", "111111111111", "--json"]
    base += ["--from", "user/dev"]
    plain = json.loads(CliRunner().invoke(cli, base).output)
    fn = "arn:aws:lambda:us-east-1:111111111111:function:ops"
    over = CliRunner().invoke(
        cli, [*base, "--runs-as", f"{fn}=arn:aws:iam::111111111111:role/admin"]
    )
    overridden = json.loads(over.output)

    def unconditional(report: dict[str, Any]) -> list[Any]:
        return [p for r in report["results"] for p in r["paths"] if not p.get("conditional")]

    assert unconditional(plain) == []  # the function runs as the plain role
    assert unconditional(overridden)  # --runs-as says it runs as the administrator role


def test_an_edge_says_where_its_link_was_read(tmp_path: Path) -> None:
    text = (
        _role("admin", "lambda.amazonaws.com")
        + LAMBDA.format(role="admin")
        + _user("dev", _allow("lambda:UpdateFunctionCode"))
    )
    folder = tmp_path / "a"
    folder.mkdir()
    (folder / "main.tf").write_text(PROVIDER + text)
    args = ["escalation", "-i", str(folder), "--from", "user/dev"]
    out = CliRunner().invoke(cli, args).output
    assert "runs as the role per: " in out and "(aws_lambda_function.ops.role)" in out
    report = json.loads(CliRunner().invoke(cli, [*args, "--json"]).output)
    (path,) = report["results"][0]["paths"]
    assert path["steps"][0]["runs_as_link"].endswith("(aws_lambda_function.ops.role)")


def test_data_pipeline_roles_are_linked(tmp_path: Path) -> None:
    text = _role("dp", "datapipeline.amazonaws.com") + (
        'resource "aws_datapipeline_pipeline" "p" { name = "etl" }\n'
        'resource "aws_datapipeline_definition" "p" {\n'
        "  pipeline_id = aws_datapipeline_pipeline.p.id\n"
        '  pipeline_object {\n    id = "Default"\n    name = "Default"\n'
        '    field {\n      key = "role"\n      string_value = aws_iam_role.dp.name\n    }\n'
        '    field {\n      key = "resourceRole"\n      string_value = "dp-ec2"\n    }\n  }\n}\n'
    )
    world = _tf(tmp_path, "a", text, "111111111111")
    links = {(link.role, link.use) for link in world.runs_as}
    assert links == {
        ("arn:aws:iam::111111111111:role/dp", "execution role"),
        ("arn:aws:iam::111111111111:role/dp-ec2", "instance role"),
    }
    assert all(
        ":datapipeline:us-east-1:111111111111:pipeline/df-" in x.resource for x in world.runs_as
    )


def test_stack_set_instance_runs_as_the_execution_role_in_the_target(tmp_path: Path) -> None:
    text = (
        'resource "aws_cloudformation_stack_set" "base" {\n  name = "base"\n'
        '  execution_role_name = "StackSetExec"\n'
        '  administration_role_arn = "arn:aws:iam::111111111111:role/StackSetAdmin"\n'
        '  template_body = "{}"\n}\n'
        'resource "aws_cloudformation_stack_set_instance" "t" {\n'
        "  stack_set_name = aws_cloudformation_stack_set.base.name\n"
        '  account_id = "222222222222"\n}\n'
    )
    world = _tf(tmp_path, "a", text, "111111111111")
    roles = {link.role for link in world.runs_as}
    assert "arn:aws:iam::222222222222:role/StackSetExec" in roles
    (instance,) = [x for x in world.runs_as if x.role.endswith("StackSetExec")]
    assert instance.resource.startswith(
        "arn:aws:cloudformation:us-east-1:222222222222:stack/StackSet-base-"
    )


def test_link_to_a_role_outside_the_inputs_is_a_note(tmp_path: Path) -> None:
    text = _user("dev", _allow("lambda:UpdateFunctionCode")) + (
        'resource "aws_lambda_function" "ops" {\n  function_name = "ops"\n'
        '  role = "arn:aws:iam::111111111111:role/made-elsewhere"\n}\n'
    )
    world = _tf(tmp_path, "a", text, "111111111111")
    graph = EscalationGraph(world, oracle=Oracle(world, region="us-east-1"))
    report = analyze_escalation(world, start="arn:aws:iam::111111111111:user/dev", graph=graph)
    (note,) = [n for n in report.notes if "made-elsewhere" in n]
    assert "not in the inputs" in note and "--runs-as" in note
