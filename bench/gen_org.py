"""A synthetic AWS organization for the organization-scale benchmarks: N accounts x R roles,
laid out as an organization folder (``iamsim ... -i ORG_DIR``, see docs/scale.md)::

    ORG_DIR/organization.json             the organization tree (docs/inputs.md format)
    ORG_DIR/accounts/<ACCOUNT_ID>/gaad.json       get-account-authorization-details export
    ORG_DIR/accounts/<ACCOUNT_ID>/resources.json  resource policies (buckets, queues, keys...)

Each account is one account of ``bench/gen_account.py`` (its own seed, so accounts differ),
rewritten into the account's ID: the generator's external accounts become the next accounts
of the organization, so trust policies and resource policies cross accounts inside it, and
bucket names get the account's prefix (bucket names are global). The first account also
holds ``org-shared-data``, a bucket whose policy grants reads to the whole organization
(``aws:PrincipalOrgID``) and writes to one role of every tenth account: the benchmark's
who-can target. Deterministic from the seed.

    python bench/gen_org.py ORG_DIR [--accounts 100] [--roles 1000] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen_account  # a sibling script, not a package

SHARED_BUCKET = "org-shared-data"


def account_id(index: int) -> str:
    """The ID of the organization's account number ``index`` (0-based)."""
    return f"{200000000000 + index * 1001:012d}"


def organization(ids: list[str]) -> dict[str, Any]:
    """The tree: every account under one OU carrying the generator's region SCP."""
    tree = gen_account.organization()
    workloads = tree["organization"]["root"]["children"][1]
    workloads["children"] = [{"account": a, "name": f"acct-{i:05d}"} for i, a in enumerate(ids)]
    return tree


def shared_bucket(ids: list[str]) -> dict[str, Any]:
    """The organization-wide bucket of the first account (the who-can target)."""
    writers = [
        f"arn:aws:iam::{a}:role/app000-role-{i % 7:04d}" for i, a in enumerate(ids) if i % 10 == 0
    ]
    return {
        "arn": f"arn:aws:s3:::{SHARED_BUCKET}",
        "account": ids[0],
        "tags": {"team": "platform"},
        "policy": {
            "Version": gen_account.VERSION,
            "Statement": [
                {
                    "Sid": "OrgRead",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": ["s3:GetObject", "s3:ListBucket"],
                    "Resource": [
                        f"arn:aws:s3:::{SHARED_BUCKET}",
                        f"arn:aws:s3:::{SHARED_BUCKET}/*",
                    ],
                    "Condition": {"StringEquals": {"aws:PrincipalOrgID": gen_account.ORG_ID}},
                },
                {
                    "Sid": "Writers",
                    "Effect": "Allow",
                    "Principal": {"AWS": writers},
                    "Action": "s3:PutObject",
                    "Resource": f"arn:aws:s3:::{SHARED_BUCKET}/*",
                },
            ],
        },
    }


def account_documents(index: int, ids: list[str], seed: int, roles: int) -> dict[str, str]:
    """The account's files as JSON text: ``{"gaad.json": ..., "resources.json": ...}``."""
    sizes = {"roles": roles, "policies": 2 * roles, "resource_policies": max(1, roles // 5)}
    data = gen_account.generate(seed + index, **sizes)
    resources = data["resources"]
    if index == 0:
        resources["resources"].append(shared_bucket(ids))
    neighbours = [ids[(index + k) % len(ids)] for k in (1, 2, 3)]
    out = {}
    for name, doc in (("gaad.json", data["gaad"]), ("resources.json", resources)):
        text = json.dumps(doc, indent=1, sort_keys=True)
        text = text.replace(gen_account.ACCOUNT, ids[index])
        for external, neighbour in zip(gen_account.EXTERNAL, neighbours, strict=True):
            text = text.replace(external, neighbour)
        # Bucket names are global: each account's own, except the organization's shared one.
        text = text.replace("arn:aws:s3:::", f"arn:aws:s3:::a{index:05d}-")
        text = text.replace(f"arn:aws:s3:::a{index:05d}-{SHARED_BUCKET}", SHARED_ARN)
        out[name] = text
    return out


SHARED_ARN = f"arn:aws:s3:::{SHARED_BUCKET}"


def write(directory: Path | str, *, accounts: int = 100, roles: int = 1000, seed: int = 7) -> Path:
    """Write the organization folder; returns its path."""
    out = Path(directory)
    ids = [account_id(i) for i in range(accounts)]
    out.mkdir(parents=True, exist_ok=True)
    (out / "organization.json").write_text(json.dumps(organization(ids), indent=1))
    for index, account in enumerate(ids):
        folder = out / "accounts" / account
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in account_documents(index, ids, seed, roles).items():
            (folder / name).write_text(text)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--roles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(write(args.directory, accounts=args.accounts, roles=args.roles, seed=args.seed))


if __name__ == "__main__":
    main()
