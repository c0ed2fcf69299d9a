"""Terraform HCL: every mapped resource type, references, variables, locals, modules, policy
documents, expressions, placeholders, and what is reported instead of guessed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamsim.errors import InputError
from iamsim.ingest import InputFile, detect_format, load_inputs
from iamsim.ingest.iac.placeholders import PLACEHOLDER_ACCOUNT, PLACEHOLDER_REGION
from iamsim.ingest.terraform.loader import detect, load_terraform_dir, read_terraform_dir
from iamsim.model import NodeKind, World
from iamsim.policy.model import Effect, Policy

DATA = Path(__file__).parent / "data"
A = PLACEHOLDER_ACCOUNT
ACCT = "111122223333"


def tf(tmp_path: Path, text: str, **kwargs: object) -> World:
    """Load one main.tf written from ``text``."""
    (tmp_path / "main.tf").write_text(text)
    return load_terraform_dir(tmp_path, **kwargs)  # type: ignore[arg-type]


def policy_of(world: World, arn: str) -> dict[str, object]:
    """A managed policy's first statement, as the parsed model sees it."""
    stmt = world.managed_policies[arn].document.statements[0]
    return {"actions": stmt.actions, "resources": stmt.resources, "effect": stmt.effect}


# -- every IAM resource type -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def iam() -> World:
    return load_terraform_dir(DATA / "iam")


def test_users_groups_and_memberships(iam: World) -> None:
    alice = iam.users[f"arn:aws:iam::{ACCT}:user/people/alice"]
    bob = iam.users[f"arn:aws:iam::{ACCT}:user/bob"]
    assert alice.account == ACCT  # from the provider's allowed_account_ids
    assert alice.group_names == ("developers",)
    assert bob.group_names == ("developers", "ops")  # group_membership + user_group_membership
    # default_tags of the provider merge under the resource's tags
    assert dict(alice.tags) == {"project": "red", "team": "platform"}
    assert alice.boundary_arn == f"arn:aws:iam::{ACCT}:policy/boundaries/boundary"
    assert [p.name for p in alice.inline_policies] == ["alice-inline"]
    assert alice.inline_policies[0].statements[0].effect is Effect.DENY
    devs = iam.groups[f"arn:aws:iam::{ACCT}:group/teams/developers"]
    assert [p.name for p in devs.inline_policies] == ["devs-inline"]  # group = ...devs.id
    ops = iam.groups[f"arn:aws:iam::{ACCT}:group/ops"]
    assert "arn:aws:iam::aws:policy/AdministratorAccess" in ops.managed_policy_arns


def test_roles_with_trust_boundary_inline_and_managed(iam: World) -> None:
    app = iam.roles[f"arn:aws:iam::{ACCT}:role/service/app"]
    assert app.path == "/service/"
    assert app.trust_policy is not None
    principal = app.trust_policy.statements[0].principal
    assert principal is not None and principal.values("Service") == ("lambda.amazonaws.com",)
    assert app.boundary_arn == f"arn:aws:iam::{ACCT}:policy/boundaries/boundary"
    assert [p.name for p in app.inline_policies] == ["logs", "app-inline"]
    read_arn = next(a for a in iam.managed_policies if ":policy/read-" in a)
    assert app.managed_policy_arns == ("arn:aws:iam::aws:policy/ReadOnlyAccess", read_arn)
    worker = iam.roles[f"arn:aws:iam::{ACCT}:role/worker"]
    # aws_iam_policy_attachment and aws_iam_role_policy_attachments_exclusive
    assert set(worker.managed_policy_arns) == {
        read_arn,
        "arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess",
    }
    assert worker.instance_profile_arns == (f"arn:aws:iam::{ACCT}:instance-profile/worker-profile",)


def test_generated_policy_name_is_a_stable_reported_placeholder(iam: World) -> None:
    read_arn = next(a for a in iam.managed_policies if ":policy/read-" in a)
    assert load_terraform_dir(DATA / "iam").managed_policies.keys() == iam.managed_policies.keys()
    name = read_arn.rsplit("/", 1)[1]
    assert name.startswith("read-") and len(name) == len("read-") + 26
    assert any("aws_iam_policy.read" in n and "placeholder" in n for n in iam.notes)
    bob = iam.users[f"arn:aws:iam::{ACCT}:user/bob"]
    assert read_arn in bob.managed_policy_arns  # aws_iam_policy_attachment users


