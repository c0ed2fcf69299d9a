"""The bundled example organization: both of its forms load to the same model and give the
expected, identical answers.

The model form (``model/``: GAAD exports, organization tree, resources file) is what
``iamsim demo`` loads; the Terraform form is the three configurations of ``terraform/`` (the
organization, the workloads account, the backup account), loaded on their own.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from iamsim.cli.demo_cmd import (
    ALLOW,
    BACKUP,
    EXPLICIT_DENY,
    FIRST_BOUNDARY,
    FIRST_DATA_KEY,
    IMPLICIT_DENY,
    MODEL_FILES,
    QUESTIONS,
    WORKLOADS,
    Answer,
    Question,
    ask,
    example_dir,
    load_example,
    model_paths,
)
from iamsim.ingest import load_inputs
from iamsim.model import NodeKind, OrgNode, World
from iamsim.policy.model import Policy, PrincipalSpec, Statement

EXAMPLE = example_dir()
MODEL = EXAMPLE / "model"
TERRAFORM = EXAMPLE / "terraform"

_S3 = {"aws:RequestedRegion": "eu-west-1", "aws:SecureTransport": "true"}
_IAM = {"aws:RequestedRegion": "us-east-1"}
_LAMBDA = ("first-lambda-exec", "role", "role/first-lambda-exec")
_WORKER = ("second-worker", "role", "role/second-worker")
_BACKUP = ("backup", "role", "role/backup")
_DEVELOPER = ("developer", "role", "role/developer")
_ZHANG = ("zhang", "user", "zhang")
_BACKUP_OBJECT = "arn:aws:s3:::first-backups/db-2026-11-23.gz"


def _q(
    caller: tuple[str, str, str], action: str, resource: str, expect: Any, **kw: Any
) -> Question:
    return Question(*caller, action, resource, resource, expect, **kw)


# Further questions the tests ask of both forms (the demo shows only QUESTIONS).
MORE_QUESTIONS: tuple[Question, ...] = (
    # the Lambda role inside its boundary: logs, its KMS key (named by the key policy)
    _q(_LAMBDA, "logs:PutLogEvents",
       f"arn:aws:logs:eu-west-1:{WORKLOADS}:log-group:/aws/lambda/first-ingest:log-stream:a", ALLOW),
    _q(_LAMBDA, "logs:PutLogEvents",
       f"arn:aws:logs:eu-west-1:{WORKLOADS}:log-group:/app/second-worker:log-stream:a",
       IMPLICIT_DENY),
    _q(_LAMBDA, "kms:Decrypt", FIRST_DATA_KEY, ALLOW),
    _q(_LAMBDA, "s3:DeleteObject", "arn:aws:s3:::first-data/old.csv", ALLOW, context=_S3),
    # the second application: its own table, not the first's; not the first's key
    _q(_WORKER, "dynamodb:PutItem",
       f"arn:aws:dynamodb:eu-west-1:{WORKLOADS}:table/second-orders", ALLOW),
    _q(_WORKER, "dynamodb:GetItem",
       f"arn:aws:dynamodb:eu-west-1:{WORKLOADS}:table/first-orders", IMPLICIT_DENY),
    _q(_WORKER, "kms:Decrypt", FIRST_DATA_KEY, IMPLICIT_DENY),
    # cross-account backups: listing is granted; plain HTTP is denied by the bucket policy
    _q(_BACKUP, "s3:ListBucket", "arn:aws:s3:::first-backups", ALLOW, context=_S3),
    _q(_BACKUP, "s3:PutObject", _BACKUP_OBJECT, EXPLICIT_DENY,
       context={**_S3, "aws:SecureTransport": "false"}),
    _q(_BACKUP, "s3:GetObject", "arn:aws:s3:::first-data/customers.csv", IMPLICIT_DENY,
       context=_S3),
    # the developer: the boundary's other Deny; inside the allowed regions the SCP is silent
    _q(_DEVELOPER, "iam:AttachUserPolicy", f"arn:aws:iam::{WORKLOADS}:user/admins/zhang",
       EXPLICIT_DENY, context=_IAM),
    _q(_DEVELOPER, "lambda:CreateFunction",
       f"arn:aws:lambda:eu-west-1:{WORKLOADS}:function:first-scratch", ALLOW),
    _q(_DEVELOPER, "iam:PassRole", f"arn:aws:iam::{WORKLOADS}:role/second-worker", ALLOW,
       context=_IAM),
    # the junior admin: only first-* roles, only with first-app-boundary; no boundary edits
    _q(_ZHANG, "iam:CreatePolicyVersion", FIRST_BOUNDARY, EXPLICIT_DENY, context=_IAM),
    _q(_ZHANG, "iam:PutRolePermissionsBoundary", f"arn:aws:iam::{WORKLOADS}:role/first-reports",
       IMPLICIT_DENY,
       context={**_IAM, "iam:PermissionsBoundary":
                f"arn:aws:iam::{WORKLOADS}:policy/boundaries/second-app-boundary"}),
    _q(_ZHANG, "iam:CreateRole", f"arn:aws:iam::{WORKLOADS}:role/second-reports", IMPLICIT_DENY,
       context={**_IAM, "iam:PermissionsBoundary": FIRST_BOUNDARY}),
    _q(_ZHANG, "iam:AttachRolePolicy", f"arn:aws:iam::{WORKLOADS}:role/first-reports",
       ALLOW, context={**_IAM, "iam:PermissionsBoundary": FIRST_BOUNDARY}),
    # the path is part of the ARN: role/first-* does not match role/service-role/first-...
    _q(_ZHANG, "iam:AttachRolePolicy", f"arn:aws:iam::{WORKLOADS}:role/service-role/first-lambda-exec",
       IMPLICIT_DENY, context={**_IAM, "iam:PermissionsBoundary": FIRST_BOUNDARY}),
    _q(_ZHANG, "iam:GetRole", f"arn:aws:iam::{WORKLOADS}:role/developer", ALLOW, context=_IAM),
    # its inline policy: ${aws:username} is zhang's own user only
    _q(_ZHANG, "iam:CreateAccessKey", f"arn:aws:iam::{WORKLOADS}:user/admins/zhang", ALLOW,
       context=_IAM),
    _q(_ZHANG, "iam:CreateAccessKey", f"arn:aws:iam::{WORKLOADS}:user/admins/someone-else",
       IMPLICIT_DENY, context=_IAM),
)  # fmt: skip

ALL_QUESTIONS = QUESTIONS + MORE_QUESTIONS

# Roles AWS creates in member accounts: in the exports, not in the team's Terraform.
AWS_CREATED_ROLES = {
    f"arn:aws:iam::{account}:role{path}"
    for account in (WORKLOADS, BACKUP)
    for path in (
        "/OrganizationAccountAccessRole",
        "/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport",
    )
}


# -- loading ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def model_world() -> World:
    world = load_example()
    assert world.notes == ()
    return world


TERRAFORM_DIRS = [TERRAFORM / "organization", TERRAFORM / "workloads", TERRAFORM / "backup"]


@pytest.fixture(scope="module")
def terraform_world() -> World:
    world = load_inputs(TERRAFORM_DIRS)
    assert world.notes == (), world.notes  # nothing left out, nothing unresolved
    return world


@pytest.fixture(scope="module")
def model_answers(model_world: World) -> list[Answer]:
    return ask(model_world, ALL_QUESTIONS)


@pytest.fixture(scope="module")
def terraform_answers(terraform_world: World) -> list[Answer]:
    return ask(terraform_world, ALL_QUESTIONS)


def _ids(questions: Iterable[Question]) -> list[str]:
    return [f"{i}:{q.title}" for i, q in enumerate(questions)]


# -- answers ---------------------------------------------------------------------------------


def test_the_demo_asks_a_dozen_questions_covering_every_decision() -> None:
    assert 10 <= len(QUESTIONS) <= 12
    assert {q.expect for q in QUESTIONS} == {ALLOW, EXPLICIT_DENY, IMPLICIT_DENY}
    distinct = {
        (q.principal, q.action, q.resource, tuple(sorted(q.context.items()))) for q in ALL_QUESTIONS
    }
    assert len(distinct) == len(ALL_QUESTIONS)


@pytest.mark.parametrize("index", range(len(ALL_QUESTIONS)), ids=_ids(ALL_QUESTIONS))
def test_model_form_answers(index: int, model_answers: list[Answer]) -> None:
    answer = model_answers[index]
    assert answer.error is None
    assert answer.value is answer.question.expect, answer.why


@pytest.mark.parametrize("index", range(len(ALL_QUESTIONS)), ids=_ids(ALL_QUESTIONS))
def test_terraform_form_answers(index: int, terraform_answers: list[Answer]) -> None:
    answer = terraform_answers[index]
    assert answer.error is None
    assert answer.value is answer.question.expect, answer.why


def _decisive(answer: Answer) -> list[tuple[Any, ...]]:
    assert answer.decision is not None
    out = []
    for ref in answer.decision.decisive:
        # Resource policies are named after their input (file or Terraform resource); GAAD
        # names inline policies "name (inline, role/x)", Terraform by their name.
        name = (
            None if ref.policy_type == "resource" else re.sub(r" \(inline, .*\)$", "", ref.policy)
        )
        out.append((ref.policy_type, name, ref.statement, ref.effect, ref.level))
    return out


@pytest.mark.parametrize("index", range(len(ALL_QUESTIONS)), ids=_ids(ALL_QUESTIONS))
def test_both_forms_answer_identically(
    index: int, model_answers: list[Answer], terraform_answers: list[Answer]
) -> None:
    model, terraform = model_answers[index], terraform_answers[index]
    assert model.decision is not None and terraform.decision is not None
    assert model.value is terraform.value
    assert model.decision.reason == terraform.decision.reason
    assert model.decision.blocked_by == terraform.decision.blocked_by
    assert _decisive(model) == _decisive(terraform)
    if index < len(QUESTIONS):
        assert model.why == terraform.why  # the demo's "why" column, word for word


def test_the_demo_explains_its_answers(model_answers: list[Answer]) -> None:
    why = {a.question.title: a.why for a in model_answers[: len(QUESTIONS)]}
    lines = "\n".join(why.values())
    assert "within boundary first-app-boundary: OwnBuckets" in lines
    assert "denied by boundary developer-boundary: NoRoleCreationNoUserPolicies" in lines
    assert "denied by identity delegated-role-admin: NoBoundaryDelete" in lines
    assert (
        "denied by SCP workloads-guardrails: DenyOutsideAllowedRegions (at OU Workloads)" in lines
    )
    assert "bucket policy: BackupAccountWritesAndRestores" in lines
    assert "identity ReadOnlyAccess" in lines  # the AWS managed policy, from the snapshot
    assert "the permissions boundary does not allow the action" in lines
    assert "key policy does not allow" in lines


# -- the two forms hold the same model -----------------------------------------------------------


def _principal(spec: PrincipalSpec | None) -> Any:
    if spec is None:
        return None
    if spec.wildcard:
        return "*"
    return frozenset((kind, value) for kind, values in spec.entries for value in values)


def _statement(s: Statement) -> tuple[Any, ...]:
    def lower(values: tuple[str, ...] | None) -> Any:
        return None if values is None else frozenset(v.lower() for v in values)

    def same(values: tuple[str, ...] | None) -> Any:
        return None if values is None else frozenset(values)

    conditions = frozenset(
        (c.operator.text, c.key.lower(), frozenset(str(v) for v in c.values)) for c in s.conditions
    )
    return (
        s.sid,
        s.effect.value,
        lower(s.actions),
        lower(s.not_actions),
        same(s.resources),
        same(s.not_resources),
        _principal(s.principal),
        _principal(s.not_principal),
        conditions,
    )


def _doc(policy: Policy | None) -> Any:
    """A policy's meaning, whatever its rendering (list order, scalar or list, key order)."""
    if policy is None:
        return None
    return (policy.version, policy.id, [_statement(s) for s in policy.statements])


