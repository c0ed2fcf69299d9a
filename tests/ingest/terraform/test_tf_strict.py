"""Terraform input that Terraform or IAM would reject fails loudly, located: duplicate keys in
policy JSON, arguments set twice, misspelled arguments of the aws_iam_* types, module
recursion, and plan JSON sections of the wrong type."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iamsim.errors import InputError
from iamsim.ingest.terraform.loader import load_terraform_dir, read_terraform_dir
from iamsim.ingest.terraform.plan import load_terraform_plan
from iamsim.model import World

PROVIDER = 'provider "aws" { allowed_account_ids = ["111122223333"] }\n'
USER = 'resource "aws_iam_user" "a" { name = "alice" }\n'
DENY_THEN_ALLOW = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", '
    '"Resource": "*", "Effect": "Allow"}]}'
)


def tf(tmp_path: Path, text: str) -> World:
    (tmp_path / "main.tf").write_text(PROVIDER + text)
    return load_terraform_dir(tmp_path)


def tf_error(tmp_path: Path, text: str) -> InputError:
    with pytest.raises(InputError) as info:
        tf(tmp_path, text)
    return info.value


# -- duplicate keys ------------------------------------------------------------------------


def test_heredoc_policy_with_duplicate_key(tmp_path: Path) -> None:
    err = tf_error(
        tmp_path,
        USER + 'resource "aws_iam_user_policy" "p" {\n  user = aws_iam_user.a.name\n'
        f"  policy = <<POL\n{DENY_THEN_ALLOW}\nPOL\n}}\n",
    )
    assert err.source == str(tmp_path / "main.tf") + ":3"
    assert err.path == "aws_iam_user_policy.p.policy/Statement/0/Effect"
    assert err.reason == "duplicate key 'Effect'"


def test_jsondecode_with_duplicate_key(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text(DENY_THEN_ALLOW)
    err = tf_error(
        tmp_path,
        USER + 'resource "aws_iam_user_policy" "p" {\n  user = aws_iam_user.a.name\n'
        '  policy = jsonencode(jsondecode(file("p.json")))\n}\n',
    )
    assert err.path == "/Statement/0/Effect"
    assert "jsondecode(): duplicate key 'Effect'" in err.reason


def test_source_policy_document_with_duplicate_key(tmp_path: Path) -> None:
    err = tf_error(
        tmp_path,
        USER + 'data "aws_iam_policy_document" "d" {\n'
        f"  source_policy_documents = [{json.dumps(DENY_THEN_ALLOW)}]\n}}\n"
        'resource "aws_iam_user_policy" "p" {\n  user = aws_iam_user.a.name\n'
        "  policy = data.aws_iam_policy_document.d.json\n}\n",
    )
    assert "duplicate key 'Effect'" in err.reason and "/Statement/0/Effect" in err.reason


def test_argument_set_twice(tmp_path: Path) -> None:
    err = tf_error(
        tmp_path,
        USER + 'data "aws_iam_policy_document" "d" {\n  statement {\n'
        '    effect = "Deny"\n    actions = ["s3:*"]\n    resources = ["*"]\n'
        '    effect = "Allow"\n  }\n}\n',
    )
    assert err.path == "line 8"
    assert err.reason == "the argument 'effect' is set twice (first at line 5)"


def test_tfvars_json_with_duplicate_key(tmp_path: Path) -> None:
    (tmp_path / "terraform.tfvars.json").write_text('{"a": 1, "a": 2}')
    (tmp_path / "x.auto.tfvars.json").write_text('{"b": 1}')
    with pytest.raises(InputError) as info:
        tf(tmp_path, 'variable "a" {}\nvariable "b" {}\n' + USER)
    assert info.value.path == "/a"


# -- arguments of the mapped aws_iam_* types -------------------------------------------------


def test_misspelled_argument_is_an_error(tmp_path: Path) -> None:
    err = tf_error(
        tmp_path,
        'resource "aws_iam_user" "a" {\n  name = "alice"\n'
        '  permission_boundary = "arn:aws:iam::111122223333:policy/b"\n}\n',
    )
    assert err.source == str(tmp_path / "main.tf") + ":4"
    assert err.path == "aws_iam_user.a.permission_boundary"
    assert err.reason == (
        "unknown argument 'permission_boundary' (did you mean 'permissions_boundary'?)"
    )


@pytest.mark.parametrize(
    ("body", "path", "meant"),
    [
        (
            'resource "aws_iam_role" "r" {\n  name = "r"\n  assume_role_policy = "{}"\n'
            '  inline_policy {\n    name = "p"\n    polcy = "{}"\n  }\n}\n',
            "aws_iam_role.r.polcy",
            "policy",
        ),
        (
            'resource "aws_iam_policy_attachment" "a" {\n  name = "a"\n  role = "r"\n'
            '  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"\n}\n',
            "aws_iam_policy_attachment.a.role",
            "roles",
        ),
        (
            'data "aws_iam_policy_document" "d" {\n  statement {\n    action = ["s3:*"]\n'
            '    resources = ["*"]\n    condtion {\n      test = "Bool"\n'
            '      variable = "aws:SecureTransport"\n      values = ["false"]\n    }\n  }\n}\n',
            "data.aws_iam_policy_document.d.action",
            "actions",
        ),
        (
            'data "aws_iam_policy_document" "d" {\n  dynamic "statement" {\n'
            '    for_each = ["s3:*"]\n    content {\n      actions = [statement.value]\n'
            '      resource = ["*"]\n    }\n  }\n}\n',
            "data.aws_iam_policy_document.d.resource",
            "resources",
        ),
    ],
    ids=["inline-policy-block", "list-argument", "policy-document", "dynamic-content"],
)
def test_misspelled_nested_argument_is_an_error(
    tmp_path: Path, body: str, path: str, meant: str
) -> None:
    err = tf_error(tmp_path, body)
    assert err.path == path
    assert f"did you mean {meant!r}" in err.reason


def test_misspelled_argument_in_a_module(tmp_path: Path) -> None:
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "main.tf").write_text(
        'resource "aws_iam_role_policy" "p" {\n  role = "r"\n  polciy = "{}"\n}\n'
    )
    err = tf_error(tmp_path, 'module "m" { source = "./mod" }\n')
    assert err.path == "module.m.aws_iam_role_policy.p.polciy"


def test_other_unknown_argument_is_a_note(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        PROVIDER + 'resource "aws_iam_user" "a" {\n  name = "alice"\n  shiny_new_thing = 1\n}\n'
    )
    world, warnings = read_terraform_dir(tmp_path)
    assert len(world.users) == 1
    assert any(w.address == "aws_iam_user.a" and "'shiny_new_thing'" in w.message for w in warnings)


def test_meta_arguments_and_other_types_are_not_checked(tmp_path: Path) -> None:
    world = tf(
        tmp_path,
        'resource "aws_iam_user" "a" {\n  count = 1\n  name = "alice"\n'
        "  lifecycle {\n    prevent_destroy = false\n  }\n  depends_on = []\n}\n"
        'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n  anything_goes = true\n}\n',
    )
    assert len(world.users) == 1


def test_deeply_nested_expression(tmp_path: Path) -> None:
    depth = 2000
    err = tf_error(
        tmp_path,
        f"locals {{\n  x = {'[' * depth}{']' * depth}\n}}\n"
        'resource "aws_iam_user" "a" {\n  name = "a"\n  tags = { t = jsonencode(local.x) }\n}\n',
    )
    assert err.source == str(tmp_path / "main.tf")
    assert err.reason == "the expression is nested too deeply to evaluate"


# -- module recursion ----------------------------------------------------------------------


def test_module_calling_itself(tmp_path: Path) -> None:
    err = tf_error(tmp_path, 'module "m" { source = "./" }\n')
    assert err.source == str(tmp_path / "main.tf")
    assert err.path == "line 2"
    assert "module recursion: module.m loads './'" in err.reason


def test_modules_calling_each_other(tmp_path: Path) -> None:
    for this, other in (("a", "b"), ("b", "a")):
        (tmp_path / this).mkdir()
        (tmp_path / this / "main.tf").write_text(f'module "{other}" {{ source = "../{other}" }}\n')
    err = tf_error(tmp_path, 'module "a" { source = "./a" }\n')
    assert "module recursion: module.a.module.b.module.a" in err.reason
    assert "directory of module.a" in err.reason


def test_same_module_twice_is_not_recursion(tmp_path: Path) -> None:
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "main.tf").write_text(
        'variable "n" {}\nresource "aws_iam_user" "u" { name = var.n }\n'
    )
    world = tf(
        tmp_path,
        'module "x" {\n  source = "./mod"\n  n = "x"\n}\n'
        'module "y" {\n  source = "./mod"\n  n = "y"\n}\n',
    )
    assert len(world.users) == 2


# -- plan JSON -----------------------------------------------------------------------------


def _plan(tmp_path: Path, doc: Any) -> InputError:
    path = tmp_path / "plan.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    with pytest.raises(InputError) as info:
        load_terraform_plan(path)
    assert info.value.source == str(path)
    return info.value


def _resource(values: dict[str, Any], rtype: str = "aws_iam_user_policy") -> dict[str, Any]:
    return {
        "address": f"{rtype}.p",
        "mode": "managed",
        "type": rtype,
        "name": "p",
        "values": values,
    }


def test_plan_policy_string_with_duplicate_key(tmp_path: Path) -> None:
    doc = {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "resources": [
                    _resource({"name": "alice"}, "aws_iam_user"),
                    _resource({"user": "alice", "name": "p", "policy": DENY_THEN_ALLOW}),
                ]
            }
        },
    }
    doc["planned_values"]["root_module"]["resources"][0]["address"] = "aws_iam_user.p"
    err = _plan(tmp_path, doc)
    assert err.path == "aws_iam_user_policy.p.policy/Statement/0/Effect"
    assert err.reason == "duplicate key 'Effect'"


def test_plan_json_with_duplicate_key(tmp_path: Path) -> None:
    err = _plan(tmp_path, '{"format_version": "1.2", "planned_values": {}, "planned_values": {}}')
    assert err.path == "/planned_values"
    assert err.reason == "duplicate key 'planned_values'"


@pytest.mark.parametrize(
    ("doc", "path"),
    [
        ({"format_version": "1.2", "planned_values": []}, "/planned_values"),
        (
            {"format_version": "1.2", "planned_values": {"root_module": {"resources": {}}}},
            "/planned_values/root_module/resources",
        ),
        (
            {
                "format_version": "1.2",
                "planned_values": {"root_module": {"child_modules": {}}},
            },
            "/planned_values/root_module/child_modules",
        ),
        ({"format_version": "1.2", "resource_changes": {}}, "/resource_changes"),
        ({"format_version": "1.2", "values": {"root_module": []}}, "/values/root_module"),
    ],
)
def test_plan_sections_of_the_wrong_type(tmp_path: Path, doc: Any, path: str) -> None:
    err = _plan(tmp_path, doc)
    assert err.path == path
    assert "must be" in err.reason


def test_deep_plan_is_an_input_error(tmp_path: Path) -> None:
    err = _plan(tmp_path, '{"format_version": "1.2", "x": ' + "[" * 5000 + "]" * 5000 + "}")
    assert "nested too deeply" in err.reason


# Found by the fuzzer (tests/fuzz): both were tracebacks.


def test_plan_provider_config_of_the_wrong_type(tmp_path: Path) -> None:
    doc = {
        "format_version": "1.2",
        "configuration": {"provider_config": True},
        "planned_values": {
            "root_module": {"resources": [_resource({"name": "a"}, "aws_iam_user")]}
        },
    }
    err = _plan(tmp_path, doc)
    assert err.path == "/configuration/provider_config"
    assert err.reason == "provider_config must be an object"


TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def test_plan_inline_policy_block_that_is_not_an_object(tmp_path: Path) -> None:
    role = _resource(
        {"name": "r", "assume_role_policy": TRUST, "inline_policy": [None]}, "aws_iam_role"
    )
    doc = {"format_version": "1.2", "planned_values": {"root_module": {"resources": [role]}}}
    err = _plan(tmp_path, doc)
    assert err.path == "aws_iam_role.p.inline_policy[0]"
    assert err.reason == "an inline_policy block must be an object"
