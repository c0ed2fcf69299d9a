"""The AWS authorization decision for one request, and its explanation.

The procedure follows the documented order:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html

1. an explicit Deny in any applicable policy ends evaluation (ExplicitDeny);
2. RCPs of the resource owner's organization, then SCPs of the caller's, must allow at every
   level from the root down to the account; VPC endpoint policies must allow;
3. role trust policies and KMS key policies must allow even within one account (own branches);
4. within one account, a resource-based grant naming the caller directly is final; otherwise the
   identity policies (or a resource-based grant to the caller's role or user) must allow, capped by
   the permissions boundary and the session policies;
5. across accounts both sides must allow, with no shortcut.

Each branch below cites the page it implements; docs/semantics.md lists every choice made where
AWS pages disagree.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from iamsim.engine.compiled import (
    IMPLICIT_PRINCIPAL,
    Applied,
    Check,
    CompiledPolicy,
    CompiledStatement,
    compiled_policy,
    forget_compiled,
)
from iamsim.engine.policies import PolicySet
from iamsim.engine.principals import MatchClass
from iamsim.engine.service_rules import (
    BUCKET_POLICY_ACTIONS,
    aws_managed_restriction,
    bucket_owner_root_keeps_policy_access,
    credential_restriction,
    owner_account_only,
)
from iamsim.engine.trace import (
    Decision,
    DecisionValue,
    PolicyTypeResult,
    PolicyTypeVerdict,
    StatementRef,
    StatementTrace,
)
from iamsim.policy.builtin import RCP_FULL_AWS_ACCESS_POLICY
from iamsim.policy.model import Policy, PolicyType
from iamsim.vocabulary.arn import parse_arn
from iamsim.vocabulary.request import SESSION_KINDS, CallerKind, Request
from iamsim.vocabulary.targets import resource_policy_kind

ALLOW = DecisionValue.ALLOW
EXPLICIT_DENY = DecisionValue.EXPLICIT_DENY
IMPLICIT_DENY = DecisionValue.IMPLICIT_DENY

# "The kms:RetireGrant permission is not effective in an RCP"
# https://docs.aws.amazon.com/kms/latest/developerguide/resource-control-policies.html
RCP_EXEMPT_ACTIONS = frozenset({"kms:retiregrant"})

# "No permissions are required to perform this operation. If an administrator attaches a policy
# to your identity that explicitly denies access to the sts:GetCallerIdentity action, you can
# still perform this operation."
# https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
# "No permissions are required for a user to get a session token ... You cannot use policies to
# control authentication operations."
# https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getsessiontoken.html
NO_PERMISSION_ACTIONS = frozenset({"sts:getcalleridentity", "sts:getsessiontoken"})

# Services reached through gateway VPC endpoints.
# https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html
GATEWAY_ENDPOINT_SERVICES = frozenset({"s3", "dynamodb"})

_SIGNED_IAM = frozenset(
    {CallerKind.USER, CallerKind.ROLE_SESSION, CallerKind.FEDERATED_USER, CallerKind.ROOT}
)

# Services some rule beyond the policies concerns: credential restrictions (iam, sts),
# AWS-managed entities (iam, kms), actions needing no permission (sts), trust policies (sts),
# key policies and cross-account key use (kms), owner-only queue operations (sqs), and the S3
# bucket-policy operations (BUCKET_POLICY_ACTIONS). Any other action is decided by the
# policies alone, which the short decision path (_decide_plain) relies on;
# tests/engine/test_plain_path.py checks that every rule's actions stay out of it.
_RULED_SERVICES = frozenset({"iam", "sts", "kms", "sqs"})


def policies_alone_decide(action: str) -> bool:
    """Whether no rule but the policies bears on the lowercased ``action`` (any caller)."""
    return action.partition(":")[0] not in _RULED_SERVICES and action not in BUCKET_POLICY_ACTIONS


@lru_cache(maxsize=1)
def _default_rcp_services() -> frozenset[str] | None:
    """Services whose resources RCPs govern, from the service reference (None: unknown)."""
    try:
        from iamsim.catalog.service_reference import service_reference
    except ImportError:  # pragma: no cover - the catalog ships with the package
        return None
    return frozenset(service_reference().rcp_supported_services())


@dataclass(frozen=True, slots=True)
class EngineOptions:
    """Choices where AWS documentation leaves room; defaults follow docs/semantics.md."""

    # Services RCPs apply to; None = the service reference's list.
    rcp_services: frozenset[str] | None = None


_DEFAULT_OPTIONS = EngineOptions()


class CompiledPolicySet:
    """A :class:`PolicySet` with every policy compiled once, to decide many requests."""

    __slots__ = (
        "_briefs",
        "_plains",
        "_plans",
        "_service_plans",
        "boundary",
        "endpoint",
        "identity",
        "policies",
        "rcp",
        "resource",
        "scp",
        "session",
        "slots",
    )

    def __init__(self, policies: PolicySet, *, shared: bool = True) -> None:
        """``shared``: each policy's compiled form taken from (and left in) the cache of
        compiled policies, so sets sharing a policy share its compilation; False for a set met
        once (a scenario carrying its own policy text), whose policies nothing asks for again:
        compiled for this set alone, held by nothing else."""
        self.policies = policies
        one: Callable[[Policy, int | None], CompiledPolicy] = (
            compiled_policy if shared else CompiledPolicy
        )

        def many(group: tuple[Policy, ...], level: int | None = None) -> tuple[CompiledPolicy, ...]:
            return tuple([one(policy, level) for policy in group])

        self.identity = many(policies.identity)
        self.boundary = one(policies.boundary, None) if policies.boundary else None
        self.session = many(policies.session) if policies.session else None
        self.resource = one(policies.resource, None) if policies.resource else None
        self.scp = (
            tuple(many(level, i) for i, level in enumerate(policies.scp)) if policies.scp else None
        )
        self.rcp = (
            tuple(many(_with_rcp_full_access(level), i) for i, level in enumerate(policies.rcp))
            if policies.rcp
            else None
        )
        self.endpoint = many(policies.endpoint) if policies.endpoint else None
        # Every present policy type (and organization level) in one fixed order, so the fast
        # path can walk all candidate statements of a service in a single flat loop.
        slots: list[tuple[str, int | None, tuple[CompiledPolicy, ...]]] = [
            ("identity", None, self.identity),
            ("boundary", None, (self.boundary,) if self.boundary else ()),
            ("session", None, self.session or ()),
            ("resource", None, (self.resource,) if self.resource else ()),
            ("endpoint", None, self.endpoint or ()),
        ]
        slots += [("scp", i, level) for i, level in enumerate(self.scp or ())]
        slots += [("rcp", i, level) for i, level in enumerate(self.rcp or ())]
        self.slots = tuple(slots)
        self._plans: dict[str, ActionPlan] = {}
        self._plains: dict[str, _PlainPlan | None] = {}
        self._briefs: dict[str, _Brief | None] = {}
        self._service_plans: dict[str, tuple[tuple[int, CompiledStatement], ...]] = {}

    def plan(self, service: str) -> tuple[tuple[int, CompiledStatement], ...]:
        """(slot index, statement) for every statement that may apply to ``service``."""
        found = self._service_plans.get(service)
        if found is None:
            found = tuple(
                (index, statement)
                for index, (_, _, policies) in enumerate(self.slots)
                for policy in policies
                for statement in policy.candidates(service)
            )
            self._service_plans[service] = found
        return found

    def action_plan(self, action: str) -> ActionPlan:
        """For the lowercased ``action``: per slot, the Deny and the Allow statements whose
        Action/NotAction element covers it (the index that lets a request meet only the
        statements that can apply to it). Allows that apply whatever the request (constant
        ones) come first, so "does this group allow?" usually stops at the first; the Allows'
        places in their documents go with them when that reorders them (None when it does not),
        so that the statements a group reports keep document order, as the traced path's do."""
        found = self._plans.get(action)
        if found is not None:
            return found
        service = action.partition(":")[0]
        entries: list[tuple[int, Statements, Statements, dict[int, int] | None]] = []
        for index, (_, _, policies) in enumerate(self.slots):
            denies: list[CompiledStatement] = []
            constants: list[CompiledStatement] = []
            allows: list[CompiledStatement] = []
            in_order: list[CompiledStatement] = []  # the Allows in document order
            for policy in policies:
                for statement in policy.candidates(service):
                    if statement.action_applies(action):
                        if statement.is_deny:
                            denies.append(statement)
                            continue
                        in_order.append(statement)
                        if statement.constant is not None:
                            constants.append(statement)
                        else:
                            allows.append(statement)
            if denies or in_order:
                pending = (*constants, *allows)  # constants first, each part in order
                ranks = (
                    None
                    if list(pending) == in_order
                    else {id(statement): rank for rank, statement in enumerate(in_order)}
                )
                entries.append((index, tuple(denies), pending, ranks))
        plan = tuple(entries)
        if len(self._plans) >= _PLAN_LIMIT:
            self._plans.clear()  # a crude bound; plans are cheap to rebuild
        self._plans[action] = plan
        return plan

    def plain_plan(self, action: str) -> _PlainPlan | None:
        """The short path's plan for the lowercased ``action``; None when the action or the
        set needs the full procedure (a rule beyond the policies, a trust policy, or an
        endpoint policy)."""
        if action in self._plains:
            return self._plains[action]
        plain = None
        resource = self.resource
        if (
            policies_alone_decide(action)
            and not self.endpoint
            and (resource is None or resource.policy.policy_type is not PolicyType.TRUST)
        ):
            plain = _PlainPlan(self, self.action_plan(action), action)
        if len(self._plains) >= _PLAN_LIMIT:
            self._plains.clear()
        self._plains[action] = plain
        return plain

    def brief(self, action: str) -> _Brief | None:
        """The explanation memo of the lowercased ``action`` (see :class:`_Brief`); None on
        the first request of the action (a memo pays from the second on: a set met once is
        not worth one) and for an action or set off the short path's ground."""
        found = self._briefs.get(action, _UNASKED)
        if found is _UNASKED:
            found = None
            self._briefs[action] = _ASKED_ONCE
        elif found is _ASKED_ONCE:
            found = (
                None if self.plain_plan(action) is None else _Brief(self, self.action_plan(action))
            )
            if len(self._briefs) >= _PLAN_LIMIT:
                self._briefs.clear()
            self._briefs[action] = found
        return found


