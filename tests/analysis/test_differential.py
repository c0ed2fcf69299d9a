"""A second opinion on every engine change: three independent deciders compared on random input.

Hypothesis draws small random identity policies and permissions boundaries for one principal
(actions from a tiny vocabulary, wildcard resources, Action/NotAction, Resource/NotResource,
Allow/Deny, a few conditions): an IAM user, or a session of an IAM role with or without a random
session policy; sometimes inside an organization whose root, OU and account each carry random
SCPs (FullAWSAccess attached or detached). It asks the same concrete questions of

* ``decide()`` - the engine's fast path over compiled statement plans;
* ``evaluate()`` - the explained path that traces every statement;
* the effective-permissions algebra (:mod:`iamsim.analysis.effective`), which never simulates a
  request: its result is read back at the request with ``decision_at``.

All three must agree (the algebra in the categories it reports: allowed, explicitly denied, cut
by a guardrail). The mutation tests at the end inject a bug into one decider (a Deny ignored on
the fast path) and require the check to notice, so the oracle cannot silently stop comparing
anything. The example count stays small and derandomized so ``make test`` is fast and
repeatable; raise ``IAMSIM_DIFF_EXAMPLES`` for a longer run.
"""

from __future__ import annotations

import inspect
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from tests.analysis.test_effective_engine import _disagreement

from iamsim.analysis.effective import EffectiveAnalyzer
from iamsim.builder import RequestBuilder
from iamsim.engine import decide, evaluate
from iamsim.engine.decision import compile_policy_set
from iamsim.errors import RequestError
from iamsim.ingest.gaad import load_document
from iamsim.ingest.organization import load_tree_document
from iamsim.model import World
from iamsim.model.principals import Session, SessionKind
from iamsim.model.world import merge_worlds
from iamsim.policy import PolicyType, parse_policy

ACCOUNT = "222222222222"
USER = f"arn:aws:iam::{ACCOUNT}:user/u"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/r"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/r/s"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k1"

# Policy patterns: exact actions, service wildcards, prefix wildcards, the global wildcard.
ACTION_PATTERNS = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:Get*",
    "s3:*",
    "kms:Decrypt",
    "kms:*",
    "ec2:DescribeInstances",
    "iam:GetUser",
    "*",
]
RESOURCE_PATTERNS = [
    "*",
    "arn:aws:s3:::bkt/*",
    "arn:aws:s3:::bkt/a*",
    "arn:aws:s3:::other/*",
    "arn:aws:s3:::*",
    f"arn:aws:kms:*:{ACCOUNT}:key/*",
    KEY,
    f"arn:aws:iam::{ACCOUNT}:user/*",
]
CONDITIONS: list[dict[str, Any]] = [
    {"StringEquals": {"aws:RequestedRegion": "us-east-1"}},
    {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}},
    {"StringLike": {"aws:PrincipalTag/team": "blu*"}},
    {"StringEquals": {"aws:PrincipalTag/team": "red"}},
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
]
# Concrete questions: each action with resources of its own resource types (actions with no
# resource type are asked on "*").
QUESTIONS: list[tuple[str, str]] = [
    ("s3:GetObject", "arn:aws:s3:::bkt/a1"),
    ("s3:GetObject", "arn:aws:s3:::bkt/b"),
    ("s3:GetObject", "arn:aws:s3:::other/x"),
    ("s3:PutObject", "arn:aws:s3:::bkt/a1"),
    ("s3:DeleteObject", "arn:aws:s3:::other/x"),
    ("kms:Decrypt", KEY),
    ("kms:Decrypt", f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k2"),
    ("ec2:DescribeInstances", "*"),
    ("s3:ListAllMyBuckets", "*"),
    ("iam:GetUser", USER),
]
CONTEXTS: list[dict[str, Any]] = [{}, {"aws:RequestedRegion": "eu-west-1"}]


def _one_or_list(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


@st.composite
def statements(draw: st.DrawFn) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Deny"]))}
    actions = draw(st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=2, unique=True))
    statement["NotAction" if draw(st.booleans()) and "*" not in actions else "Action"] = (
        _one_or_list(actions)
    )
    resources = draw(
        st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2, unique=True)
    )
    statement["NotResource" if draw(st.integers(0, 3)) == 0 else "Resource"] = _one_or_list(
        resources
    )
    if draw(st.integers(0, 2)) == 0:
        statement["Condition"] = draw(st.sampled_from(CONDITIONS))
    return statement


def _document(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statements}


def _managed(name: str, statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "PolicyName": name,
        "Arn": f"arn:aws:iam::{ACCOUNT}:policy/{name}",
        "Path": "/",
        "DefaultVersionId": "v1",
        "PolicyVersionList": [
            {"VersionId": "v1", "IsDefaultVersion": True, "Document": _document(statements)}
        ],
    }


