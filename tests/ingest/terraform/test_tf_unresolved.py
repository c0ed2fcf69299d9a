"""Terraform values iamsim cannot compute fail closed: a policy-bearing value left unknown (an
inline or managed policy, a boundary, an attachment, a trust or resource policy, an instance
whose count/for_each is unknown) is reported *and* the principal or resource it belongs to is
marked unresolved, so requests that need it are refused instead of answered Allow from the
rest. Also: plan JSON policies known only after apply, and unique IDs used in policies."""

from __future__ import annotations

from pathlib import Path

import pytest

from iamsim.builder import RequestBuilder
from iamsim.engine import evaluate
from iamsim.errors import RequestError
from iamsim.ingest import load_inputs
from iamsim.ingest.terraform.loader import load_terraform_dir
from iamsim.ingest.terraform.plan import load_terraform_plan
from iamsim.model import World

DATA = Path(__file__).parent / "data"
REVIEW = DATA / "review"
PLANS = DATA / "plans"
ACCT = "111122223333"
ALICE = f"arn:aws:iam::{ACCT}:user/alice"
PROVIDER = 'provider "aws" {\n  allowed_account_ids = ["111122223333"]\n  region = "eu-west-1"\n}\n'
ALLOW_S3 = (
    'jsonencode({Version = "2012-10-17", '
    'Statement = [{Effect = "Allow", Action = "s3:*", Resource = "*"}]})'
)
TRUST = (
    'jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", '
    'Action = "sts:AssumeRole", Principal = {Service = "ec2.amazonaws.com"}}]})'
)


def tf(tmp_path: Path, text: str) -> World:
    (tmp_path / "main.tf").write_text(PROVIDER + text)
    return load_terraform_dir(tmp_path)


def refused(world: World, principal: str, action: str, resource: str) -> str:
    with pytest.raises(RequestError) as info:
        RequestBuilder(world).build(principal, action, resource)
    return str(info.value)


def decide(world: World, principal: str, action: str, resource: str) -> str:
    built = RequestBuilder(world).build(principal, action, resource)
    return str(evaluate(built.request, built.policies).value)


def notes(world: World) -> str:
    return "\n".join(world.notes)


# -- the reviewer's repros -----------------------------------------------------------------------


def test_unknown_deny_resource_refuses_instead_of_allowing() -> None:
    # An Allow s3:* and a Deny whose Resource is a variable without a value: answering from
    # the Allow alone would be a wrong Allow.
    world = load_terraform_dir(REVIEW / "unknown_deny")
    message = refused(world, "alice", "s3:GetObject", "arn:aws:s3:::b/k")
    assert "incomplete" in message and "var.blocked has no value" in message
    assert "aws_iam_user_policy.deny: policy is unknown" in notes(world)
    assert "requests that need it are refused" in notes(world)
    assert world.unresolved[ALICE]


@pytest.mark.parametrize("case", ["var_boundary", "unresolved_boundary"])
def test_unknown_permissions_boundary_refuses(case: str) -> None:
    world = load_terraform_dir(REVIEW / case)
    assert world.users[ALICE].boundary_arn is None
    assert "permissions_boundary is unknown" in refused(
        world, "alice", "s3:GetObject", "arn:aws:s3:::b/k"
    )


def test_unknown_count_of_an_inline_policy_refuses_its_user() -> None:
    world = load_terraform_dir(REVIEW / "count_unknown")
    assert len(world.users[ALICE].inline_policies) == 1  # the Allow; the Deny may exist
    message = refused(world, "alice", "s3:GetObject", "arn:aws:s3:::b/k")
    assert "count/for_each is unknown" in message and "var.n has no value" in message
    assert "requests that need the policies of user 'alice' are refused" in notes(world)