# Per slot with candidates: (slot index, Deny statements, Allow statements in the order they are
# tried, the Allows' document order when that differs: statement id -> rank, else None).
ActionPlan = tuple[
    tuple[int, tuple[CompiledStatement, ...], tuple[CompiledStatement, ...], dict[int, int] | None],
    ...,
]
_PLAN_LIMIT = 4096


def _with_rcp_full_access(level: tuple[Policy, ...]) -> tuple[Policy, ...]:
    if any(p.name == RCP_FULL_AWS_ACCESS_POLICY.name for p in level):
        return level
    return (RCP_FULL_AWS_ACCESS_POLICY, *level)


# Compiled sets by the identities of their policies: the request builder hands out the same
# Policy objects for the same principal and resource, so repeated questions reuse the set (and
# its per-service statement plans). Entries keep their PolicySet alive, so ids stay unique.
_SETS: OrderedDict[tuple[object, ...], tuple[PolicySet, CompiledPolicySet]] = OrderedDict()
_SETS_LIMIT = 16384


def _ids(policies: tuple[Policy, ...] | None) -> tuple[int, ...] | None:
    return None if policies is None else tuple(map(id, policies))


def policy_set_key(policies: PolicySet) -> tuple[object, ...]:
    """A key naming a policy set by the identity of its policies (valid while they live)."""
    return (
        _ids(policies.identity),
        id(policies.boundary),
        _ids(policies.session),
        id(policies.resource),
        None if policies.scp is None else tuple(map(_ids, policies.scp)),
        None if policies.rcp is None else tuple(map(_ids, policies.rcp)),
        _ids(policies.endpoint),
    )


