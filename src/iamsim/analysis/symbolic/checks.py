"""The document checks Access Analyzer calls custom policy checks, decided offline and exactly.

* :func:`compare` (``CheckNoNewAccess``): PASS when NEW allows no request OLD does not allow.
* :func:`not_granted` (``CheckAccessNotGranted``): PASS when no request for the given actions
  (on the given resources) is allowed in any context.
* :func:`no_public_access` (``CheckNoPublicAccess``): PASS when no caller outside every account
  and organization the policy names is allowed, in a context where the keys that pin a caller
  (organization, account, VPC, VPC endpoint, source) hold values of that outsider or are absent.

https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-custom-policy-checks.html
Each witness is a concrete request found by :class:`~.space.Space` and replayed through the
engine (:func:`~.questions.engine_decision`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from iamsim.analysis.symbolic.domains import FRESH, OUTSIDER_ACCOUNT
from iamsim.analysis.symbolic.questions import (
    BASE_CALLER,
    PRINCIPAL_TYPES,
    build_space,
    engine_decision,
    first,
    replay_request,
    request_record,
)
from iamsim.analysis.symbolic.results import CheckResult, Witness
from iamsim.analysis.symbolic.space import ABSENT, Space, Value
from iamsim.engine import Caller, CallerKind, Request, parse_caller
from iamsim.engine.compiled import compiled_policy
from iamsim.errors import InputError
from iamsim.policy.model import Effect, Policy, PolicyType, Statement

Leaf = tuple[int, ...]

MAX_WITNESSES = 5


def _witness(space: Space, leaf: tuple[int, ...], policy: Policy, with_principal: bool) -> Witness:
    request = space.leaf_request(leaf)
    replayed = replay_request(policy.policy_type, request)
    decision = engine_decision(policy, replayed)
    granted = tuple(
        f"{policy.label} {s.ref.statement}"
        for s in space.statements
        if not s.is_deny
        and s.ref.policy == policy.label
        and s.match(replayed, replayed.action.lower(), False)[0] is not None
    )
    return Witness(request_record(request, with_principal=with_principal), decision.value, granted)


def _diverse(space: Space, leaves: list[tuple[int, ...]]) -> list[tuple[int, ...]]:
    """At most one witness per action, at most MAX_WITNESSES."""
    seen: set[str] = set()
    out: list[tuple[int, ...]] = []
    for leaf in leaves:
        action = space.leaf_request(leaf).action
        if action not in seen:
            seen.add(action)
            out.append(leaf)
    return out[:MAX_WITNESSES]


def _focused(space: Space, goal: Callable[[int, int], bool | None], allow: int) -> list[Leaf]:
    """Leaves satisfying ``goal``, searched once per Allow statement (among the requests that
    statement applies to: any answer needs one), a few per statement."""
    leaves: list[Leaf] = []
    bits = [1 << i for i in range(allow.bit_length()) if allow >> i & 1] or [0]
    for bit in bits:
        leaves.extend(first(space.search(goal, bit), 8))
        if len(leaves) >= 64:
            break
    return leaves


def statement_key(policy: Policy, statement: Statement) -> tuple[object, ...]:
    """What a statement means, as a hashable value: two statements with equal keys grant and
    deny the same requests (names, Sids and locations left out)."""
    conditions = tuple((c.operator.text, c.key, c.values) for c in statement.conditions)
    return (
        policy.variables_enabled,
        statement.effect,
        statement.actions,
        statement.not_actions,
        statement.resources,
        statement.not_resources,
        statement.principal,
        statement.not_principal,
        conditions,
    )


def _allows_everything(policy: Policy) -> bool:
    """True when the policy allows every request: no Deny, and an Allow of every action on
    every resource, for everyone, without conditions."""
    if any(s.effect is Effect.DENY for s in policy.statements):
        return False
    return any(
        s.effect is Effect.ALLOW
        and s.actions is not None
        and "*" in s.actions
        and s.resources is not None
        and "*" in s.resources
        and not s.conditions
        and s.not_principal is None
        and (s.principal is None or s.principal.wildcard or "*" in s.principal.values("AWS"))
        for s in policy.statements
    )


def _structurally_within(new: Policy, old: Policy) -> bool:
    """A sufficient test for NEW allows nothing OLD does not: every Allow of NEW is an Allow
    of OLD and every Deny of OLD a Deny of NEW (then whatever NEW allows, OLD allows)."""
    if new.policy_type is PolicyType.RCP:
        return False
    new_keys = {statement_key(new, s) for s in new.statements}
    old_keys = {statement_key(old, s) for s in old.statements}
    for statement in new.statements:
        if statement.effect is Effect.ALLOW and statement_key(new, statement) not in old_keys:
            return False
    for statement in old.statements:
        if statement.effect is Effect.DENY and statement_key(old, statement) not in new_keys:
            return False
    return True


def _document_allows(policy: Policy, request: Request) -> bool:
    """Some Allow applies and no Deny does (RCPs: no Deny), with the engine's statements."""
    action = request.action.lower()
    applies = [
        s
        for s in compiled_policy(policy).statements
        if s.match(request, action, False)[0] is not None
    ]
    if any(s.is_deny for s in applies):
        return False
    return policy.policy_type is PolicyType.RCP or bool(applies)