def test_bool_variable_without_value_refuses_the_user_its_deny_may_apply_to() -> None:
    # case-bool-string with no value for enforce_mfa: the MFA Deny may or may not exist.
    world = load_terraform_dir(REVIEW / "bool_unknown")
    carol = "arn:aws:iam::123456789012:user/carol"
    assert world.users[carol].inline_policies == ()
    assert "var.enforce_mfa has no value" in refused(
        world, "carol", "s3:GetObject", "arn:aws:s3:::b/k"
    )


# -- each policy-bearing value -------------------------------------------------------------------


def test_unknown_trust_policy_refuses_assuming_the_role(tmp_path: Path) -> None:
    text = """
    variable "trusted" {}
    resource "aws_iam_role" "r" {
      name = "r"
      assume_role_policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow",
        Action = "sts:AssumeRole", Principal = {AWS = var.trusted}}]})
    }
    """
    world = tf(tmp_path, text)
    role = f"arn:aws:iam::{ACCT}:role/r"
    assert world.roles[role].trust_policy is None
    message = refused(world, f"arn:aws:iam::{ACCT}:root", "sts:AssumeRole", role)
    assert "trust policy of" in message and "assume_role_policy is unknown" in message


def test_unknown_inline_policy_blocks_refuse_the_role(tmp_path: Path) -> None:
    text = f"""
    variable "doc" {{}}
    variable "names" {{}}
    resource "aws_iam_role" "plain" {{
      name = "plain"
      assume_role_policy = {TRUST}
      inline_policy {{
        name   = "ok"
        policy = {ALLOW_S3}
      }}
      inline_policy {{
        name   = "unknown"
        policy = var.doc
      }}
    }}
    resource "aws_iam_role" "dynamic" {{
      name = "dynamic"
      assume_role_policy = {TRUST}
      dynamic "inline_policy" {{
        for_each = var.names
        content {{
          name   = inline_policy.value
          policy = {ALLOW_S3}
        }}
      }}
    }}
    """
    world = tf(tmp_path, text)
    plain = world.roles[f"arn:aws:iam::{ACCT}:role/plain"]
    assert [p.name for p in plain.inline_policies] == ["ok"]
    assert "inline_policy[1].policy is unknown" in refused(
        world, plain.arn, "s3:GetObject", "arn:aws:s3:::b/k"
    )
    assert "inline_policy[0] is unknown" in refused(
        world, f"arn:aws:iam::{ACCT}:role/dynamic", "s3:GetObject", "arn:aws:s3:::b/k"
    )


def test_attachments_with_an_unknown_policy_arn_refuse_their_targets(tmp_path: Path) -> None:
    text = """
    variable "arn" {}
    resource "aws_iam_user" "a" { name = "alice" }
    resource "aws_iam_user" "b" { name = "bob" }
    resource "aws_iam_group" "g" { name = "devs" }
    resource "aws_iam_user_policy_attachment" "a" {
      user       = aws_iam_user.a.name
      policy_arn = var.arn
    }
    resource "aws_iam_policy_attachment" "b" {
      name       = "b"
      users      = [aws_iam_user.b.name]
      groups     = [aws_iam_group.g.name]
      policy_arn = var.arn
    }
    resource "aws_iam_group_policy_attachments_exclusive" "g" {
      group_name  = aws_iam_group.g.name
      policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess", var.arn]
    }
    """
    world = tf(tmp_path, text)
    assert "policy_arn is unknown" in refused(world, "alice", "s3:GetObject", "*")
    assert "policy_arn is unknown" in refused(world, "bob", "s3:GetObject", "*")
    group = f"arn:aws:iam::{ACCT}:group/devs"
    reasons = " ".join(world.unresolved[group])
    assert "aws_iam_policy_attachment.b" in reasons
    assert "an element of policy_arns is unknown" in reasons
    # the known element is still attached
    assert world.groups[group].managed_policy_arns == ("arn:aws:iam::aws:policy/ReadOnlyAccess",)