def _inline(policies: tuple[Policy, ...]) -> dict[str, Any]:
    return {re.sub(r" \(inline, .*\)$", "", p.name or ""): _doc(p) for p in policies}


def test_both_forms_hold_the_same_principals(model_world: World, terraform_world: World) -> None:
    assert set(model_world.roles) - set(terraform_world.roles) == AWS_CREATED_ROLES
    assert set(terraform_world.roles) <= set(model_world.roles)
    for arn, tf in terraform_world.roles.items():
        gaad = model_world.roles[arn]
        assert (gaad.name, gaad.path, gaad.account) == (tf.name, tf.path, tf.account)
        assert gaad.boundary_arn == tf.boundary_arn, arn
        assert gaad.managed_policy_arns == tf.managed_policy_arns, arn
        assert dict(gaad.tags) == dict(tf.tags), arn
        assert _doc(gaad.trust_policy) == _doc(tf.trust_policy), arn
        assert _inline(gaad.inline_policies) == _inline(tf.inline_policies), arn
        assert gaad.instance_profile_arns == tf.instance_profile_arns, arn
    assert set(model_world.users) == set(terraform_world.users)
    for arn, tf_user in terraform_world.users.items():
        user = model_world.users[arn]
        assert user.group_names == tf_user.group_names
        assert user.boundary_arn == tf_user.boundary_arn
        assert user.managed_policy_arns == tf_user.managed_policy_arns
        assert dict(user.tags) == dict(tf_user.tags)
        assert _inline(user.inline_policies) == _inline(tf_user.inline_policies)
    assert set(model_world.groups) == set(terraform_world.groups)
    for arn, tf_group in terraform_world.groups.items():
        group = model_world.groups[arn]
        assert group.managed_policy_arns == tf_group.managed_policy_arns
        assert _inline(group.inline_policies) == _inline(tf_group.inline_policies)


