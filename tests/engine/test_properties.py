"""Property tests for the decision engine: the laws the AWS evaluation logic implies.

Random but valid policy sets and requests are drawn from small alphabets (a handful of callers,
actions, resources, principals and conditions) so that statements match often. The laws:

* an explicit Deny ends evaluation, so adding a Deny statement never turns a non-Allow into
  Allow, and an explicit deny stays explicit when Allow statements are added;
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_AccessPolicyLanguage_Interplay.html
* permissions boundaries, session policies, SCP levels, RCP levels and VPC endpoint policies
  never grant: adding one never turns a deny into Allow;
  https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html
  The one documented exception is a federated-user session: GetFederationToken without a session
  policy has no permissions, so passing a session policy can enable it (the law is checked for
  every other caller);
  https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
* removing an Allow statement never grants;
* the order of statements and of policies never matters ("no first match wins");
* evaluation never raises on valid policies, and the fast path ``decide`` agrees with the
  explained path ``evaluate``, also when the compiled policy set is reused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamsim.engine import (
    DecisionValue,
    PolicySet,
    compile_policy_set,
    decide,
    evaluate,
    make_request,
)
from iamsim.policy.model import Policy, PolicyType
from iamsim.policy.parser import parse_policy
from iamsim.vocabulary.request import Request

A = "111122223333"
B = "444455556666"

CALLERS = [
    f"arn:aws:iam::{A}:user/alice",
    f"arn:aws:iam::{A}:user/bob",
    f"arn:aws:sts::{A}:assumed-role/app/s1",
    f"arn:aws:iam::{A}:role/app",
    f"arn:aws:sts::{A}:federated-user/carol",
    f"arn:aws:iam::{A}:root",
    f"arn:aws:iam::{A}:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport",
    f"arn:aws:iam::{B}:user/xena",
    f"arn:aws:sts::{B}:assumed-role/auditor/s1",
    "anonymous",
    "cloudtrail.amazonaws.com",
]

# (action, resource, resource account or None for "from the ARN / the caller's")
REQUESTS = [
    ("s3:GetObject", "arn:aws:s3:::bucket/key", A),
    ("s3:PutObject", "arn:aws:s3:::bucket/alice", A),
    ("s3:ListAllMyBuckets", "*", None),
    ("ec2:StartInstances", f"arn:aws:ec2:us-east-1:{A}:instance/i-1", None),
    ("kms:Decrypt", f"arn:aws:kms:us-east-1:{A}:key/k1", None),
    ("sts:AssumeRole", f"arn:aws:iam::{A}:role/Target", None),
    ("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{B}:queue", None),
]

ACTIONS = ["*", "s3:*", "s3:GetObject", "s3:Get*", "ec2:*", "kms:*", "sts:AssumeRole", "sqs:*"]
RESOURCES = [
    "*",
    "arn:aws:s3:::bucket/*",
    "arn:aws:s3:::bucket/key",
    "arn:aws:s3:::bucket/${aws:username}",
    "arn:aws:s3:::other/*",
    "arn:aws:ec2:*:*:instance/*",
    f"arn:aws:kms:*:{A}:key/*",
    f"arn:aws:iam::{A}:role/Target",
    f"arn:aws:sqs:*:{B}:*",
]
PRINCIPALS: list[Any] = [
    "*",
    {"AWS": "*"},
    {"AWS": A},
    {"AWS": f"arn:aws:iam::{B}:root"},
    {"AWS": f"arn:aws:iam::{A}:user/alice"},
    {"AWS": f"arn:aws:iam::{A}:role/app"},
    {"AWS": f"arn:aws:sts::{A}:assumed-role/app/s1"},
    {"AWS": f"arn:aws:sts::{A}:federated-user/carol"},
    {"AWS": f"arn:aws:iam::{B}:user/xena"},
    {"Service": "cloudtrail.amazonaws.com"},
]
CONDITIONS: list[dict[str, Any]] = [
    {"StringEquals": {"aws:PrincipalTag/team": "a"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}},
    {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-1"}},
    {"Null": {"aws:TokenIssueTime": "true"}},
    {"ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}},
    {"ForAllValues:StringLike": {"aws:TagKeys": "a*"}},
    {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/*"}},
    {"StringLike": {"s3:prefix": "home/${aws:username}/*"}},
    {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
]
CONTEXT_VALUES: dict[str, list[Any]] = {
    "aws:PrincipalTag/team": ["a", "b"],
    "aws:SecureTransport": [True, False],
    "aws:MultiFactorAuthPresent": [True, False],
    "aws:SourceIp": ["203.0.113.9", "198.51.100.1", "2001:db8::1"],
    "aws:PrincipalOrgID": ["o-1", "o-2"],
    "aws:TokenIssueTime": ["2024-01-01T00:00:00Z"],
    "aws:TagKeys": [["a"], ["a", "c"], []],
    "s3:prefix": ["home/alice/x", "other/"],
}

# Statement shapes each policy type accepts (the grammar of policy/rules.py):
#   identity-like: no Principal; trust: Principal, no Resource, no NotPrincipal, no bare "*";
#   resource/endpoint: Principal or (Deny only) NotPrincipal; RCP: Deny, Principal "*",
#   no NotAction; SCP: no Principal.


def laws(examples: int) -> Any:
    """Hypothesis settings for one law: bounded so that the whole file runs in well under 60 s."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


