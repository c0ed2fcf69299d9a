"""``iamsim validate`` says when it checked nothing, and checks a folder of policy documents.

An input that defines no policy used to validate "ok" (exit 0) having looked at nothing; it is
now invalid input (exit 2) saying so. A folder of bare policy documents used to be refused as
"not a recognised input"; each of its files is now checked as if named, its findings located
in that file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from iamsim.cli.main import cli

GOOD = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}
TYPO = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}],
}
GAAD_NO_POLICY = {
    "UserDetailList": [
        {
            "UserName": "bob",
            "UserId": "AIDAEXAMPLE",
            "Arn": "arn:aws:iam::111122223333:user/bob",
            "Path": "/",
            "UserPolicyList": [],
            "AttachedManagedPolicies": [],
            "GroupList": [],
        }
    ],
    "GroupDetailList": [],
    "RoleDetailList": [],
    "Policies": [],
}
BUCKET_TEMPLATE = (
    'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  B:\n    Type: AWS::S3::Bucket\n'
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def policies(tmp_path: Path) -> Path:
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "good.json").write_text(json.dumps(GOOD))
    (folder / "typo.json").write_text(json.dumps(TYPO, indent=2))
    (folder / "notes.txt").write_text("not a policy: files other than JSON and YAML are skipped")
    return folder


# -- nothing to check -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [("gaad.json", json.dumps(GAAD_NO_POLICY)), ("stack.yaml", BUCKET_TEMPLATE)],
    ids=["gaad-without-policies", "template-without-policies"],
)
def test_inputs_without_policy_exit_2(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    code, out, err = run("validate", str(path))
    assert code == 2
    assert "hold no policy, so nothing was checked" in err
    assert str(path) in err
    assert out == ""


def test_no_policy_as_json_is_an_error_document(tmp_path: Path) -> None:
    path = tmp_path / "gaad.json"
    path.write_text(json.dumps(GAAD_NO_POLICY))
    code, out, _ = run("validate", str(path), "--json")
    assert code == 2
    document = json.loads(out)
    assert document["schema_version"].startswith("error/")
    assert "nothing was checked" in document["error"]


def test_an_input_without_policy_beside_a_policy_is_fine(tmp_path: Path) -> None:
    gaad = tmp_path / "gaad.json"
    gaad.write_text(json.dumps(GAAD_NO_POLICY))
    policy = tmp_path / "p.json"
    policy.write_text(json.dumps(GOOD))
    code, _, err = run("validate", str(gaad), str(policy))
    assert code == 0, err


# -- a folder of policy documents -----------------------------------------------------------


def test_folder_of_policies_checks_each_file(policies: Path) -> None:
    code, out, err = run("validate", str(policies), "--json")
    assert code == 1, err  # the typo is an error
    report = json.loads(out)
    files = {t["file"]: t for t in report["targets"]}
    assert set(files) == {str(policies / "good.json"), str(policies / "typo.json")}
    assert all(t["kind"] == "policy" and t["policies"] == 1 for t in files.values())
    (finding,) = [f for f in report["findings"] if f["code"] == "unknown-action"]
    assert finding["file"] == str(policies / "typo.json")
    assert finding["path"] == "/Statement/0/Action"


def test_folder_of_policies_text_output(policies: Path) -> None:
    code, out, _ = run("validate", str(policies))
    assert code == 1
    assert f"{policies / 'good.json'} (identity policy, type inferred): ok" in out
    assert f"{policies / 'typo.json'} (identity policy, type inferred): 1 finding" in out


def test_folder_of_policies_with_type(policies: Path) -> None:
    code, out, _ = run("validate", str(policies), "--type", "scp", "--json")
    report = json.loads(out)
    assert code == 1
    assert [t["description"] for t in report["targets"]] == ["scp policy", "scp policy"]


def test_empty_folder_is_still_refused(tmp_path: Path) -> None:
    code, _, err = run("validate", str(tmp_path))
    assert code == 2
    assert "Traceback" not in err


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_folder_member_leaving_the_folder_is_refused(policies: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.json"
    outside.write_text(json.dumps(GOOD))
    (policies / "link.json").symlink_to(outside)
    code, out, err = run("validate", str(policies))
    assert code == 2
    assert "outside the input" in err
    assert "ok" not in out


# A Terraform configuration whose policies need variables: validate names each policy it could
# not check and the option that resolves it, and checks them all once the values are given.
UNRESOLVED_TF = """
variable "env" {}
variable "bucket" {}
resource "aws_iam_role" "app" {
  name = "app"
  assume_role_policy = jsonencode({Version = "2012-10-17", Statement = [{
    Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole"
  }]})
}
resource "aws_iam_role_policy" "read" {
  name = "read"
  role = aws_iam_role.app.id
  policy = jsonencode({Version = "2012-10-17", Statement = [{
    Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::${var.bucket}/*"
  }]})
}
resource "aws_s3_bucket_policy" "b" {
  bucket = "bkt"
  policy = jsonencode({Version = "2012-10-17", Statement = [{
    Effect = "Allow", Principal = "*", Action = "s3:GetObject",
    Resource = "arn:aws:s3:::bkt/${var.env}/*"
  }]})
}
"""


def test_unresolved_policies_are_counted_and_named(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(UNRESOLVED_TF)
    code, out, _ = run("validate", str(tmp_path))
    assert code == 0  # a value left open is not a policy error
    assert "checked 1 of 3 policies; 2 unresolved" in out
    assert "pass --var bucket=..., --var env=... to check them" in out
    code, out, _ = run("validate", str(tmp_path), "--json")
    report = json.loads(out)
    assert report["summary"]["policies"] == 1
    assert report["summary"]["unresolved"] == 2
    unresolved = [f for f in report["findings"] if f["code"] == "unresolved-policy"]
    assert sorted(f["policy"] for f in unresolved) == [
        "arn:aws:iam::000000000000:role/app",
        "arn:aws:s3:::bkt",
    ]
    assert all(f["severity"] == "warning" for f in unresolved)


def test_unresolved_policies_resolved_by_vars(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(UNRESOLVED_TF)
    code, out, _ = run(
        "validate", str(tmp_path), "--var", "env=dev", "--var", "bucket=data", "--json"
    )
    report = json.loads(out)
    assert code == 0
    assert report["summary"]["policies"] == 3
    assert report["summary"]["unresolved"] == 0
    assert not [f for f in report["findings"] if f["code"] == "unresolved-policy"]


def test_unresolved_parameter_names_param_option(tmp_path: Path) -> None:
    template = tmp_path / "t.yaml"
    template.write_text(
        "Parameters:\n  Bucket:\n    Type: String\nResources:\n"
        "  BP:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: fixed\n"
        "      PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n"
        "          - Effect: Allow\n            Principal: '*'\n            Action: s3:GetObject\n"
        "            Resource: !Sub 'arn:aws:s3:::${Bucket}/*'\n"
    )
    code, out, _ = run("validate", str(template))
    assert "checked 0 of 1 policies; 1 unresolved" in out
    assert "pass --param Bucket=... to check them" in out
    code, out, _ = run("validate", str(template), "--param", "Bucket=data", "--json")
    summary = json.loads(out)["summary"]
    assert (code, summary["policies"], summary["unresolved"]) == (0, 1, 0)


def test_folder_of_folders_stands_for_its_subfolders(tmp_path: Path) -> None:
    # An SCP library sorted by category: each document is checked in its own file.
    for category, name, doc in (("iam", "good.json", GOOD), ("s3", "typo.json", TYPO)):
        folder = tmp_path / "library" / category
        folder.mkdir(parents=True)
        (folder / name).write_text(json.dumps(doc))
    code, out, _ = run("validate", str(tmp_path / "library"), "--json")
    report = json.loads(out)
    assert code == 1
    assert report["summary"]["files"] == 2 and report["summary"]["policies"] == 2
    (finding,) = [f for f in report["findings"] if f["code"] == "unknown-action"]
    assert finding["file"].endswith("s3/typo.json")