def test_unknown_target_keeps_only_the_note(tmp_path: Path) -> None:
    # Where the principal itself cannot be determined, nothing can be refused: a note.
    text = """
    variable "role" {}
    resource "aws_iam_role_policy_attachment" "a" {
      role       = var.role
      policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    }
    """
    world = tf(tmp_path, text)
    assert dict(world.unresolved) == {}
    assert "aws_iam_role_policy_attachment.a: role is unknown" in notes(world)


def test_unknown_managed_policy_document_refuses_where_attached(tmp_path: Path) -> None:
    text = f"""
    variable "bucket" {{}}
    resource "aws_iam_policy" "p" {{
      name   = "p"
      policy = jsonencode({{Version = "2012-10-17", Statement = [{{Effect = "Deny",
        Action = "s3:*", Resource = "arn:aws:s3:::${{var.bucket}}/*"}}]}})
    }}
    resource "aws_iam_policy" "unused" {{
      name   = "unused"
      policy = jsonencode({{Version = "2012-10-17", Statement = [{{Effect = "Deny",
        Action = "s3:*", Resource = var.bucket}}]}})
    }}
    resource "aws_iam_role" "r" {{
      name = "r"
      assume_role_policy = {TRUST}
    }}
    resource "aws_iam_role_policy_attachment" "r" {{
      role       = aws_iam_role.r.name
      policy_arn = aws_iam_policy.p.arn
    }}
    resource "aws_iam_user" "a" {{
      name                 = "alice"
      permissions_boundary = aws_iam_policy.p.arn
    }}
    resource "aws_iam_user" "b" {{ name = "bob" }}
    resource "aws_iam_user_policy" "b" {{
      user   = aws_iam_user.b.name
      policy = {ALLOW_S3}
    }}
    """
    world = tf(tmp_path, text)
    assert dict(world.managed_policies) == {}
    message = refused(world, f"arn:aws:iam::{ACCT}:role/r", "s3:GetObject", "arn:aws:s3:::b/k")
    assert "aws_iam_policy.p: policy is unknown" in message
    assert "aws_iam_policy.p: policy is unknown" in refused(world, "alice", "s3:GetObject", "*")
    # bob has nothing to do with either policy; the unattached one refuses nobody
    assert decide(world, "bob", "s3:GetObject", "arn:aws:s3:::b/k") == "Allow"
    assert "aws_iam_policy.unused: policy is unknown" in notes(world)


def test_unknown_resource_policies_refuse_requests_to_the_resource(tmp_path: Path) -> None:
    text = """
    variable "doc" {}
    resource "aws_iam_user" "a" { name = "alice" }
    resource "aws_iam_user_policy" "a" {
      user   = aws_iam_user.a.name
      policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow",
        Action = ["s3:*", "kms:*", "sqs:*"], Resource = "*"}]})
    }
    resource "aws_s3_bucket" "b" { bucket = "known-bucket" }
    resource "aws_s3_bucket_policy" "b" {
      bucket = aws_s3_bucket.b.id
      policy = var.doc
    }
    resource "aws_s3_bucket_policy" "elsewhere" {
      bucket = "bucket-created-elsewhere"
      policy = var.doc
    }
    resource "aws_kms_key" "k" { policy = var.doc }
    resource "aws_sqs_queue" "q" {
      name   = "q"
      policy = var.doc
    }
    """
    world = tf(tmp_path, text)
    for resource in (
        "arn:aws:s3:::known-bucket/k",
        "arn:aws:s3:::bucket-created-elsewhere/k",
        f"arn:aws:sqs:eu-west-1:{ACCT}:q",
    ):
        action = "sqs:SendMessage" if ":sqs:" in resource else "s3:GetObject"
        assert "resource-based policy of" in refused(world, "alice", action, resource)
    key = next(arn for arn in world.resources if ":kms:" in arn)
    assert world.resources[key].policy is None  # not AWS's default key policy
    assert "resource-based policy of" in refused(world, "alice", "kms:Decrypt", key)


