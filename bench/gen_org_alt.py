"""A second synthetic organization, of another shape than ``gen_org.py``'s, so that the
organization benchmarks and tests do not depend on one generator's habits.

Same layout (docs/scale.md): ``organization.json`` and ``accounts/<ID>/gaad.json`` +
``resources.json``. Where ``gen_org.py`` gives every role two managed policies of its own,
here an account has **few, big, shared** customer managed policies (the same documents in
every account, written with the account's ID), **users in groups** beside the roles,
wildcard and ``NotAction`` grants, **permissions boundaries** with a Deny, principal tags,
an SCP whose Deny reads a **principal tag** (so callers of one account differ) and an RCP
(Deny outside the organization). The target is ``arn:aws:s3:::alt-shared/report.csv``, a
bucket of the first account readable by the organization (``aws:PrincipalOrgID``), with a
Deny naming one role of the second account.

    python bench/gen_org_alt.py ORG_DIR [--accounts 100] [--principals 1000] [--seed 3]

Deterministic from the seed; ``principals`` per account, about one user for four roles.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

ORG_ID = "o-alt0000001"
SHARED = "alt-shared"
VERSION = "2012-10-17"
SERVICES = ("s3", "sqs", "dynamodb", "lambda", "logs", "kms", "ec2", "sns")


def account_id(index: int) -> str:
    return f"{300000000000 + index * 7:012d}"


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": VERSION, "Statement": list(statements)}


def organization(ids: list[str]) -> dict[str, Any]:
    deny_untagged = {
        "Sid": "QuarantinedTeam",
        "Effect": "Deny",
        "Action": ["s3:*", "sqs:*"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": "quarantine"}},
    }
    rcp = {
        "Sid": "OrgOnly",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": "*",
        "Condition": {
            "StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG_ID},
            "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
        },
    }
    half = len(ids) // 2
    return {
        "organization": {
            "id": ORG_ID,
            "management_account": "999999999991",
            "root": {
                "id": "r-alt0",
                "name": "Root",
                "rcps": [{"name": "org-only", "document": _doc(rcp)}],
                "children": [
                    {"account": "999999999991", "name": "management"},
                    {
                        "ou": "ou-alt0-00000001",
                        "name": "Prod",
                        "scps": [{"name": "quarantine", "document": _doc(deny_untagged)}],
                        "children": [{"account": a, "name": f"p{a}"} for a in ids[:half]],
                    },
                    {
                        "ou": "ou-alt0-00000002",
                        "name": "Dev",
                        "children": [{"account": a, "name": f"d{a}"} for a in ids[half:]],
                    },
                ],
            },
        }
    }


def managed_documents(account: str) -> dict[str, dict[str, Any]]:
    """The account's shared managed policies (the same in every account but for its ID)."""
    out: dict[str, dict[str, Any]] = {
        "admin": _doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
        "read-only": _doc(
            {"Effect": "Allow", "Action": [f"{s}:Get*" for s in SERVICES], "Resource": "*"},
            {"Effect": "Allow", "Action": [f"{s}:List*" for s in SERVICES], "Resource": "*"},
        ),
        "not-iam": _doc(
            {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}
        ),
        "boundary": _doc(
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{SHARED}/*"},
        ),
    }
    for s in SERVICES:
        out[f"{s}-full"] = _doc(
            {"Effect": "Allow", "Action": f"{s}:*", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": [f"{s}:Describe*", f"{s}:Tag*"],
                "Resource": f"arn:aws:{s}:*:{account}:*",
            },
        )
        out[f"{s}-app"] = _doc(
            {
                "Effect": "Allow",
                "Action": [f"{s}:Get*", f"{s}:Put*", f"{s}:Delete*"],
                "Resource": [f"arn:aws:{s}:*:{account}:app-*", f"arn:aws:s3:::app-{account}-*/*"],
                "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
            }
        )
    return out