def rarely(draw: Callable[[st.SearchStrategy[bool]], bool], one_in: int) -> bool:
    """True about once in ``one_in`` draws (``sampled_from`` keeps the weights; plain integer
    or boolean draws are skewed by Hypothesis towards their simplest values)."""
    return bool(draw(st.sampled_from([False] * (one_in - 1) + [True])))


@st.composite
def statements(
    draw: st.DrawFn,
    policy_type: PolicyType,
    effect: str | None = None,
    hint: tuple[str, str] | None = None,
    exact: bool = False,
) -> dict[str, Any]:
    """One statement valid for ``policy_type``; ``hint`` (action, resource) biases it to match,
    and with ``exact`` it names exactly that action and resource (it applies unless its
    principal or condition does not)."""
    if exact and hint is not None:
        named: dict[str, Any] = draw(statements(policy_type, effect, hint))
        for element in ("Action", "NotAction", "Resource", "NotResource"):
            named.pop(element, None)
        named["Action"] = hint[0]
        if policy_type is not PolicyType.TRUST:
            named["Resource"] = hint[1]
        if not rarely(draw, 3):
            named.pop("Condition", None)
        return named
    if policy_type is PolicyType.RCP:
        effect = "Deny"
    # Mostly Allow, so that requests are often allowed and the laws have something to break.
    effect = effect or draw(st.sampled_from(["Allow"] * 5 + ["Deny"]))
    stmt: dict[str, Any] = {"Effect": effect}
    action_pool = ACTIONS if hint is None else [*ACTIONS, hint[0], hint[0], hint[0]]
    resource_pool = RESOURCES if hint is None else [*RESOURCES, hint[1], hint[1], hint[1]]
    actions = draw(st.lists(st.sampled_from(action_pool), min_size=1, max_size=2, unique=True))
    if policy_type is not PolicyType.RCP and rarely(draw, 5):
        stmt["NotAction"] = actions
    else:
        stmt["Action"] = actions
    if policy_type is not PolicyType.TRUST:
        resources = draw(
            st.lists(st.sampled_from(resource_pool), min_size=1, max_size=2, unique=True)
        )
        stmt["NotResource" if rarely(draw, 6) else "Resource"] = resources
    if policy_type is PolicyType.RCP:
        stmt["Principal"] = "*"
    elif policy_type in (PolicyType.RESOURCE, PolicyType.ENDPOINT, PolicyType.TRUST):
        principal = draw(st.sampled_from(PRINCIPALS))
        if policy_type is PolicyType.TRUST and principal == "*":
            principal = {"AWS": "*"}
        if effect == "Deny" and policy_type is not PolicyType.TRUST and rarely(draw, 4):
            stmt["NotPrincipal"] = principal if principal != "*" else {"AWS": A}
        else:
            stmt["Principal"] = principal
    if rarely(draw, 4):
        condition: dict[str, Any] = {}
        for block in draw(st.lists(st.sampled_from(CONDITIONS), min_size=1, max_size=2)):
            for operator, keys in block.items():
                condition.setdefault(operator, {}).update(keys)
        stmt["Condition"] = condition
    return stmt


def _document(stmts: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Sid": f"S{i}", **s} for i, s in enumerate(stmts)],
    }


def _parse(stmts: list[dict[str, Any]], policy_type: PolicyType, name: str) -> Policy:
    return parse_policy(_document(stmts), policy_type, name=name)