def test_both_forms_hold_the_same_policies(model_world: World, terraform_world: World) -> None:
    def customer(world: World) -> set[str]:
        return {arn for arn in world.managed_policies if ":aws:policy/" not in arn}

    assert customer(model_world) == customer(terraform_world)
    for arn in customer(terraform_world):
        gaad, tf = model_world.managed_policies[arn], terraform_world.managed_policies[arn]
        assert (gaad.name, gaad.path) == (tf.name, tf.path)
        assert _doc(gaad.default_version.document) == _doc(tf.default_version.document), arn
    # AWS managed policies come from the snapshot in both; the exports' extra ones are those
    # of the roles AWS created.
    aws_model = set(model_world.managed_policies) - customer(model_world)
    aws_tf = set(terraform_world.managed_policies) - customer(terraform_world)
    assert aws_tf <= aws_model
    assert aws_model - aws_tf == {
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy",
    }
    assert "arn:aws:iam::aws:policy/ReadOnlyAccess" in aws_tf


def test_both_forms_hold_the_same_resources(model_world: World, terraform_world: World) -> None:
    assert set(model_world.resources) == set(terraform_world.resources)
    assert FIRST_DATA_KEY in terraform_world.resources  # the key's import block gives its ID
    for arn, tf in terraform_world.resources.items():
        res = model_world.resources[arn]
        assert res.account == tf.account, arn
        assert dict(res.tags) == dict(tf.tags), arn
        assert _doc(res.policy) == _doc(tf.policy), arn