def compile_policy_set(policies: PolicySet | CompiledPolicySet) -> CompiledPolicySet:
    """The compiled form of a policy set, reusing an earlier compilation of the same policies."""
    if isinstance(policies, CompiledPolicySet):
        return policies
    key = policy_set_key(policies)
    entry = _SETS.get(key)
    if entry is not None:
        _SETS.move_to_end(key)
        return entry[1]
    compiled = CompiledPolicySet(policies)
    _SETS[key] = (policies, compiled)
    if len(_SETS) > _SETS_LIMIT:
        _SETS.popitem(last=False)
    return compiled


def forget_compiled_sets() -> None:
    """Drop every cached compiled policy set and compiled policy (see
    :func:`~iamsim.engine.compiled.forget_compiled`)."""
    _SETS.clear()
    forget_compiled()


# Group codes of the short path, in slot order: which callers each policy type governs.
_IDENTITY, _BOUNDARY, _SESSION, _RESOURCE, _ENDPOINT, _SCP, _RCP = range(7)
_SLOT_CODES = {
    "identity": _IDENTITY,
    "boundary": _BOUNDARY,
    "session": _SESSION,
    "resource": _RESOURCE,
    "endpoint": _ENDPOINT,
    "scp": _SCP,
    "rcp": _RCP,
}
Statements = tuple[CompiledStatement, ...]


# Which policy types govern a caller, as bits of the index into _PlainPlan.denies.
_BOUNDARY_ON, _SESSION_ON, _SCP_ON, _RCP_ON = 1, 2, 4, 8
_CODE_BIT = {_BOUNDARY: _BOUNDARY_ON, _SESSION: _SESSION_ON, _SCP: _SCP_ON, _RCP: _RCP_ON}

# A group of Allow statements compiled for the short path: None when the group allows every
# request of the action (a constant Allow), else the checks of its Allows (empty: none).
Checks = tuple[Check, ...]


def _always(match_class: int) -> Check:
    def constant(request: Request, parts: list[str] | None) -> int | None:
        return match_class

    return constant


def _check(statement: CompiledStatement, bounded: bool) -> Check:
    found = statement.checker(bounded)
    return _always(found) if isinstance(found, int) else found


def _allow_checks(statements: Statements, bounded: bool) -> Checks | None:
    if statements and statements[0].constant is not None:
        return None  # constants come first (action_plan): the group always allows
    return tuple(_check(statement, bounded) for statement in statements)


class _PlainPlan:
    """One action's statements compiled for :func:`_decide_plain`.

    ``denies[mask]``: the Deny checks of the policy types that govern a caller described by
    ``mask`` (bits _BOUNDARY_ON, _SESSION_ON, _SCP_ON, _RCP_ON; identity and resource-based
    policies govern every caller), so the per-request loop filters nothing. The Allow groups
    as :func:`_allow_checks` makes them (``boundary``/``session`` also None when the set has
    no such policy: see the ``has_*`` flags); ``resource`` keeps every Allow's check, since
    how each names the caller matters; ``scp``/``rcp`` only the levels that may fail to
    allow (None when none may). ``rcp_on``: whether RCPs govern this action under the
    default options (before the service-linked exemption).
    """

    __slots__ = (
        "action",
        "boundary",
        "denies",
        "has_boundary",
        "has_rcp",
        "has_session",
        "identity",
        "rcp",
        "rcp_on",
        "resource",
        "scp",
        "session",
    )

    def __init__(self, compiled: CompiledPolicySet, plan: ActionPlan, action: str) -> None:
        bounded = compiled.boundary is not None
        by_slot = {index: (denies, allows) for index, denies, allows, _ in plan}
        denies: list[tuple[int, Check]] = []
        allows: dict[int, Statements] = {}
        scp: list[Checks | None] = []
        rcp: list[Checks | None] = []
        for index, (name, _, policies) in enumerate(compiled.slots):
            code = _SLOT_CODES[name]
            slot_denies, slot_allows = by_slot.get(index, ((), ()))
            denies += [(code, _check(statement, bounded)) for statement in slot_denies]
            if code == _SCP:
                scp.append(_allow_checks(slot_allows, bounded))
            elif code == _RCP:
                rcp.append(_allow_checks(slot_allows, bounded))
            elif policies:
                allows[code] = slot_allows
        self.action = action
        self.denies = tuple(
            tuple(
                check for code, check in denies if code not in _CODE_BIT or _CODE_BIT[code] & mask
            )
            for mask in range(16)
        )
        self.identity = _allow_checks(allows.get(_IDENTITY, ()), bounded)
        self.has_boundary = _BOUNDARY in allows
        self.boundary = _allow_checks(allows.get(_BOUNDARY, ()), bounded)
        self.has_session = _SESSION in allows
        self.session = _allow_checks(allows.get(_SESSION, ()), bounded)
        self.resource = tuple(_check(s, bounded) for s in allows.get(_RESOURCE, ()))
        # Levels are needed only when one of them may fail to allow.
        self.scp = _open_levels(scp)
        self.rcp = _open_levels(rcp)
        self.has_rcp = compiled.rcp is not None
        self.rcp_on = self.has_rcp and _rcp_governs(action, _DEFAULT_OPTIONS)


def _open_levels(levels: list[Checks | None]) -> tuple[Checks, ...] | None:
    open_levels = tuple(level for level in levels if level is not None)
    return open_levels or None  # None: every level allows every request of this action


def _rcp_governs(action: str, options: EngineOptions) -> bool:
    """Whether RCPs bear on ``action`` at all (before the service-linked exemption)."""
    if action in RCP_EXEMPT_ACTIONS:
        return False
    rcp_services = options.rcp_services or _default_rcp_services()
    return rcp_services is None or action.partition(":")[0] in rcp_services