def test_unknown_count_refuses_the_resource_or_principal_it_targets(tmp_path: Path) -> None:
    text = f"""
    variable "on" {{}}
    variable "names" {{}}
    resource "aws_iam_user" "a" {{ name = "alice" }}
    resource "aws_iam_user" "b" {{ name = "bob" }}
    resource "aws_iam_user_policy" "a" {{
      user   = aws_iam_user.a.name
      policy = {ALLOW_S3}
    }}
    resource "aws_s3_bucket" "b" {{ bucket = "audit" }}
    resource "aws_s3_bucket_policy" "b" {{
      count  = var.on ? 1 : 0
      bucket = aws_s3_bucket.b.id
      policy = {ALLOW_S3}
    }}
    resource "aws_iam_user_policy_attachment" "each" {{
      for_each   = toset(var.names)
      user       = each.key
      policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    }}
    resource "aws_iam_user_group_membership" "b" {{
      count  = var.on ? 1 : 0
      user   = aws_iam_user.b.name
      groups = ["admins"]
    }}
    resource "aws_s3_bucket" "maybe" {{
      count  = var.on ? 1 : 0
      bucket = "maybe"
      policy = {ALLOW_S3}
    }}
    resource "aws_s3_bucket" "plain" {{
      count  = var.on ? 1 : 0
      bucket = "plain"
    }}
    """
    world = tf(tmp_path, text)
    # a bucket that may exist with its own policy is refused; one without a policy is not
    assert "count/for_each is unknown" in refused(
        world, "alice", "s3:GetObject", "arn:aws:s3:::maybe/k"
    )
    assert decide(world, "alice", "s3:GetObject", "arn:aws:s3:::plain/k") == "Allow"
    assert "count/for_each is unknown" in refused(
        world, "alice", "s3:GetObject", "arn:aws:s3:::audit/k"
    )
    assert "count/for_each is unknown" in refused(world, "bob", "s3:GetObject", "*")
    # each.key is the target: it cannot be determined, so alice is not refused for it
    assert decide(world, "alice", "s3:GetObject", "arn:aws:s3:::other/k") == "Allow"
    assert "aws_iam_user_policy_attachment.each: count/for_each is unknown" in notes(world)


def test_lambda_permission_with_an_unknown_condition_is_not_widened(tmp_path: Path) -> None:
    text = """
    variable "source" {}
    resource "aws_lambda_function" "f" {
      function_name = "f"
      role          = "arn:aws:iam::111122223333:role/x"
    }
    resource "aws_lambda_permission" "p" {
      function_name = aws_lambda_function.f.function_name
      action        = "lambda:InvokeFunction"
      principal     = "s3.amazonaws.com"
      source_arn    = var.source
    }
    """
    world = tf(tmp_path, text)
    fn = f"arn:aws:lambda:eu-west-1:{ACCT}:function:f"
    assert world.resources[fn].policy is None  # no statement without its condition
    assert "source_arn is unknown" in refused(
        world, "s3.amazonaws.com", "lambda:InvokeFunction", fn
    )


def test_unknown_path_leaves_the_principal_out(tmp_path: Path) -> None:
    # Its ARN is unknown: it is not placed under "/" (a wrong ARN), it is left out.
    world = tf(
        tmp_path,
        'variable "p" {}\nresource "aws_iam_user" "a" {\n  name = "alice"\n  path = var.p\n}\n',
    )
    assert not world.users
    assert "path is unknown" in notes(world)


def test_memberships_with_unknown_parts_refuse_the_user(tmp_path: Path) -> None:
    text = """
    variable "group" {}
    resource "aws_iam_user" "a" { name = "alice" }
    resource "aws_iam_user" "b" { name = "bob" }
    resource "aws_iam_user_group_membership" "a" {
      user   = aws_iam_user.a.name
      groups = [var.group]
    }
    resource "aws_iam_group_membership" "b" {
      name  = "b"
      users = [aws_iam_user.b.name]
      group = var.group
    }
    """
    world = tf(tmp_path, text)
    assert "an element of groups is unknown" in refused(world, "alice", "s3:GetObject", "*")
    assert "group is unknown" in refused(world, "bob", "s3:GetObject", "*")