def test_load_inputs_resolves_aws_managed_policies(iam: World) -> None:
    world = load_inputs([DATA / "iam"])
    assert "arn:aws:iam::aws:policy/ReadOnlyAccess" in world.managed_policies


def test_decisions_on_the_loaded_world() -> None:
    from iamsim.builder import RequestBuilder
    from iamsim.engine import evaluate

    builder = RequestBuilder(load_inputs([DATA / "iam"]))

    def decide(principal: str, action: str, resource: str) -> str:
        built = builder.build(principal, action, resource)
        return str(evaluate(built.request, built.policies).value)

    assert decide("alice", "s3:GetObject", "arn:aws:s3:::data/report.csv") == "Allow"
    assert decide("alice", "iam:CreateUser", "*") == "ExplicitDeny"
    # developers may describe EC2, but alice's boundary only allows S3 and SQS
    assert decide("alice", "ec2:DescribeInstances", "*") == "ImplicitDeny"
    assert decide("bob", "ec2:DescribeInstances", "*") == "Allow"
    app = f"arn:aws:iam::{ACCT}:role/service/app"
    assert decide("lambda.amazonaws.com", "sts:AssumeRole", app) == "Allow"


# -- references, variables, locals, modules, files ----------------------------------------------


@pytest.fixture(scope="module")
def refs() -> World:
    return load_terraform_dir(DATA / "references")


def test_for_each_and_count_instances(refs: World) -> None:
    assert {u.name for u in refs.users.values()} == {"dev-app-carol", "dev-app-dave"}
    assert {g.arn for g in refs.groups.values()} == {
        f"arn:aws:iam::{A}:group/blue/blue",
        f"arn:aws:iam::{A}:group/green/green",
    }
    for i in (0, 1):
        assert f"arn:aws:iam::{A}:role/dev-app-worker-{i}" in refs.roles


def test_locals_data_sources_and_interpolation(refs: World) -> None:
    role = refs.roles[f"arn:aws:iam::{A}:role/dev-app-worker-0"]
    assert role.trust_policy is not None
    principal = role.trust_policy.statements[0].principal
    # local.admin_arn = "arn:${data.aws_partition...}:iam::${data.aws_caller_identity...}:root"
    assert principal is not None and principal.values("AWS") == (f"arn:aws:iam::{A}:root",)
    # tfvars supplies bucket_suffix; the bucket name is built from locals
    assert "arn:aws:s3:::dev-app-logs" in refs.resources


def test_file_templatefile_and_heredoc(refs: World) -> None:
    from_file = refs.managed_policies[f"arn:aws:iam::{A}:policy/from-file"].document
    assert from_file.statements[0].sid == "ReadAll"
    template = refs.managed_policies[f"arn:aws:iam::{A}:policy/from-template"].document
    assert [(s.sid, s.actions, s.resources) for s in template.statements] == [
        ("S0", ("s3:GetObject",), ("arn:aws:s3:::dev-app-logs/*",)),
        ("S1", ("s3:PutObject",), ("arn:aws:s3:::dev-app-logs/*",)),
    ]
    heredoc = refs.managed_policies[f"arn:aws:iam::{A}:policy/heredoc"].document
    stmt = heredoc.statements[0]
    assert stmt.resources == ("arn:aws:s3:::dev-app-logs",)
    # $${aws:username} in a heredoc is the literal IAM policy variable
    assert stmt.conditions[0].values == ("home/${aws:username}/*",)


def test_module_inputs_outputs_and_addresses(refs: World) -> None:
    role = refs.roles[f"arn:aws:iam::{A}:role/modules/dev-app-module-role"]
    assert role.trust_policy is not None
    trusted = role.trust_policy.statements[0].principal
    assert trusted is not None
    assert trusted.values("AWS") == (f"arn:aws:iam::{A}:role/dev-app-worker-0",)
    (bucket,) = role.inline_policies
    assert bucket.statements[0].resources == (
        "arn:aws:s3:::dev-app-logs",
        "arn:aws:s3:::dev-app-logs/*",
    )
    # attached through module.app_role.role_name
    assert role.managed_policy_arns == (f"arn:aws:iam::{A}:policy/from-file",)
    source = refs.sources[role.arn]
    assert "modules/app_role/main.tf" in source and "module.app_role.aws_iam_role.this" in source