def _decide_plain(request: Request, plan: _PlainPlan, options: EngineOptions) -> DecisionValue:
    """The decision for an IAM principal's request that only the policies decide.

    The same procedure as :meth:`_Evaluation.decide` restricted to what can happen there for
    a signed IAM caller, an action of :func:`policies_alone_decide`, no endpoint policy and no
    trust policy: explicit Deny, organization levels, then the same-account or cross-account
    branch with the boundary and session ceilings. ``tests/engine/test_properties.py`` checks
    it against the traced evaluation on random policy sets.

    Every statement is a compiled check (``CompiledStatement.checker``) and every group loop
    is written out here (for/else): a call per statement, none per group.
    """
    caller = request.caller
    kind = caller.kind
    # The resource split once (split_request_arn inlined); None for "*" or a non-ARN.
    split = request.resource.split(":", 5)
    parts = split if len(split) == 6 and split[0] == "arn" else None
    if caller.service_linked:
        mask = 0
        scp_on = rcp_on = False
    else:
        scp_on = True
        if options is _DEFAULT_OPTIONS:
            rcp_on = plan.rcp_on
        else:
            rcp_on = plan.has_rcp and _rcp_governs(plan.action, options)
        mask = _SCP_ON | _RCP_ON if rcp_on else _SCP_ON
    boundary_on = kind is not CallerKind.ROOT
    session_on = kind in SESSION_KINDS
    if boundary_on:
        mask |= _BOUNDARY_ON
    if session_on:
        mask |= _SESSION_ON
    # 1. an explicit Deny in any policy type that governs the caller.
    for check in plan.denies[mask]:
        if check(request, parts) is not None:
            return EXPLICIT_DENY
    # 2. every RCP level, then every SCP level, must allow.
    if rcp_on and plan.rcp is not None:
        for level in plan.rcp:
            for check in level:
                if check(request, parts) is not None:
                    break
            else:
                return IMPLICIT_DENY
    if scp_on and plan.scp is not None:
        for level in plan.scp:
            for check in level:
                if check(request, parts) is not None:
                    break
            else:
                return IMPLICIT_DENY
    # 3. the resource-based policy's grants, by how they name the caller.
    direct = entity = granted = False
    for check in plan.resource:
        match_class = check(request, parts)
        if match_class is not None:
            granted = True
            if match_class == MatchClass.DIRECT or match_class == MatchClass.SERVICE:
                direct = True
            elif match_class == MatchClass.ENTITY:
                entity = True
    identity = plan.identity
    # Request.same_account inlined: the owner unknown on either side counts as the same.
    owner = request.resource_account
    same_account = owner is None or caller.account is None or owner == caller.account
    if same_account:
        if direct or kind is CallerKind.ROOT:
            return ALLOW
        if not entity and identity is not None:
            for check in identity:
                if check(request, parts) is not None:
                    break
            else:
                return IMPLICIT_DENY
    elif kind is not CallerKind.ROOT and identity is not None:
        for check in identity:
            if check(request, parts) is not None:
                break
        else:
            return IMPLICIT_DENY
    # 4. the permissions boundary and the session policy cap the principal's side.
    if boundary_on and plan.has_boundary and plan.boundary is not None:
        for check in plan.boundary:
            if check(request, parts) is not None:
                break
        else:
            return IMPLICIT_DENY
    if session_on:
        if plan.has_session:
            if plan.session is not None:
                for check in plan.session:
                    if check(request, parts) is not None:
                        break
                else:
                    return IMPLICIT_DENY
        elif kind is CallerKind.FEDERATED_USER:
            return IMPLICIT_DENY
    if same_account or granted:
        return ALLOW
    return IMPLICIT_DENY


class _Brief:
    """One action's untraced explanation under one compiled set, assembled once per outcome.

    On the short path's ground (a signed IAM caller, an action only the policies decide, no
    endpoint or trust policy: :meth:`CompiledPolicySet.plain_plan`), what
    :class:`_Evaluation` reports without a trace -- the decision, its reason, the decisive
    statements, the blocking guardrail, the per-policy results and the notes -- depends on
    the request only through its *outcome*: how each statement of the action's plan applies
    to it (its match class, or None), the caller's kind and whether it is service-linked,
    whether the request stays within one account, and the action as written (reasons and
    notes quote it). Every request still has every statement it meets matched, which is the
    work that depends on the request; the procedure that turns an outcome into an
    explanation runs once per distinct outcome, its Decision's parts shared afterwards.
    ``tests/engine/test_properties.py`` checks the result against the evaluation's on
    random policy sets and requests.
    """

    __slots__ = ("checks", "known")

    _LIMIT = 1024

    def __init__(self, compiled: CompiledPolicySet, plan: ActionPlan) -> None:
        bounded = compiled.boundary is not None
        self.checks = tuple(
            _check(statement, bounded)
            for _, denies, allows, _ in plan
            for statement in (*denies, *allows)
        )
        # outcome -> (value, reason, decisive, blocked_by, policy results, notes)
        self.known: dict[tuple[object, ...], _Explained] = {}

    def decision(self, request: Request, compiled: CompiledPolicySet) -> Decision:
        caller = request.caller
        # The resource split once, as _decide_plain does; None for "*" or a non-ARN.
        split = request.resource.split(":", 5)
        parts = split if len(split) == 6 and split[0] == "arn" else None
        outcome = (
            tuple([check(request, parts) for check in self.checks]),
            request.action,
            caller.kind,
            caller.service_linked,
            request.same_account,
        )
        known = self.known.get(outcome)
        if known is None:
            decision = _evaluated(request, compiled, False, _DEFAULT_OPTIONS)
            if len(self.known) >= self._LIMIT:
                self.known.clear()
            self.known[outcome] = (
                decision.value,
                decision.reason,
                decision.decisive,
                decision.blocked_by,
                decision.policy_results,
                decision.notes,
            )
            return decision
        value, reason, decisive, blocked_by, results, notes = known
        return Decision(value, reason, request, decisive, blocked_by, results, (), (), notes)