@st.composite
def scp_levels(draw: st.DrawFn) -> dict[str, Any]:
    """An organization tree: root, one OU, the account, each with FullAWSAccess attached or
    not and zero or one random SCP (an SCP has no NotResource with Allow, so Allow statements
    keep to Action/Resource)."""

    def level() -> dict[str, Any]:
        node: dict[str, Any] = {"full_aws_access": draw(st.integers(0, 3)) != 0}
        if draw(st.booleans()):
            body = draw(st.lists(statements(), min_size=1, max_size=2))
            for statement in body:
                if statement["Effect"] == "Allow":
                    statement.pop("NotResource", None)
                    statement.pop("Condition", None)
                    statement.setdefault("Resource", "*")
            node["scps"] = [{"name": "random", "document": _document(body)}]
        return node

    root, ou, account = level(), level(), level()
    return {
        "organization": {
            "id": "o-diff000001",
            "management_account": "111111111111",
            "root": {
                "id": "r-diff",
                "name": "Root",
                **root,
                "children": [
                    {"account": "111111111111", "name": "management"},
                    {
                        "ou": "ou-diff-11111111",
                        "name": "Workloads",
                        **ou,
                        "children": [{"account": ACCOUNT, "name": "workload", **account}],
                    },
                ],
            },
        }
    }


@st.composite
def worlds(draw: st.DrawFn) -> dict[str, Any]:
    """The GAAD document, the organization tree (or None), the principal asked about and, for
    a role session, its session policy statements (None: no session policy passed)."""
    inline = draw(st.lists(statements(), min_size=1, max_size=3))
    kind = draw(st.sampled_from(["user", "session"]))
    tags = [{"Key": "team", "Value": draw(st.sampled_from(["blue", "red"]))}]
    policies: list[dict[str, Any]] = []
    boundary: dict[str, Any] | None = None
    if draw(st.booleans()):
        policies.append(_managed("Boundary", draw(st.lists(statements(), min_size=1, max_size=2))))
        boundary = {
            "PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": policies[-1]["Arn"],
        }
    users: list[dict[str, Any]] = []
    roles: list[dict[str, Any]] = []
    session_policy: list[dict[str, Any]] | None = None
    if kind == "user":
        user: dict[str, Any] = {
            "UserName": "u",
            "Path": "/",
            "UserId": "AIDADIFF000000000001",
            "Arn": USER,
            "GroupList": [],
            "UserPolicyList": [{"PolicyName": "inline", "PolicyDocument": _document(inline)}],
            "AttachedManagedPolicies": [],
            "Tags": tags,
        }
        if boundary:
            user["PermissionsBoundary"] = boundary
        users.append(user)
    else:
        role: dict[str, Any] = {
            "RoleName": "r",
            "Path": "/",
            "RoleId": "AROADIFF000000000001",
            "Arn": ROLE,
            "AssumeRolePolicyDocument": _document(
                [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                        "Action": "sts:AssumeRole",
                    }
                ]
            ),
            "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": _document(inline)}],
            "AttachedManagedPolicies": [],
            "InstanceProfileList": [],
            "Tags": tags,
        }
        if boundary:
            role["PermissionsBoundary"] = boundary
        roles.append(role)
        if draw(st.integers(0, 3)) != 0:
            session_policy = draw(st.lists(statements(), min_size=1, max_size=2))
    return {
        "gaad": {
            "UserDetailList": users,
            "GroupDetailList": [],
            "RoleDetailList": roles,
            "Policies": policies,
        },
        "org": draw(scp_levels()) if draw(st.booleans()) else None,
        "principal": USER if kind == "user" else SESSION,
        "session_policy": session_policy,
    }


def _world(doc: dict[str, Any]) -> World:
    parts = [load_document(doc["gaad"], "differential")]
    if doc["org"] is not None:
        parts.append(load_tree_document(doc["org"], "differential-org"))
    if doc["principal"] == SESSION:
        session_policies = None
        if doc["session_policy"] is not None:
            session_policies = (
                parse_policy(
                    _document(doc["session_policy"]), PolicyType.SESSION, name="session policy"
                ),
            )
        session = Session(
            kind=SessionKind.ASSUMED_ROLE,
            account=ACCOUNT,
            name="s",
            role_arn=ROLE,
            session_policies=session_policies,
        )
        parts.append(World.of(sessions=[session]))
    return merge_worlds(parts)