def _inline(rng: random.Random, account: str) -> dict[str, Any]:
    kind = rng.randrange(4)
    if kind == 0:
        return _doc(
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{SHARED}/*"}
        )
    if kind == 1:
        return _doc(
            {
                "Effect": "Allow",
                "Action": ["sqs:SendMessage"],
                "Resource": f"arn:aws:sqs:*:{account}:q-{rng.randrange(50)}",
            }
        )
    if kind == 2:
        return _doc(
            {
                "Effect": "Deny",
                "Action": "s3:*",
                "Resource": f"arn:aws:s3:::{SHARED}",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        )
    return _doc({"Effect": "Allow", "Action": ["s3:Get*"], "NotResource": f"arn:aws:s3:::{SHARED}/*"})  # fmt: skip


def _tags(rng: random.Random) -> list[dict[str, str]]:
    return [{"Key": "team", "Value": rng.choice(["red", "blue", "green", "quarantine"])}]


def gaad(index: int, account: str, principals: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed * 1_000_003 + index)
    docs = managed_documents(account)
    names = list(docs)
    policies = [
        {
            "PolicyName": name,
            "PolicyId": f"ANPA{index:08d}{i:04d}",
            "Arn": f"arn:aws:iam::{account}:policy/{name}",
            "Path": "/",
            "DefaultVersionId": "v1",
            "AttachmentCount": 1,
            "IsAttachable": True,
            "PolicyVersionList": [{"Document": doc, "VersionId": "v1", "IsDefaultVersion": True}],
        }
        for i, (name, doc) in enumerate(docs.items())
    ]
    arn = f"arn:aws:iam::{account}:policy/"

    def attached() -> list[dict[str, str]]:
        picked = rng.sample(names[4:], rng.randrange(0, 3))
        if rng.random() < 0.05:
            picked.append(rng.choice(["admin", "read-only", "not-iam"]))
        return [{"PolicyName": n, "PolicyArn": arn + n} for n in picked]

    groups = []
    for g in range(6):
        groups.append(
            {
                "GroupName": f"group-{g}",
                "GroupId": f"AGPA{index:08d}{g:04d}",
                "Arn": f"arn:aws:iam::{account}:group/group-{g}",
                "Path": "/",
                "GroupPolicyList": [{"PolicyName": "g", "PolicyDocument": _inline(rng, account)}],
                "AttachedManagedPolicies": attached(),
            }
        )
    users, roles = [], []
    trust = json.dumps(_doc({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}))  # fmt: skip
    for p in range(principals):
        boundary = (
            {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn + "boundary"}
            if rng.random() < 0.1
            else None
        )
        inline = (
            [{"PolicyName": f"i{p}", "PolicyDocument": _inline(rng, account)}]
            if rng.random() < 0.3
            else []
        )
        if p % 5 == 4:
            name = f"user-{p:05d}"
            entry: dict[str, Any] = {
                "UserName": name,
                "UserId": f"AIDA{index:08d}{p:05d}",
                "Arn": f"arn:aws:iam::{account}:user/{name}",
                "Path": "/",
                "UserPolicyList": inline,
                "GroupList": [f"group-{g}" for g in rng.sample(range(6), rng.randrange(0, 3))],
                "AttachedManagedPolicies": attached(),
                "Tags": _tags(rng),
            }
            if boundary:
                entry["PermissionsBoundary"] = boundary
            users.append(entry)
        else:
            name = f"svc-{p:05d}"
            entry = {
                "RoleName": name,
                "RoleId": f"AROA{index:08d}{p:05d}",
                "Arn": f"arn:aws:iam::{account}:role/{name}",
                "Path": "/",
                # URL-encoded, as the IAM API returns it
                "AssumeRolePolicyDocument": trust.replace('"', "%22"),
                "RolePolicyList": inline,
                "AttachedManagedPolicies": attached(),
                "Tags": _tags(rng),
            }
            if boundary:
                entry["PermissionsBoundary"] = boundary
            roles.append(entry)
    return {
        "UserDetailList": users,
        "GroupDetailList": groups,
        "RoleDetailList": roles,
        "Policies": policies,
    }


def resources(index: int, ids: list[str]) -> dict[str, Any]:
    account = ids[index]
    out: list[dict[str, Any]] = [
        {
            "arn": f"arn:aws:s3:::app-{account}-data",
            "account": account,
            "tags": {"team": "red"},
            "policy": _doc(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ids[(index + 1) % len(ids)]}:root"},
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::app-{account}-data/*",
                }
            ),
        }
    ]
    if index == 0:
        blocked = f"arn:aws:iam::{ids[1 % len(ids)]}:role/svc-00000"
        out.append(
            {
                "arn": f"arn:aws:s3:::{SHARED}",
                "account": account,
                "tags": {"team": "platform"},
                "policy": _doc(
                    {
                        "Sid": "OrgRead",
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{SHARED}/*",
                        "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}},
                    },
                    {
                        "Sid": "NotThatOne",
                        "Effect": "Deny",
                        "Principal": {"AWS": blocked},
                        "Action": "s3:*",
                        "Resource": f"arn:aws:s3:::{SHARED}/*",
                    },
                ),
            }
        )
    return {"resources": out}


def write(
    directory: Path | str, *, accounts: int = 100, principals: int = 1000, seed: int = 3
) -> Path:
    """Write the organization folder; returns its path."""
    out = Path(directory)
    ids = [account_id(i) for i in range(accounts)]
    out.mkdir(parents=True, exist_ok=True)
    (out / "organization.json").write_text(json.dumps(organization(ids)))
    for index, account in enumerate(ids):
        folder = out / "accounts" / account
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "gaad.json").write_text(json.dumps(gaad(index, account, principals, seed)))
        (folder / "resources.json").write_text(json.dumps(resources(index, ids)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--principals", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    print(write(args.directory, accounts=args.accounts, principals=args.principals, seed=args.seed))


if __name__ == "__main__":
    main()