def test_variables_argument_overrides_tfvars(tmp_path: Path) -> None:
    world = load_terraform_dir(DATA / "references", variables={"env": "prod", "people": ["zoe"]})
    assert {u.name for u in world.users.values()} == {"prod-app-zoe"}
    assert "arn:aws:s3:::prod-app-logs" in world.resources


def test_var_files(tmp_path: Path) -> None:
    extra = tmp_path / "extra.tfvars"
    extra.write_text('bucket_suffix = "archive"\n')
    world = load_terraform_dir(DATA / "references", var_files=[extra])
    assert "arn:aws:s3:::dev-app-archive" in world.resources


def test_placeholder_notes(refs: World) -> None:
    assert any(f"placeholder account {A}" in n for n in refs.notes)
    assert any(f"placeholder region {PLACEHOLDER_REGION}" in n for n in refs.notes)
    world = load_terraform_dir(DATA / "references", account=ACCT, region="eu-west-1")
    assert f"arn:aws:iam::{ACCT}:user/dev-app-carol" in world.users
    assert not any("placeholder" in n for n in world.notes)


# -- aws_iam_policy_document -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def documents() -> World:
    return load_terraform_dir(DATA / "policy_document")


def test_source_and_override_documents_merge_by_sid(documents: World) -> None:
    doc = documents.managed_policies[f"arn:aws:iam::{A}:policy/merged"].document
    assert doc.id == "merged-policy"
    sids = [s.sid for s in doc.statements]
    # base: Shared, KeepMe; own statements replace KeepMe and append the rest; the override
    # replaces Shared in place and appends its Sid-less statement.
    assert sids == ["Shared", "KeepMe", "HomeDirectory", "BucketAlpha", "BucketBeta", None]
    shared = doc.statements[0]
    assert shared.effect is Effect.DENY and shared.actions == ("s3:DeleteBucket",)
    assert doc.statements[1].actions == ("s3:GetBucketPolicy",)
    assert doc.statements[5].actions == ("s3:ListAllMyBuckets",)


def test_policy_variables_not_elements_and_conditions(documents: World) -> None:
    doc = documents.managed_policies[f"arn:aws:iam::{A}:policy/merged"].document
    home = next(s for s in doc.statements if s.sid == "HomeDirectory")
    assert home.not_actions == ("s3:DeleteObject",)
    assert home.not_resources == ("arn:aws:s3:::home/${aws:username}/keep",)  # &{...}
    by_key = {c.key: c for c in home.conditions}
    # &{aws:username} and the escaped $${aws:userid} both become IAM policy variables
    assert by_key["s3:prefix"].values == ("home/${aws:username}/*", "home/${aws:userid}/*")
    assert by_key["aws:SecureTransport"].operator.base == "Bool"
    assert doc.variables_enabled


def test_dynamic_statements(documents: World) -> None:
    doc = documents.managed_policies[f"arn:aws:iam::{A}:policy/merged"].document
    alpha = next(s for s in doc.statements if s.sid == "BucketAlpha")
    assert alpha.resources == ("arn:aws:s3:::alpha/*",)


def test_principals_not_principals_and_minified_json(documents: World) -> None:
    policy = documents.resources["arn:aws:s3:::public"].policy
    assert policy is not None
    deny, allow = policy.statements
    assert deny.not_principal is not None
    # identifiers are a set in the provider, rendered in reverse lexical order
    assert deny.not_principal.values("AWS") == (
        "arn:aws:iam::111122223333:root",
        "arn:aws:iam::111122223333:role/admin",
    )
    assert allow.principal is not None and allow.principal.wildcard


def test_duplicate_sids_in_source_documents_are_malformed(tmp_path: Path) -> None:
    text = """
    data "aws_iam_policy_document" "a" {
      statement {
        sid = "Same"
        actions = ["s3:GetObject"]
        resources = ["*"]
      }
    }
    data "aws_iam_policy_document" "b" {
      source_policy_documents = [data.aws_iam_policy_document.a.json, data.aws_iam_policy_document.a.json]
    }
    resource "aws_iam_policy" "p" {
      name   = "p"
      policy = data.aws_iam_policy_document.b.json
    }
    """
    with pytest.raises(InputError, match="duplicate Sid 'Same'") as info:
        tf(tmp_path, text)
    assert info.value.source.endswith("main.tf:9")


