"""Escalation paths that cross two and three accounts, answered by tasks that each load one
account (plus the roles of other accounts that trust it) and ask a start again, in a wider
world, when its search crosses into another account: the merged answer must be the search of
the whole organization loaded in one process, path for path.

The organization (A, B, C, D) is written by hand so that the shortest paths need every
account on the way: a user of A assumes a role of B (its trust policy names A's account), which
assumes a role of C (trusting that role of B); a role of C attaches AdministratorAccess to
itself; another user of A injects code into a Lambda function of D whose function policy lets
A's account update it, and the function's role assumes the administrator role of C (so D is
loaded whole with A: the link and the function's policy live there). D's administrator role
trusts nobody outside.

Cross-account role assumption needs both the caller's identity policy and the role's trust
policy to allow it: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_aws-accounts.html
and https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from org_reference import single_escalation

from iamsim.scale.org_tasks import OrgQuestion, door_slice, org_escalation
from iamsim.scale.runner import ProcessRunner, SerialRunner

A, B, C, D = "111111111111", "222222222222", "333333333333", "444444444444"
FUNCTION = f"arn:aws:lambda:us-east-1:{D}:function:nightly"
SECRET = "arn:aws:s3:::c-secret"


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(action: str | list[str], resource: str | list[str]) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def _trust(principal: dict[str, Any]) -> dict[str, Any]:
    return _doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})


def _role(
    account: str, name: str, trust: dict[str, Any], *policy: dict[str, Any]
) -> dict[str, Any]:
    return {
        "Path": "/",
        "RoleName": name,
        "RoleId": f"AROA{account}{name[:4].upper()}",
        "Arn": f"arn:aws:iam::{account}:role/{name}",
        "AssumeRolePolicyDocument": trust,
        "RolePolicyList": [{"PolicyName": f"{name}-inline", "PolicyDocument": _doc(*policy)}]
        if policy
        else [],
        "AttachedManagedPolicies": [],
        "Tags": [],
    }


def _user(account: str, name: str, *policy: dict[str, Any]) -> dict[str, Any]:
    return {
        "Path": "/",
        "UserName": name,
        "UserId": f"AIDA{account}{name[:4].upper()}",
        "Arn": f"arn:aws:iam::{account}:user/{name}",
        "UserPolicyList": [{"PolicyName": f"{name}-inline", "PolicyDocument": _doc(*policy)}],
        "AttachedManagedPolicies": [],
        "GroupList": [],
        "Tags": [],
    }


def _write(
    folder: Path, account: str, users: list[Any], roles: list[Any], resources: list[Any]
) -> None:
    path = folder / "accounts" / account
    path.mkdir(parents=True)
    gaad = {"UserDetailList": users, "GroupDetailList": [], "RoleDetailList": roles, "Policies": []}
    (path / "gaad.json").write_text(json.dumps(gaad))
    if resources:
        (path / "resources.json").write_text(json.dumps({"resources": resources}))


@pytest.fixture(scope="module")
def stitched_org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stitched")
    tree = {
        "organization": {
            "id": "o-stitched01",
            "root": {
                "id": "r-ab12",
                "name": "Root",
                "children": [{"account": a, "name": f"acct-{a[0]}"} for a in (A, B, C, D)],
            },
        }
    }
    (folder / "organization.json").write_text(json.dumps(tree))
    hop = f"arn:aws:iam::{B}:role/hop"
    _write(
        folder,
        A,
        users=[
            _user(A, "alice", _allow("sts:AssumeRole", f"arn:aws:iam::{B}:role/*")),
            _user(
                A,
                "bob",
                _allow(
                    ["lambda:UpdateFunctionCode", "lambda:InvokeFunction"],
                    f"arn:aws:lambda:*:{D}:function:*",
                ),
            ),
            _user(A, "carol", _allow("s3:ListAllMyBuckets", "*")),
        ],
        roles=[
            # Can change itself, then cross: the change happens before the first crossing.
            _role(
                A,
                "builder",
                _trust({"AWS": f"arn:aws:iam::{A}:root"}),
                _allow("iam:PutRolePolicy", f"arn:aws:iam::{A}:role/builder"),
                {"Effect": "Deny", "Action": "iam:*", "Resource": f"arn:aws:iam::{A}:user/*"},
            ),
        ],
        resources=[],
    )
    _write(
        folder,
        B,
        users=[],
        roles=[
            _role(
                B,
                "hop",
                _trust({"AWS": f"arn:aws:iam::{A}:root"}),
                _allow("sts:AssumeRole", f"arn:aws:iam::{C}:role/*"),
            ),
            # Reached from A; changes itself inside B (a change after the crossing).
            _role(
                B,
                "selfish",
                _trust({"AWS": f"arn:aws:iam::{A}:root"}),
                _allow("iam:AttachRolePolicy", f"arn:aws:iam::{B}:role/selfish"),
            ),
            _role(B, "local", _trust({"AWS": f"arn:aws:iam::{B}:root"}), _allow("*", "*")),
        ],
        resources=[],
    )
    _write(
        folder,
        C,
        users=[],
        roles=[
            _role(
                C, "top", _trust({"AWS": [hop, f"arn:aws:iam::{D}:role/runner"]}), _allow("*", "*")
            ),
            _role(
                C,
                "mid",
                _trust({"AWS": hop}),
                _allow("iam:AttachRolePolicy", f"arn:aws:iam::{C}:role/mid"),
                _allow("s3:GetObject", f"{SECRET}/*"),
            ),
        ],
        resources=[{"arn": SECRET, "account": C}],
    )
    _write(
        folder,
        D,
        users=[],
        roles=[
            _role(D, "alone", _trust({"AWS": f"arn:aws:iam::{D}:root"}), _allow("*", "*")),
            _role(
                D,
                "runner",
                _trust({"Service": "lambda.amazonaws.com"}),
                _allow("sts:AssumeRole", f"arn:aws:iam::{C}:role/top"),
            ),
        ],
        resources=[
            {
                "arn": FUNCTION,
                "runs_as": f"arn:aws:iam::{D}:role/runner",
                "policy": _doc(
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
                        "Action": ["lambda:UpdateFunctionCode", "lambda:InvokeFunction"],
                        "Resource": FUNCTION,
                    }
                ),
            }
        ],
    )

    return folder


def _accounts_on_paths(document: dict[str, Any], start: str) -> set[str]:
    result = next(r for r in document["results"] if r["principal"] == start)
    text = json.dumps(result["paths"])
    return {a for a in (A, B, C, D) if a in text}


@pytest.mark.parametrize("max_paths", [1, 5, None])
def test_paths_across_three_accounts_match_the_single_process(
    stitched_org: Path, max_paths: int | None
) -> None:
    base = OrgQuestion("", "", (), max_paths=max_paths)
    merged = org_escalation(stitched_org, SerialRunner(), base)
    assert merged.left_out == []
    assert merged.document == single_escalation(stitched_org, max_paths=max_paths)
    # The crossing starts were asked again in wider worlds (the stitching was exercised): B,
    # then C (with one path per start, alice stops at the first administrator, in C).
    assert len(merged.rounds) >= (2 if max_paths == 1 else 3) and merged.rounds[1][1] > 0
    alice = f"arn:aws:iam::{A}:user/alice"
    bob = f"arn:aws:iam::{A}:user/bob"
    assert _accounts_on_paths(merged.document, alice) >= {A, B, C}
    assert _accounts_on_paths(merged.document, bob) >= {A, C, D}
    statuses = {r["principal"]: r["status"] for r in merged.document["results"]}
    assert statuses[alice] == statuses[bob] == "escalates"
    assert statuses[f"arn:aws:iam::{A}:user/carol"] == "contained"


def test_to_a_resource_across_accounts_matches_the_single_process(stitched_org: Path) -> None:
    to = f"{SECRET}/*"
    merged = org_escalation(stitched_org, SerialRunner(), OrgQuestion("", "", (), to=to))
    assert merged.document == single_escalation(stitched_org, to=to)
    assert merged.document["summary"]["escalate"] > 0


def test_worker_processes_stitch_the_same_paths(stitched_org: Path) -> None:
    runner = ProcessRunner(2)
    try:
        merged = org_escalation(stitched_org, runner, OrgQuestion("", "", ()))
    finally:
        runner.close()
    assert merged.document == single_escalation(stitched_org)


def test_a_door_slice_holds_only_roles_that_trust_the_task(stitched_org: Path) -> None:
    from iamsim.ingest.org_folder import OrgFolder

    world = OrgFolder(stitched_org).account_world(B)
    sliced = door_slice(world, B, frozenset({A}))
    assert sorted(r.rsplit("/", 1)[1] for r in sliced.roles) == ["hop", "selfish"]
    assert not sliced.users and not sliced.runs_as
    assert door_slice(world, B, frozenset({D})).roles == {}


def test_gen_org_with_one_path_per_start(org_dir: Path) -> None:
    """The generated organization, with --max-paths 1 (the search stops earliest)."""
    base = OrgQuestion("", "", (), max_paths=1)
    merged = org_escalation(org_dir, SerialRunner(), base)
    assert merged.document == single_escalation(org_dir, max_paths=1)
