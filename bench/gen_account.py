"""A synthetic AWS account for the analysis benchmarks: 1,000 roles, 2,000 customer managed
policies and 200 resource policies, generated deterministically from a seed.

The shapes follow what real accounts hold: service-scoped read and write policies on
application prefixes, broad ``*`` grants for a few operators, ``NotAction`` and ``Deny``
statements, conditions on regions, MFA and principal/resource tags, ``iam:PassRole`` and other
IAM permissions (for escalation analyses), permissions boundaries on a third of the roles,
trust policies naming services, the account or other roles, and resource policies (S3, SQS,
SNS, KMS, Secrets Manager) granting roles of the account, external accounts, ``"*"`` with
conditions and service principals. An organization with a region SCP and an allow-list SCP
is included.

Use as a library (``generate(seed)`` returns the input documents; ``write(directory, seed)``
writes them) or from the shell::

    python bench/gen_account.py OUT_DIR [--seed 7] [--roles 1000] [--policies 2000]
        [--resource-policies 200]

which writes ``OUT_DIR/gaad.json`` (the get-account-authorization-details shape),
``OUT_DIR/resources.json`` and ``OUT_DIR/org.json``; load them with
``iamsim.ingest.load_inputs``.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

ACCOUNT = "123456789012"
EXTERNAL = ("210987654321", "345678901234", "456789012345")
ORG_ID = "o-gen0000001"
REGIONS = ("eu-west-1", "eu-central-1", "us-east-1")
TEAMS = ("blue", "green", "red", "data", "platform", "payments", "search", "ml")
SERVICES_RUN_AS_ROLE = (
    "lambda.amazonaws.com",
    "ec2.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "glue.amazonaws.com",
    "codebuild.amazonaws.com",
)
VERSION = "2012-10-17"


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": VERSION, "Statement": list(statements)}


class _Generator:
    def __init__(self, seed: int, roles: int, policies: int, resource_policies: int) -> None:
        self.rng = random.Random(seed)
        self.n_roles = roles
        self.n_policies = policies
        self.n_resource_policies = resource_policies
        self.apps = [f"app{i:03d}" for i in range(max(1, roles // 8))]
        self.role_names = [f"{self.rng.choice(self.apps)}-role-{i:04d}" for i in range(roles)]

    # -- policies -----------------------------------------------------------------------

    def _app(self) -> str:
        return self.rng.choice(self.apps)

    def _statement(self) -> dict[str, Any]:
        rng = self.rng
        app = self._app()
        kind = rng.randrange(100)
        if kind < 22:  # read an application's buckets
            return {
                "Effect": "Allow",
                "Action": rng.choice([["s3:GetObject", "s3:ListBucket"], ["s3:Get*", "s3:List*"]]),
                "Resource": [f"arn:aws:s3:::{app}-*", f"arn:aws:s3:::{app}-*/*"],
            }
        if kind < 34:  # write under a prefix
            return {
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:DeleteObject"],
                "Resource": f"arn:aws:s3:::{app}-data/{rng.choice(['in', 'out', 'tmp'])}/*",
            }
        if kind < 44:  # queues and topics
            return {
                "Effect": "Allow",
                "Action": rng.choice(
                    [["sqs:SendMessage", "sqs:ReceiveMessage"], ["sqs:*"], ["sns:Publish"]]
                ),
                "Resource": f"arn:aws:{rng.choice(['sqs', 'sns'])}:*:{ACCOUNT}:{app}-*",
            }
        if kind < 52:  # tables in one region
            return {
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
                "Resource": f"arn:aws:dynamodb:{rng.choice(REGIONS)}:{ACCOUNT}:table/{app}-*",
            }
        if kind < 58:  # start/stop own instances (ABAC)
            return {
                "Effect": "Allow",
                "Action": ["ec2:StartInstances", "ec2:StopInstances"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
            }
        if kind < 64:  # describe everything
            return {
                "Effect": "Allow",
                "Action": rng.choice([["ec2:Describe*"], ["cloudwatch:Get*", "logs:Describe*"]]),
                "Resource": "*",
            }
        if kind < 69:  # secrets and keys
            return {
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue", "kms:Decrypt"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:ResourceTag/app": app}},
            }
        if kind < 74:  # pass the application's roles
            return {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": f"arn:aws:iam::{ACCOUNT}:role/{app}-*",
                "Condition": {
                    "StringEquals": {"iam:PassedToService": rng.choice(SERVICES_RUN_AS_ROLE)}
                },
            }
        if kind < 77:  # lambda management
            return {
                "Effect": "Allow",
                "Action": [
                    "lambda:CreateFunction",
                    "lambda:UpdateFunctionCode",
                    "lambda:InvokeFunction",
                ],
                "Resource": f"arn:aws:lambda:*:{ACCOUNT}:function:{app}-*",
            }
        if kind < 80:  # IAM self-management (escalation material)
            return {
                "Effect": "Allow",
                "Action": rng.choice(
                    [
                        ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"],
                        ["iam:AttachRolePolicy", "iam:PutRolePolicy"],
                        ["iam:CreateAccessKey"],
                        ["iam:UpdateAssumeRolePolicy"],
                    ]
                ),
                "Resource": rng.choice(
                    [
                        f"arn:aws:iam::{ACCOUNT}:role/{app}-*",
                        f"arn:aws:iam::{ACCOUNT}:policy/{app}-*",
                        "*",
                    ]
                ),
            }
        if kind < 83:  # MFA-gated
            return {
                "Effect": "Allow",
                "Action": rng.choice(["iam:*", "organizations:Describe*", "support:*"]),
                "Resource": "*",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            }
        if kind < 86:  # everything but IAM
            return {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}
        if kind < 88:  # broad
            return {"Effect": "Allow", "Action": "*", "Resource": "*"}
        if kind < 93:  # a guard
            return {
                "Effect": "Deny",
                "Action": rng.choice(
                    ["s3:DeleteBucket", "iam:DeleteRole", "kms:ScheduleKeyDeletion"]
                ),
                "Resource": "*",
            }
        if kind < 96:  # regional deny
            return {
                "Effect": "Deny",
                "NotAction": ["iam:*", "sts:*", "s3:*"],
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:RequestedRegion": list(REGIONS[:2])}},
            }
        return {  # resource-scoped with NotResource
            "Effect": "Allow",
            "Action": "s3:*",
            "NotResource": [f"arn:aws:s3:::{app}-secret*", f"arn:aws:s3:::{app}-secret*/*"],
        }

    def managed_policies(self) -> list[dict[str, Any]]:
        out = []
        for i in range(self.n_policies):
            boundary = i < max(4, self.n_policies // 100)
            if boundary:
                app = self.apps[i % len(self.apps)]
                document = _doc(
                    {
                        "Sid": "Ceiling",
                        "Effect": "Allow",
                        "Action": [
                            "s3:*",
                            "sqs:*",
                            "sns:*",
                            "dynamodb:*",
                            "logs:*",
                            "ec2:Describe*",
                        ],
                        "Resource": "*",
                    },
                    {
                        "Sid": "PassOwnRoles",
                        "Effect": "Allow",
                        "Action": "iam:PassRole",
                        "Resource": f"arn:aws:iam::{ACCOUNT}:role/{app}-*",
                    },
                    {
                        "Sid": "KeepTheBoundary",
                        "Effect": "Deny",
                        "Action": [
                            "iam:DeleteRolePermissionsBoundary",
                            "iam:PutRolePermissionsBoundary",
                        ],
                        "Resource": "*",
                    },
                )
                name = f"boundary-{i:03d}"
            else:
                count = self.rng.choice([1, 1, 2, 2, 3, 4])
                document = _doc(*(self._statement() for _ in range(count)))
                name = f"{self._app()}-policy-{i:04d}"
            arn = f"arn:aws:iam::{ACCOUNT}:policy/{name}"
            out.append(
                {
                    "PolicyName": name,
                    "PolicyId": f"ANPA{i:016d}",
                    "Arn": arn,
                    "Path": "/",
                    "DefaultVersionId": "v1",
                    "AttachmentCount": 0,
                    "PermissionsBoundaryUsageCount": 0,
                    "IsAttachable": True,
                    "PolicyVersionList": [
                        {"Document": document, "VersionId": "v1", "IsDefaultVersion": True}
                    ],
                }
            )
        return out

    # -- roles ---------------------------------------------------------------------------

    def _trust(self, index: int) -> dict[str, Any]:
        rng = self.rng
        kind = rng.randrange(10)
        if kind < 5:
            principal: dict[str, Any] = {"Service": rng.choice(SERVICES_RUN_AS_ROLE)}
        elif kind < 8:
            principal = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
        elif kind < 9 and index > 0:
            other = self.role_names[rng.randrange(index)]
            principal = {"AWS": f"arn:aws:iam::{ACCOUNT}:role/{other}"}
        else:
            principal = {"AWS": f"arn:aws:iam::{rng.choice(EXTERNAL)}:root"}
        statement: dict[str, Any] = {
            "Effect": "Allow",
            "Principal": principal,
            "Action": "sts:AssumeRole",
        }
        if "AWS" in principal and principal["AWS"].startswith(f"arn:aws:iam::{EXTERNAL[0]}"):
            statement["Condition"] = {"StringEquals": {"sts:ExternalId": f"ext-{index}"}}
        return _doc(statement)

    def roles(self, policies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rng = self.rng
        n_boundaries = max(4, self.n_policies // 100)
        boundaries = [p["Arn"] for p in policies[:n_boundaries]]
        attachable = policies[n_boundaries:]
        out = []
        for i, name in enumerate(self.role_names):
            attached = rng.sample(attachable, rng.choice([1, 2, 2, 3, 3, 4, 5]))
            for policy in attached:
                policy["AttachmentCount"] += 1
            entry: dict[str, Any] = {
                "Path": "/",
                "RoleName": name,
                "RoleId": f"AROA{i:016d}",
                "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
                "CreateDate": "2025-01-01T00:00:00Z",
                "AssumeRolePolicyDocument": self._trust(i),
                "InstanceProfileList": [],
                "RolePolicyList": [],
                "AttachedManagedPolicies": [
                    {"PolicyName": p["PolicyName"], "PolicyArn": p["Arn"]} for p in attached
                ],
                "Tags": [
                    {"Key": "team", "Value": rng.choice(TEAMS)},
                    {"Key": "app", "Value": name.split("-", 1)[0]},
                ],
                "RoleLastUsed": {},
            }
            if rng.random() < 0.25:
                entry["RolePolicyList"].append(
                    {"PolicyName": f"{name}-inline", "PolicyDocument": _doc(self._statement())}
                )
            if rng.random() < 0.33:
                boundary = rng.choice(boundaries)
                entry["PermissionsBoundary"] = {
                    "PermissionsBoundaryType": "Policy",
                    "PermissionsBoundaryArn": boundary,
                }
            out.append(entry)
        return out

    # -- resources -----------------------------------------------------------------------

    def _grantee(self) -> tuple[Any, dict[str, Any] | None]:
        rng = self.rng
        kind = rng.randrange(10)
        if kind < 4:
            return {"AWS": f"arn:aws:iam::{ACCOUNT}:role/{rng.choice(self.role_names)}"}, None
        if kind < 6:
            return {"AWS": f"arn:aws:iam::{rng.choice(EXTERNAL)}:root"}, None
        if kind < 8:
            return "*", {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}
        if kind < 9:
            return {"Service": rng.choice(["events.amazonaws.com", "sns.amazonaws.com"])}, {
                "StringEquals": {"aws:SourceAccount": ACCOUNT}
            }
        return "*", None

    def resources(self) -> list[dict[str, Any]]:
        rng = self.rng
        kinds = ["s3"] * 80 + ["sqs"] * 40 + ["sns"] * 30 + ["kms"] * 30 + ["secretsmanager"] * 20
        out = []
        for i in range(self.n_resource_policies):
            kind = kinds[i % len(kinds)]
            app = self._app()
            region = rng.choice(REGIONS)
            resource: str | list[str]
            if kind == "s3":
                arn = f"arn:aws:s3:::{app}-bucket-{i:03d}"
                resource, actions = [arn, f"{arn}/*"], ["s3:GetObject", "s3:ListBucket"]
            elif kind == "sqs":
                arn = f"arn:aws:sqs:{region}:{ACCOUNT}:{app}-queue-{i:03d}"
                resource, actions = arn, ["sqs:SendMessage"]
            elif kind == "sns":
                arn = f"arn:aws:sns:{region}:{ACCOUNT}:{app}-topic-{i:03d}"
                resource, actions = arn, ["sns:Publish", "sns:Subscribe"]
            elif kind == "kms":
                arn = f"arn:aws:kms:{region}:{ACCOUNT}:key/{i:08d}-0000-0000-0000-000000000000"
                resource, actions = "*", ["kms:Decrypt", "kms:Encrypt"]
            else:
                arn = (
                    f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{app}-secret-{i:03d}-AbCdEf"
                )
                resource, actions = "*", ["secretsmanager:GetSecretValue"]
            statements: list[dict[str, Any]] = []
            if kind == "kms":
                statements.append(
                    {
                        "Sid": "EnableIam",
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                        "Action": "kms:*",
                        "Resource": "*",
                    }
                )
            for n in range(rng.choice([1, 2, 3])):
                principal, condition = self._grantee()
                statement: dict[str, Any] = {
                    "Sid": f"Grant{n}",
                    "Effect": "Allow",
                    "Principal": principal,
                    "Action": actions,
                    "Resource": resource,
                }
                if condition:
                    statement["Condition"] = condition
                statements.append(statement)
            if rng.random() < 0.3:
                statements.append(
                    {
                        "Sid": "TlsOnly",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "*" if kind != "s3" else "s3:*",
                        "Resource": resource,
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                )
            out.append(
                {
                    "arn": arn,
                    "account": ACCOUNT,
                    "tags": {"app": app, "team": rng.choice(TEAMS)},
                    "policy": _doc(*statements),
                }
            )
        return out


def organization() -> dict[str, Any]:
    """The organization tree: the account under an OU with a region SCP and an allow list."""
    return {
        "organization": {
            "id": ORG_ID,
            "management_account": "999999999990",
            "root": {
                "id": "r-gen0",
                "name": "Root",
                "children": [
                    {"account": "999999999990", "name": "management"},
                    {
                        "ou": "ou-gen0-00000001",
                        "name": "Workloads",
                        "scps": [
                            {
                                "name": "regions",
                                "document": _doc(
                                    {
                                        "Sid": "DenyOutsideRegions",
                                        "Effect": "Deny",
                                        "NotAction": [
                                            "iam:*",
                                            "sts:*",
                                            "organizations:*",
                                            "support:*",
                                        ],
                                        "Resource": "*",
                                        "Condition": {
                                            "StringNotEquals": {
                                                "aws:RequestedRegion": list(REGIONS)
                                            }
                                        },
                                    }
                                ),
                            }
                        ],
                        "children": [{"account": ACCOUNT, "name": "generated"}],
                    },
                ],
            },
        }
    }


# A compute resource running as a role that trusts the service (runs-as links).
_COMPUTE_ARNS = {
    "lambda.amazonaws.com": "arn:aws:lambda:us-east-1:{a}:function:{n}",
    "ec2.amazonaws.com": "arn:aws:ec2:us-east-1:{a}:instance/i-{i:017x}",
    "ecs-tasks.amazonaws.com": "arn:aws:ecs:us-east-1:{a}:task-definition/{n}:1",
    "glue.amazonaws.com": "arn:aws:glue:us-east-1:{a}:job/{n}",
    "codebuild.amazonaws.com": "arn:aws:codebuild:us-east-1:{a}:project/{n}",
}


def runs_as_entries(role_entries: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """Resources-file entries linking a compute resource to each of the first ``limit`` roles
    that trust a service running code (derived from the roles alone: no random draws, so the
    rest of the generated account is unchanged)."""
    out: list[dict[str, Any]] = []
    for i, role in enumerate(role_entries):
        if len(out) >= limit:
            break
        principal = role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
        template = _COMPUTE_ARNS.get(principal.get("Service", ""))
        if template is not None:
            arn = template.format(a=ACCOUNT, n=f"{role['RoleName']}-run", i=i)
            out.append({"arn": arn, "account": ACCOUNT, "runs_as": role["Arn"]})
    return out


def generate(
    seed: int = 7,
    *,
    roles: int = 1000,
    policies: int = 2000,
    resource_policies: int = 200,
    runs_as: int = 0,
) -> dict[str, Any]:
    """The generated inputs: ``{"gaad": ..., "resources": ..., "org": ...}`` (plain JSON);
    ``runs_as`` adds that many compute resources running as roles to the resources file."""
    gen = _Generator(seed, roles, policies, resource_policies)
    managed = gen.managed_policies()
    role_entries = gen.roles(managed)
    links = runs_as_entries(role_entries, runs_as)
    return {
        "gaad": {
            "UserDetailList": [],
            "GroupDetailList": [],
            "RoleDetailList": role_entries,
            "Policies": managed,
        },
        "resources": {"resources": gen.resources() + links},
        "org": organization(),
    }


def write(directory: Path | str, seed: int = 7, **sizes: int) -> list[Path]:
    """Write the generated inputs as JSON files; returns their paths (gaad, resources, org)."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    data = generate(seed, **sizes)
    paths = []
    for name in ("gaad", "resources", "org"):
        path = out / f"{name}.json"
        path.write_text(json.dumps(data[name], indent=1, sort_keys=True))
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--roles", type=int, default=1000)
    parser.add_argument("--policies", type=int, default=2000)
    parser.add_argument("--resource-policies", type=int, default=200)
    parser.add_argument(
        "--runs-as", type=int, default=0, help="compute resources running as roles (links)"
    )
    args = parser.parse_args()
    paths = write(
        args.directory,
        args.seed,
        roles=args.roles,
        policies=args.policies,
        resource_policies=args.resource_policies,
        runs_as=args.runs_as,
    )
    for path in paths:
        print(path)


if __name__ == "__main__":
    main()