def test_same_condition_twice_is_merged_and_reported(tmp_path: Path) -> None:
    text = """
    data "aws_iam_policy_document" "d" {
      statement {
        actions = ["s3:GetObject"]
        resources = ["*"]
        condition {
          test = "StringEquals"
          variable = "aws:PrincipalTag/team"
          values = ["red"]
        }
        condition {
          test = "StringEquals"
          variable = "aws:PrincipalTag/team"
          values = ["blue"]
        }
      }
    }
    resource "aws_iam_policy" "p" {
      name   = "p"
      policy = data.aws_iam_policy_document.d.json
    }
    """
    world = tf(tmp_path, text)
    clause = world.managed_policies[f"arn:aws:iam::{A}:policy/p"].document.statements[0]
    assert clause.conditions[0].values == ("red", "blue")
    assert any("two condition blocks" in n for n in world.notes)


# -- expressions ---------------------------------------------------------------------------------


def _doc(world: World, name: str = "p") -> Policy:
    return world.managed_policies[f"arn:aws:iam::{A}:policy/{name}"].document


def test_jsonencode_of_hcl_values_and_functions(tmp_path: Path) -> None:
    text = """
    locals {
      services = ["s3", "sqs"]
      actions  = [for s in local.services : "${s}:Get*" if s != "sqs"]
      extra    = concat(local.actions, ["kms:Decrypt"])
      tags     = merge({ a = "1" }, { b = "2" })
      account  = "111122223333"
      arns     = formatlist("arn:aws:iam::%s:role/%s", local.account, ["x", "y"])
      upper    = upper(join("", split(",", "a,b")))
      picked   = local.tags["b"] == "2" ? lookup(local.tags, "a", "none") : "no"
      numbers  = 2 * 3 + 1
      objects  = { for k, v in local.tags : k => "${v}!" }
    }
    resource "aws_iam_policy" "p" {
      name = "p"
      policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Sid      = "S${local.numbers}${local.picked}${local.upper}"
          Effect   = "Allow"
          Action   = local.extra
          Resource = local.arns
          Condition = {
            StringEquals = { "aws:PrincipalTag/t" = values(local.objects) }
            Bool         = { "aws:SecureTransport" = true }
            NumericLessThan = { "s3:max-keys" = 10 }
          }
        }]
      })
    }
    """
    stmt = _doc(tf(tmp_path, text)).statements[0]
    assert stmt.sid == "S71AB"
    assert stmt.actions == ("s3:Get*", "kms:Decrypt")
    assert stmt.resources == (
        "arn:aws:iam::111122223333:role/x",
        "arn:aws:iam::111122223333:role/y",
    )
    values = {c.key: c.values for c in stmt.conditions}
    assert values["aws:PrincipalTag/t"] == ("1!", "2!")
    assert values["aws:SecureTransport"] == (True,)
    assert values["s3:max-keys"] == (10,)


def test_escaped_interpolation_in_quoted_strings(tmp_path: Path) -> None:
    text = """
    resource "aws_iam_policy" "p" {
      name = "p"
      policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = "s3:*",
                       Resource = "arn:aws:s3:::b/$${aws:username}/*" }]
      })
    }
    """
    assert _doc(tf(tmp_path, text)).statements[0].resources == ("arn:aws:s3:::b/${aws:username}/*",)


def test_grouping_for_expressions_sort_and_template_directives(tmp_path: Path) -> None:
    """``k => v...`` groups the values of each key (in order); without ``...`` a key given
    twice is an error; sort() orders strings; %{if}/%{else} and %{for} render as in Terraform."""
    text = """
    locals {
      users   = { alice = "dev", bob = "ops", carol = "dev" }
      by_team = { for name, team in local.users : team => name... }
      teams   = sort(keys(local.by_team))
      label   = "%{if length(local.teams) == 2}two%{else}other%{endif}"
      listed  = "%{for t in local.teams}${t};%{endfor}"
    }
    resource "aws_iam_policy" "p" {
      name = "p"
      policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Sid      = "${local.label}"
          Effect   = "Allow"
          Action   = "s3:GetObject"
          Resource = [for n in local.by_team["dev"] : "arn:aws:s3:::b/${n}/${local.listed}"]
        }]
      })
    }
    """
    stmt = _doc(tf(tmp_path, text)).statements[0]
    assert stmt.sid == "two"
    assert stmt.resources == (
        "arn:aws:s3:::b/alice/dev;ops;",
        "arn:aws:s3:::b/carol/dev;ops;",
    )