@st.composite
def policies(
    draw: st.DrawFn, policy_type: PolicyType, name: str, hint: tuple[str, str] | None = None
) -> Policy:
    stmts = draw(st.lists(statements(policy_type, hint=hint), min_size=1, max_size=3))
    return _parse(stmts, policy_type, name)


@st.composite
def requests(draw: st.DrawFn, callers: list[str] = CALLERS) -> Request:
    caller = draw(st.sampled_from(callers))
    action, resource, account = draw(st.sampled_from(REQUESTS))
    keys = draw(st.lists(st.sampled_from(sorted(CONTEXT_VALUES)), max_size=4, unique=True))
    context = {k: draw(st.sampled_from(CONTEXT_VALUES[k])) for k in keys}
    return make_request(caller, action, resource, resource_account=account, context=context)


def _resource_type(request: Request) -> PolicyType:
    trust = request.action.lower() == "sts:assumerole" and ":role/" in request.resource
    return PolicyType.TRUST if trust else PolicyType.RESOURCE


FULL_ACCESS = {"Effect": "Allow", "Action": "*", "Resource": "*"}


@st.composite
def levels(
    draw: st.DrawFn,
    policy_type: PolicyType,
    hint: tuple[str, str] | None = None,
    present: bool = False,
) -> tuple[tuple[Policy, ...], ...] | None:
    """None (the organization policy type does not govern the request) or 1-3 levels.

    SCP levels usually hold a FullAWSAccess-like Allow (as AWS attaches by default); RCP levels
    always include RCPFullAWSAccess implicitly (the engine adds it).
    """
    if not present and not rarely(draw, 3):
        return None
    chain = []
    for i in range(draw(st.integers(1, 3))):
        # RCPs are Deny-only: keep them sparse so that requests still pass now and then.
        most = 1 if policy_type is PolicyType.RCP else 2
        level = list(
            draw(st.lists(policies(policy_type, f"{policy_type.value}{i}", hint), max_size=most))
        )
        if policy_type is PolicyType.SCP and not rarely(draw, 4):
            level.append(_parse([FULL_ACCESS], PolicyType.SCP, "FullAWSAccess"))
        chain.append(tuple(level))
    return tuple(chain)


def _hint(request: Request) -> tuple[str, str]:
    resource = request.resource if request.resource != "*" else "*"
    return request.action, resource


@st.composite
def scenarios(
    draw: st.DrawFn,
    callers: list[str] = CALLERS,
    without: str | None = None,
    require: str | None = None,
) -> tuple[Request, PolicySet]:
    """A request and the policies that apply; ``without`` names a policy type left out and
    ``require`` one that is always present."""
    request = draw(requests(callers))
    hint = _hint(request)

    def optional(slot: str) -> bool:
        return slot == require or (slot != without and not rarely(draw, 2))

    policy_set = PolicySet(
        identity=tuple(
            draw(
                st.lists(
                    policies(PolicyType.IDENTITY, "identity", hint),
                    # usually at least one identity policy (Hypothesis favours empty lists)
                    min_size=0 if rarely(draw, 5) else 1,
                    max_size=2,
                )
            )
        ),
        boundary=draw(policies(PolicyType.BOUNDARY, "boundary", hint))
        if optional("boundary")
        else None,
        session=(
            tuple(
                draw(
                    st.lists(policies(PolicyType.SESSION, "session", hint), min_size=1, max_size=2)
                )
            )
            if optional("session")
            else None
        ),
        resource=(
            draw(policies(_resource_type(request), "resource", hint))
            if optional("resource")
            else None
        ),
        scp=draw(levels(PolicyType.SCP, hint, require == "scp")) if without != "scp" else None,
        rcp=draw(levels(PolicyType.RCP, hint, require == "rcp")) if without != "rcp" else None,
        endpoint=(
            draw(endpoints(hint))
            if require == "endpoint" or (without != "endpoint" and rarely(draw, 6))
            else None
        ),
    )
    return request, policy_set


ENDPOINT_DEFAULT = {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}


@st.composite
def endpoints(draw: st.DrawFn, hint: tuple[str, str] | None = None) -> tuple[Policy, ...]:
    """One endpoint policy, usually starting from the default full-access statement."""
    stmts = draw(st.lists(statements(PolicyType.ENDPOINT, hint=hint), min_size=1, max_size=2))
    if not rarely(draw, 3):
        stmts = [ENDPOINT_DEFAULT, *stmts]
    return (_parse(stmts, PolicyType.ENDPOINT, "endpoint"),)