_Explained = tuple[
    DecisionValue,
    str,
    tuple[StatementRef, ...],
    str | None,
    tuple[PolicyTypeResult, ...],
    tuple[str, ...],
]
# Markers of CompiledPolicySet._briefs: an action never asked, asked once (bare instances,
# never used as memos, so the look-up keeps the memo's type).
_UNASKED: _Brief = object.__new__(_Brief)
_ASKED_ONCE: _Brief = object.__new__(_Brief)


_NO_TRACES: list[StatementTrace] = []  # shared, never appended to (fast path only)


class _Group:
    """What one policy type (or organization level) said about the request.

    On the decision-only path the Allow statements are matched lazily: ``allowed`` stops at
    the first that applies, ``allows`` (every applying Allow) matches the rest on demand.
    """

    __slots__ = (
        "_allows",
        "_next",
        "_owner",
        "_pending",
        "_ranks",
        "applicable",
        "denies",
        "level",
        "name",
        "note",
        "traces",
    )

    def __init__(self, name: str, level: int | None, applicable: bool) -> None:
        self.name = name
        self.level = level
        self.applicable = applicable
        self._allows: list[Applied] = []
        self.denies: list[Applied] = []
        self.traces: list[StatementTrace] = _NO_TRACES
        self.note: str | None = None
        self._pending: tuple[CompiledStatement, ...] = ()
        self._ranks: dict[int, int] | None = None
        self._next = 0
        self._owner: _Evaluation | None = None

    def _match_next(self) -> bool:
        """Match the next pending Allow statement; True if it applies."""
        statement = self._pending[self._next]
        self._next += 1
        owner = self._owner
        assert owner is not None
        match_class = statement.applies(owner.request, owner.bounded, owner.arn)
        if match_class is not None:
            self._allows.append(Applied(statement, match_class))
        ranks = self._ranks
        if ranks is not None and self._next == len(self._pending) and len(self._allows) > 1:
            # Every Allow matched: reported in document order, as the traced path reports them.
            self._allows.sort(key=lambda applied: ranks[id(applied.statement)])
        return match_class is not None

    @property
    def allows(self) -> list[Applied]:
        """Every applying Allow statement."""
        while self._next < len(self._pending):
            self._match_next()
        return self._allows

    @property
    def allowed(self) -> bool:
        if self._allows:
            return True
        while self._next < len(self._pending):
            if self._match_next():
                return True
        return False

    def allows_with(self, *classes: MatchClass) -> list[Applied]:
        return [a for a in self.allows if a.match in classes]

    def result(self) -> PolicyTypeResult:
        if not self.applicable:
            verdict = PolicyTypeVerdict.NOT_APPLICABLE
            refs: tuple[StatementRef, ...] = ()
        elif self.denies:
            verdict = PolicyTypeVerdict.DENY
            refs = tuple(_ref(a) for a in self.denies)
        elif self.allows:
            verdict = PolicyTypeVerdict.ALLOW
            refs = tuple(_ref(a) for a in self.allows)
        else:
            verdict = PolicyTypeVerdict.NO_MATCH
            refs = ()
        return PolicyTypeResult(self.name, verdict, self.level, refs, self.note)


# Shared stand-in for a policy type the request has no policies of (never mutated).
_ABSENT = _Group("absent", None, False)


def _ref(applied: Applied) -> StatementRef:
    ref = applied.statement.ref
    if applied.match == IMPLICIT_PRINCIPAL:
        return ref
    return StatementRef(
        ref.policy_type,
        ref.policy,
        ref.statement,
        ref.effect,
        ref.level,
        MatchClass(applied.match).name,
    )


