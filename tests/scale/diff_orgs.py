"""Organization folders for the decomposed ``diff`` tests: a small generated organization
(bench/gen_org.py, 4 accounts x 6 roles) as BEFORE, and AFTER copies with one hand-made change
each, plus the single-process answer they are compared with (both folders loaded as one World
each, as ``iamsim diff`` does for other inputs)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from iamsim.analysis.world_diff import diff_worlds
from iamsim.ingest import load_inputs

A0, A1, A2, A3 = "200000000000", "200000001001", "200000002002", "200000003003"
ADDED = "200000009009"
ADMIN = {
    "PolicyName": "everything",
    "PolicyDocument": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    },
}
# In BEFORE and AFTER alike: a role of account A0 that may call sts:AssumeRole on any role,
# so a role of another account that trusts A0 is one step away from it.
ASSUMER = {
    "PolicyName": "assume-anything",
    "PolicyDocument": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
    },
}


def _edit_gaad(org: Path, account: str, fn: Callable[[dict[str, Any]], None]) -> None:
    path = org / "accounts" / account / "gaad.json"
    doc = json.loads(path.read_text())
    fn(doc)
    path.write_text(json.dumps(doc, indent=1))


def _role(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in doc["RoleDetailList"] if r["RoleName"] == name)


def _org_file(org: Path, fn: Callable[[dict[str, Any]], None]) -> None:
    path = org / "organization.json"
    doc = json.loads(path.read_text())
    fn(doc)
    path.write_text(json.dumps(doc, indent=1))


def make_base(generated: Path, base: Path) -> Path:
    shutil.copytree(generated, base)

    def assumer(doc: dict[str, Any]) -> None:
        role = _role(doc, "app000-role-0004")
        role["RolePolicyList"] = [ASSUMER]
        role["AttachedManagedPolicies"] = []
        role.pop("PermissionsBoundary", None)

    _edit_gaad(base, A0, assumer)
    return base


def _loosen(org: Path) -> None:
    """A role of A2 that already trusts A0 becomes an administrator (A2 changes, A0 not)."""

    def edit(doc: dict[str, Any]) -> None:
        role = _role(doc, "app000-role-0002")
        role["RolePolicyList"] = [ADMIN]
        role.pop("PermissionsBoundary", None)

    _edit_gaad(org, A2, edit)


def _open_trust(org: Path) -> None:
    """A role of A1 is opened to account A0 and made an administrator."""

    def edit(doc: dict[str, Any]) -> None:
        role = _role(doc, "app000-role-0000")
        role["AssumeRolePolicyDocument"] = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{A0}:root"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        role["RolePolicyList"] = [ADMIN]
        role.pop("PermissionsBoundary", None)

    _edit_gaad(org, A1, edit)


def _remove_boundary(org: Path) -> None:
    def edit(doc: dict[str, Any]) -> None:
        role = next(r for r in doc["RoleDetailList"] if r.get("PermissionsBoundary"))
        del role["PermissionsBoundary"]

    _edit_gaad(org, A3, edit)


def _loosen_scp(org: Path) -> None:
    def edit(doc: dict[str, Any]) -> None:
        scp = doc["organization"]["root"]["children"][1]["scps"][0]["document"]
        scp["Statement"][0]["Condition"]["StringNotEquals"]["aws:RequestedRegion"].append(
            "us-west-2"
        )

    _org_file(org, edit)


def _add_account(org: Path) -> None:
    """A new account whose role trusts A0 and may do anything."""
    folder = org / "accounts" / ADDED
    folder.mkdir()
    role = {
        "RoleName": "ops",
        "RoleId": "AROAEXAMPLEADDED00001",
        "Arn": f"arn:aws:iam::{ADDED}:role/ops",
        "Path": "/",
        "CreateDate": "2024-01-01T00:00:00Z",
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{A0}:root"},
                    "Action": "sts:AssumeRole",
                }
            ],
        },
        "RolePolicyList": [ADMIN],
        "AttachedManagedPolicies": [],
        "InstanceProfileList": [],
        "Tags": [],
    }
    gaad = {"UserDetailList": [], "GroupDetailList": [], "Policies": [], "RoleDetailList": [role]}
    (folder / "gaad.json").write_text(json.dumps(gaad))

    def edit(doc: dict[str, Any]) -> None:
        workloads = doc["organization"]["root"]["children"][1]["children"]
        workloads.append({"account": ADDED, "name": "added"})

    _org_file(org, edit)


def _remove_account(org: Path) -> None:
    shutil.rmtree(org / "accounts" / A3)

    def edit(doc: dict[str, Any]) -> None:
        workloads = doc["organization"]["root"]["children"][1]
        workloads["children"] = [c for c in workloads["children"] if c.get("account") != A3]

    _org_file(org, edit)


CHANGES: dict[str, Callable[[Path], None]] = {
    "unchanged": lambda org: None,
    "loosen-trusted-role": _loosen,
    "open-trust": _open_trust,
    "remove-boundary": _remove_boundary,
    "loosen-scp": _loosen_scp,
    "add-account": _add_account,
    "remove-account": _remove_account,
}


def make_after(base: Path, after: Path, change: str) -> Path:
    shutil.copytree(base, after)
    CHANGES[change](after)
    return after


def single_diff(before: Path, after: Path, *, escalation: bool = True) -> dict[str, Any]:
    """The one-World answer: each folder loaded whole."""
    return diff_worlds(load_inputs([before]), load_inputs([after]), escalation=escalation).to_dict()


def without_counts(doc: dict[str, Any]) -> dict[str, Any]:
    """The world-diff document without the per-account counts the tasks add."""
    return {k: v for k, v in doc.items() if not k.startswith("accounts")}