def _value(request: Request, policy_set: PolicySet) -> DecisionValue:
    """The decision by both paths, checking that they agree."""
    explained = evaluate(request, policy_set).value
    fast = decide(request, policy_set)
    assert explained is fast, f"evaluate={explained} decide={fast}"
    return explained


def _append(
    policy: Policy | None, stmt: dict[str, Any], policy_type: PolicyType, name: str
) -> Policy:
    """``policy`` with one more statement (a new policy when there was none)."""
    added = parse_policy(
        {"Version": "2012-10-17", "Statement": [{"Sid": "Added", **stmt}]}, policy_type, name=name
    )
    if policy is None:
        return added
    return replace(policy, statements=(*policy.statements, *added.statements))


# ------------------------------------------------------------------------------ the laws


@laws(100)
@given(scenarios())
def test_evaluation_never_raises_and_paths_agree(scenario: tuple[Request, PolicySet]) -> None:
    request, policy_set = scenario
    value = _value(request, policy_set)
    compiled = compile_policy_set(policy_set)
    # A compiled set reused for a second decision gives the same answer on both paths.
    assert evaluate(request, compiled).value is value
    assert decide(request, compiled) is value
    assert decide(request, compiled) is value


# Callers each policy type governs (a Deny elsewhere is ignored, so the law holds trivially).
# A federated-user session is left out of the session-policy guardrail law below:
# GetFederationToken without a session policy has no permissions, so passing one can enable the
# session (documented, access_policies.html#policies_session).
SIGNED = [c for c in CALLERS if c.startswith("arn:")]
BOUNDED = [c for c in SIGNED if ":root" not in c]
ROLE_SESSIONS = [
    c for c in SIGNED if ":assumed-role/" in c or (":role/" in c and "aws-service-role" not in c)
]
SLOTS = [
    ("identity", SIGNED),
    ("boundary", BOUNDED),
    ("session", [*ROLE_SESSIONS, f"arn:aws:sts::{A}:federated-user/carol"]),
    ("resource", CALLERS),
    ("scp", SIGNED),
    ("rcp", CALLERS),
    ("endpoint", CALLERS),
]


@pytest.mark.parametrize(("slot", "callers"), SLOTS, ids=[s for s, _ in SLOTS])
@laws(30)
@given(data=st.data())
def test_adding_a_deny_never_grants(slot: str, callers: list[str], data: st.DataObject) -> None:
    # Half the time the policy type receiving the Deny already exists (it may allow).
    require = slot if data.draw(st.booleans()) else None
    request, policy_set = data.draw(scenarios(callers, require=require))
    before = _value(request, policy_set)
    after = _value(request, _with_statement(policy_set, request, slot, data, effect="Deny"))
    if before is not DecisionValue.ALLOW:
        assert after is not DecisionValue.ALLOW, f"a Deny in {slot} granted: {before} -> {after}"
    if before is DecisionValue.EXPLICIT_DENY:
        assert after is DecisionValue.EXPLICIT_DENY


@laws(60)
@given(scenarios(), st.data())
def test_adding_an_allow_never_lifts_an_explicit_deny(
    scenario: tuple[Request, PolicySet], data: st.DataObject
) -> None:
    request, policy_set = scenario
    before = _value(request, policy_set)
    slot = data.draw(
        st.sampled_from(["identity", "boundary", "session", "resource", "scp", "endpoint"])
    )
    after = _value(request, _with_statement(policy_set, request, slot, data, effect="Allow"))
    if before is DecisionValue.EXPLICIT_DENY:
        assert after is DecisionValue.EXPLICIT_DENY, f"an Allow in {slot} lifted an explicit deny"


GUARDS = [
    ("boundary", BOUNDED),
    ("session", ROLE_SESSIONS),
    ("scp", SIGNED),
    ("rcp", CALLERS),
    ("endpoint", CALLERS),
]


@pytest.mark.parametrize(("guard", "callers"), GUARDS, ids=[g for g, _ in GUARDS])
@laws(35)
@given(data=st.data())
def test_guardrails_never_grant(guard: str, callers: list[str], data: st.DataObject) -> None:
    """Adding a boundary, session policies, an SCP level, an RCP level or an endpoint policy
    never turns a deny into Allow (so removing one never turns Allow into a deny)."""
    single = guard in ("boundary", "session", "endpoint")
    request, policy_set = data.draw(scenarios(callers, without=guard if single else None))
    with_guard = _with_guardrail(policy_set, request, guard, data)
    without = _value(request, policy_set)
    if _value(request, with_guard) is DecisionValue.ALLOW:
        assert without is DecisionValue.ALLOW, f"adding {guard} granted: {without} -> Allow"