def test_duplicate_key_in_a_for_expression_is_reported(tmp_path: Path) -> None:
    text = """
    locals {
      users   = { alice = "dev", carol = "dev" }
      by_team = { for name, team in local.users : team => name }
    }
    resource "aws_iam_user" "u" { name = local.by_team["dev"] }
    """
    (tmp_path / "main.tf").write_text(text)
    world, warnings = read_terraform_dir(tmp_path)
    assert not world.users
    assert any("duplicate key" in str(w) for w in warnings.items)


def test_references_between_resources(tmp_path: Path) -> None:
    text = """
    provider "aws" {
      region = "eu-west-1"
    }
    resource "aws_iam_role" "app" {
      name = "app"
      path = "/team/"
      assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow",
        Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })
    }
    resource "aws_s3_bucket" "b" {
      bucket = "bucket-${aws_iam_role.app.name}"
    }
    resource "aws_kms_key" "k" {}
    resource "aws_sqs_queue" "q" {
      name = "q"
    }
    resource "aws_iam_policy" "p" {
      name = "p"
      policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow",
        Action = "*", Resource = [aws_iam_role.app.arn, aws_s3_bucket.b.arn, aws_kms_key.k.arn,
                                  aws_sqs_queue.q.arn],
        Condition = { StringLike = { "aws:userid" = "${aws_iam_role.app.unique_id}:*" } } }] })
    }
    """
    stmt = _doc(tf(tmp_path, text)).statements[0]
    role, bucket, key, queue = stmt.resources or ()
    (unique,) = stmt.conditions[0].values
    assert role == f"arn:aws:iam::{A}:role/team/app"
    assert bucket == "arn:aws:s3:::bucket-app"
    assert key.startswith(f"arn:aws:kms:eu-west-1:{A}:key/")
    assert queue == f"arn:aws:sqs:eu-west-1:{A}:q"
    assert isinstance(unique, str) and unique.startswith("AROA") and len(unique) == 23


def test_splat_and_count_references(tmp_path: Path) -> None:
    text = """
    resource "aws_iam_user" "u" {
      count = 3
      name  = "user-${count.index}"
    }
    resource "aws_iam_group" "g" {
      name = "g"
    }
    resource "aws_iam_group_membership" "m" {
      name  = "m"
      group = aws_iam_group.g.name
      users = aws_iam_user.u[*].name
    }
    """
    world = tf(tmp_path, text)
    assert all(u.group_names == ("g",) for u in world.users.values())
    assert len(world.users) == 3
    assert world.sources[f"arn:aws:iam::{A}:user/user-2"].endswith("(aws_iam_user.u[2])")


def test_random_provider_values_are_stable_placeholders(tmp_path: Path) -> None:
    text = """
    resource "random_id" "suffix" {
      byte_length = 4
    }
    resource "aws_s3_bucket" "b" {
      bucket = "logs-${random_id.suffix.hex}"
    }
    """
    first = tf(tmp_path, text)
    (bucket,) = first.resources
    assert bucket.startswith("arn:aws:s3:::logs-") and len(bucket) == len("arn:aws:s3:::logs-") + 8
    assert tf(tmp_path, text).resources.keys() == first.resources.keys()
    assert any("random provider" in n for n in first.notes)


def test_provider_alias_and_assume_role_account(tmp_path: Path) -> None:
    world = load_terraform_dir(DATA / "resources")
    bucket = world.resources["arn:aws:s3:::org-backups"]
    assert bucket.account == "444455556666"  # provider aws.backup assumes a role there
    assert dict(bucket.tags) == {"purpose": "backup"}
    assert bucket.policy is not None
    principal = bucket.policy.statements[0].principal
    assert principal is not None
    assert principal.values("AWS") == (f"arn:aws:iam::{A}:role/backup",)
    assert bucket.policy.statements[0].resources == ("arn:aws:s3:::org-backups/*",)


# -- resources with policies ---------------------------------------------------------------------