class _Evaluation:
    """Gathers what every policy type says, then runs the decision procedure."""

    def __init__(
        self, request: Request, compiled: CompiledPolicySet, explain: bool, options: EngineOptions
    ) -> None:
        self.request = request
        self.compiled = compiled
        self.explain = explain
        self.notes: list[str] = []
        caller = request.caller
        self.action = request.action.lower()
        self.service = self.action.partition(":")[0]
        self.bounded = compiled.boundary is not None
        resource = request.resource
        self.arn = parse_arn(resource) if resource != "*" else None
        kind = caller.kind
        signed_iam = kind in _SIGNED_IAM

        # SCPs govern IAM principals of member accounts, never service-linked roles.
        # https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
        scp_applies = signed_iam and not caller.service_linked
        if compiled.scp and not scp_applies:
            self.notes.append(_scp_exemption(caller.kind, caller.service_linked))
        # RCPs govern resources of supported services for every caller but service-linked roles.
        # https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
        rcp_services = (options.rcp_services or _default_rcp_services()) if compiled.rcp else None
        rcp_applies = not caller.service_linked
        if compiled.rcp and self.action in RCP_EXEMPT_ACTIONS:
            rcp_applies = False
            self.notes.append(f"RCPs do not apply to {request.action}")
        elif compiled.rcp and rcp_services is not None and self.service not in rcp_services:
            rcp_applies = False
            self.notes.append(f"RCPs do not apply: {self.service} is not a service RCPs support")
        elif compiled.rcp and caller.service_linked:
            self.notes.append("RCPs do not apply to service-linked roles")
        applies = {
            "identity": signed_iam,
            "boundary": kind
            in (CallerKind.USER, CallerKind.ROLE_SESSION, CallerKind.FEDERATED_USER),
            "session": caller.is_session,
            "resource": True,
            "endpoint": True,
            "scp": scp_applies,
            "rcp": rcp_applies,
        }
        groups = [
            # An organization level without policies allows nothing (every level must allow).
            _Group(_slot_name(name, compiled), level, applies[name])
            if policies or level is not None
            else _ABSENT
            for name, level, policies in compiled.slots
        ]
        if explain:
            for group, (_, _, policies) in zip(groups, compiled.slots, strict=True):
                if policies:
                    self._collect(group, policies)
        elif compiled._plans:
            self._collect_fast(groups, compiled.action_plan(self.action))
        else:
            # The set's first request: its statements met directly (a per-action plan pays
            # from the second request on; a set met once never needs one).
            self._collect_once(groups)
        self.identity, self.boundary, self.session, self.resource, self.endpoint = groups[:5]
        scp_count = len(compiled.scp or ())
        self.scp_levels = groups[5 : 5 + scp_count]
        self.rcp_levels = groups[5 + scp_count :]

    def _collect(self, group: _Group, policies: tuple[CompiledPolicy, ...]) -> None:
        """Trace every statement of ``policies`` and record those that apply."""
        request, action, bounded, arn = self.request, self.action, self.bounded, self.arn
        group.traces = []
        for policy in policies:
            applied, traces = policy.explain(request, action, bounded, arn)
            group.traces.extend(traces)
            if group.applicable:
                for item in applied:
                    (group.denies if item.statement.is_deny else group.allows).append(item)

    def _collect_once(self, groups: list[_Group]) -> None:
        """Match every statement whose action element covers the request, in document order
        (what the lazy path reports once every Allow is matched)."""
        request, action, bounded, arn = self.request, self.action, self.bounded, self.arn
        for group, (_, _, policies) in zip(groups, self.compiled.slots, strict=True):
            if not group.applicable:
                continue
            for policy in policies:
                for applied in policy.applied(request, action, bounded, arn):
                    (group.denies if applied.statement.is_deny else group._allows).append(applied)

    def _collect_fast(self, groups: list[_Group], plan: ActionPlan) -> None:
        """Match every Deny statement the action meets; leave the Allows to be matched lazily."""
        request, bounded, arn = self.request, self.bounded, self.arn
        for index, denies, allows, ranks in plan:
            group = groups[index]
            if not group.applicable:
                continue
            for statement in denies:
                match_class = statement.applies(request, bounded, arn)
                if match_class is not None:
                    group.denies.append(Applied(statement, match_class))
            if allows:
                group._pending = allows
                group._ranks = ranks
                group._owner = self

    def groups(self) -> list[_Group]:
        return [
            *self.scp_levels,
            *self.rcp_levels,
            self.endpoint,
            self.resource,
            self.identity,
            self.boundary,
            self.session,
        ]

    # ----------------------------------------------------------------- the procedure

    def decide(self) -> tuple[DecisionValue, str, list[Applied], str | None]:
        """(decision, reason, decisive statements, blocking guardrail)."""
        request = self.request
        caller = request.caller

        # 0. What the caller's credentials cannot call, whatever the policies say.
        if caller.kind in _SIGNED_IAM:
            restriction = credential_restriction(request, self.action) or (
                aws_managed_restriction(request, self.action)
            )
            if restriction is not None:
                return IMPLICIT_DENY, restriction, [], None

        # 0b. Some actions need no permission at all.
        if self.action in NO_PERMISSION_ACTIONS and caller.kind in _SIGNED_IAM:
            return (
                ALLOW,
                f"{request.action} requires no permission, and no policy can deny it",
                [],
                None,
            )

        # 1. Explicit deny anywhere wins (the bucket owner's root user keeps the bucket-policy
        #    operations whatever the bucket policy says).
        keeps_policy = bucket_owner_root_keeps_policy_access(request, self.action)
        for group in self.groups():
            if keeps_policy and group is self.resource:
                continue
            if group.denies:
                guard = _guard_name(group)
                return (
                    EXPLICIT_DENY,
                    f"explicitly denied by the {_label(group)}",
                    group.denies,
                    guard,
                )

        # 1b. Operations a service refuses on resources of another account.
        if caller.kind in _SIGNED_IAM:
            restriction = owner_account_only(request, self.action)
            if restriction is not None:
                return IMPLICIT_DENY, restriction, [], None

        # 2. Organization and network gates: every level must allow.
        for group in self.rcp_levels:
            if group.applicable and not group.allowed:
                return (
                    IMPLICIT_DENY,
                    f"no Allow in the RCPs at level {group.level}",
                    [],
                    _guard_name(group),
                )
        for group in self.scp_levels:
            if group.applicable and not group.allowed:
                return (
                    IMPLICIT_DENY,
                    f"no Allow in the SCPs at level {group.level}",
                    [],
                    _guard_name(group),
                )
        if self.endpoint.applicable and not self._endpoint_allows():
            return (
                IMPLICIT_DENY,
                "the VPC endpoint policy does not allow the request",
                [],
                "endpoint policy",
            )

        # 3. Callers with no identity side.
        if caller.kind is CallerKind.ANONYMOUS:
            return self._anonymous()
        if caller.kind in (CallerKind.SERVICE, CallerKind.WEB_IDENTITY):
            return self._resource_only()

        # 4. Resource types that must allow explicitly.
        if self.is_trust_request():
            return self._trust()
        if self.is_kms_key_request():
            return self._kms()
        if request.same_account:
            return self._same_account()
        return self._cross_account()

    def is_trust_request(self) -> bool:
        if self.resource.name == "trust":
            return True
        return resource_policy_kind(self.request.action, self.request.resource) == "trust"

    def is_kms_key_request(self) -> bool:
        return resource_policy_kind(self.request.action, self.request.resource) == "kms"

    def _anonymous(self) -> tuple[DecisionValue, str, list[Applied], str | None]:
        # Only a resource-based policy naming "*" lets an unauthenticated caller in.
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
        grants = self.resource.allows_with(MatchClass.DIRECT)
        if grants:
            return ALLOW, 'the resource-based policy allows everyone (Principal "*")', grants, None
        return (
            IMPLICIT_DENY,
            'anonymous callers need a resource-based policy that allows "*"',
            [],
            None,
        )

    def _resource_only(self) -> tuple[DecisionValue, str, list[Applied], str | None]:
        # Service principals and federation callers have no identity policies of their own.
        if self.resource.allows:
            return (
                ALLOW,
                "the resource-based policy allows this principal",
                self.resource.allows,
                None,
            )
        who = (
            "service principal"
            if self.request.caller.kind is CallerKind.SERVICE
            else "federated caller"
        )
        return IMPLICIT_DENY, f"no resource-based policy allows the {who}", [], None

    def _principal_side(self) -> tuple[DecisionValue, str, list[Applied], str | None] | None:
        """Identity policies, then boundary, then session policy; None when they all allow."""
        if self.request.caller.kind is not CallerKind.ROOT and not self.identity.allowed:
            return IMPLICIT_DENY, "no identity-based policy allows the action", [], None
        return self._ceilings()

    def _endpoint_allows(self) -> bool:
        """Whether a VPC endpoint policy allows; for gateway endpoints (S3, DynamoDB) naming an
        account grants only its root user: "access is granted to the AWS account root user
        only, and not all users and roles for the account"
        https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
        """
        if (
            self.service not in GATEWAY_ENDPOINT_SERVICES
            or self.request.caller.kind is CallerKind.ROOT
        ):
            return self.endpoint.allowed
        return any(a.match != MatchClass.ACCOUNT for a in self.endpoint.allows)

    def _ceilings(
        self, *, session_named: bool = False
    ) -> tuple[DecisionValue, str, list[Applied], str | None] | None:
        """The permissions boundary and the session policy (None when neither blocks).

        ``session_named``: a resource-based policy names this very session, and "the
        resource-based policy permissions are not limited by the session policy".
        https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
        https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
        """
        caller = self.request.caller
        if self.boundary.applicable and not self.boundary.allowed:
            return (
                IMPLICIT_DENY,
                "the permissions boundary does not allow the action",
                [],
                "permissions boundary",
            )
        if caller.is_session and not session_named:
            if self.session.applicable:
                if not self.session.allowed:
                    return (
                        IMPLICIT_DENY,
                        "the session policy does not allow the action",
                        [],
                        "session policy",
                    )
            elif caller.kind is CallerKind.FEDERATED_USER:
                return (
                    IMPLICIT_DENY,
                    "a federated-user session without a session policy has no permissions",
                    [],
                    "session policy",
                )
        return None

    def _granted(
        self, reason: str, *grants: list[Applied]
    ) -> tuple[DecisionValue, str, list[Applied], str | None]:
        """An Allow, listing the granting statements and the ceilings they passed through."""
        decisive = [a for group in grants for a in group]
        decisive += self.boundary.allows if self.boundary.applicable else []
        decisive += self.session.allows if self.session.applicable else []
        return ALLOW, reason, decisive, None

    def _same_account(self) -> tuple[DecisionValue, str, list[Applied], str | None]:
        caller = self.request.caller
        direct = self.resource.allows_with(MatchClass.DIRECT, MatchClass.SERVICE)
        if direct:
            # A grant to the caller itself is not limited by implicit denies elsewhere.
            return ALLOW, "the resource-based policy names the caller directly", direct, None
        if caller.kind is CallerKind.ROOT:
            return ALLOW, "the root user has full access in its own account", [], None
        entity = self.resource.allows_with(MatchClass.ENTITY)
        if not self.identity.allowed and not entity:
            if self.resource.allows_with(MatchClass.ACCOUNT):
                self.notes.append(
                    "the resource-based policy names the account: that delegates to the account, "
                    "whose identity policies must still allow"
                )
            return (
                IMPLICIT_DENY,
                "no identity-based or resource-based policy allows the action",
                [],
                None,
            )
        blocked = self._ceilings()
        if blocked is not None:
            return blocked
        if self.identity.allowed:
            return self._granted("an identity-based policy allows the action", self.identity.allows)
        return self._granted("the resource-based policy allows the caller's role or user", entity)

    def _cross_account(self) -> tuple[DecisionValue, str, list[Applied], str | None]:
        # Both the caller's account and the resource's account must allow.
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
        blocked = self._principal_side()
        if blocked is not None:
            return blocked[0], f"cross-account: {blocked[1]}", blocked[2], blocked[3]
        if not self.resource.allows:
            return (
                IMPLICIT_DENY,
                "cross-account: the resource-based policy of the resource's account does not allow the caller",
                [],
                None,
            )
        return self._granted(
            "cross-account: both the caller's policies and the resource policy allow",
            self.identity.allows,
            self.resource.allows,
        )

    def _trust(self) -> tuple[DecisionValue, str, list[Applied], str | None]:
        # The trust policy must allow, even within one account; naming the account delegates
        # to IAM policies. https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
        request = self.request
        caller = request.caller
        if not self.resource.applicable:
            return (
                IMPLICIT_DENY,
                "no trust policy given for the role: it must allow explicitly",
                [],
                None,
            )
        if not self.resource.allows:
            return IMPLICIT_DENY, "the role's trust policy does not allow the caller", [], None
        if caller.kind is CallerKind.ROOT and self.action == "sts:assumerole":
            return IMPLICIT_DENY, "the root user cannot assume roles", [], None
        specific = [a for a in self.resource.allows if a.match > MatchClass.ACCOUNT]
        if not (request.same_account and specific) and not self.identity.allowed:
            why = (
                "cross-account"
                if not request.same_account
                else "the trust policy names only the account"
            )
            return (
                IMPLICIT_DENY,
                f"{why}: an identity-based policy must also allow the action",
                [],
                None,
            )
        # The boundary must allow role assumption even when the trust policy names the caller.
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html
        # A trust policy naming this very session is not limited by its session policy; only
        # within one account (across accounts both sides must allow, docs/semantics.md §1.7)
        # and only for the session's own ARN ("*" names everyone, not the session).
        named = request.same_account and self._names_session_exactly()
        blocked = self._ceilings(session_named=named)
        if blocked is not None:
            return blocked
        return self._granted(
            "the trust policy allows the caller", self.resource.allows, self.identity.allows
        )

    def _names_session_exactly(self) -> bool:
        """Whether an applying resource-policy Allow lists the calling session's own ARN."""
        caller = self.request.caller
        if not caller.is_session or caller.arn is None:
            return False
        for applied in self.resource.allows_with(MatchClass.DIRECT):
            principal = applied.statement.principal
            if principal is not None and (
                caller.self_key in principal.identities or caller.arn in principal.arns
            ):
                return True
        return False

    def _kms(self) -> tuple[DecisionValue, str, list[Applied], str | None]:
        # Without permission from the key policy, IAM policies have no effect.
        # https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
        request = self.request
        caller = request.caller
        key = self.resource
        if not key.applicable:
            self.notes.append(
                "no key policy given: assumed the default key policy, which lets IAM policies of "
                "the key's account grant access"
            )
            if request.same_account:
                return self._same_account()
            return (
                IMPLICIT_DENY,
                "cross-account use of a KMS key needs its key policy to allow",
                [],
                None,
            )
        if not key.allows:
            return (
                IMPLICIT_DENY,
                "the KMS key policy does not allow the caller (IAM policies alone cannot)",
                [],
                None,
            )
        if not request.same_account:
            return self._cross_account()
        direct = key.allows_with(MatchClass.DIRECT, MatchClass.SERVICE)
        if direct:
            return ALLOW, "the key policy names the caller directly", direct, None
        entity = key.allows_with(MatchClass.ENTITY)
        if entity:
            blocked = self._ceilings()
            if blocked is not None:
                return blocked
            return self._granted("the key policy allows the caller's role or user", entity)
        # Only the account is named: the key policy enables IAM policies.
        if caller.kind is CallerKind.ROOT:
            return (
                ALLOW,
                "the key policy allows the account and the root user has full access",
                key.allows,
                None,
            )
        blocked = self._principal_side()
        if blocked is not None:
            return blocked
        return self._granted(
            "the key policy enables IAM policies and an identity-based policy allows",
            key.allows,
            self.identity.allows,
        )

    # ----------------------------------------------------------------- reporting

    def result(self) -> Decision:
        value, reason, decisive, blocked_by = self.decide()
        groups = self.groups()
        traces: list[StatementTrace] = []
        missing: set[str] = set()
        if self.explain:
            for group in groups:
                traces.extend(group.traces)
            for trace in traces:
                for check in trace.conditions:
                    if check.request_values is None:
                        missing.add(check.key)
        if blocked_by is not None and value is not EXPLICIT_DENY and self._otherwise_allowed():
            reason = f"{reason} (otherwise allowed)"
        results = tuple(g.result() for g in groups if g is not _ABSENT)
        return Decision(
            value=value,
            reason=reason,
            request=self.request,
            decisive=tuple(_ref(a) for a in decisive),
            blocked_by=blocked_by,
            policy_results=results,
            statements=tuple(traces),
            missing_context_keys=tuple(sorted(missing, key=str.lower)),
            notes=tuple(dict.fromkeys(self.notes)),
        )

    def _otherwise_allowed(self) -> bool:
        return self.identity.allowed or bool(self.resource.allows)