def problems(doc: dict[str, Any], *, algebra: bool = True) -> tuple[int, list[str]]:
    """(questions the algebra was compared on, every disagreement between the deciders);
    without ``algebra`` only decide() and evaluate() are compared (cheaper)."""
    world = _world(doc)
    principal = doc["principal"]
    builder = RequestBuilder(world)
    analyzer = EffectiveAnalyzer(world, builder=builder)
    results = (
        {
            service: analyzer.permissions(principal, service=service)
            for service in ("s3", "kms", "ec2", "iam")
        }
        if algebra
        else {}
    )
    compared = 0
    found: list[str] = []
    for action, resource in QUESTIONS:
        for context in CONTEXTS:
            try:
                built = builder.build(principal, action, resource, context=context)
            except RequestError:
                continue
            request = built.request
            compiled = compile_policy_set(built.policies)
            explained = evaluate(request, compiled)
            fast = decide(request, compiled)
            if fast is not explained.value:
                found.append(
                    f"{action} {resource} {context}: decide={fast.value} "
                    f"evaluate={explained.value.value} ({explained.reason})"
                )
            if not algebra or not request.same_account or built.policies.resource is not None:
                continue
            result = results[action.partition(":")[0]]
            verdict, by = result.decision_at(action, resource, request.context)
            problem = _disagreement(verdict, by, explained.value, explained.blocked_by)
            if problem is not None:
                found.append(f"{action} {resource} {context}: {problem} ({explained.reason})")
            compared += 1
    return compared, found


EXAMPLES = int(os.environ.get("IAMSIM_DIFF_EXAMPLES", "60"))


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(doc=worlds())
def test_decide_evaluate_and_the_algebra_agree(doc: dict[str, Any]) -> None:
    compared, found = problems(doc)
    assert not found, found
    assert compared


# -- the oracle notices a bug ---------------------------------------------------------------------


def _ignore_denies(slot: str) -> Any:
    """The decision-only path's action index with the Deny statements of one policy type
    (``identity``, ``session``, ``scp``...) dropped: the bug a refactoring could make. Both
    decide() paths (the short one and the full procedure) read their statements from it."""
    from iamsim.engine.decision import CompiledPolicySet

    original = CompiledPolicySet.action_plan

    def action_plan(self: Any, action: str) -> Any:
        names = [name for name, _, _ in self.slots]
        return tuple(
            (index, () if names[index] == slot else denies, allows, ranks)  # the injected bug
            for index, denies, allows, ranks in original(self, action)
        )

    # The copy must stay a copy: same parameters as the method it replaces.
    assert list(inspect.signature(original).parameters) == ["self", "action"]
    return action_plan


@pytest.mark.parametrize("slot", ["identity", "boundary", "session", "scp"])
def test_the_check_reports_an_injected_bug(slot: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from iamsim.engine.decision import CompiledPolicySet

    monkeypatch.setattr(CompiledPolicySet, "action_plan", _ignore_denies(slot))
    # The generator reaches a world where that policy type's Deny decides, and the
    # differential check reports the disagreement.
    example = find(
        worlds(),
        lambda doc: bool(problems(doc, algebra=False)[1]),
        # The first failing world is enough: no shrinking (it would only cost time).
        settings=settings(
            max_examples=300,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.generate],
        ),
    )
    found = problems(example, algebra=False)[1]
    assert any("decide=" in problem for problem in found), found


def _collect_ignoring_denies(slot: str) -> Any:
    """A copy of the explained path's statement collection with the same injected bug."""

    def collect(self: Any, group: Any, policies: Any) -> None:
        request, action, bounded, arn = self.request, self.action, self.bounded, self.arn
        group.traces = []
        for policy in policies:
            applied, traces = policy.explain(request, action, bounded, arn)
            group.traces.extend(traces)
            if group.applicable:
                for item in applied:
                    if item.statement.is_deny and group.name == slot:
                        continue  # the injected bug
                    (group.denies if item.statement.is_deny else group.allows).append(item)

    return collect


@pytest.mark.parametrize("slot", ["session", "scp"])
def test_the_algebra_reports_a_bug_in_both_engine_paths(
    slot: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """decide() and evaluate() wrong the same way agree with each other: only the algebra,
    which never runs the engine's procedure, can notice."""
    from iamsim.engine.decision import CompiledPolicySet, _Evaluation

    monkeypatch.setattr(CompiledPolicySet, "action_plan", _ignore_denies(slot))
    monkeypatch.setattr(_Evaluation, "_collect", _collect_ignoring_denies(slot))
    example = find(
        worlds(),
        lambda doc: bool(problems(doc)[1]),
        settings=settings(
            max_examples=300,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.generate],
        ),
    )
    found = problems(example)[1]
    assert found and not any("decide=" in problem for problem in found), found