def test_kms_sqs_sns_lambda_policies() -> None:
    world = load_terraform_dir(DATA / "resources")
    keys = [r for a, r in world.resources.items() if ":kms:" in a]
    assert len(keys) == 2
    sids = sorted(str(k.policy.statements[0].sid) for k in keys if k.policy)
    assert sids == ["Enable IAM User Permissions", "Root"]  # the default key policy
    queue = world.resources[f"arn:aws:sqs:us-west-2:{A}:jobs"]
    assert queue.policy is not None  # aws_sqs_queue_policy, by queue URL
    topic = world.resources[f"arn:aws:sns:us-west-2:{A}:events"]
    assert topic.policy is not None  # inline on aws_sns_topic
    fn = world.resources[f"arn:aws:lambda:us-west-2:{A}:function:handler"]
    assert fn.policy is not None
    stmt = fn.policy.statements[0]
    assert stmt.sid == "AllowSNS"
    assert stmt.principal is not None and stmt.principal.values("Service") == ("sns.amazonaws.com",)
    assert stmt.conditions[0].values == (f"arn:aws:sns:us-west-2:{A}:events",)
    notes = "\n".join(world.notes)
    assert "aws_ecr_repository_policy.unmapped_target: the statement has neither" in notes
    assert "aws_api_gateway_rest_api_policy.unmodeled" in notes
    assert "default key policy" in notes


# -- organizations -------------------------------------------------------------------------------


def test_organization_tree_with_scp_and_rcp() -> None:
    world = load_terraform_dir(DATA / "organization")
    org = world.organization
    assert org is not None and org.management_account == A
    assert org.scp_enabled and org.rcp_enabled
    by_name = {n.name: n for n in org.nodes()}
    workloads, prod, app = by_name["workloads"], by_name["prod"], by_name["app"]
    assert workloads.kind is NodeKind.OU and app.kind is NodeKind.ACCOUNT
    assert [p.name for p in workloads.scps] == ["FullAWSAccess", "deny-leave"]
    assert [p.name for p in app.rcps] == ["RCPFullAWSAccess", "rcp-https"]
    path = [n.name for n in org.path_to(app.id)]
    assert path == ["Root", "workloads", "prod", "app"]
    assert prod in workloads.children
    notes = "\n".join(world.notes)
    assert "ou-zzzz-99999999 is not a root, OU or account defined" in notes
    assert "the new account's ID is chosen by AWS" in notes


def test_org_policies_without_an_organization_are_reported(tmp_path: Path) -> None:
    text = """
    resource "aws_organizations_policy" "p" {
      name    = "p"
      content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "*", Resource = "*" }] })
    }
    resource "aws_organizations_policy_attachment" "a" {
      policy_id = aws_organizations_policy.p.id
      target_id = "ou-abcd-12345678"
    }
    """
    world = tf(tmp_path, text)
    assert world.organization is None
    assert any("the organization is not defined" in n for n in world.notes)


# -- unresolvable values are reported ----------------------------------------------------------------


def test_unresolvable_values_are_reported_not_guessed() -> None:
    world, warnings = read_terraform_dir(DATA / "unresolved")
    by_address = {w.address: w for w in warnings}
    needs_var = by_address["aws_iam_role.needs_var"]
    assert needs_var.source.endswith("unresolved/main.tf:14")
    assert "var.trusted_account has no value" in needs_var.message
    assert world.roles[f"arn:aws:iam::{A}:role/needs-var"].trust_policy is None
    assert "its path is not known offline" in by_address["aws_iam_policy.existing_role"].message
    assert (
        "timestamp() is only known when Terraform runs"
        in by_address["aws_iam_policy.timestamped"].message
    )
    assert "is not loaded" in by_address["module.remote"].message
    assert "module.remote" in by_address["aws_iam_role_policy_attachment.from_module"].message
    assert "is not defined in" in by_address["aws_iam_user_policy.ghost"].message
    assert set(world.managed_policies) == set()
    assert world.roles[f"arn:aws:iam::{A}:role/resolvable"].trust_policy is not None
    assert [str(w) for w in warnings] == [n for n in world.notes if n in {str(w) for w in warnings}]


def test_unsupported_function_is_reported(tmp_path: Path) -> None:
    text = """
    resource "aws_iam_user" "u" {
      name = nosuchfunction("x")
    }
    """
    world = tf(tmp_path, text)
    assert not world.users
    assert any("the function nosuchfunction() is not supported" in n for n in world.notes)


# -- malformed input ---------------------------------------------------------------------------------