def _label(group: _Group) -> str:
    names = {
        "identity": "identity-based policies",
        "boundary": "permissions boundary",
        "session": "session policy",
        "resource": "resource-based policy",
        "trust": "role trust policy",
        "endpoint": "VPC endpoint policy",
    }
    if group.name in ("scp", "rcp"):
        return f"{group.name.upper()}s at level {group.level}"
    return names.get(group.name, group.name)


def _guard_name(group: _Group) -> str | None:
    if group.name in ("scp", "rcp"):
        return f"{group.name.upper()} at level {group.level}"
    return {
        "boundary": "permissions boundary",
        "session": "session policy",
        "endpoint": "endpoint policy",
    }.get(group.name)


def _slot_name(name: str, compiled: CompiledPolicySet) -> str:
    resource = compiled.resource
    if (
        name == "resource"
        and resource is not None
        and resource.policy.policy_type is PolicyType.TRUST
    ):
        return "trust"
    return name


def _scp_exemption(kind: CallerKind, service_linked: bool) -> str:
    if service_linked:
        return "SCPs do not apply to service-linked roles"
    return f"SCPs do not apply to {kind.value} callers"


def evaluate(
    request: Request,
    policies: PolicySet | CompiledPolicySet,
    *,
    explain: bool = True,
    options: EngineOptions | None = None,
) -> Decision:
    """Decide ``request`` under ``policies``; with ``explain`` every statement is traced.

    Without the trace, requests of an action met before under the same compiled set share
    the explanation of an earlier request with the same outcome (:class:`_Brief`)."""
    compiled = compile_policy_set(policies)
    if (
        not explain
        and (options is None or options is _DEFAULT_OPTIONS)
        and request.caller.kind in _SIGNED_IAM
    ):
        brief = compiled.brief(request.action.lower())
        if brief is not None:
            return brief.decision(request, compiled)
    return _evaluated(request, compiled, explain, options or _DEFAULT_OPTIONS)


