"""IAM names and paths AWS refuses are refused by every loader, located; valid ones load.

The cases (with the IAM API reference page of each rule) are in data/iam_names.yaml; each is
loaded as a GAAD export, a CloudFormation template, a Terraform configuration and a Terraform
plan, for every kind of entity (user, role, group, customer managed policy).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from iamsim.errors import InputError
from iamsim.ingest import load_input
from iamsim.model import World

CASES = yaml.safe_load((Path(__file__).parent / "data" / "iam_names.yaml").read_text("utf-8"))
ACCOUNT = "111122223333"
KINDS = ("user", "role", "group", "policy")
DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def _gaad(kind: str, name: str, path: str) -> tuple[str, str]:
    arn = f"arn:aws:iam::{ACCOUNT}:{kind}{path}{name}"
    doc: dict[str, list[Any]] = {
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": [],
        "Policies": [],
    }
    if kind == "user":
        doc["UserDetailList"].append({"UserName": name, "Path": path, "Arn": arn})
    elif kind == "group":
        doc["GroupDetailList"].append({"GroupName": name, "Path": path, "Arn": arn})
    elif kind == "role":
        doc["RoleDetailList"].append(
            {"RoleName": name, "Path": path, "Arn": arn, "AssumeRolePolicyDocument": TRUST}
        )
    else:
        version = {"VersionId": "v1", "IsDefaultVersion": True, "Document": DOC}
        doc["Policies"].append(
            {"PolicyName": name, "Path": path, "Arn": arn, "PolicyVersionList": [version]}
        )
    return "gaad.json", json.dumps(doc)


_CFN = {
    "user": ("AWS::IAM::User", "UserName", {}),
    "group": ("AWS::IAM::Group", "GroupName", {}),
    "role": ("AWS::IAM::Role", "RoleName", {"AssumeRolePolicyDocument": TRUST}),
    "policy": ("AWS::IAM::ManagedPolicy", "ManagedPolicyName", {"PolicyDocument": DOC}),
}


def _cloudformation(kind: str, name: str, path: str) -> tuple[str, str]:
    rtype, name_key, extra = _CFN[kind]
    props = {name_key: name, "Path": path, **extra}
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {"Entity": {"Type": rtype, "Properties": props}},
    }
    return "template.json", json.dumps(template)


_TF = {
    "user": ("aws_iam_user", {}),
    "group": ("aws_iam_group", {}),
    "role": ("aws_iam_role", {"assume_role_policy": json.dumps(TRUST)}),
    "policy": ("aws_iam_policy", {"policy": json.dumps(DOC)}),
}


def _hcl_string(text: str) -> str:
    # json.dumps escapes as HCL reads: \uXXXX for control and non-ASCII characters.
    return json.dumps(text).replace("${", "$${")


def _terraform(kind: str, name: str, path: str) -> tuple[str, str]:
    rtype, extra = _TF[kind]
    body = [f"  name = {_hcl_string(name)}", f"  path = {_hcl_string(path)}"]
    body += [f"  {key} = {_hcl_string(value)}" for key, value in extra.items()]
    provider = 'provider "aws" {\n  region = "us-east-1"\n}\n'
    return "main.tf", provider + f'resource "{rtype}" "entity" {{\n' + "\n".join(body) + "\n}\n"


def _plan(kind: str, name: str, path: str) -> tuple[str, str]:
    rtype, extra = _TF[kind]
    values = {"name": name, "path": path, **extra}
    if kind == "policy":
        values["arn"] = f"arn:aws:iam::{ACCOUNT}:policy{path}{name}"
    resource = {
        "address": f"{rtype}.entity",
        "mode": "managed",
        "type": rtype,
        "name": "entity",
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "values": values,
    }
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "planned_values": {"root_module": {"resources": [resource]}},
    }
    return "plan.json", json.dumps(plan)


FORMATS: dict[str, Callable[[str, str, str], tuple[str, str]]] = {
    "gaad": _gaad,
    "cloudformation": _cloudformation,
    "terraform": _terraform,
    "plan": _plan,
}


def _load(tmp_path: Path, fmt: str, kind: str, name: str, path: str = "/") -> World:
    file_name, text = FORMATS[fmt](kind, name, path)
    tmp_path.mkdir(exist_ok=True)
    if fmt == "terraform":
        target = tmp_path / "tf"
        target.mkdir()
        (target / file_name).write_text(text, encoding="utf-8")
    else:
        target = tmp_path / file_name
        target.write_text(text, encoding="utf-8")
    return load_input(target)


def _names(world: World) -> set[str]:
    entities = [*world.users.values(), *world.roles.values(), *world.groups.values()]
    names = {e.name for e in entities}
    return names | {p.name for p in world.managed_policies.values()}


def _refused(tmp_path: Path, fmt: str, kind: str, name: str, path: str = "/") -> InputError:
    with pytest.raises(InputError) as info:
        _load(tmp_path, fmt, kind, name, path)
    error = info.value
    assert error.source, error  # names the file
    assert error.path, error  # and where in it
    return error


NAME_CASES = [(case["id"], case["name"], case["valid"]) for case in CASES["names"]]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("case", "name", "valid"), NAME_CASES, ids=[c[0] for c in NAME_CASES])
def test_names(tmp_path: Path, fmt: str, kind: str, case: str, name: str, valid: bool) -> None:
    if valid:
        assert name in _names(_load(tmp_path, fmt, kind, name))
    else:
        error = _refused(tmp_path, fmt, kind, name)
        assert "AWS does not allow" in error.reason


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("kind", KINDS)
def test_name_lengths(tmp_path: Path, fmt: str, kind: str) -> None:
    longest = CASES["lengths"][kind]
    assert "x" * longest in _names(_load(tmp_path / "ok", fmt, kind, "x" * longest))
    error = _refused(tmp_path / "long", fmt, kind, "x" * (longest + 1))
    assert f"longer than AWS allows ({longest} characters)" in error.reason


def _path(text: str) -> str:
    if "LONG+" in text:
        return "/" + "p" * 511 + "/"
    if "LONG" in text:
        return "/" + "p" * 510 + "/"
    return text


PATH_CASES = [(case["id"], _path(case["path"]), case["valid"]) for case in CASES["paths"]]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize(("case", "path", "valid"), PATH_CASES, ids=[c[0] for c in PATH_CASES])
def test_paths(tmp_path: Path, fmt: str, case: str, path: str, valid: bool) -> None:
    if valid:
        world = _load(tmp_path, fmt, "role", "app", path)
        assert [r.path for r in world.roles.values()] == [path]
    else:
        error = _refused(tmp_path, fmt, "role", "app", path)
        assert "path" in error.reason


def _instance_profile(fmt: str, name: str) -> tuple[str, str]:
    if fmt == "cloudformation":
        role = {"RoleName": "app", "AssumeRolePolicyDocument": TRUST}
        profile = {"InstanceProfileName": name, "Roles": [{"Ref": "Role"}]}
        template = {
            "Resources": {
                "Role": {"Type": "AWS::IAM::Role", "Properties": role},
                "Profile": {"Type": "AWS::IAM::InstanceProfile", "Properties": profile},
            }
        }
        return "template.json", json.dumps(template)
    return "main.tf", (
        'provider "aws" {\n  region = "us-east-1"\n}\n'
        'resource "aws_iam_role" "app" {\n  name = "app"\n'
        f"  assume_role_policy = {_hcl_string(json.dumps(TRUST))}\n}}\n"
        'resource "aws_iam_instance_profile" "p" {\n'
        f"  name = {_hcl_string(name)}\n  role = aws_iam_role.app.name\n}}\n"
    )


@pytest.mark.parametrize("fmt", ["cloudformation", "terraform"])
@pytest.mark.parametrize(("case", "name", "valid"), NAME_CASES, ids=[c[0] for c in NAME_CASES])
def test_instance_profile_names(
    tmp_path: Path, fmt: str, case: str, name: str, valid: bool
) -> None:
    # InstanceProfileName: the same characters, up to 128
    # (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateInstanceProfile.html).
    file_name, text = _instance_profile(fmt, name)
    target = tmp_path / file_name
    target.write_text(text, encoding="utf-8")
    source = tmp_path if fmt == "terraform" else target
    if valid:
        world = load_input(source)
        profiles = [arn for r in world.roles.values() for arn in r.instance_profile_arns]
        assert [arn.rsplit("/", 1)[-1] for arn in profiles] == [name]
    else:
        with pytest.raises(InputError, match=r"instance-profile name .* AWS does not allow"):
            load_input(source)
