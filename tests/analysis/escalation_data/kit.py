"""Small worlds for escalation tests, written as compact YAML-like mappings.

A world spec (every name lives in account ``111111111111`` unless an ARN is given)::

    users:
      - name: attacker
        allow: [{Action: iam:CreateAccessKey, Resource: "*"}]   # one inline policy
        managed: [attacker-policy]          # customer policy names or AWS policy ARNs
        groups: [devs]
        boundary: dev-boundary              # a policy name or an ARN
        tags: {app: first}
    groups:
      - {name: admins, managed: ["arn:aws:iam::aws:policy/AdministratorAccess"]}
    roles:
      - name: admin
        trust: [{AWS: account}]             # or {AWS: user/x}, {Service: lambda.amazonaws.com}
        managed: ["arn:aws:iam::aws:policy/AdministratorAccess"]
        instance_profile: true
    policies:
      attacker-policy: [{Action: ..., Resource: ...}]        # Effect defaults to Allow
      versioned: {versions: [[...], [...]], default: 1}      # versions v1, v2...; default index
    scp: [{Effect: Deny, Action: iam:*, Resource: "*"}]    # an SCP on the account (plus FullAWSAccess)
    resources:
      - {arn: "arn:aws:s3:::second-data", policy: [...], tags: {app: second}}

Worlds are built through the model API (no file format involved), AWS managed policies are
filled from the packaged snapshot as ``load_inputs`` does.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from iamsim.analysis.techniques import Oracle
from iamsim.ingest import resolve_managed_policies
from iamsim.model import (
    Account,
    Group,
    ManagedPolicy,
    NodeKind,
    Organization,
    OrgNode,
    PolicyVersion,
    Resource,
    Role,
    Tags,
    User,
    World,
)
from iamsim.policy.builtin import (
    full_aws_access_scp,
)
from iamsim.policy.model import PolicyType
from iamsim.policy.parser import parse_policy

ACCOUNT = "111111111111"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def arn(kind: str, name: str, account: str = ACCOUNT) -> str:
    if name.startswith("arn:"):
        return name
    return f"arn:aws:iam::{account}:{kind}/{name}"


def _statements(items: Any) -> list[dict[str, Any]]:
    out = []
    for item in items or []:
        statement = dict(item)
        statement.setdefault("Effect", "Allow")
        out.append(statement)
    return out


def _document(items: Any, kind: PolicyType, name: str) -> Any:
    doc = {"Version": "2012-10-17", "Statement": _statements(items)}
    return parse_policy(doc, kind, name=name)


def _trust(items: Any, name: str) -> Any:
    statements = []
    for item in items or []:
        item = dict(item)
        condition = item.pop("Condition", None)
        principal: dict[str, Any] = {}
        for key, value in item.items():
            values = value if isinstance(value, list) else [value]
            resolved = []
            for v in values:
                if key == "AWS" and v == "account":
                    resolved.append(f"arn:aws:iam::{ACCOUNT}:root")
                elif key == "AWS" and not v.startswith("arn:") and "/" in v:
                    kind, _, rest = v.partition("/")
                    resolved.append(arn(kind, rest))
                else:
                    resolved.append(v)
            principal[key] = resolved
        statement: dict[str, Any] = {
            "Effect": "Allow",
            "Principal": principal,
            "Action": "sts:AssumeRole",
        }
        if condition:
            statement["Condition"] = condition
        statements.append(statement)
    return parse_policy(
        {"Version": "2012-10-17", "Statement": statements}, PolicyType.TRUST, name=name
    )


def _policy_arn(name: str) -> str:
    return name if name.startswith("arn:") else f"arn:aws:iam::{ACCOUNT}:policy/{name}"


def build_world(spec: Mapping[str, Any]) -> World:
    policies = []
    for name, body in (spec.get("policies") or {}).items():
        if isinstance(body, Mapping) and "versions" in body:
            default = int(body.get("default", 0))
            versions = tuple(
                PolicyVersion(
                    f"v{i + 1}",
                    _document(v, PolicyType.IDENTITY, name),
                    is_default=(i == default),
                )
                for i, v in enumerate(body["versions"])
            )
        else:
            versions = (PolicyVersion("v1", _document(body, PolicyType.IDENTITY, name), True),)
        policies.append(ManagedPolicy(arn=_policy_arn(name), name=name, versions=versions))

    def inline(entry: Mapping[str, Any], owner: str) -> tuple[Any, ...]:
        if not entry.get("allow"):
            return ()
        return (_document(entry["allow"], PolicyType.IDENTITY, f"inline ({owner})"),)

    users = []
    for u in spec.get("users") or []:
        users.append(
            User(
                arn=arn("user", u["name"]),
                name=u["name"],
                account=ACCOUNT,
                inline_policies=inline(u, f"user/{u['name']}"),
                managed_policy_arns=tuple(_policy_arn(m) for m in u.get("managed", ())),
                group_names=tuple(u.get("groups", ())),
                boundary_arn=_policy_arn(u["boundary"]) if u.get("boundary") else None,
                tags=Tags(u.get("tags") or {}),
            )
        )
    groups = [
        Group(
            arn=arn("group", g["name"]),
            name=g["name"],
            account=ACCOUNT,
            inline_policies=inline(g, f"group/{g['name']}"),
            managed_policy_arns=tuple(_policy_arn(m) for m in g.get("managed", ())),
        )
        for g in spec.get("groups") or []
    ]
    roles = []
    for r in spec.get("roles") or []:
        roles.append(
            Role(
                arn=arn("role", r["name"]),
                name=r["name"],
                account=ACCOUNT,
                trust_policy=_trust(r.get("trust"), f"trust policy of role/{r['name']}"),
                inline_policies=inline(r, f"role/{r['name']}"),
                managed_policy_arns=tuple(_policy_arn(m) for m in r.get("managed", ())),
                boundary_arn=_policy_arn(r["boundary"]) if r.get("boundary") else None,
                tags=Tags(r.get("tags") or {}),
                instance_profile_arns=(
                    (f"arn:aws:iam::{ACCOUNT}:instance-profile/{r['name']}",)
                    if r.get("instance_profile")
                    else ()
                ),
            )
        )
    resources = []
    for res in spec.get("resources") or []:
        policy = None
        if res.get("policy"):
            doc = {"Version": "2012-10-17", "Statement": _statements(res["policy"])}
            policy = parse_policy(doc, PolicyType.RESOURCE, name=f"policy of {res['arn']}")
        resources.append(
            Resource(
                arn=res["arn"], account=ACCOUNT, tags=Tags(res.get("tags") or {}), policy=policy
            )
        )
    organization = None
    if spec.get("scp") is not None:
        scp = parse_policy(
            {"Version": "2012-10-17", "Statement": _statements(spec["scp"])},
            PolicyType.SCP,
            name="account-scp",
        )
        account_node = OrgNode(
            ACCOUNT, NodeKind.ACCOUNT, "workload", scps=(full_aws_access_scp(), scp)
        )
        root = OrgNode(
            "r-test", NodeKind.ROOT, "Root", children=(account_node,), scps=(full_aws_access_scp(),)
        )
        organization = Organization(
            "o-test1234", management_account=None, root=root, rcp_enabled=False
        )
    world = World.of(
        accounts=[Account(ACCOUNT)],
        organization=organization,
        managed_policies=policies,
        users=users,
        groups=groups,
        roles=roles,
        resources=resources,
    )
    return resolve_managed_policies(world)


def oracle(world: World, **kwargs: Any) -> Oracle:
    return Oracle(world, now=NOW, **kwargs)


def runs_as(spec: Mapping[str, Any]) -> dict[str, str]:
    """The spec's ``runs_as`` (resource ARN -> role name or ARN) with role ARNs."""
    return {res: arn("role", role) for res, role in (spec.get("runs_as") or {}).items()}