def _evaluated(
    request: Request, compiled: CompiledPolicySet, explain: bool, options: EngineOptions
) -> Decision:
    """The decision of a fresh :class:`_Evaluation`."""
    evaluation = _Evaluation(request, compiled, explain, options)
    decision = evaluation.result()
    # The groups' links back to the evaluation (for their lazy Allow matching) make a cycle:
    # broken here, the evaluation is freed at once instead of by the cyclic collector (a
    # batch of evaluations otherwise spends a tenth of its time in collections).
    for group in evaluation.groups():
        group._owner = None
    return decision


# Marks an action whose short-path plan is not built yet (None means "no short path"): a
# bare instance, never initialised or decided with, so the lookup keeps the plan's type.
_UNPLANNED: _PlainPlan = object.__new__(_PlainPlan)


def decide(
    request: Request,
    policies: PolicySet | CompiledPolicySet,
    *,
    options: EngineOptions | None = None,
) -> DecisionValue:
    """Only the decision value: the fast path for analyses over many requests."""
    compiled = policies if isinstance(policies, CompiledPolicySet) else compile_policy_set(policies)
    if request.caller.kind in _SIGNED_IAM:
        action = request.action.lower()
        plain = compiled._plains.get(action, _UNPLANNED)
        if plain is _UNPLANNED:
            plain = compiled.plain_plan(action)
        if plain is not None:
            return _decide_plain(request, plain, options or _DEFAULT_OPTIONS)
    return _Evaluation(request, compiled, False, options or _DEFAULT_OPTIONS).decide()[0]


DecisionFunction = Callable[[Request, CompiledPolicySet], DecisionValue]