def _tree(node: OrgNode, root_id: str) -> Any:
    # The root's ID is not part of an organization's import, so Terraform's is a placeholder;
    # the management account is no aws_organizations_account here, so it has no name.
    return (
        None if node.id == root_id else node.id,
        node.kind,
        node.name if node.kind is not NodeKind.ACCOUNT or node.name != "management" else None,
        [(p.name, _doc(p)) for p in node.scps],
        [(p.name, _doc(p)) for p in node.rcps],
        [_tree(child, root_id) for child in node.children],
    )


def test_both_forms_hold_the_same_organization(model_world: World, terraform_world: World) -> None:
    model, tf = model_world.organization, terraform_world.organization
    assert model is not None and tf is not None
    assert (model.id, model.management_account, model.scp_enabled, model.rcp_enabled) == (
        tf.id,
        tf.management_account,
        tf.scp_enabled,
        tf.rcp_enabled,
    )
    assert _tree(model.root, model.root.id) == _tree(tf.root, tf.root.id)
    assert set(model_world.accounts) == set(terraform_world.accounts)


def test_only_the_default_policy_version_counts(model_world: World) -> None:
    boundary = model_world.managed_policies[FIRST_BOUNDARY]
    assert [v.version_id for v in boundary.versions] == ["v1", "v2"]
    assert boundary.default_version.version_id == "v2"
    # v1 (a broad draft) would have let the Lambda read second-data: the demo says it cannot.
    v1 = boundary.versions[0].document
    assert any("s3:*" in (s.actions or ()) for s in v1.statements)


