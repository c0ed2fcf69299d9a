"""``--var``, ``--var-file``, ``--account``, ``--default-account``, ``--param`` and
``--param-file``: the values infrastructure code leaves to the deployer, given on the command
line to every command that loads inputs.

Each Terraform fixture's policy needs a variable and each template's a parameter: without the
option the policy is unknown (the note names the option, the question is refused), with it the
policy loads and the request is allowed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iamsim.cli.main import cli

MAIN_TF = """
provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["111122223333"]
}
provider "aws" {
  alias  = "prod"
  region = "eu-west-1"
}
variable "bucket" {}
resource "aws_iam_user" "a" { name = "alice" }
resource "aws_iam_user_policy" "read" {
  name   = "read"
  user   = aws_iam_user.a.name
  policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::${var.bucket}/*"}]})
}
resource "aws_iam_user" "p" {
  provider = aws.prod
  name     = "paul"
}
resource "aws_iam_user_policy" "paul" {
  provider = aws.prod
  name     = "read"
  user     = aws_iam_user.p.name
  policy   = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", Action = "s3:GetObject", Resource = "*"}]})
}
"""

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  BucketName:
    Type: String
Resources:
  Reader:
    Type: AWS::IAM::Role
    Properties:
      RoleName: reader
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: ec2.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: read
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: !Sub "arn:aws:s3:::${BucketName}/*"
"""

ALICE = ["check", "alice", "s3:GetObject", "arn:aws:s3:::data/k"]
READER = ["check", "arn:aws:iam::111122223333:role/reader", "s3:GetObject", "arn:aws:s3:::data/k"]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def tf(tmp_path: Path) -> Path:
    directory = tmp_path / "tf"
    directory.mkdir()
    (directory / "main.tf").write_text(MAIN_TF)
    return directory


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "cfn" / "stack.yaml"
    path.parent.mkdir()
    path.write_text(TEMPLATE)
    return path


# -- Terraform ------------------------------------------------------------------------------


def test_without_var_the_policy_is_unknown_and_the_note_names_the_option(tf: Path) -> None:
    code, out, err = run(*ALICE, "-i", str(tf))
    assert code == 2
    assert "pass it with --var bucket=VALUE" in err
    assert "Allow" not in out


def test_var_resolves_the_policy(tf: Path) -> None:
    code, out, err = run(*ALICE, "-i", str(tf), "--var", "bucket=data")
    assert code == 0, err
    assert out.startswith("Allow: arn:aws:iam::111122223333:user/alice")
    assert "var.bucket" not in err


def test_var_value_with_equals_stays_one_string(tf: Path) -> None:
    # The value is everything after the first "=": the bucket is "data=x", not "data".
    code, out, _ = run(*ALICE, "-i", str(tf), "--var", "bucket=data=x")
    assert code == 0
    assert out.startswith("ImplicitDeny")


@pytest.mark.parametrize(
    ("name", "text"),
    [("vars.tfvars", 'bucket = "data"\n'), ("vars.tfvars.json", json.dumps({"bucket": "data"}))],
)
def test_var_file_hcl_and_json(tf: Path, tmp_path: Path, name: str, text: str) -> None:
    # The file lies outside the configuration's folder: naming it is what allows reading it.
    var_file = tmp_path / name
    var_file.write_text(text)
    code, out, err = run(*ALICE, "-i", str(tf), "--var-file", str(var_file))
    assert code == 0, err
    assert out.startswith("Allow")


def test_var_overrides_var_file(tf: Path, tmp_path: Path) -> None:
    var_file = tmp_path / "vars.tfvars"
    var_file.write_text('bucket = "other"\n')
    code, out, _ = run(*ALICE, "-i", str(tf), "--var-file", str(var_file), "--var", "bucket=data")
    assert code == 0
    assert out.startswith("Allow")


def test_malformed_var_file_is_invalid_input_located(tf: Path, tmp_path: Path) -> None:
    var_file = tmp_path / "bad.tfvars"
    var_file.write_text('bucket = "data"\nresource "x" "y" {}\n')
    code, _, err = run(*ALICE, "-i", str(tf), "--var-file", str(var_file))
    assert code == 2
    assert "bad.tfvars" in err and "line 2" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("bad", ["bucket", "=data", ""])
def test_malformed_assignment_is_a_usage_error(tf: Path, bad: str) -> None:
    code, _, err = run(*ALICE, "-i", str(tf), "--var", bad)
    assert code == 2
    assert "expected NAME=VALUE" in err


def test_account_maps_a_provider_alias(tf: Path) -> None:
    paul = "arn:aws:iam::444455556666:user/paul"
    args = ["check", paul, "s3:GetObject", "arn:aws:s3:::data/k", "-i", str(tf)]
    args += ["--var", "bucket=data"]
    code, out, err = run(*args)
    # Without the mapping paul is in the placeholder account: the ARN names nobody known.
    assert code == 0 and out.startswith("ImplicitDeny"), err
    assert "--account ALIAS=ID" in err
    for mapping in ("prod=444455556666", "aws.prod=444455556666"):
        code, out, err = run(*args, "--account", mapping)
        assert code == 0, err
        assert out.startswith("Allow: arn:aws:iam::444455556666:user/paul"), out
        assert "placeholder account" not in err


def test_default_account_replaces_the_placeholder(tmp_path: Path) -> None:
    directory = tmp_path / "noacct"
    directory.mkdir()
    (directory / "main.tf").write_text(
        'resource "aws_iam_user" "a" { name = "alice" }\n'
        'resource "aws_iam_user_policy" "p" {\n'
        '  name = "read"\n'
        "  user = aws_iam_user.a.name\n"
        '  policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", '
        'Action = "s3:GetObject", Resource = "*"}]})\n'
        "}\n"
    )
    args = ["check", "arn:aws:iam::444455556666:user/alice", "s3:GetObject", "arn:aws:s3:::d/k"]
    args += ["-i", str(directory)]
    code, out, err = run(*args)
    assert code == 0 and out.startswith("ImplicitDeny"), err
    assert "--default-account ID" in err
    code, out, err = run(*args, "--default-account", "444455556666")
    assert code == 0, err
    assert out.startswith("Allow")
    assert "placeholder account" not in err


@pytest.mark.parametrize("option", ["--default-account", "--account"])
def test_account_must_be_an_account_id(tf: Path, option: str) -> None:
    value = "12345" if option == "--default-account" else "prod=12345"
    code, _, err = run(*ALICE, "-i", str(tf), option, value)
    assert code == 2
    assert "12-digit account ID" in err


# -- CloudFormation -------------------------------------------------------------------------


def test_without_param_the_policy_is_unknown(template: Path) -> None:
    code, _, err = run(*READER, "-i", str(template), "--default-account", "111122223333")
    assert code == 2
    assert "pass it with --param BucketName=VALUE or --param-file FILE" in err


def test_param_resolves_the_policy(template: Path) -> None:
    code, out, err = run(
        *READER,
        "-i",
        str(template),
        "--default-account",
        "111122223333",
        "--param",
        "BucketName=data",
    )
    assert code == 0, err
    assert out.startswith("Allow")


@pytest.mark.parametrize(
    "content",
    [
        {"BucketName": "data"},
        [{"ParameterKey": "BucketName", "ParameterValue": "data"}],
    ],
    ids=["object", "aws-cli-list"],
)
def test_param_file_both_forms(template: Path, tmp_path: Path, content: object) -> None:
    params = tmp_path / "params.json"
    params.write_text(json.dumps(content))
    code, out, err = run(
        *READER,
        "-i",
        str(template),
        "--default-account",
        "111122223333",
        "--param-file",
        str(params),
    )
    assert code == 0, err
    assert out.startswith("Allow")


def test_param_overrides_param_file(template: Path, tmp_path: Path) -> None:
    params = tmp_path / "params.json"
    params.write_text(json.dumps({"BucketName": "other"}))
    base = [*READER, "-i", str(template), "--default-account", "111122223333"]
    code, out, _ = run(*base, "--param-file", str(params), "--param", "BucketName=data")
    assert code == 0
    assert out.startswith("Allow")


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ([{"ParameterKey": "BucketName", "UsePreviousValue": True}], "/0"),
        ([{"ParameterValue": "data"}], "/0"),
        ({"BucketName": {"x": 1}}, "/BucketName"),
        ("data", ""),
    ],
)
def test_bad_param_file_is_invalid_input_located(
    template: Path, tmp_path: Path, content: object, where: str
) -> None:
    params = tmp_path / "params.json"
    params.write_text(json.dumps(content))
    code, _, err = run(*READER, "-i", str(template), "--param-file", str(params))
    assert code == 2
    assert "params.json" in err and where in err
    assert "Traceback" not in err


def test_validate_takes_the_options_too(template: Path) -> None:
    code, out, _ = run("validate", str(template), "--json")
    assert "BucketName" in out
    code, out, err = run("validate", str(template), "--param", "BucketName=data", "--json")
    assert code == 0, err
    assert "BucketName" not in out


# Terraform reads -var as literal text for string/number/bool variables and as an HCL
# expression for any other declared type:
# https://developer.hashicorp.com/terraform/language/values/variables#variables-on-the-command-line
TYPED_VARS = """
variable "readers" { type = list(string) }
variable "label" { type = string }
resource "aws_iam_role" "r" {
  name = "r-${var.label}"
  assume_role_policy = jsonencode({Version = "2012-10-17", Statement = [{
    Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = var.readers }
  }]})
}
"""


def test_var_of_a_complex_type_is_an_hcl_expression(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TYPED_VARS)
    readers = '["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"]'
    code, out, _ = run(
        "validate", str(tmp_path), "--var", f"readers={readers}", "--var", "label=1e3", "--json"
    )
    assert code == 0
    report = json.loads(out)
    assert (report["summary"]["policies"], report["summary"]["unresolved"]) == (1, 0)
    # The string variable keeps its text literally (not the number 1000).
    from iamsim.ingest import IacOptions, load_input

    world = load_input(tmp_path, options=IacOptions(variables={"readers": readers, "label": "1e3"}))
    assert list(world.roles) == ["arn:aws:iam::000000000000:role/r-1e3"]


def test_var_expression_must_be_a_constant(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TYPED_VARS)
    code, _, err = run("validate", str(tmp_path), "--var", "readers=[var.label]")
    assert code == 2
    assert "--var readers" in err and "must be a constant" in err


def test_default_region_replaces_the_placeholder_region(tmp_path: Path) -> None:
    template = tmp_path / "t.yaml"
    template.write_text(
        "Mappings:\n  M:\n    eu-west-1: {B: logs-euw1}\nResources:\n  R:\n"
        "    Type: AWS::IAM::Role\n    Properties:\n      RoleName: r\n"
        "      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, "
        "Principal: {Service: ec2.amazonaws.com}, Action: 'sts:AssumeRole'}]}\n"
        "      Policies:\n        - PolicyName: p\n          PolicyDocument:\n"
        "            Version: '2012-10-17'\n            Statement:\n"
        "              - Effect: Allow\n                Action: s3:PutObject\n"
        "                Resource: !Sub\n                  - 'arn:aws:s3:::${B}/*'\n"
        "                  - B: !FindInMap [M, !Ref 'AWS::Region', B]\n"
    )
    code, out, _ = run("validate", str(template), "--json")
    assert json.loads(out)["summary"]["unresolved"] == 1
    assert "--default-region REGION" in out
    code, out, _ = run("validate", str(template), "--default-region", "eu-west-1", "--json")
    summary = json.loads(out)["summary"]
    assert (code, summary["policies"], summary["unresolved"]) == (0, 2, 0)
