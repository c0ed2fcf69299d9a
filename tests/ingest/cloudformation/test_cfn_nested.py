"""Nested stacks: a local child template is loaded with the parameters its parent passes; a
remote or unknown one leaves the parent's principals and resources unresolved.

https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudformation-stack.html
"""

from __future__ import annotations

from pathlib import Path

import pytest

from iamsim.errors import InputError
from iamsim.ingest.cloudformation import load_cloudformation

A = "111122223333"
TRUST = (
    "{Version: '2012-10-17', Statement: [{Effect: Allow, Principal: {Service: "
    "lambda.amazonaws.com}, Action: 'sts:AssumeRole'}]}"
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def parent(url: str, params: str = "{}") -> str:
    return (
        "Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n"
        f"      TemplateURL: {url}\n      Parameters: {params}\n"
        "  Own:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: own\n"
        f"      AssumeRolePolicyDocument: {TRUST}\n"
    )


def test_local_child_gets_the_parameters_its_parent_passes(tmp_path: Path) -> None:
    write(
        tmp_path,
        "stacks/child.yaml",
        "Parameters:\n  Name: {Type: String}\nResources:\n  R:\n    Type: AWS::IAM::Role\n"
        f"    Properties:\n      RoleName: !Ref Name\n      AssumeRolePolicyDocument: {TRUST}\n",
    )
    top = write(tmp_path, "parent.yaml", parent("stacks/child.yaml", "{Name: !Sub 'x-${Env}'}"))
    top.write_text("Parameters:\n  Env: {Type: String}\n" + top.read_text())
    world = load_cloudformation(top, account=A, parameters={"Env": "prod"})
    assert set(world.roles) == {f"arn:aws:iam::{A}:role/own", f"arn:aws:iam::{A}:role/x-prod"}
    assert not world.unresolved


def test_remote_child_leaves_the_parent_unresolved(tmp_path: Path) -> None:
    top = write(tmp_path, "parent.yaml", parent("https://example.com/child.yaml"))
    world = load_cloudformation(top, account=A)
    reasons = world.unresolved[f"arn:aws:iam::{A}:role/own"]
    assert "nested stack Child is not loaded" in reasons[0]


def test_child_outside_the_folder_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "outside.yaml", "Resources: {}\n")
    top = write(tmp_path, "inner/parent.yaml", parent("../outside.yaml"))
    with pytest.raises(InputError, match="outside the input"):
        load_cloudformation(top, account=A)


def test_a_template_nesting_itself_is_bounded(tmp_path: Path) -> None:
    top = write(
        tmp_path,
        "loop.yaml",
        "Resources:\n  Again:\n    Type: AWS::CloudFormation::Stack\n"
        "    Properties: {TemplateURL: loop.yaml}\n",
    )
    with pytest.raises(InputError, match="nested more than"):
        load_cloudformation(top, account=A)