def _probe(old: Policy, new: Policy) -> Witness | None:
    """A counterexample among a few obvious requests (an action and resource no policy names,
    the literal actions and resources of NEW's Allow statements), tried before the full
    search: found, it is as exact as any (a concrete request both documents decide)."""
    if old.policy_type in PRINCIPAL_TYPES:
        return None
    actions = [f"{FRESH}svc:{FRESH}action"]
    resources = ["*", f"arn:aws:{FRESH}:us-east-1:{OUTSIDER_ACCOUNT}:{FRESH}"]
    for statement in new.statements:
        if statement.effect is Effect.ALLOW:
            actions += [a for a in statement.actions or () if "*" not in a and "?" not in a][:8]
            resources += [r for r in statement.resources or () if "*" not in r and "?" not in r][:4]
    caller = parse_caller(BASE_CALLER)
    for action in dict.fromkeys(actions):
        for resource in dict.fromkeys(resources):
            request = Request(caller=caller, action=action, resource=resource)
            if _document_allows(new, request) and not _document_allows(old, request):
                replayed = replay_request(new.policy_type, request)
                decision = engine_decision(new, replayed)
                return Witness(request_record(request, with_principal=False), decision.value)
    return None


def compare(old: Policy, new: Policy, *, shortcuts: bool = True) -> CheckResult:
    """CheckNoNewAccess: FAIL with requests NEW allows and OLD does not.

    ``shortcuts=False`` skips the structural tests and probes and always runs the full
    search (benchmarks and tests of the search itself).
    """
    if old.policy_type is not new.policy_type:
        raise InputError(
            f"cannot compare a {old.policy_type.value} policy with a {new.policy_type.value} one"
        )
    if shortcuts and (_structurally_within(new, old) or _allows_everything(old)):
        return CheckResult("compare", "PASS", "the new policy grants no access the old one denies")
    probed = _probe(old, new) if shortcuts else None
    if probed is not None:
        return CheckResult(
            "compare", "FAIL", "the new policy grants access the old one does not", (probed,)
        )
    space, (new_side, old_side) = build_space([new, old])

    def goal(certain: int, possible: int) -> bool | None:
        grants = new_side.allows(certain, possible)
        if grants is False:
            return False
        before = old_side.allows(certain, possible)
        if before is True:
            return False
        if grants is True and before is False:
            return True
        return None

    leaves = _diverse(space, _focused(space, goal, new_side.allow))
    with_principal = "principal" in {c for d in space.dims for c in d.components}
    if not leaves:
        return CheckResult("compare", "PASS", "the new policy grants no access the old one denies")
    witnesses = tuple(_witness(space, leaf, new, with_principal) for leaf in leaves)
    return CheckResult(
        "compare", "FAIL", "the new policy grants access the old one does not", witnesses
    )


def not_granted(
    policy: Policy, actions: Sequence[str], resources: Sequence[str] | None = None
) -> CheckResult:
    """CheckAccessNotGranted: FAIL with a request for one of ``actions`` the policy allows."""
    if not actions and not resources:
        raise InputError("not-granted needs at least one --action or --resource")
    space, (side,) = build_space([policy], actions=list(actions) or None, resources=resources)
    leaves = _diverse(space, _focused(space, side.allows, side.allow))
    with_principal = "principal" in {c for d in space.dims for c in d.components}
    what = ", ".join(actions) if actions else "any action"
    where = f" on {', '.join(resources)}" if resources else ""
    if not leaves:
        return CheckResult("not-granted", "PASS", f"no context allows {what}{where}")
    witnesses = tuple(_witness(space, leaf, policy, with_principal) for leaf in leaves)
    return CheckResult("not-granted", "FAIL", f"the policy can allow {what}{where}", witnesses)


