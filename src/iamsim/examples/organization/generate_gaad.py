"""Write the example's ``aws iam get-account-authorization-details`` exports.

The two GAAD files in ``model/`` are generated from the compact description below, so the IAM
content is written once and the exports keep the exact shape the AWS CLI prints (unique IDs,
paths, dates, policy versions, attachment counts, instance profiles). They are exports taken
with ``--filter User Group Role LocalManagedPolicy``: AWS managed policies are referenced by
ARN only and iamsim fills them from its packaged snapshot.

Run it after editing the description; ``tests/examples`` checks the committed files match::

    python src/iamsim/examples/organization/generate_gaad.py

The Terraform form (``terraform/``) describes the same IAM by hand; the tests check that both
forms load to the same model and give the same answers.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MODEL = HERE / "model"

WORKLOADS = "111122223333"
BACKUP = "444455556666"
MANAGEMENT = "999988887777"

V = "2012-10-17"


def _boundary_arn(name: str) -> str:
    return f"arn:aws:iam::{WORKLOADS}:policy/boundaries/{name}"


def _app_boundary(app: str, log_prefix: str) -> dict[str, Any]:
    """The boundary of one application: its own buckets, tables, log groups and keys."""
    return {
        "Version": V,
        "Statement": [
            {
                "Sid": "OwnBuckets",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"],
                "Resource": [f"arn:aws:s3:::{app}-*", f"arn:aws:s3:::{app}-*/*"],
            },
            {
                "Sid": "OwnTables",
                "Effect": "Allow",
                "Action": [
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:Query",
                ],
                "Resource": f"arn:aws:dynamodb:*:{WORKLOADS}:table/{app}-*",
            },
            {
                "Sid": "OwnLogGroups",
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [
                    f"arn:aws:logs:*:{WORKLOADS}:log-group:{log_prefix}{app}-*",
                    f"arn:aws:logs:*:{WORKLOADS}:log-group:{log_prefix}{app}-*:*",
                ],
            },
            {
                "Sid": "OwnKeys",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                "Resource": f"arn:aws:kms:*:{WORKLOADS}:key/*",
                "Condition": {"StringEquals": {"aws:ResourceTag/app": app}},
            },
        ],
    }


# The first draft of first-app-boundary, still stored as a non-default version: far broader
# than v2. Only the default version counts.
FIRST_BOUNDARY_V1 = {
    "Version": V,
    "Statement": [
        {"Sid": "Draft", "Effect": "Allow", "Action": ["s3:*", "logs:*"], "Resource": "*"}
    ],
}

WORKLOAD_BROAD_ACCESS = {
    "Version": V,
    "Statement": [
        {
            "Sid": "BroadWorkloadAccess",
            "Effect": "Allow",
            "Action": [
                "s3:*",
                "dynamodb:*",
                "logs:*",
                "sqs:*",
                "kms:Decrypt",
                "kms:Encrypt",
                "kms:GenerateDataKey",
            ],
            "Resource": "*",
        }
    ],
}

DEVELOPER_ACCESS = {
    "Version": V,
    "Statement": [
        {
            "Sid": "BuildAndDebug",
            "Effect": "Allow",
            "Action": ["lambda:*", "logs:*", "dynamodb:*", "s3:*", "kms:Decrypt", "kms:Encrypt"],
            "Resource": "*",
        },
        {
            "Sid": "IamForWorkloads",
            "Effect": "Allow",
            "Action": [
                "iam:CreateRole",
                "iam:AttachRolePolicy",
                "iam:PutRolePolicy",
                "iam:TagRole",
                "iam:PassRole",
                "iam:AttachUserPolicy",
            ],
            "Resource": "*",
        },
    ],
}

DEVELOPER_BOUNDARY = {
    "Version": V,
    "Statement": [
        {
            "Sid": "WorkloadServices",
            "Effect": "Allow",
            "Action": [
                "iam:*",
                "s3:*",
                "dynamodb:*",
                "lambda:*",
                "logs:*",
                "cloudwatch:*",
                "kms:*",
                "ec2:Describe*",
            ],
            "Resource": "*",
        },
        {
            "Sid": "NoRoleCreationNoUserPolicies",
            "Effect": "Deny",
            "Action": ["iam:CreateRole", "iam:AttachUserPolicy"],
            "Resource": "*",
        },
    ],
}


def _delegated_role_admin(version: int) -> dict[str, Any]:
    """The junior admins' policy, after the AWS delegation example; v3 is the current one."""
    create = {
        "Sid": "CreateOrChangeOnlyWithBoundary",
        "Effect": "Allow",
        "Action": [
            "iam:CreateRole",
            "iam:PutRolePermissionsBoundary",
            "iam:AttachRolePolicy",
            "iam:DetachRolePolicy",
            "iam:PutRolePolicy",
            "iam:DeleteRolePolicy",
        ],
        "Resource": f"arn:aws:iam::{WORKLOADS}:role/first-*",
        "Condition": {
            "ArnEquals": {"iam:PermissionsBoundary": _boundary_arn("first-app-boundary")}
        },
    }
    read = {
        "Sid": "ReadIam",
        "Effect": "Allow",
        "Action": ["iam:Get*", "iam:List*"],
        "Resource": "*",
    }
    no_edit = {
        "Sid": "NoBoundaryPolicyEdit",
        "Effect": "Deny",
        "Action": [
            "iam:CreatePolicyVersion",
            "iam:DeletePolicy",
            "iam:DeletePolicyVersion",
            "iam:SetDefaultPolicyVersion",
        ],
        "Resource": f"arn:aws:iam::{WORKLOADS}:policy/boundaries/*",
    }
    no_delete = {
        "Sid": "NoBoundaryDelete",
        "Effect": "Deny",
        "Action": ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"],
        "Resource": "*",
    }
    if version == 1:
        statements = [{**create, "Resource": "*"}, read]
    elif version == 2:
        statements = [create, read, no_edit]
    else:
        statements = [create, read, no_edit, no_delete]
    return {"Version": V, "Statement": statements}