# -- the model form's files ----------------------------------------------------------------------


def _generator() -> ModuleType:
    path = EXAMPLE / "generate_gaad.py"
    spec = importlib.util.spec_from_file_location("example_generate_gaad", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_exports_are_what_the_generator_writes() -> None:
    for path, text in _generator().outputs().items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.name} is stale: run python {EXAMPLE / 'generate_gaad.py'}"
        )


_ID = re.compile(r"^(AROA|AIDA|AGPA|ANPA|AIPA)[A-Z2-7]{17}$")
_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")


def test_the_exports_have_the_aws_cli_shape() -> None:
    keys = {
        "UserDetailList": ["Path", "UserName", "UserId", "Arn", "CreateDate", "UserPolicyList",
                           "GroupList", "AttachedManagedPolicies", "PermissionsBoundary", "Tags"],
        "GroupDetailList": ["Path", "GroupName", "GroupId", "Arn", "CreateDate",
                            "GroupPolicyList", "AttachedManagedPolicies"],
        "RoleDetailList": ["Path", "RoleName", "RoleId", "Arn", "CreateDate",
                           "AssumeRolePolicyDocument", "InstanceProfileList", "RolePolicyList",
                           "AttachedManagedPolicies", "PermissionsBoundary", "Tags",
                           "RoleLastUsed"],
        "Policies": ["PolicyName", "PolicyId", "Arn", "Path", "DefaultVersionId",
                     "AttachmentCount", "PermissionsBoundaryUsageCount", "IsAttachable",
                     "CreateDate", "UpdateDate", "PolicyVersionList"],
    }  # fmt: skip
    ids: set[str] = set()
    for account in (WORKLOADS, BACKUP):
        doc = json.loads((MODEL / f"gaad-{account}.json").read_text(encoding="utf-8"))
        assert list(doc) == list(keys)
        for list_key, allowed in keys.items():
            for entry in doc[list_key]:
                present = list(entry)
                assert present == [k for k in allowed if k in present], present  # CLI key order
                ident = next(
                    v for k, v in entry.items() if k.endswith("Id") and k != "DefaultVersionId"
                )
                assert _ID.match(ident) and ident not in ids
                ids.add(ident)
                assert _DATE.match(entry["CreateDate"])
                assert f"::{account}:" in entry["Arn"]
        for policy in doc["Policies"]:
            defaults = [v for v in policy["PolicyVersionList"] if v["IsDefaultVersion"]]
            assert [v["VersionId"] for v in defaults] == [policy["DefaultVersionId"]]
        attached = [
            a["PolicyArn"]
            for entries in (doc["UserDetailList"], doc["GroupDetailList"], doc["RoleDetailList"])
            for e in entries
            for a in e["AttachedManagedPolicies"]
        ]
        for policy in doc["Policies"]:
            assert policy["AttachmentCount"] == attached.count(policy["Arn"])


def test_the_demo_reads_the_example_from_package_data() -> None:
    paths = model_paths()
    assert [p.name for p in paths] == list(MODEL_FILES)
    assert all(p.is_file() for p in paths)
    assert Path(str(paths[0])).is_relative_to(example_dir())
    assert (example_dir() / "README.md").is_file()
    assert sorted(p.name for p in TERRAFORM.iterdir()) == sorted(d.name for d in TERRAFORM_DIRS)


def test_the_shipped_expectations_pass_and_match_the_docs() -> None:
    # examples/organization/iam-expectations.yaml is the complete example of
    # docs/expectations.md: the same cases, all passing against the model form.
    from click.testing import CliRunner

    from iamsim.cli.main import cli

    path = example_dir() / "iam-expectations.yaml"
    result = CliRunner().invoke(cli, ["test", str(path)])
    assert result.exit_code == 0, result.output
    assert "7 cases: 7 passed, 0 failed" in result.output
    docs = (Path(__file__).parents[2] / "docs" / "expectations.md").read_text()
    body = "".join(path.read_text().splitlines(keepends=True)[2:])
    assert body in docs