@laws(80)
@given(scenarios(), st.data())
def test_removing_an_allow_never_grants(
    scenario: tuple[Request, PolicySet], data: st.DataObject
) -> None:
    request, policy_set = scenario
    before = _value(request, policy_set)
    located = _allow_statements(policy_set)
    if not located:
        return
    where = data.draw(st.sampled_from(located))
    after = _value(request, _without_statement(policy_set, where))
    if before is not DecisionValue.ALLOW:
        assert after is not DecisionValue.ALLOW, f"removing the Allow at {where} granted"


@laws(50)
@given(scenarios(), st.randoms(use_true_random=False))
def test_order_of_statements_and_policies_does_not_matter(
    scenario: tuple[Request, PolicySet], rnd: Any
) -> None:
    request, policy_set = scenario
    before = _value(request, policy_set)

    def shuffled(policy: Policy) -> Policy:
        stmts = list(policy.statements)
        rnd.shuffle(stmts)
        return replace(policy, statements=tuple(stmts))

    def many(group: tuple[Policy, ...] | None) -> tuple[Policy, ...] | None:
        if group is None:
            return None
        items = [shuffled(p) for p in group]
        rnd.shuffle(items)
        return tuple(items)

    reordered = PolicySet(
        identity=many(policy_set.identity) or (),
        boundary=shuffled(policy_set.boundary) if policy_set.boundary else None,
        session=many(policy_set.session),
        resource=shuffled(policy_set.resource) if policy_set.resource else None,
        scp=tuple(many(level) or () for level in policy_set.scp) if policy_set.scp else None,
        rcp=tuple(many(level) or () for level in policy_set.rcp) if policy_set.rcp else None,
        endpoint=many(policy_set.endpoint),
    )
    assert _value(request, reordered) is before


# ------------------------------------------------------------------------------ helpers


def _with_statement(
    policy_set: PolicySet, request: Request, slot: str, data: st.DataObject, *, effect: str
) -> PolicySet:
    """``policy_set`` with one more statement of ``effect`` in the policy type ``slot``; half
    the time the statement names exactly the requested action and resource."""
    hint = _hint(request)
    exact = data.draw(st.booleans())
    if slot == "identity":
        stmt = data.draw(statements(PolicyType.IDENTITY, effect, hint, exact))
        return replace(
            policy_set,
            identity=(*policy_set.identity, _parse([stmt], PolicyType.IDENTITY, "added")),
        )
    if slot == "boundary":
        stmt = data.draw(statements(PolicyType.BOUNDARY, effect, hint, exact))
        return replace(
            policy_set, boundary=_append(policy_set.boundary, stmt, PolicyType.BOUNDARY, "boundary")
        )
    if slot == "session":
        stmt = data.draw(statements(PolicyType.SESSION, effect, hint, exact))
        session = policy_set.session
        if session is None:
            return replace(policy_set, session=(_parse([stmt], PolicyType.SESSION, "session"),))
        first = _append(session[0], stmt, PolicyType.SESSION, "session")
        return replace(policy_set, session=(first, *session[1:]))
    if slot == "resource":
        policy_type = _resource_type(request)
        stmt = data.draw(statements(policy_type, effect, hint, exact))
        return replace(
            policy_set, resource=_append(policy_set.resource, stmt, policy_type, "resource")
        )
    if slot in ("scp", "rcp"):
        policy_type = PolicyType.SCP if slot == "scp" else PolicyType.RCP
        stmt = data.draw(statements(policy_type, effect, hint, exact))
        added = _parse([stmt], policy_type, f"added-{slot}")
        chain = getattr(policy_set, slot) or ((),)
        index = data.draw(st.integers(0, len(chain) - 1))
        new_chain = tuple((*level, added) if i == index else level for i, level in enumerate(chain))
        return replace(policy_set, **{slot: new_chain})
    stmt = data.draw(statements(PolicyType.ENDPOINT, effect, hint, exact))
    endpoint = policy_set.endpoint
    if endpoint is None:
        return replace(policy_set, endpoint=(_parse([stmt], PolicyType.ENDPOINT, "endpoint"),))
    return replace(
        policy_set,
        endpoint=(_append(endpoint[0], stmt, PolicyType.ENDPOINT, "endpoint"), *endpoint[1:]),
    )