# -- plan JSON: policies known only after apply --------------------------------------------------


def test_plan_policy_known_after_apply_is_unknown_not_a_reference() -> None:
    # policy = jsonencode({... "${aws_s3_bucket.reports.arn}/*" ...}): the plan lists the one
    # reference; the policy is not that ARN (which used to fail as invalid JSON).
    world = load_terraform_plan(PLANS / "jsonencode_unknown.json")
    reporter = "arn:aws:iam::123456789012:role/reporter"
    assert world.roles[reporter].inline_policies == ()
    message = refused(world, reporter, "s3:GetObject", "arn:aws:s3:::acme-reports-prod/x")
    assert "known only after apply" in message and "aws_s3_bucket.reports.arn" in message
    assert "load the Terraform directory" in notes(world)


def test_plan_data_source_read_at_apply_time_is_named_so() -> None:
    world = load_terraform_plan(PLANS / "deferred_read.json")
    text = notes(world)
    assert "data.aws_iam_policy_document.b is read only at apply time" in text
    assert "data.aws_iam_policy.boundary is read only at apply time" in text
    assert "is not in the plan" not in text
    root = "arn:aws:iam::123456789012:root"
    assert "resource-based policy of" in refused(
        world, root, "s3:GetObject", "arn:aws:s3:::deferred-data/k"
    )
    # the bucket's own (computed, unconfigured) policy attribute refuses nothing by itself
    assert set(world.unresolved) == {
        "arn:aws:s3:::deferred-data",
        "arn:aws:iam::123456789012:role/app",
    }


# -- unique IDs ----------------------------------------------------------------------------------


def test_unique_id_used_in_a_policy_is_the_roles_id() -> None:
    world = load_inputs([REVIEW / "unique_id"])
    app = world.roles["arn:aws:iam::123456789012:role/restricted-app"]
    assert app.id is not None and app.id.startswith("AROA") and len(app.id) == 21
    policy = world.resources["arn:aws:s3:::restricted-data-123456789012"].policy
    assert policy is not None
    assert policy.statements[0].conditions[0].values == (f"{app.id}:*", "123456789012")
    obj = "arn:aws:s3:::restricted-data-123456789012/x"
    session = "arn:aws:sts::123456789012:assumed-role/restricted-app/task"
    assert decide(world, session, "s3:GetObject", obj) == "Allow"


def test_unique_id_is_recorded_only_where_referenced(tmp_path: Path) -> None:
    text = f"""
    resource "aws_iam_user" "a" {{ name = "alice" }}
    resource "aws_iam_user" "b" {{ name = "bob" }}
    resource "aws_iam_role" "r" {{
      name = "r"
      assume_role_policy = {TRUST}
    }}
    resource "aws_iam_user_policy" "a" {{
      user   = aws_iam_user.a.name
      policy = jsonencode({{Version = "2012-10-17", Statement = [{{Effect = "Allow",
        Action = "s3:*", Resource = "*",
        Condition = {{StringEquals = {{"aws:userid" = aws_iam_user.a.unique_id}}}}}}]}})
    }}
    """
    world = tf(tmp_path, text)
    alice = world.users[ALICE]
    assert alice.id is not None and alice.id.startswith("AIDA")
    assert world.users[f"arn:aws:iam::{ACCT}:user/bob"].id is None
    assert world.roles[f"arn:aws:iam::{ACCT}:role/r"].id is None
    assert decide(world, "alice", "s3:GetObject", "arn:aws:s3:::b/k") == "Allow"
    # the same code loads to the same placeholder
    assert tf(tmp_path, text).users[ALICE].id == alice.id
