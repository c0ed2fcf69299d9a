"""The Terraform language as Terraform evaluates it: type conversions of variables (``type``,
``optional`` attributes, ``nullable = false``), bools from strings, primitives where strings
are expected, ``format()`` verbs, ``can()``/``try()`` on failing expressions and
``terraform.workspace``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamsim.builder import RequestBuilder
from iamsim.engine import evaluate
from iamsim.errors import RequestError
from iamsim.ingest import load_inputs
from iamsim.ingest.terraform.loader import load_terraform_dir
from iamsim.model import World

REVIEW = Path(__file__).parent / "data" / "review"
ACCT = "111122223333"
PROVIDER = 'provider "aws" {\n  allowed_account_ids = ["111122223333"]\n}\n'


def tf(tmp_path: Path, text: str, **kwargs: object) -> World:
    (tmp_path / "main.tf").write_text(PROVIDER + text)
    return load_terraform_dir(tmp_path, **kwargs)  # type: ignore[arg-type]


def tags(tmp_path: Path, values: str, **kwargs: object) -> dict[str, str]:
    """The tags of a user whose tags are ``values`` (an HCL object expression)."""
    world = tf(
        tmp_path, f'resource "aws_iam_user" "u" {{\n  name = "u"\n  tags = {values}\n}}\n', **kwargs
    )
    return dict(world.users[f"arn:aws:iam::{ACCT}:user/u"].tags)


def decide(world: World, principal: str, action: str, resource: str) -> str:
    built = RequestBuilder(world).build(principal, action, resource)
    return str(evaluate(built.request, built.policies).value)


# -- item 3: conversions -----------------------------------------------------------------------


@pytest.mark.parametrize("case", ["bool_string", "bool_tfvars"])
def test_bool_variable_from_a_string_keeps_the_mfa_deny(case: str) -> None:
    # type = bool with default "true" (or "true" in terraform.tfvars) is true: count = 1.
    world = load_inputs([REVIEW / case])
    carol = world.users["arn:aws:iam::123456789012:user/carol"]
    assert [p.name for p in carol.inline_policies] == ["require-mfa"]
    assert not any("count/for_each is unknown" in n for n in world.notes)
    assert decide(world, "carol", "s3:GetObject", "arn:aws:s3:::b/k") == "ExplicitDeny"


def test_variables_convert_to_their_type(tmp_path: Path) -> None:
    text = """
    variable "n" {
      type    = number
      default = "2"
    }
    variable "s" {
      type    = string
      default = 3
    }
    variable "flags" {
      type    = map(bool)
      default = { a = "false", b = true }
    }
    variable "ids" {
      type    = list(string)
      default = [123456789012, true]
    }
    variable "pair" {
      type    = tuple([string, number])
      default = [1, "2"]
    }
    variable "ids_set" {
      type    = set(string)
      default = ["b", "a", "b"]
    }
    resource "aws_iam_user" "u" {
      count = var.n
      name  = "u-${var.s}-${count.index}"
      tags = {
        flags = jsonencode(var.flags)
        ids   = jsonencode(var.ids)
        pair  = jsonencode(var.pair)
        set   = jsonencode(var.ids_set)
        n     = var.n + 1
      }
    }
    """
    world = tf(tmp_path, text, variables={"s": 7})
    names = sorted(u.name for u in world.users.values())
    assert names == ["u-7-0", "u-7-1"]
    user = next(iter(world.users.values()))
    assert json.loads(user.tags["flags"]) == {"a": False, "b": True}
    assert json.loads(user.tags["ids"]) == ["123456789012", "true"]
    assert json.loads(user.tags["pair"]) == ["1", 2]
    assert json.loads(user.tags["set"]) == ["a", "b"]
    assert user.tags["n"] == "3"


def test_module_call_values_convert_to_the_module_variable_type(tmp_path: Path) -> None:
    module = tmp_path / "mod"
    module.mkdir()
    (module / "main.tf").write_text(
        'variable "enabled" { type = bool }\n'
        'variable "tag" { type = string }\n'
        'resource "aws_iam_user" "u" {\n'
        "  count = var.enabled ? 1 : 0\n"
        '  name  = "from-module"\n'
        "  tags  = { t = var.tag }\n"
        "}\n"
    )
    world = tf(tmp_path, 'module "m" {\n  source  = "./mod"\n  enabled = "true"\n  tag = 5\n}\n')
    assert dict(world.users[f"arn:aws:iam::{ACCT}:user/from-module"].tags) == {"t": "5"}


def test_a_value_that_does_not_convert_is_unknown_not_guessed(tmp_path: Path) -> None:
    text = """
    variable "enabled" {
      type    = bool
      default = "yes"
    }
    resource "aws_iam_user" "u" {
      count = var.enabled ? 1 : 0
      name  = "u"
    }
    """
    world = tf(tmp_path, text)
    assert not world.users
    assert any("a bool is required" in n for n in world.notes)


def test_bool_strings_in_conditionals_and_primitives_in_string_functions(tmp_path: Path) -> None:
    values = """{
      cond  = "true" ? "yes" : "no"
      not   = !"false"
      and   = "true" && true
      lower = lower(true)
      upper = upper(3)
      join  = join(",", [1, true, "x"])
      repl  = replace(12345, "3", "-")
      pre   = trimprefix(2024, "20")
      subst = substr(123456, 1, 2)
    }"""
    assert tags(tmp_path, values) == {
        "cond": "yes",
        "not": "true",
        "and": "true",
        "lower": "true",
        "upper": "3",
        "join": "1,true,x",
        "repl": "12-45",
        "pre": "24",
        "subst": "23",
    }


def test_policy_document_condition_values_become_strings() -> None:
    # values = [false] in a condition block: the provider sees "false" (Terraform converts).
    world = load_terraform_dir(REVIEW / "condition_bool_values")
    policy = world.resources["arn:aws:s3:::b"].policy
    assert policy is not None
    assert policy.statements[0].conditions[0].values == ("false",)


def test_policy_document_numbers_and_bools_in_string_lists(tmp_path: Path) -> None:
    text = """
    data "aws_iam_policy_document" "p" {
      statement {
        actions   = ["sts:AssumeRole"]
        principals {
          type        = "AWS"
          identifiers = [123456789012]
        }
        condition {
          test     = "NumericLessThan"
          variable = "aws:MultiFactorAuthAge"
          values   = [3600]
        }
        condition {
          test     = "Bool"
          variable = "aws:MultiFactorAuthPresent"
          values   = [true]
        }
      }
    }
    resource "aws_iam_role" "r" {
      name               = "r"
      assume_role_policy = data.aws_iam_policy_document.p.json
    }
    """
    world = tf(tmp_path, text)
    trust = world.roles[f"arn:aws:iam::{ACCT}:role/r"].trust_policy
    assert trust is not None
    values = {c.key: c.values for c in trust.statements[0].conditions}
    assert values == {"aws:MultiFactorAuthAge": ("3600",), "aws:MultiFactorAuthPresent": ("true",)}
    principal = trust.statements[0].principal
    assert principal is not None and principal.values("AWS") == ("123456789012",)


def test_optional_object_attributes_get_their_defaults() -> None:
    world = load_terraform_dir(REVIEW / "optional_attrs")
    role = world.roles["arn:aws:iam::123456789012:role/first-app"]
    assert [p.name for p in role.inline_policies] == ["data"]
    assert role.inline_policies[0].statements[0].actions == ("s3:GetObject", "s3:PutObject")
    assert not world.notes or not any("allow_delete" in n for n in world.notes)


def test_optional_attributes_null_nested_and_given(tmp_path: Path) -> None:
    text = """
    variable "apps" {
      type = map(object({
        delete = optional(bool, false)
        name   = optional(string)
        inner  = optional(object({ level = optional(number, 1) }), {})
      }))
      default = {
        a = { delete = true }
        b = { delete = null, name = "bee" }
      }
    }
    resource "aws_iam_user" "u" {
      for_each = var.apps
      name     = each.key
      tags     = { all = jsonencode(each.value) }
    }
    """
    world = tf(tmp_path, text)
    got = {u.name: json.loads(u.tags["all"]) for u in world.users.values()}
    assert got == {
        "a": {"delete": True, "name": None, "inner": {"level": 1}},
        "b": {"delete": False, "name": "bee", "inner": {"level": 1}},
    }


# -- item 2: nullable = false ---------------------------------------------------------------------


def test_null_for_a_non_nullable_variable_gives_its_default() -> None:
    world = load_terraform_dir(REVIEW / "nullable_default")
    boundaries = {r.name: r.boundary_arn for r in world.roles.values()}
    assert boundaries == {
        "svc-billing": "arn:aws:iam::123456789012:policy/default-boundary",
        "svc-search": "arn:aws:iam::123456789012:policy/search-boundary",
    }


def test_null_for_a_nullable_variable_stays_null(tmp_path: Path) -> None:
    module = tmp_path / "mod"
    module.mkdir()
    (module / "main.tf").write_text(
        'variable "tag" {\n  type    = string\n  default = "from-default"\n}\n'
        'variable "strict" {\n  type     = string\n  nullable = false\n}\n'
        'resource "aws_iam_user" "u" {\n  name = "u"\n'
        '  tags = { tag = coalesce(var.tag, "was-null"), strict = var.strict }\n}\n'
    )
    world = tf(tmp_path, 'module "m" {\n  source = "./mod"\n  tag = null\n  strict = null\n}\n')
    user = world.users[f"arn:aws:iam::{ACCT}:user/u"]
    assert dict(user.tags) == {"tag": "was-null"}  # nullable (the default): null is kept
    assert any("var.strict is null, but it is not nullable" in n for n in world.notes)


# -- item 4: format() -------------------------------------------------------------------------------


def test_format_with_width_names_the_buckets() -> None:
    world = load_terraform_dir(REVIEW / "format_width")
    buckets = sorted(arn for arn in world.resources if ":s3:::" in arn)
    assert buckets == [f"arn:aws:s3:::audit-logs-00{i}" for i in range(3)]
    assert all(world.resources[b].policy is not None for b in buckets)


FORMATS = {
    'format("%03d", 7)': "007",
    'format("%5s|", "ab")': "   ab|",
    'format("%-5s|", "ab")': "ab   |",
    'format("%q", "ab")': '"ab"',
    'format("%v-%v", 1, true)': "1-true",
    'format("%.2f", 3.14159)': "3.14",
    'format("%x", 255)': "ff",
    'format("%X", 255)': "FF",
    'format("%o", 8)': "10",
    'format("%b", 5)': "101",
    'format("%e", 1234.5678)': "1.234568e+03",
    'format("%f", 3)': "3.000000",
    'format("%g", 0.000012)': "1.2e-05",
    'format("%v", 1234567)': "1.234567e+06",
    'format("%%-%s", "a")': "%-a",
    'format("%[2]s-%[1]s", "a", "b")': "b-a",
    'format("%[2]s %s", "a", "b", "c")': "b c",
    'format("%t", true)': "true",
    'format("%s", 12)': "12",
    'format("%d", "12")': "12",
    'format("%#v", "ab")': '"ab"',
    'format("%#v", {b = 1, a = [true]})': '{"a":[true],"b":1}',
    'format("%+05d|%-4d|", 3, -2)': "+0003|-2  |",
    'format("%#x %.3d", 255, 7)': "0xff 007",
    'format("%8.3f|%-8.2e|", -3.14159, 1234.5)': "  -3.142|1.23e+03|",
    'format("%.1s", "abc")': "a",
    'join(",", formatlist("%s=%02d", ["a", "b"], [1, 2]))': "a=01,b=02",
    'join(",", formatlist("%s-%s", "x", ["a", "b"]))': "x-a,x-b",
}


def test_format_verbs(tmp_path: Path) -> None:
    keys = {f"f{i}": expr for i, expr in enumerate(FORMATS)}
    got = tags(tmp_path, "{\n" + "\n".join(f"{k} = {v}" for k, v in keys.items()) + "\n}")
    assert {keys[k]: v for k, v in got.items()} == FORMATS


@pytest.mark.parametrize(
    ("expr", "reason"),
    [
        ('format("%c", 65)', "unsupported format verb"),
        ('format("%*d", 3, 7)', "not supported"),
        ('format("%d", 1.5)', "an integer is required"),
        ('format("%s %s", "a")', "not enough arguments"),
        ('format("%d", "x")', "not a number"),
        ('join(",", formatlist("%s%s", ["a"], ["b", "c"]))', "different lengths"),
    ],
)
def test_format_never_writes_a_wrong_string(tmp_path: Path, expr: str, reason: str) -> None:
    world = tf(
        tmp_path, f'resource "aws_iam_user" "u" {{\n  name = "u"\n  tags = {{ t = {expr} }}\n}}\n'
    )
    assert dict(world.users[f"arn:aws:iam::{ACCT}:user/u"].tags) == {}
    assert any("tag 't' is unknown" in n and reason in n for n in world.notes), world.notes


# -- item 5: can() and try() --------------------------------------------------------------------------


def test_can_is_false_when_the_expression_fails() -> None:
    world = load_terraform_dir(REVIEW / "can_regex")
    trust = world.roles["arn:aws:iam::123456789012:role/deploy"].trust_policy
    assert trust is not None
    principal = trust.statements[0].principal
    assert principal is not None
    assert set(principal.values("AWS")) == {
        "arn:aws:iam::123456789012:role/ci-runner",
        "arn:aws:iam::999988887777:role/deployer",
    }


def test_can_and_try_on_errors_and_on_unknown_values(tmp_path: Path) -> None:
    values = """{
      no_match  = can(regex("^arn:", "role-x"))
      match     = can(regex("^arn:", "arn:aws"))
      no_key    = can({a = 1}.b)
      bad_index = can([1][3])
      bad_num   = can(tonumber("x"))
      fallback  = try({a = 1}.b, "fallback")
      first     = try("first", "second")
      unknown   = can(regex("^arn:", var.unset))
      kept      = try(var.unset, "not used")
    }"""
    world = tf(
        tmp_path,
        'variable "unset" {}\n'
        + f'resource "aws_iam_user" "u" {{\n  name = "u"\n  tags = {values}\n}}\n',
    )
    assert dict(world.users[f"arn:aws:iam::{ACCT}:user/u"].tags) == {
        "no_match": "false",
        "match": "true",
        "no_key": "false",
        "bad_index": "false",
        "bad_num": "false",
        "fallback": "fallback",
        "first": "first",
    }
    # a value known only when Terraform runs is not an error: neither can() nor try() decide
    text = "\n".join(world.notes)
    assert "tag 'unknown' is unknown" in text and "tag 'kept' is unknown" in text


def test_can_on_an_unknown_value_keeps_the_trust_policy_unknown(tmp_path: Path) -> None:
    text = """
    variable "principal" {}
    resource "aws_iam_role" "r" {
      name = "r"
      assume_role_policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow",
        Action = "sts:AssumeRole", Principal = {AWS = can(regex("^arn:", var.principal))
          ? var.principal : "arn:aws:iam::111122223333:role/${var.principal}"}}]})
    }
    """
    world = tf(tmp_path, text)
    role = f"arn:aws:iam::{ACCT}:role/r"
    assert world.roles[role].trust_policy is None
    with pytest.raises(RequestError, match="trust policy of"):
        RequestBuilder(world).build(f"arn:aws:iam::{ACCT}:root", "sts:AssumeRole", role)


# -- item 6: terraform.workspace --------------------------------------------------------------------


def test_terraform_workspace_is_default_with_a_note() -> None:
    world = load_terraform_dir(REVIEW / "workspace")
    assert set(world.roles) == {"arn:aws:iam::123456789012:role/deployer-default"}
    found = [n for n in world.notes if "terraform.workspace is read as 'default'" in n]
    assert len(found) == 1 and found[0].startswith(str(REVIEW / "workspace" / "main.tf:7"))