def _with_guardrail(
    policy_set: PolicySet, request: Request, guard: str, data: st.DataObject
) -> PolicySet:
    """``policy_set`` with one more guardrail, biased to match the request."""
    hint = _hint(request)
    if guard == "boundary":
        return replace(
            policy_set, boundary=data.draw(policies(PolicyType.BOUNDARY, "boundary", hint))
        )
    if guard == "session":
        drawn = data.draw(
            st.lists(policies(PolicyType.SESSION, "session", hint), min_size=1, max_size=2)
        )
        return replace(policy_set, session=tuple(drawn))
    if guard in ("scp", "rcp"):
        policy_type = PolicyType.SCP if guard == "scp" else PolicyType.RCP
        level = list(data.draw(st.lists(policies(policy_type, f"new-{guard}", hint), max_size=2)))
        if policy_type is PolicyType.SCP and not rarely(data.draw, 4):
            level.append(_parse([FULL_ACCESS], PolicyType.SCP, "FullAWSAccess"))
        chain = getattr(policy_set, guard) or ()
        position = data.draw(st.integers(0, len(chain)))
        return replace(policy_set, **{guard: (*chain[:position], tuple(level), *chain[position:])})
    return replace(policy_set, endpoint=data.draw(endpoints(hint)))


def _allow_statements(policy_set: PolicySet) -> list[tuple[str, int, int, int]]:
    """(slot, level, policy index, statement index) of every Allow statement."""
    found: list[tuple[str, int, int, int]] = []

    def scan(slot: str, level: int, group: tuple[Policy, ...] | None) -> None:
        for p_index, policy in enumerate(group or ()):
            for s_index, stmt in enumerate(policy.statements):
                if stmt.effect.value == "Allow":
                    found.append((slot, level, p_index, s_index))

    scan("identity", 0, policy_set.identity)
    scan("boundary", 0, (policy_set.boundary,) if policy_set.boundary else None)
    scan("session", 0, policy_set.session)
    scan("resource", 0, (policy_set.resource,) if policy_set.resource else None)
    for level, policies_at_level in enumerate(policy_set.scp or ()):
        scan("scp", level, policies_at_level)
    scan("endpoint", 0, policy_set.endpoint)
    return found


# An Allow that can never apply: replacing a removed statement with it keeps the policy present
# (removing a whole policy is removing a guardrail, or, for a KMS key, falls back to the
# default key policy, which is not what this law is about).
_INERT = {"Effect": "Allow", "Action": "inert:Never", "Resource": "arn:aws:s3:::inert-never"}
_INERT_WITH_PRINCIPAL = {**_INERT, "Principal": {"AWS": "arn:aws:iam::999999999999:user/nobody"}}


def _without_statement(policy_set: PolicySet, where: tuple[str, int, int, int]) -> PolicySet:
    slot, level, p_index, s_index = where

    def drop(policy: Policy) -> Policy:
        stmts = tuple(s for i, s in enumerate(policy.statements) if i != s_index)
        if stmts:
            return replace(policy, statements=stmts)
        inert = (
            dict(_INERT_WITH_PRINCIPAL)
            if policy.policy_type
            in (
                PolicyType.RESOURCE,
                PolicyType.ENDPOINT,
                PolicyType.TRUST,
            )
            else dict(_INERT)
        )
        if policy.policy_type is PolicyType.TRUST:
            inert.pop("Resource")
        return _parse([inert], policy.policy_type, policy.name or "inert")

    def in_group(group: tuple[Policy, ...]) -> tuple[Policy, ...]:
        return tuple(drop(p) if i == p_index else p for i, p in enumerate(group))

    if slot == "identity":
        return replace(policy_set, identity=in_group(policy_set.identity))
    if slot == "boundary" and policy_set.boundary is not None:
        return replace(policy_set, boundary=drop(policy_set.boundary))
    if slot == "session" and policy_set.session is not None:
        return replace(policy_set, session=in_group(policy_set.session))
    if slot == "resource" and policy_set.resource is not None:
        return replace(policy_set, resource=drop(policy_set.resource))
    if slot == "scp" and policy_set.scp is not None:
        chain = tuple(in_group(lv) if i == level else lv for i, lv in enumerate(policy_set.scp))
        return replace(policy_set, scp=chain)
    assert policy_set.endpoint is not None
    return replace(policy_set, endpoint=in_group(policy_set.endpoint))