SELF_SERVICE_CREDENTIALS = {
    "Version": V,
    "Statement": [
        {
            "Sid": "ManageOwnCredentials",
            "Effect": "Allow",
            "Action": [
                "iam:ChangePassword",
                "iam:GetUser",
                "iam:CreateAccessKey",
                "iam:DeleteAccessKey",
                "iam:ListAccessKeys",
                "iam:UpdateAccessKey",
            ],
            "Resource": f"arn:aws:iam::{WORKLOADS}:user/admins/${{aws:username}}",
        }
    ],
}

BACKUP_WRITER = {
    "Version": V,
    "Statement": [
        {
            "Sid": "WorkloadBackupBuckets",
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:ListBucket"],
            "Resource": ["arn:aws:s3:::*-backups", "arn:aws:s3:::*-backups/*"],
        }
    ],
}


def _trust_service(service: str) -> dict[str, Any]:
    return {
        "Version": V,
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        ],
    }


def _trust_account(account: str, *, mfa: bool = False) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": "sts:AssumeRole",
    }
    if mfa:
        statement["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    return {"Version": V, "Statement": [statement]}


AWS_POLICY = "arn:aws:iam::aws:policy/"

# account -> what its export holds. Dates are when each entity was created (and, for policy
# versions, when each version was).
DESCRIPTION: dict[str, dict[str, Any]] = {
    WORKLOADS: {
        "policies": [
            {
                "name": "first-app-boundary",
                "path": "/boundaries/",
                "versions": [
                    (FIRST_BOUNDARY_V1, "2024-02-12T10:04:31+00:00"),
                    (_app_boundary("first", "/aws/lambda/"), "2024-06-03T14:22:09+00:00"),
                ],
            },
            {
                "name": "second-app-boundary",
                "path": "/boundaries/",
                "versions": [(_app_boundary("second", "/app/"), "2024-06-03T14:25:47+00:00")],
            },
            {
                "name": "developer-boundary",
                "path": "/boundaries/",
                "versions": [(DEVELOPER_BOUNDARY, "2024-03-18T08:51:12+00:00")],
            },
            {
                "name": "workload-broad-access",
                "path": "/",
                "versions": [(WORKLOAD_BROAD_ACCESS, "2024-02-12T09:58:40+00:00")],
            },
            {
                "name": "developer-access",
                "path": "/",
                "versions": [(DEVELOPER_ACCESS, "2024-03-18T08:49:55+00:00")],
            },
            {
                "name": "delegated-role-admin",
                "path": "/",
                "versions": [
                    (_delegated_role_admin(1), "2024-04-02T16:10:03+00:00"),
                    (_delegated_role_admin(2), "2024-04-09T11:37:26+00:00"),
                    (_delegated_role_admin(3), "2024-07-22T13:05:58+00:00"),
                ],
            },
        ],
        "groups": [
            {
                "name": "junior-admins",
                "path": "/admins/",
                "created": "2024-04-02T16:12:44+00:00",
                "managed": ["delegated-role-admin"],
            }
        ],
        "users": [
            {
                "name": "zhang",
                "path": "/admins/",
                "created": "2024-04-02T16:15:20+00:00",
                "groups": ["junior-admins"],
                "inline": {"self-service-credentials": SELF_SERVICE_CREDENTIALS},
                "tags": {"team": "platform"},
            }
        ],
        "roles": [
            {
                "name": "first-lambda-exec",
                "path": "/service-role/",
                "created": "2024-02-12T10:06:18+00:00",
                "trust": _trust_service("lambda.amazonaws.com"),
                "managed": [
                    "workload-broad-access",
                    AWS_POLICY + "service-role/AWSLambdaBasicExecutionRole",
                ],
                "boundary": "first-app-boundary",
                "tags": {"app": "first"},
                "last_used": ("2026-11-22T23:41:07+00:00", "eu-west-1"),
            },
            {
                "name": "second-worker",
                "path": "/",
                "created": "2024-06-03T14:31:02+00:00",
                "trust": _trust_service("ec2.amazonaws.com"),
                "managed": ["workload-broad-access"],
                "boundary": "second-app-boundary",
                "tags": {"app": "second"},
                "instance_profile": "2024-06-03T14:31:05+00:00",
                "last_used": ("2026-11-23T06:12:55+00:00", "eu-west-1"),
            },
            {
                "name": "developer",
                "path": "/",
                "created": "2024-03-18T08:53:40+00:00",
                "trust": _trust_account(WORKLOADS, mfa=True),
                "managed": [AWS_POLICY + "ReadOnlyAccess", "developer-access"],
                "boundary": "developer-boundary",
                "tags": {"team": "platform"},
                "last_used": ("2026-11-21T15:03:29+00:00", "eu-west-1"),
            },
            # Created by AWS, not by the team's Terraform: Organizations creates this role in
            # accounts it creates, and Support creates its service-linked role.
            {
                "name": "OrganizationAccountAccessRole",
                "path": "/",
                "created": "2024-01-29T12:00:41+00:00",
                "trust": _trust_account(MANAGEMENT),
                "managed": [AWS_POLICY + "AdministratorAccess"],
                "last_used": ("2026-10-30T09:17:12+00:00", "us-east-1"),
            },
            {
                "name": "AWSServiceRoleForSupport",
                "path": "/aws-service-role/support.amazonaws.com/",
                "created": "2024-01-29T12:01:05+00:00",
                "trust": _trust_service("support.amazonaws.com"),
                "managed": [AWS_POLICY + "aws-service-role/AWSSupportServiceRolePolicy"],
            },
        ],
    },
    BACKUP: {
        "policies": [
            {
                "name": "backup-writer",
                "path": "/",
                "versions": [(BACKUP_WRITER, "2024-05-06T07:44:18+00:00")],
            }
        ],
        "groups": [],
        "users": [],
        "roles": [
            {
                "name": "backup",
                "path": "/",
                "created": "2024-05-06T07:46:51+00:00",
                "trust": _trust_account(BACKUP),
                "managed": ["backup-writer"],
                "tags": {"purpose": "backup"},
                "last_used": ("2026-11-23T02:00:14+00:00", "eu-west-1"),
            },
            {
                "name": "OrganizationAccountAccessRole",
                "path": "/",
                "created": "2024-01-29T12:03:16+00:00",
                "trust": _trust_account(MANAGEMENT),
                "managed": [AWS_POLICY + "AdministratorAccess"],
            },
            {
                "name": "AWSServiceRoleForSupport",
                "path": "/aws-service-role/support.amazonaws.com/",
                "created": "2024-01-29T12:03:40+00:00",
                "trust": _trust_service("support.amazonaws.com"),
                "managed": [AWS_POLICY + "aws-service-role/AWSSupportServiceRolePolicy"],
            },
        ],
    },
}


# -- rendering ------------------------------------------------------------------------------------

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def unique_id(prefix: str, account: str, kind: str, name: str) -> str:
    """An IAM unique ID (``AROA`` + 17 characters): stable, and shaped like AWS's.

    The first eight characters after the prefix are shared by one account's entities, as in
    real exports.
    """
    account_part = base64.b32encode(hashlib.sha256(account.encode()).digest()).decode()[:8]
    own = base64.b32encode(hashlib.sha256(f"{account}:{kind}:{name}".encode()).digest()).decode()
    ident = prefix + account_part + own[:9]
    assert all(c in _ALPHABET for c in ident[4:])
    return ident


def _tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def _policy_arn(account: str, ref: str, policies: dict[str, dict[str, Any]]) -> tuple[str, str]:
    """(name, ARN) of a managed policy named in the description (or given as an ARN)."""
    if ref.startswith("arn:"):
        return ref.rsplit("/", 1)[1], ref
    path = policies[ref]["path"]
    return ref, f"arn:aws:iam::{account}:policy{path}{ref}"


def _attached(account: str, refs: list[str], policies: dict[str, dict[str, Any]]) -> list[Any]:
    out = []
    for ref in refs:
        name, arn = _policy_arn(account, ref, policies)
        out.append({"PolicyName": name, "PolicyArn": arn})
    return out


def _boundary(account: str, ref: str | None, policies: dict[str, dict[str, Any]]) -> Any:
    if ref is None:
        return None
    return {
        "PermissionsBoundaryType": "Policy",
        "PermissionsBoundaryArn": _policy_arn(account, ref, policies)[1],
    }


def export(account: str) -> dict[str, Any]:
    """The GAAD document of one account, in the AWS CLI's key order."""
    spec = DESCRIPTION[account]
    policies = {p["name"]: p for p in spec["policies"]}
    users, groups, roles = [], [], []
    attachments: dict[str, int] = dict.fromkeys(policies, 0)
    boundaries: dict[str, int] = dict.fromkeys(policies, 0)

    def count(refs: list[str], ref_boundary: str | None = None) -> None:
        for ref in refs:
            if ref in attachments:
                attachments[ref] += 1
        if ref_boundary in boundaries:
            boundaries[ref_boundary] += 1

    for u in spec["users"]:
        entry: dict[str, Any] = {
            "Path": u["path"],
            "UserName": u["name"],
            "UserId": unique_id("AIDA", account, "user", u["name"]),
            "Arn": f"arn:aws:iam::{account}:user{u['path']}{u['name']}",
            "CreateDate": u["created"],
        }
        if u.get("inline"):
            entry["UserPolicyList"] = [
                {"PolicyName": n, "PolicyDocument": d} for n, d in u["inline"].items()
            ]
        entry["GroupList"] = list(u.get("groups", []))
        entry["AttachedManagedPolicies"] = _attached(account, u.get("managed", []), policies)
        boundary = _boundary(account, u.get("boundary"), policies)
        if boundary:
            entry["PermissionsBoundary"] = boundary
        entry["Tags"] = _tags(u.get("tags", {}))
        count(u.get("managed", []), u.get("boundary"))
        users.append(entry)
    for g in spec["groups"]:
        groups.append(
            {
                "Path": g["path"],
                "GroupName": g["name"],
                "GroupId": unique_id("AGPA", account, "group", g["name"]),
                "Arn": f"arn:aws:iam::{account}:group{g['path']}{g['name']}",
                "CreateDate": g["created"],
                "GroupPolicyList": [
                    {"PolicyName": n, "PolicyDocument": d} for n, d in g.get("inline", {}).items()
                ],
                "AttachedManagedPolicies": _attached(account, g.get("managed", []), policies),
            }
        )
        count(g.get("managed", []))
    for r in spec["roles"]:
        arn = f"arn:aws:iam::{account}:role{r['path']}{r['name']}"
        role_id = unique_id("AROA", account, "role", r["name"])
        profiles = []
        if r.get("instance_profile"):
            profiles.append(
                {
                    "Path": r["path"],
                    "InstanceProfileName": r["name"],
                    "InstanceProfileId": unique_id("AIPA", account, "instance-profile", r["name"]),
                    "Arn": f"arn:aws:iam::{account}:instance-profile{r['path']}{r['name']}",
                    "CreateDate": r["instance_profile"],
                    "Roles": [
                        {
                            "Path": r["path"],
                            "RoleName": r["name"],
                            "RoleId": role_id,
                            "Arn": arn,
                            "CreateDate": r["created"],
                            "AssumeRolePolicyDocument": r["trust"],
                        }
                    ],
                }
            )
        entry = {
            "Path": r["path"],
            "RoleName": r["name"],
            "RoleId": role_id,
            "Arn": arn,
            "CreateDate": r["created"],
            "AssumeRolePolicyDocument": r["trust"],
            "InstanceProfileList": profiles,
            "RolePolicyList": [
                {"PolicyName": n, "PolicyDocument": d} for n, d in r.get("inline", {}).items()
            ],
            "AttachedManagedPolicies": _attached(account, r.get("managed", []), policies),
        }
        boundary = _boundary(account, r.get("boundary"), policies)
        if boundary:
            entry["PermissionsBoundary"] = boundary
        entry["Tags"] = _tags(r.get("tags", {}))
        last = r.get("last_used")
        entry["RoleLastUsed"] = {"LastUsedDate": last[0], "Region": last[1]} if last else {}
        count(r.get("managed", []), r.get("boundary"))
        roles.append(entry)
    managed = []
    for p in spec["policies"]:
        versions = p["versions"]
        default = f"v{len(versions)}"
        managed.append(
            {
                "PolicyName": p["name"],
                "PolicyId": unique_id("ANPA", account, "policy", p["name"]),
                "Arn": f"arn:aws:iam::{account}:policy{p['path']}{p['name']}",
                "Path": p["path"],
                "DefaultVersionId": default,
                "AttachmentCount": attachments[p["name"]],
                "PermissionsBoundaryUsageCount": boundaries[p["name"]],
                "IsAttachable": True,
                "CreateDate": versions[0][1],
                "UpdateDate": versions[-1][1],
                "PolicyVersionList": [
                    {
                        "Document": doc,
                        "VersionId": f"v{i}",
                        "IsDefaultVersion": f"v{i}" == default,
                        "CreateDate": created,
                    }
                    # IAM lists the newest version first.
                    for i, (doc, created) in reversed(list(enumerate(versions, 1)))
                ],
            }
        )
    return {
        "UserDetailList": users,
        "GroupDetailList": groups,
        "RoleDetailList": roles,
        "Policies": managed,
    }


def render(account: str) -> str:
    return json.dumps(export(account), indent=4) + "\n"


def outputs() -> dict[Path, str]:
    """Each generated file and its content."""
    return {MODEL / f"gaad-{account}.json": render(account) for account in DESCRIPTION}


def main() -> int:
    for path, text in outputs().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(HERE)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