# Resource types CheckNoPublicAccess accepts, with the service prefixes of their actions.
# https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckNoPublicAccess.html
RESOURCE_TYPES: dict[str, frozenset[str]] = {
    "AWS::DynamoDB::Table": frozenset({"dynamodb"}),
    "AWS::DynamoDB::Stream": frozenset({"dynamodb"}),
    "AWS::EFS::FileSystem": frozenset({"elasticfilesystem"}),
    "AWS::OpenSearchService::Domain": frozenset({"es"}),
    "AWS::Kinesis::Stream": frozenset({"kinesis"}),
    "AWS::Kinesis::StreamConsumer": frozenset({"kinesis"}),
    "AWS::KMS::Key": frozenset({"kms"}),
    "AWS::Lambda::Function": frozenset({"lambda"}),
    "AWS::S3::Bucket": frozenset({"s3"}),
    "AWS::S3::AccessPoint": frozenset({"s3"}),
    "AWS::S3Express::DirectoryBucket": frozenset({"s3express"}),
    "AWS::S3Express::AccessPoint": frozenset({"s3express"}),
    "AWS::S3::Glacier": frozenset({"glacier"}),
    "AWS::S3Outposts::Bucket": frozenset({"s3-outposts"}),
    "AWS::S3Outposts::AccessPoint": frozenset({"s3-outposts"}),
    "AWS::SecretsManager::Secret": frozenset({"secretsmanager"}),
    "AWS::SNS::Topic": frozenset({"sns"}),
    "AWS::SQS::Queue": frozenset({"sqs"}),
    "AWS::IAM::AssumeRolePolicyDocument": frozenset({"sts"}),
    "AWS::S3Tables::TableBucket": frozenset({"s3tables"}),
    "AWS::S3Tables::Table": frozenset({"s3tables"}),
    "AWS::ApiGateway::RestApi": frozenset({"execute-api"}),
    "AWS::CodeArtifact::Domain": frozenset({"codeartifact"}),
    "AWS::Backup::BackupVault": frozenset({"backup"}),
    "AWS::CloudTrail::Dashboard": frozenset({"cloudtrail"}),
    "AWS::CloudTrail::EventDataStore": frozenset({"cloudtrail"}),
}

_OUTSIDER_ORG = "o-zz9zz9zz9z"
# Keys that pin the caller or the request's source to something the policy owner names: an
# outsider's request carries the outsider's own values, or none.
PINNING_KEYS: dict[str, Value] = {
    "aws:principalorgid": _OUTSIDER_ORG,
    "aws:principalorgpaths": [f"{_OUTSIDER_ORG}/r-zz9z/ou-zz9z-zz9zz9zz/"],
    "aws:sourceaccount": OUTSIDER_ACCOUNT,
    "aws:sourceowner": OUTSIDER_ACCOUNT,
    "aws:sourcearn": f"arn:aws:{FRESH}:us-east-1:{OUTSIDER_ACCOUNT}:{FRESH}",
    "aws:sourceorgid": _OUTSIDER_ORG,
    "aws:sourceorgpaths": [f"{_OUTSIDER_ORG}/r-zz9z/ou-zz9z-zz9zz9zz/"],
    "aws:sourcevpc": "vpc-0zz9zz9zz9zz9zz90",
    "aws:sourcevpce": "vpce-0zz9zz9zz9zz9zz90",
    "aws:sourcevpcarn": f"arn:aws:ec2:us-east-1:{OUTSIDER_ACCOUNT}:vpc/vpc-0zz9zz9zz9zz9zz90",
    "aws:vpcsourceip": "10.255.255.254",
    "kms:calleraccount": OUTSIDER_ACCOUNT,
    "s3:dataaccesspointaccount": OUTSIDER_ACCOUNT,
    "lambda:functionurlauthtype": "NONE",
}


def outsiders() -> list[Caller]:
    """Callers of an account and organization the policy cannot name: everyone AWS calls
    "public" (an anonymous caller, and any principal of any account)."""
    return [
        Caller(kind=CallerKind.ANONYMOUS),
        parse_caller(OUTSIDER_ACCOUNT),
        parse_caller(f"arn:aws:iam::{OUTSIDER_ACCOUNT}:user/{FRESH}user"),
        parse_caller(f"arn:aws:sts::{OUTSIDER_ACCOUNT}:assumed-role/{FRESH}role/{FRESH}"),
    ]


def no_public_access(policy: Policy, resource_type: str) -> CheckResult:
    """CheckNoPublicAccess: FAIL with a request an outsider can make."""
    services = RESOURCE_TYPES.get(resource_type)
    if services is None:
        known = ", ".join(sorted(RESOURCE_TYPES))
        raise InputError(f"unsupported resource type {resource_type!r}; one of: {known}")
    pinned: dict[str, list[Value]] = {k: [ABSENT, v] for k, v in PINNING_KEYS.items()}
    space, (side,) = build_space([policy], callers=outsiders(), pinned=pinned, services=services)
    leaves = _diverse(space, _focused(space, side.allows, side.allow))
    if not leaves:
        return CheckResult(
            "no-public-access", "PASS", f"the policy grants no public access to {resource_type}"
        )
    witnesses = tuple(_witness(space, leaf, policy, True) for leaf in leaves)
    return CheckResult(
        "no-public-access",
        "FAIL",
        f"the policy can grant public access to {resource_type}",
        witnesses,
    )