def test_malformed_hcl_names_file_and_position() -> None:
    with pytest.raises(InputError) as info:
        load_terraform_dir(DATA / "malformed")
    assert info.value.source.endswith("malformed/main.tf")
    assert info.value.path.startswith("line ")
    assert "invalid HCL" in info.value.reason


def test_invalid_identity_policy_is_an_input_error(tmp_path: Path) -> None:
    text = """
    resource "aws_iam_policy" "p" {
      name = "p"
      policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Maybe", Action = "*", Resource = "*" }] })
    }
    """
    with pytest.raises(InputError) as info:
        tf(tmp_path, text)
    assert info.value.source.endswith("main.tf:2")
    assert info.value.path.startswith("aws_iam_policy.p.policy/Statement/0")


def test_invalid_json_policy_string(tmp_path: Path) -> None:
    text = """
    resource "aws_iam_role" "r" {
      name = "r"
      assume_role_policy = "{not json"
    }
    """
    with pytest.raises(InputError, match="not valid JSON") as info:
        tf(tmp_path, text)
    assert info.value.path == "aws_iam_role.r.assume_role_policy"


def test_duplicate_resource_and_bad_for_each(tmp_path: Path) -> None:
    twice = 'resource "aws_iam_user" "u" {\n name = "a"\n}\nresource "aws_iam_user" "u" {\n name = "b"\n}\n'
    with pytest.raises(InputError, match="declared twice"):
        tf(tmp_path, twice)
    bad = 'resource "aws_iam_user" "u" {\n for_each = "x"\n name = "a"\n}\n'
    with pytest.raises(InputError, match="for_each must be a map or a set"):
        tf(tmp_path, bad)


def test_two_principals_with_one_name(tmp_path: Path) -> None:
    text = 'resource "aws_iam_user" "a" {\n name = "same"\n}\nresource "aws_iam_user" "b" {\n name = "Same"\n}\n'
    with pytest.raises(InputError, match="defined twice"):
        tf(tmp_path, text)


def test_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no \.tf files"):
        load_terraform_dir(tmp_path)


# -- detection -----------------------------------------------------------------------------------------


def test_detection(tmp_path: Path) -> None:
    assert detect(DATA / "iam") and detect(str(DATA / "iam" / "main.tf"))
    assert not detect(tmp_path)
    (tmp_path / "main.tf.txt").write_text("x")
    assert not detect(tmp_path / "main.tf.txt")
    assert detect_format(InputFile(DATA / "references")).name == "terraform"


def test_single_file_loads_alone(tmp_path: Path) -> None:
    (tmp_path / "a.tf").write_text('resource "aws_iam_user" "a" {\n name = "a"\n}\n')
    (tmp_path / "b.tf").write_text('resource "aws_iam_user" "b" {\n name = "b"\n}\n')
    assert len(load_terraform_dir(tmp_path / "a.tf").users) == 1
    assert len(load_terraform_dir(tmp_path).users) == 2


def test_tf_json_and_override_files_are_reported(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_iam_user" "a" {\n name = "a"\n}\n')
    (tmp_path / "extra.tf.json").write_text(json.dumps({"resource": {}}))
    (tmp_path / "main_override.tf").write_text('resource "aws_iam_user" "a" {\n name = "b"\n}\n')
    world = load_terraform_dir(tmp_path)
    assert {u.name for u in world.users.values()} == {"a"}
    notes = "\n".join(world.notes)
    assert ".tf.json) is not supported" in notes and "override files are not merged" in notes


def test_import_blocks_give_real_ids(tmp_path: Path) -> None:
    text = """
    provider "aws" {
      region = "eu-west-1"
    }
    resource "aws_organizations_organization" "org" {
      enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
    }
    resource "aws_organizations_account" "app" {
      for_each = toset(["app"])
      name     = each.key
      email    = "app@example.com"
    }
    import {
      to = aws_organizations_account.app["app"]
      id = "123456789012"
    }
    resource "aws_kms_key" "k" {}
    import {
      to = aws_kms_key.k
      id = "1234abcd-12ab-34cd-56ef-1234567890ab"
    }
    import {
      to = aws_iam_role.missing
      id = var.nope
    }
    """
    world = tf(tmp_path, text)
    org = world.organization
    assert org is not None and org.contains("123456789012")
    key = f"arn:aws:kms:eu-west-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert key in world.resources
    notes = "\n".join(world.notes)
    assert "chosen by AWS" not in notes
    assert "the imported ID is unknown" in notes
