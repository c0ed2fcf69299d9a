"""Who can perform some actions on one resource, across every loaded account.

Every answer is the engine's decision on the request the builder builds for that principal; this
module only chooses whom to ask and explains the answers:

* **Candidates.** Every IAM user, every role (as "any session of the role"), every known
  session, the root users of the resource's account and of accounts the resource policy names,
  and the principals the resource-based policy names: other accounts (asked as that account's
  root, i.e. "principals of that account whose own policies allow"), users and roles outside
  the loaded accounts (asked with their own policies assumed to allow, and said so), ``"*"``
  (asked as an anonymous caller and as a principal of an account outside the inputs), and
  service principals.
* **Prefilter.** A principal of the loaded accounts is asked about an action only if one of
  its identity Allow statements can cover the action and the resource (the catalogue index's
  expansion of Action/NotAction, the engine's compiled resource patterns, conditions
  ignored), or the resource policy names it,
  or the resource policy grants that action to ``"*"``: otherwise no policy can allow it (the
  engine would say implicit deny), so skipping it changes no answer.
* **Classes.** Actions the builder and the engine treat alike for a principal
  (:mod:`iamsim.analysis.action_classes`: same service or one no engine rule names, covered by
  the same statements, an equal request but for the action) are decided once, and the answer
  stands for each of them under its own name: ``who-can '*' '*'`` asks each principal a few
  dozen questions instead of 22,321. The per-pair loop is kept as the reference the tests
  compare with (tests/analysis/who_can_reference.py).
* **Conditions.** An allowed answer lists the decisive statements and, among their conditions,
  the clauses the principal and the resource do not fix (time, network, MFA, request tags...).
  A denied answer is asked again with every Allow statement's conditions removed: if that is
  allowed, the principal can *under conditions*, and the conditions shown are the removed ones
  of the statements that then decided (conditional Denies keep their conditions throughout).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from iamsim.analysis.action_classes import ClassKey, class_key, engine_service, signatures
from iamsim.analysis.actions_index import default_index
from iamsim.analysis.collector import collector_paused
from iamsim.analysis.facts import Facts, clauses_to_dict, principal_facts
from iamsim.builder import BuiltRequest, RequestBuilder, principal_keys
from iamsim.catalog import ServiceReference, service_reference
from iamsim.engine import CompiledPolicySet, DecisionValue, PolicySet, StatementRef, decide
from iamsim.engine.compiled import CompiledPolicy, CompiledStatement, compiled_policy
from iamsim.engine.decision import (
    NO_PERMISSION_ACTIONS,
    compile_policy_set,
    evaluate,
    forget_compiled_sets,
)
from iamsim.engine.trace import Decision
from iamsim.errors import RequestError
from iamsim.model import (
    Anonymous,
    FederatedIdentity,
    Principal,
    Role,
    Root,
    ServicePrincipal,
    Session,
    User,
    World,
)
from iamsim.patterns.action import compile_action
from iamsim.patterns.arn import compile_resource
from iamsim.policy import PolicyType, parse_policy
from iamsim.policy.model import Effect, Policy, Statement
from iamsim.vocabulary.request import CallerKind, Context, ContextValue
from iamsim.vocabulary.targets import resource_policy_kind

# Used for principals outside the loaded inputs, whose own policies are unknown.
ASSUMED_IDENTITY = parse_policy(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    PolicyType.IDENTITY,
    name="(assumed) its own policies allow",
)
# An account ID standing for "some account outside the inputs" when a policy grants "*".
OUTSIDE_ACCOUNT = "000000000000"

KIND_ORDER = {
    "user": 0,
    "role": 1,
    "session": 2,
    "root": 3,
    "account": 4,
    "external-user": 5,
    "external-role": 6,
    "external-session": 7,
    "any-principal": 8,
    "anonymous": 9,
    "service": 10,
    "federated": 11,
}


@dataclass(frozen=True, slots=True, eq=False)
class Requirement:
    """A statement whose conditions must hold (or, for ``unless``, must not)."""

    statement: StatementRef
    conditions: dict[str, dict[str, object]]

    def to_dict(self) -> dict[str, Any]:
        return {"statement": self.statement.to_dict(), "conditions": self.conditions}


# Not frozen: a frozen dataclass sets each field through object.__setattr__, four times the
# cost of a plain slot store, and who-can '*' '*' makes hundreds of thousands of grants (one
# per action, renamed from its class's). Hashable all the same; nothing mutates a grant.
@dataclass(slots=True, unsafe_hash=True)
class ActionGrant:
    """How one principal can perform one action on the resource."""

    action: str
    conditional: bool
    reason: str
    granted_by: tuple[StatementRef, ...]
    conditions: tuple[Requirement, ...] = ()
    unless: tuple[Requirement, ...] = ()
    assumption: str | None = None
    # The engine allows the request as built (default context, or the one given); False for
    # a grant found only with the Allow statements' conditions assumed to hold.
    allowed_as_built: bool = True

    def describe(self) -> str:
        text = "; ".join(ref.describe() for ref in self.granted_by) or self.reason
        for requirement in self.conditions:
            text += f"\n  if {_compact(requirement.conditions)} ({requirement.statement.statement})"
        for requirement in self.unless:
            text += (
                f"\n  unless {_compact(requirement.conditions)} "
                f"({requirement.statement.policy_type} {requirement.statement.statement})"
            )
        if self.assumption:
            text += f"\n  assuming {self.assumption}"
        return text

    def to_dict(self, granted_by: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """The grant as JSON; ``granted_by``: its statements' documents, when already made
        (the grants of one class share them, see :meth:`WhoCanEntry.to_dict`)."""
        out: dict[str, Any] = {
            "action": self.action,
            "conditional": self.conditional,
            "reason": self.reason,
            "granted_by": (
                [r.to_dict() for r in self.granted_by] if granted_by is None else granted_by
            ),
            "allowed_as_built": self.allowed_as_built,
        }
        if self.conditions:
            out["conditions"] = [c.to_dict() for c in self.conditions]
        if self.unless:
            out["unless"] = [c.to_dict() for c in self.unless]
        if self.assumption:
            out["assumption"] = self.assumption
        return out


def _compact(conditions: dict[str, dict[str, object]]) -> str:
    """Conditions on one line, values as the policy's JSON writes them."""
    parts = []
    for operator, keys in conditions.items():
        for key, value in keys.items():
            parts.append(f"{operator} {key} {json.dumps(value)}")
    return " and ".join(parts)


@dataclass(slots=True)
class WhoCanEntry:
    """One principal that can perform some of the actions."""

    principal: str
    kind: str
    actions: list[ActionGrant] = field(default_factory=list)

    @property
    def conditional(self) -> bool:
        return all(a.conditional for a in self.actions)

    def grants(self) -> list[ActionGrant]:
        """The distinct ways the actions are granted (actions sharing one are listed once)."""
        seen: dict[str, ActionGrant] = {}
        # describe() reads every field but the action, and the grants of one class share
        # those fields' very objects (see _renamed_grant): describe each sharing set once.
        texts: dict[tuple[int, int, int, str, str | None], str] = {}
        for grant in self.actions:
            key = (
                id(grant.granted_by),
                id(grant.conditions),
                id(grant.unless),
                grant.reason,
                grant.assumption,
            )
            text = texts.get(key)
            if text is None:
                text = texts[key] = grant.describe()
            seen.setdefault(text, grant)
        return list(seen.values())

    def to_dict(self, *, shared: bool = False) -> dict[str, Any]:
        """The entry as JSON. With ``shared`` (for a writer that serialises it at once), grants
        holding the same statements share one list of their documents instead of a copy
        each: the grants of a class of actions hold the very same tuple."""
        if not shared:
            actions = [a.to_dict() for a in self.actions]
        else:
            refs: dict[int, list[dict[str, Any]]] = {}
            actions = []
            for grant in self.actions:
                found = refs.get(id(grant.granted_by))
                if found is None:
                    found = refs[id(grant.granted_by)] = [r.to_dict() for r in grant.granted_by]
                actions.append(grant.to_dict(found))
        return {
            "principal": self.principal,
            "kind": self.kind,
            "conditional": self.conditional,
            "actions": actions,
        }


@dataclass(slots=True)
class Blocked:
    """A principal some policy grants, stopped by a guardrail or an explicit Deny."""

    principal: str
    kind: str
    action: str
    decision: str
    blocked_by: str | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        # dataclasses.asdict's layout, by hand: it deep-copies every field (tens of
        # thousands are written by who-can '*' '*').
        return {
            "principal": self.principal,
            "kind": self.kind,
            "action": self.action,
            "decision": self.decision,
            "blocked_by": self.blocked_by,
            "reason": self.reason,
        }


@dataclass(slots=True)
class WhoCanResult:
    actions: list[str]
    resource: str
    principals: list[WhoCanEntry]
    blocked: list[Blocked]
    considered: int
    evaluated: int
    notes: list[str]

    def find(self, principal: str) -> WhoCanEntry | None:
        return next((e for e in self.principals if e.principal == principal), None)

    def to_dict(self) -> dict[str, Any]:
        return self.document(
            [e.to_dict() for e in self.principals], [b.to_dict() for b in self.blocked]
        )

    def document(self, principals: list[Any], blocked: list[Any]) -> dict[str, Any]:
        """The JSON document with the given ``principals`` and ``blocked`` lists (to_dict's
        layout, for a writer that streams the two long lists, see
        :mod:`iamsim.report.who_can_json`)."""
        return {
            "actions": self.actions,
            "resource": self.resource,
            "principals": principals,
            "blocked": blocked,
            "considered": self.considered,
            "evaluated": self.evaluated,
            "notes": self.notes,
        }


# One request's answer: how it is granted, or what stopped a grant (or neither).
_Answer = tuple[ActionGrant | None, Blocked | None]


@dataclass(frozen=True, slots=True)
class Candidate:
    principal: Principal
    name: str
    kind: str
    assumed: bool = False  # identity policies unknown: assume they allow
    always: bool = False  # skip the identity prefilter


def expand_actions(patterns: Iterable[str], catalog: ServiceReference | None = None) -> list[str]:
    """Canonical actions named by ``patterns`` (comma-separated lists and globs allowed)."""
    if catalog is None:
        catalog = service_reference()
    out: list[str] = []
    for raw in patterns:
        for text in (t.strip() for t in raw.split(",")):
            if not text:
                continue
            if "*" in text or "?" in text:
                found = catalog.expand_action_pattern(text)
                if not found:
                    raise RequestError(f"no action matches {text!r}")
                out.extend(found)
                continue
            canonical = catalog.canonical_action(text)
            if canonical is None:
                hints = catalog.suggest_actions(text)
                hint = f"; did you mean: {', '.join(hints)}" if hints else ""
                raise RequestError(f"unknown action {text!r}{hint}")
            out.append(canonical)
    return sorted(dict.fromkeys(out))


class WhoCan:
    """Answers who-can questions against one world, sharing caches between questions."""

    def __init__(self, world: World, *, builder: RequestBuilder | None = None) -> None:
        self.world = world
        self.builder = builder if builder is not None else RequestBuilder(world)
        self._relaxed: dict[int, tuple[Policy, Policy]] = {}
        # id(identity policy) -> (the policy, the question's plan, whether it is silent)
        self._silent: dict[int, tuple[Policy, _Plan, bool]] = {}
        self._class_keys: dict[str, ClassKey] = {}
        # (account, kind, service-linked, boundary ARN) -> (the question's plan, the answer
        # such callers with silent identity policies share, if they can: _silent_elsewhere)
        self._quiet: dict[tuple[str, str, bool, str | None], tuple[_Plan, _Shared | None]] = {}

    def _class_key(self, action: str) -> ClassKey:
        """:func:`class_key` of ``action`` by this analyzer's catalogue, memoised: a question
        over every action asks it twice for each of tens of thousands of actions."""
        found = self._class_keys.get(action)
        if found is None:
            catalog = self.builder.catalog
            found = class_key(action, bool(catalog.supports_resource_level_permissions(action)))
            self._class_keys[action] = found
        return found

    # -- candidates --------------------------------------------------------------------------

    def _resource_policy(self, actions: Sequence[str], resource: str) -> list[Policy]:
        """The resource-based policies the builder attaches for these actions (trust policy
        for role-assumption actions, the resource's policy otherwise)."""
        found: dict[int, Policy] = {}
        for action in actions:
            try:
                built = self.builder.build(Anonymous(), action, resource)
            except RequestError:
                continue
            if built.policies.resource is not None:
                found[id(built.policies.resource)] = built.policies.resource
        return list(found.values())

    def candidates(
        self,
        actions: Sequence[str],
        resource: str,
        *,
        on_star: bool = False,
        found: Sequence[Policy] | None = None,
    ) -> list[Candidate]:
        """Whom to ask; ``on_star`` when some action is asked on ``"*"`` (no resource-level
        permissions), where each caller acts in its own account, so every loaded account's
        root user is a candidate. ``found``: the resource-based policies of the question,
        when already known."""
        world = self.world
        out: dict[tuple[str, str], Candidate] = {}

        def add(candidate: Candidate) -> None:
            key = (candidate.kind, candidate.name)
            previous = out.get(key)
            if previous is None or (candidate.always and not previous.always):
                out[key] = candidate

        named_arns: set[str] = set()
        wildcard = False
        if found is None:
            found = self._resource_policy(actions, resource)
        for policy in found:
            for statement in policy.statements:
                if statement.effect is not Effect.ALLOW or statement.principal is None:
                    continue
                spec = statement.principal
                if spec.wildcard or "*" in spec.values("AWS"):
                    wildcard = True
                for value in spec.values("AWS"):
                    if value == "*":
                        continue
                    if value.isdigit() and len(value) == 12:
                        value = f"arn:aws:iam::{value}:root"
                    named_arns.add(value)
                for service in spec.values("Service"):
                    if service == "*":
                        wildcard = True
                        continue
                    add(Candidate(ServicePrincipal(service), service, "service", always=True))
                for provider in spec.values("Federated"):
                    add(Candidate(FederatedIdentity(provider), provider, "federated", always=True))
        for arn in sorted(named_arns):
            if not self._may_ask_named(arn):
                continue
            try:
                principal = world.find_principal(arn)
            except RequestError:
                continue
            add(self._named(principal, arn))
        for user in world.users.values():
            add(Candidate(user, user.arn, "user", always=user.arn in named_arns))
        for role in world.roles.values():
            add(Candidate(role, role.arn, "role", always=role.arn in named_arns))
        for arn, session in world.sessions.items():
            add(Candidate(session, arn, "session", always=arn in named_arns))
        owner = world.resource_account(resource) if resource != "*" else None
        owners = set(world.iam_accounts) if on_star or resource == "*" else set()
        if owner is not None and owner in world.accounts:
            owners.add(owner)
        for account in sorted(owners):
            root = Root(account, world.partition_of(account))
            add(Candidate(root, root.arn, "root", always=True))
        if wildcard:
            add(Candidate(Anonymous(), "anonymous", "anonymous", always=True))
            add(
                Candidate(
                    _account_stand_in(OUTSIDE_ACCOUNT, "aws"),
                    'any principal of an account outside the inputs (Principal "*")',
                    "any-principal",
                    assumed=True,
                    always=True,
                )
            )
        return sorted(out.values(), key=lambda c: (KIND_ORDER.get(c.kind, 99), c.name))

    def _may_ask_named(self, arn: str) -> bool:
        """Whether a principal the resource policy names by ``arn`` may be a candidate of this
        analyzer (always here; analyzers asking only some accounts' principals skip the
        others without resolving them)."""
        return True

    def _named(self, principal: Principal, arn: str) -> Candidate:
        world = self.world
        if isinstance(principal, Root):
            if principal.account in world.iam_accounts:
                return Candidate(principal, principal.arn, "root", always=True)
            # "Every principal of that account": answered for a stand-in IAM role of it whose
            # own policies are assumed to allow (the root user itself cannot, for example,
            # assume roles, while the account's roles and users can).
            stand_in = _account_stand_in(principal.account, principal.partition)
            return Candidate(stand_in, principal.arn, "account", assumed=True, always=True)
        if isinstance(principal, User):
            known = principal.arn in world.users
            return Candidate(
                principal, principal.arn, "user" if known else "external-user", not known, True
            )
        if isinstance(principal, Role):
            known = principal.arn in world.roles
            return Candidate(
                principal, principal.arn, "role" if known else "external-role", not known, True
            )
        if isinstance(principal, Session):
            known = principal.account in world.accounts
            kind = "session" if known else "external-session"
            return Candidate(principal, principal.arn or arn, kind, not known, True)
        if isinstance(principal, FederatedIdentity):
            return Candidate(principal, arn, "federated", always=True)
        return Candidate(principal, arn, "service", always=True)

    # -- asking the engine --------------------------------------------------------------------

    def _relax(self, policy: Policy) -> Policy:
        """``policy`` with every Allow statement's conditions removed (Denies unchanged)."""
        found = self._relaxed.get(id(policy))
        if found is not None and found[0] is policy:
            return found[1]
        statements = tuple(
            dataclasses.replace(s, conditions=(), has_condition_element=False)
            if s.effect is Effect.ALLOW and s.conditions
            else s
            for s in policy.statements
        )
        relaxed = (
            policy
            if statements == policy.statements
            else dataclasses.replace(policy, statements=statements)
        )
        self._relaxed[id(policy)] = (policy, relaxed)
        return relaxed

    def _relaxed_set(self, policies: PolicySet) -> PolicySet:
        def many(items: tuple[Policy, ...] | None) -> tuple[Policy, ...] | None:
            return None if items is None else tuple(self._relax(p) for p in items)

        def levels(
            items: tuple[tuple[Policy, ...], ...] | None,
        ) -> tuple[tuple[Policy, ...], ...] | None:
            return (
                None if items is None else tuple(tuple(self._relax(p) for p in lv) for lv in items)
            )

        return PolicySet(
            identity=many(policies.identity) or (),
            boundary=self._relax(policies.boundary) if policies.boundary else None,
            session=many(policies.session),
            resource=self._relax(policies.resource) if policies.resource else None,
            scp=levels(policies.scp),
            rcp=levels(policies.rcp),
            endpoint=many(policies.endpoint),
        )

    def _wildcard_actions(
        self, actions: Sequence[str], resource: str, *, found: Sequence[Policy] | None = None
    ) -> set[str]:
        """The actions a resource-policy statement grants to ``"*"`` (or every AWS principal):
        for those, every principal is asked, whatever its own policies say."""
        out: set[str] = set()
        if found is None:
            found = self._resource_policy(actions, resource)
        for policy in found:
            for statement in compiled_policy(policy).statements:
                principal = statement.principal
                if statement.is_deny or principal is None or not principal.wildcard:
                    continue
                for action in actions:
                    lower = action.lower()
                    if statement.actions is not None:
                        covered = any(p.matches(lower) for p in statement.actions)
                    else:
                        covered = not any(p.matches(lower) for p in statement.not_actions or ())
                    if covered:
                        out.add(action)
        return out

    def who_can(
        self,
        actions: Sequence[str],
        resource: str,
        *,
        context: Mapping[str, ContextValue] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> WhoCanResult:
        """Every principal that can perform any of ``actions`` on ``resource``.

        ``progress`` hears ``(candidates answered, candidates in all)`` after each candidate
        principal (the command line draws it as a bar).

        Actions the builder and the engine treat alike for a principal (see
        :mod:`iamsim.analysis.action_classes`) are asked once per class: the answer of the
        first stands for the others, with their own action name."""
        with collector_paused():  # see iamsim.analysis.collector
            return self._who_can(actions, resource, context, progress)

    def _who_can(
        self,
        actions: Sequence[str],
        resource: str,
        context: Mapping[str, ContextValue] | None,
        progress: Callable[[int, int], None] | None,
    ) -> WhoCanResult:
        resource = resource.strip() or "*"
        blocked: list[Blocked] = []
        notes: list[str] = []
        usable, request_resource, probes = self._probe(actions, resource, notes)
        if not usable and actions:
            raise RequestError(notes[0] if notes else "no action applies to the resource")
        actions = usable
        if actions and all(request_resource[a] == "*" for a in actions):
            # Actions without resource-level permissions are asked on "*" whatever ARN was
            # named (the builder's note says so): the candidates and the owner follow "*".
            resource = "*"
        on_star = any(request_resource[a] == "*" for a in actions)
        owner_unknown = resource != "*" and self.world.resource_account(resource) is None
        if owner_unknown and len(self.world.accounts) > 1:
            notes.append(
                f"the owner of {resource} is unknown, so each principal is answered as if it "
                "were in the principal's own account; name the owner in a resources file "
                "for an exact answer across accounts"
            )
        resource_policies = _distinct_resource_policies(probes)
        candidates = self.candidates(actions, resource, on_star=on_star, found=resource_policies)
        everyone = self._wildcard_actions(actions, resource, found=resource_policies)
        # Actions that need no permission (sts:GetCallerIdentity) are allowed whatever the
        # policies say, so no prefilter on identity statements may skip them.
        everyone.update(a for a in actions if a.lower() in NO_PERMISSION_ACTIONS)
        plan = _Plan(actions, request_resource, everyone, self._class_key)
        entries: list[WhoCanEntry] = []
        evaluated = 0
        for done, candidate in enumerate(candidates):
            if progress is not None:  # before the candidate: its body has several exits
                progress(done, len(candidates))
            answers, asked, error = self._candidate(candidate, resource, plan, context)
            evaluated += asked
            if error is not None:
                notes.append(f"{candidate.name}: {error[1]}")
            entry = WhoCanEntry(candidate.name, candidate.kind)
            for position in sorted(answers):
                if error is not None and position >= error[0]:
                    break  # the first failed build ends the principal's answers
                grant, stopped = answers[position]
                if grant is not None:
                    entry.actions.append(grant)
                if stopped is not None:
                    blocked.append(stopped)
            if entry.actions:
                entries.append(entry)
        if progress is not None:
            progress(len(candidates), len(candidates))
        entries.sort(key=lambda e: (KIND_ORDER.get(e.kind, 99), e.principal))
        return WhoCanResult(
            actions=list(actions),
            resource=resource,
            principals=entries,
            blocked=blocked,
            considered=len(candidates),
            evaluated=evaluated,
            notes=list(dict.fromkeys(notes)),
        )

    def _probe(
        self, actions: Sequence[str], resource: str, notes: list[str]
    ) -> tuple[list[str], dict[str, str], list[BuiltRequest]]:
        """Which actions apply to ``resource`` (the others get a note), the request resource
        of each, and the anonymous probe requests (for the resource-based policies).

        On ``"*"`` the builder's answer depends only on the action's class, so one probe per
        class answers for all of its actions; on an ARN, whether the ARN is a resource of the
        action is the action's own, so each action is probed."""
        usable: list[str] = []
        request_resource: dict[str, str] = {}
        probes: list[BuiltRequest] = []
        by_class: dict[ClassKey, BuiltRequest | RequestError] = {}
        for action in actions:
            key: ClassKey | None = None
            if resource == "*":
                key = self._class_key(action)
            found = by_class.get(key) if key is not None else None
            if found is None:
                try:
                    found = self.builder.build(Anonymous(), action, resource)
                except RequestError as exc:
                    found = exc
                if key is not None:
                    by_class[key] = found
                if isinstance(found, BuiltRequest):
                    probes.append(found)
            if isinstance(found, RequestError):
                notes.append(f"{action} skipped: {found}")
                continue
            usable.append(action)
            request_resource[action] = found.request.resource
            notes.extend(found.warnings)  # what the resource's side assumes (owner, Region)
        return usable, request_resource, probes

    def _candidate(
        self,
        candidate: Candidate,
        resource: str,
        plan: _Plan,
        context: Mapping[str, ContextValue] | None,
    ) -> tuple[dict[int, _Answer], int, tuple[int, str] | None]:
        """The candidate's answers by action position, how many (principal, action) requests
        they answer, and the first failed build (its position and message), if any.

        Per class of alike actions (in the order of their first action): the actions no
        identity Allow statement can cover on the request resource are skipped (unless the
        principal is always asked, or a resource policy grants the action to ``"*"``), one
        request is built, and the actions left are grouped by the statements covering them.
        Groups whose requests are equal but for the action (of classes the engine tells apart
        only by service, see :func:`~iamsim.analysis.action_classes.engine_service`) share
        one decision, made for the first action of the first such group."""
        shared = self._silent_elsewhere(candidate, resource, plan, context)
        if shared is not None:
            return shared
        return self._asked(candidate, resource, plan, context)

    def _asked(
        self,
        candidate: Candidate,
        resource: str,
        plan: _Plan,
        context: Mapping[str, ContextValue] | None,
    ) -> tuple[dict[int, _Answer], int, tuple[int, str] | None]:
        """:meth:`_candidate`'s answer by asking the engine."""
        answers: dict[int, _Answer] = {}
        asked = 0
        error: tuple[int, str] | None = None
        reach: _Reach | None = None
        given = context or {}
        decided: dict[tuple[object, ...], tuple[CompiledPolicySet, _Answer]] = {}
        # First pass: each class's request and policies (builds in order, so the first
        # failed build ends the candidate's classes as before); second pass: the answers.
        built_classes: list[
            tuple[list[int], str, BuiltRequest, PolicySet, CompiledPolicySet, Candidate]
        ] = []
        for positions in plan.classes:
            if error is not None and positions[0] >= error[0]:
                break
            if reach is not None and not candidate.always:
                positions = reach.filter(positions)
                if not positions:
                    continue
            first = plan.actions[positions[0]]
            try:
                built = self.builder.build(
                    candidate.principal, first, resource, context=context, now=plan.moment
                )
            except RequestError as exc:
                error = (positions[0], str(exc))
                continue
            policies: PolicySet = built.policies
            if candidate.assumed:
                policies = dataclasses.replace(policies, identity=(ASSUMED_IDENTITY,))
            elif (
                policies.identity
                and candidate.kind in ("user", "role")
                and not built.request.same_account
                and self._identity_silent(policies.identity, plan)
            ):
                # Across accounts the caller's identity policies must allow too ("the
                # identity-based policy in the trusting account and the resource-based policy
                # must both allow", https://docs.aws.amazon.com/IAM/latest/UserGuide/
                # reference_policies_evaluation-logic-cross-account.html). No statement of
                # them, Allow or Deny, can apply to any asked action and resource (see
                # _policy_silent), so they take no part in the
                # decision (no Allow, no Deny, no trace): it is the decision without them,
                # and they need not be compiled. The rest (SCPs, the resource policy,
                # the boundary) still decides what blocked the request, if anything.
                policies = dataclasses.replace(policies, identity=())
            compiled = compile_policy_set(policies)
            if built.request.caller.kind is CallerKind.ROOT:
                candidate = dataclasses.replace(candidate, always=True)
            if reach is None:
                reach = _Reach(plan, compiled.identity)
                if not candidate.always:
                    positions = reach.filter(positions)
            if not positions:
                continue
            built_classes.append((positions, first, built, policies, compiled, candidate))
        # The statements covering each action, over each distinct compiled set, in one pass
        # for all the classes asked with it (a signature is the action's own, whichever
        # other actions are asked alongside).
        full: dict[int, dict[int, int]] = {}
        by_compiled: dict[int, tuple[CompiledPolicySet, list[int]]] = {}
        for positions, _, _, _, compiled, _ in built_classes:
            by_compiled.setdefault(id(compiled), (compiled, []))[1].extend(positions)
        for key, (compiled, wanted) in by_compiled.items():
            full[key] = plan.signatures(_all_policies(compiled), wanted)
        for positions, first, built, policies, compiled, asker in built_classes:
            request = built.request
            same = (
                id(compiled),
                request.resource,
                request.resource_account,
                request.context.sameness_key(),
                engine_service(first, rcp=compiled.rcp is not None),
            )
            signature = full[id(compiled)]
            alone, everyone, names = plan.alone, plan.everyone, plan.actions
            # grouped within the class first (``same`` is the class's), keyed in full below
            groups: dict[tuple[str | None, int, bool], list[int]] = {}
            for position in positions:
                local = (alone[position], signature[position], names[position] in everyone)
                members_of = groups.get(local)
                if members_of is None:
                    groups[local] = [position]
                else:
                    members_of.append(position)
            for shape, members in groups.items():
                group: tuple[object, ...] = (*same, *shape)
                found = decided.get(group)
                if found is None:
                    head = plan.actions[members[0]]
                    answer = self._ask(
                        asker,
                        dataclasses.replace(
                            built, request=dataclasses.replace(request, action=head)
                        ),
                        policies,
                        compiled,
                        head,
                        given=given,
                    )
                    found = (compiled, answer)  # holds the compiled set: its id is in the key
                    decided[group] = found
                grant, stopped = found[1]
                asked += len(members)
                for position in members:
                    action = plan.actions[position]
                    answers[position] = (
                        grant if grant is None else _renamed_grant(grant, action),
                        stopped if stopped is None else _renamed_blocked(stopped, action),
                    )
        return answers, asked, error

    def _silent_elsewhere(
        self,
        candidate: Candidate,
        resource: str,
        plan: _Plan,
        context: Mapping[str, ContextValue] | None,
    ) -> tuple[dict[int, _Answer], int, tuple[int, str] | None] | None:
        """The answer of a candidate whose answer another candidate's already gives, or None
        when the candidate must be asked itself.

        That is a user or role of another account than the resource's whose identity
        policies are silent on the question (:meth:`_identity_silent`). Across accounts "the
        identity-based policy in the trusting account and the resource-based policy must
        both allow" (https://docs.aws.amazon.com/IAM/latest/UserGuide/
        reference_policies_evaluation-logic-cross-account.html), so such a caller is never
        allowed (conditions aside: not even relaxed), and the engine decides it with no
        identity policies (see :meth:`_candidate`): what remains is whether a guardrail or a
        Deny stops it (a :class:`Blocked` entry). That depends on the caller only through
        its account, kind, service-linked flag and boundary (the policies the builder
        gives it) and the context keys of principal's own (its ARN, name, tags) that those
        policies read (:meth:`_guard_profile`). The first such caller of each
        (account, kind, service-linked, boundary) is asked; callers agreeing with it on the
        keys read get its answer under their own name, without a request built or a policy
        compiled."""
        if (
            plan.no_permission
            or candidate.always
            or candidate.assumed
            or candidate.kind not in ("user", "role")
        ):
            return None
        entity = candidate.principal
        if not isinstance(entity, (User, Role)):
            return None
        try:
            # The builder's own list (inline, attached, groups'): the one a build would use.
            identity = self.builder.identity_policies(entity)
        except RequestError:
            return None  # asked as before: its build reports the error
        if identity and not self._identity_silent(identity, plan):
            return None
        key = (
            entity.account,
            candidate.kind,
            isinstance(entity, Role) and entity.service_linked,
            entity.boundary_arn,
        )
        found = self._quiet.get(key)
        if found is None or found[0] is not plan:
            shared: _Shared | None = None
            profile = self._guard_profile(entity, resource, plan, context)
            if profile is not None:
                answers, asked, error = self._asked(candidate, resource, plan, context)
                if error is None and all(
                    grant is None and (stopped is None or _impersonal(stopped, entity))
                    for grant, stopped in answers.values()
                ):
                    shared = _Shared(*profile, _read_values(entity, *profile), answers, asked)
                    self._quiet[key] = (plan, shared)
                    return answers, asked, error
                self._quiet[key] = (plan, None)
                return answers, asked, error
            found = (plan, shared)
            self._quiet[key] = found
        shared = found[1]
        if shared is None or _read_values(entity, shared.read, shared.named) != shared.values:
            return None
        out: dict[int, _Answer] = {}
        for position, (_, stopped) in shared.answers.items():
            out[position] = (
                None,
                None
                if stopped is None
                else dataclasses.replace(stopped, principal=candidate.name, kind=candidate.kind),
            )
        return out, shared.asked, None

    def _guard_profile(
        self,
        entity: User | Role,
        resource: str,
        plan: _Plan,
        context: Mapping[str, ContextValue] | None,
    ) -> tuple[frozenset[str], frozenset[str]] | None:
        """The principal context keys (lower case) that the policies other than its identity
        policies read when deciding ``entity``'s requests of the question, and the principals
        their Principal and NotPrincipal elements name one by one; or None when its answer
        cannot stand for another caller's: a request within one account, a trust or key
        policy, a session or endpoint policy, or a statement that applies to an asked action
        (by Action/NotAction) and holds a policy variable or a principal pattern.

        The rest of a request is the same for every caller of ``entity``'s account and kind
        with its service-linked flag and boundary: the builder takes the SCPs from the
        caller's account (none for a service-linked role), the RCPs from the resource's
        account (none for a service-linked caller), the boundary from its ARN, the resource
        policy and keys from the resource, the credential keys from the caller's kind and
        the organization keys from its account."""
        read: set[str] = set()
        named: set[str] = set()
        for positions in plan.classes:
            first = plan.actions[positions[0]]
            try:
                built = self.builder.build(
                    entity, first, resource, context=context, now=plan.moment
                )
            except RequestError:
                return None
            request, policies = built.request, built.policies
            if request.same_account or resource_policy_kind(request.action, request.resource) in (
                "trust",
                "kms",
            ):
                return None
            if policies.resource is not None and (
                policies.resource.policy_type is PolicyType.TRUST
            ):
                return None
            if policies.session is not None or policies.endpoint is not None:
                return None
            guards: list[Policy] = [p for p in (policies.resource, policies.boundary) if p]
            for levels in (policies.scp, policies.rcp):
                for level in levels or ():
                    guards.extend(level)
            for policy in guards:
                for statement in policy.statements:
                    if not _statement_pairs(statement, plan.asked):
                        continue  # its Action does not cover the request: it never matches
                    for spec in (statement.principal, statement.not_principal):
                        if spec is None or spec.wildcard:
                            continue
                        # Service, federated and canonical-user values never match a user
                        # or role, an account (its ID or root ARN) matches all of its
                        # principals alike: only an AWS value naming one principal (or a
                        # pattern) tells callers of one account apart.
                        for value in spec.values("AWS"):
                            if value == "*" or _names_account(value):
                                continue
                            if "*" in value or "?" in value:
                                return None
                            named.add(value)
                    if _has_variable(statement):
                        return None
                    read.update(clause.key.lower() for clause in statement.conditions)
        return frozenset(read), frozenset(named)

    def _identity_silent(self, identity: Sequence[Policy], plan: _Plan) -> bool:
        """Whether no statement of ``identity`` (Allow or Deny, conditions aside) can apply to
        any action of ``plan`` on its request resource, by the engine's own patterns on the
        parsed strings (no policy compiled). Never for actions that need no permission."""
        if plan.no_permission:
            return False
        for policy in identity:
            key = id(policy)
            found = self._silent.get(key)
            if found is None or found[0] is not policy or found[1] is not plan:
                found = (policy, plan, _policy_silent(policy, plan.asked))
                self._silent[key] = found
            if not found[2]:
                return False
        return True

    def _facts(
        self, candidate: Candidate, built: BuiltRequest, given: Mapping[str, ContextValue]
    ) -> Facts:
        external = candidate.assumed or candidate.kind in ("account", "any-principal")
        context = built.request.context
        if candidate.kind in ("account", "any-principal"):
            # Only the account is known of "some principal of the account" (not the stand-in's
            # name, type or tags).
            account = context.get_values("aws:PrincipalAccount")
            context = Context({"aws:PrincipalAccount": account[0]} if account else {})
        return principal_facts(
            context,
            own_account=False,
            identity_only=external,
            resource_fixed=True,
            given=given,
        )

    def _ask(
        self,
        candidate: Candidate,
        built: BuiltRequest,
        policies: PolicySet,
        compiled: CompiledPolicySet,
        action: str,
        *,
        given: Mapping[str, ContextValue],
    ) -> _Answer:
        """The engine's answer to one request: how it is granted, or what stopped a grant
        (a guardrail or an explicit Deny), or neither."""
        request = built.request
        assumption = self._assumption(candidate)
        # With identity policies that can apply (silent ones were dropped) the request is
        # mostly allowed, and an allowed one is explained: explain it at once rather than
        # deciding it twice (the explained decision's value, reason and guardrail are the
        # unexplained one's).
        explained = bool(policies.identity)
        first = evaluate(request, compiled, explain=explained)
        value = first.value
        if value is DecisionValue.ALLOW:
            decision = first if explained else evaluate(request, compiled, explain=True)
            facts = self._facts(candidate, built, given)
            conditions = _requirements(decision.decisive, compiled, facts) or ()
            unless = _unless(decision, compiled, facts)
            grant = ActionGrant(
                action,
                bool(conditions),
                decision.reason,
                decision.decisive,
                conditions,
                unless,
                assumption,
            )
            return grant, None
        relaxed = (
            compile_policy_set(self._relaxed_set(policies))
            if self._has_conditional_allow(policies)
            else None
        )
        if relaxed is not None and decide(request, relaxed).allowed:
            decision = evaluate(request, relaxed, explain=True)
            facts = self._facts(candidate, built, given)
            needed = _requirements(decision.decisive, compiled, facts, strict=True)
            if needed:
                grant = ActionGrant(
                    action,
                    True,
                    decision.reason,
                    decision.decisive,
                    needed,
                    _unless(evaluate(request, compiled, explain=True), compiled, facts),
                    assumption,
                    allowed_as_built=False,
                )
                return grant, None
        if first.blocked_by is not None or value is DecisionValue.EXPLICIT_DENY:
            stopped = Blocked(
                candidate.name,
                candidate.kind,
                action,
                value.value,
                first.blocked_by,
                first.reason,
            )
            return None, stopped
        return None, None

    def _has_conditional_allow(self, policies: PolicySet) -> bool:
        return any(self._relax(p) is not p for p in policies.all_policies())

    @staticmethod
    def _assumption(candidate: Candidate) -> str | None:
        if candidate.kind == "account":
            return "a principal of that account whose own policies allow"
        if candidate.kind == "any-principal":
            return "a principal of another account whose own policies allow"
        if candidate.assumed:
            return "its own identity policies allow (it is outside the loaded inputs)"
        return None


class _Plan:
    """One question's actions, numbered by position, with their classes of alike actions
    (:func:`~iamsim.analysis.action_classes.class_key` and the request resource), in the
    order of their first action."""

    def __init__(
        self,
        actions: Sequence[str],
        request_resource: Mapping[str, str],
        everyone: set[str],
        class_of: Callable[[str], ClassKey],
    ) -> None:
        self.actions = list(actions)
        self.request_resource = request_resource
        self.everyone = everyone
        self.index = default_index() if len(actions) > 1 else None
        self.id_of: list[int | None] = [
            self.index.id_of(a) if self.index is not None else None for a in self.actions
        ]
        classes: dict[tuple[ClassKey, str], list[int]] = {}
        for position, action in enumerate(self.actions):
            key = class_of(action)
            classes.setdefault((key, request_resource[action]), []).append(position)
        self.classes = list(classes.values())
        # first position of a class -> the ids of its actions, for the classes that are
        # catalogue actions only and hold no action a resource policy grants to "*"
        self.class_ids: dict[int, frozenset[int]] = {}
        for members in self.classes:
            found = [self.id_of[p] for p in members]
            if all(i is not None for i in found) and not any(
                self.actions[p] in everyone for p in members
            ):
                self.class_ids[members[0]] = frozenset(i for i in found if i is not None)
        self.alone = [class_key(a, True)[2] for a in self.actions]
        # (lower-case action, its request resource) of each action, for the silence test
        self.asked = tuple((a.lower(), request_resource[a]) for a in self.actions)
        self.no_permission = any(a in NO_PERMISSION_ACTIONS for a, _ in self.asked)
        # One clock reading for every request of the question, so that requests equal but
        # for the action are equal (the time keys included).
        self.moment = datetime.now(UTC)

    def signatures(
        self, policies: Iterable[CompiledPolicy], positions: Sequence[int] | None = None
    ) -> dict[int, int]:
        """A label of the signature of each position's action over ``policies`` (equal labels:
        equal signatures, see :func:`~iamsim.analysis.action_classes.signatures`); an action
        the index does not know gets a label of its own (negative)."""
        wanted = range(len(self.actions)) if positions is None else positions
        id_of = self.id_of
        known = [i for i in dict.fromkeys(id_of[p] for p in wanted) if i is not None]
        labels = signatures(policies, known, self.index) if known and self.index is not None else {}
        out: dict[int, int] = {}
        for position in wanted:
            action_id = id_of[position]
            out[position] = -1 - position if action_id is None else labels[action_id]
        return out


class _Reach:
    """Which actions some identity Allow statement of one principal can cover on their
    request resource, conditions ignored (the prefilter of :meth:`WhoCan._candidate`): the
    statements' action sets from the catalogue index, their resources by the engine's own
    patterns (see :func:`_statement_could`)."""

    def __init__(self, plan: _Plan, identity: Sequence[CompiledPolicy]) -> None:
        self.plan = plan
        self.identity = identity
        allows = [s for p in identity for s in p.statements if not s.is_deny]
        # target -> (some statement covers every action, ids some Action covers, ids every
        # NotAction statement excludes (None without one)): an action passes when the first
        # is true, or it is in the second, or it is missing from the third.
        self._by_target: dict[str, tuple[bool, frozenset[int], frozenset[int] | None]] = {}
        index = plan.index
        for target in set(plan.request_resource.values()):
            everything = False
            listed: set[int] = set()
            excluded: frozenset[int] | None = None
            for statement in allows:
                if index is None or not _resource_could(statement, target):
                    continue
                coverage = index.coverage(statement)
                if coverage.everything:
                    everything = True
                elif coverage.negated:
                    excluded = coverage.ids if excluded is None else excluded & coverage.ids
                else:
                    listed.update(coverage.ids)
            self._by_target[target] = (everything, frozenset(listed), excluded)

    def filter(self, positions: list[int]) -> list[int]:
        plan = self.plan
        actions, id_of, request_resource = plan.actions, plan.id_of, plan.request_resource
        everyone = plan.everyone
        ids = plan.class_ids.get(positions[0]) if positions else None
        if ids is not None and len(ids) == len(positions):
            # A whole class of catalogue actions, none granted to "*" by a resource policy,
            # on one request resource: set operations decide it at once.
            everything, listed, excluded = self._by_target[request_resource[actions[positions[0]]]]
            if everything:
                return positions
            kept = ids & listed
            if excluded is not None:
                kept = kept | (ids - excluded)
            if not kept:
                return []
            if len(kept) == len(ids):
                return positions
            return [p for p in positions if id_of[p] in kept]
        out: list[int] = []
        for position in positions:
            action = actions[position]
            target = request_resource[action]
            action_id = id_of[position]
            if action in everyone:
                out.append(position)
            elif action_id is None:
                if _could_allow(self.identity, action.lower(), target):
                    out.append(position)
            else:
                everything, listed, excluded = self._by_target[target]
                if (
                    everything
                    or action_id in listed
                    or (excluded is not None and action_id not in excluded)
                ):
                    out.append(position)
        return out


def _policy_silent(policy: Policy, asked: Sequence[tuple[str, str]]) -> bool:
    """Whether no statement of ``policy`` can apply to any ``(action, request resource)`` of
    ``asked`` (actions in lower case), conditions aside: by its Action/NotAction and
    Resource/NotResource, matched as the engine matches them (:func:`compile_action`,
    :func:`compile_resource`, memoised by text; a resource pattern with policy variables
    counts as matching). A statement without the elements counts as matching."""
    enabled = policy.variables_enabled
    for statement in policy.statements:
        pairs = _statement_pairs(statement, asked)
        if not pairs:
            continue
        if statement.resources is not None:
            resources = [
                compile_resource(t, variables_enabled=enabled) for t in statement.resources
            ]
            if any(
                p.has_variables or p.matches(r, _NO_CONTEXT) for _, r in pairs for p in resources
            ):
                return False
        else:
            not_resources = [
                compile_resource(t, variables_enabled=enabled)
                for t in statement.not_resources or ()
            ]
            if any(
                not any(not p.has_variables and p.matches(r, _NO_CONTEXT) for p in not_resources)
                for _, r in pairs
            ):
                return False
    return True


def _statement_pairs(
    statement: Statement, asked: Sequence[tuple[str, str]]
) -> list[tuple[str, str]]:
    """The ``(action, request resource)`` pairs of ``asked`` whose action ``statement``'s
    Action/NotAction covers, by the engine's own patterns."""
    if statement.actions is not None:
        patterns = [compile_action(t) for t in statement.actions]
        return [(a, r) for a, r in asked if any(p.matches(a) for p in patterns)]
    excluded = [compile_action(t) for t in statement.not_actions or ()]
    return [(a, r) for a, r in asked if not any(p.matches(a) for p in excluded)]


@dataclass(frozen=True, slots=True)
class _Shared:
    """The answer of a silent caller of another account, shared by the callers of its kind
    that agree with it on the principal keys ``read`` (their ``values``)."""

    read: frozenset[str]
    named: frozenset[str]
    values: tuple[tuple[str, object], ...]
    answers: dict[int, _Answer]
    asked: int


def _read_values(
    entity: User | Role, read: frozenset[str], named: frozenset[str]
) -> tuple[tuple[str, object], ...]:
    """The principal context keys of ``entity`` (as the builder derives them) that ``read``
    names, lower-cased, with their values (absent keys are absent), and whether a value of
    ``named`` may name it (by its name or unique ID in the value: a role's ARN, its
    sessions' ARNs, a user's ARN; more than matches, never less)."""
    out: list[tuple[str, object]] = []
    if read:
        if isinstance(entity, User):
            keys = principal_keys(entity, user=entity)
        else:
            keys = principal_keys(entity, role=entity)
        out = sorted(
            (k.lower(), tuple(v) if isinstance(v, list) else v)
            for k, v in keys.items()
            if k.lower() in read
        )
    if named:
        marks = [entity.name, *([entity.id] if entity.id else [])]
        out.append(("", any(m in value for value in named for m in marks)))
    return tuple(out)


def _names_account(value: str) -> bool:
    """Whether a Principal ``AWS`` value names a whole account (its ID or root ARN)."""
    return (len(value) == 12 and value.isdigit()) or (
        value.startswith("arn:") and value.endswith(":root")
    )


def _impersonal(stopped: Blocked, entity: User | Role) -> bool:
    """Whether ``stopped``'s reason names nothing of ``entity`` (it can stand for another)."""
    return entity.arn not in stopped.reason and entity.name not in stopped.reason


def _has_variable(statement: Statement) -> bool:
    """Whether a resource or condition value of ``statement`` holds ``${``: a policy
    variable reads context keys (the principal's name, tags...) that no clause names."""
    texts = [*(statement.resources or ()), *(statement.not_resources or ())]
    for clause in statement.conditions:
        texts.extend(str(v) for v in clause.values)
    return any("${" in t for t in texts)


def _renamed_grant(grant: ActionGrant, action: str) -> ActionGrant:
    """``grant`` for another action of its class (a constructor call: many are made)."""
    if grant.action == action:
        return grant
    return ActionGrant(
        action,
        grant.conditional,
        grant.reason,
        grant.granted_by,
        grant.conditions,
        grant.unless,
        grant.assumption,
        grant.allowed_as_built,
    )


def _renamed_blocked(stopped: Blocked, action: str) -> Blocked:
    if stopped.action == action:
        return stopped
    return Blocked(
        stopped.principal,
        stopped.kind,
        action,
        stopped.decision,
        stopped.blocked_by,
        stopped.reason,
    )


def _all_policies(compiled: CompiledPolicySet) -> list[CompiledPolicy]:
    """Every compiled policy of the set, in one fixed order."""
    out = [*compiled.identity]
    if compiled.boundary is not None:
        out.append(compiled.boundary)
    out.extend(compiled.session or ())
    if compiled.resource is not None:
        out.append(compiled.resource)
    out.extend(compiled.endpoint or ())
    for level in compiled.scp or ():
        out.extend(level)
    for level in compiled.rcp or ():
        out.extend(level)
    return out


def _distinct_resource_policies(probes: Iterable[BuiltRequest]) -> list[Policy]:
    """The resource-based policies the builder attached to the probe requests, each once."""
    found: dict[int, Policy] = {}
    for built in probes:
        if built.policies.resource is not None:
            found[id(built.policies.resource)] = built.policies.resource
    return list(found.values())


def _account_stand_in(account: str, partition: str) -> Role:
    """An IAM role standing for "some principal of ``account``" (see ``_named``)."""
    name = "any-principal-of-the-account"
    return Role(arn=f"arn:{partition}:iam::{account}:role/{name}", name=name, account=account)


# A statement's place: (policy type, policy, statement, organization level).
_RefKey = tuple[str, str, str, int | None]
_BY_REF: dict[int, tuple[CompiledPolicySet, dict[_RefKey, CompiledStatement]]] = {}


_NO_CONTEXT = Context()
_COULD: dict[tuple[int, str, str], tuple[CompiledPolicy, bool]] = {}


def forget_caches() -> None:
    """Drop what who-can and the engine keep between questions: compiled policies and sets,
    and the statement lookups of this module. A worker answering one account after another
    calls it after each account, whose policies the next one never meets (otherwise the
    bounded caches keep up to thousands of principals' compiled policies alive)."""
    _BY_REF.clear()
    _COULD.clear()
    forget_compiled_sets()


def _could_allow(identity: Sequence[CompiledPolicy], action: str, resource: str) -> bool:
    """Whether some identity Allow statement can cover ``action`` on ``resource``, ignoring
    conditions: the engine's own action and resource patterns, asked without a request
    (a pattern with policy variables counts as matching). When no statement can, no identity
    policy allows, so the engine would not allow the request unless a resource policy names
    the caller."""
    for policy in identity:
        key = (id(policy), action, resource)
        found = _COULD.get(key)
        if found is None or found[0] is not policy:
            if len(_COULD) > 200_000:
                _COULD.clear()
            found = (policy, any(_statement_could(s, action, resource) for s in policy.statements))
            _COULD[key] = found
        if found[1]:
            return True
    return False


def _statement_could(statement: CompiledStatement, action: str, resource: str) -> bool:
    if statement.is_deny:
        return False
    if statement.actions is not None:
        if not any(p.matches(action) for p in statement.actions):
            return False
    elif any(p.matches(action) for p in statement.not_actions or ()):
        return False
    return _resource_could(statement, resource)


def _resource_could(statement: CompiledStatement, resource: str) -> bool:
    """Whether the statement's Resource/NotResource can cover ``resource`` (a pattern with
    policy variables counts as matching)."""
    if statement.resources is not None:
        return any(p.has_variables or p.matches(resource, _NO_CONTEXT) for p in statement.resources)
    return not any(
        not p.has_variables and p.matches(resource, _NO_CONTEXT)
        for p in statement.not_resources or ()
    )


def _statements_by_ref(compiled: CompiledPolicySet) -> dict[_RefKey, CompiledStatement]:
    cached = _BY_REF.get(id(compiled))
    if cached is not None and cached[0] is compiled:
        return cached[1]
    if len(_BY_REF) > 4096:
        _BY_REF.clear()
    out: dict[_RefKey, CompiledStatement] = {}
    _BY_REF[id(compiled)] = (compiled, out)
    groups = [
        *compiled.identity,
        *((compiled.boundary,) if compiled.boundary else ()),
        *(compiled.session or ()),
        *((compiled.resource,) if compiled.resource else ()),
        *(p for level in compiled.scp or () for p in level),
        *(p for level in compiled.rcp or () for p in level),
    ]
    for policy in groups:
        for statement in policy.statements:
            ref = statement.ref
            out[(ref.policy_type, ref.policy, ref.statement, ref.level)] = statement
    return out


def _requirements(
    refs: Sequence[StatementRef],
    compiled: CompiledPolicySet,
    facts: Facts,
    *,
    strict: bool = False,
) -> tuple[Requirement, ...] | None:
    """The request-dependent conditions of the decisive statements.

    With ``strict`` (a condition-relaxed answer), None when a decisive statement has a clause
    the principal or resource fixes and that is false: then the relaxed answer is not reachable.
    """
    by_ref = _statements_by_ref(compiled)
    out: list[Requirement] = []
    for ref in refs:
        statement = by_ref.get((ref.policy_type, ref.policy, ref.statement, ref.level))
        if statement is None or statement.conditions.empty:
            continue
        residual = facts.residual(statement.conditions)
        if residual is None:
            if strict:
                return None
            continue
        if residual:
            out.append(Requirement(ref, clauses_to_dict(residual)))
    unique: dict[tuple[StatementRef, str], Requirement] = {}
    for requirement in out:
        unique.setdefault((requirement.statement, repr(requirement.conditions)), requirement)
    return tuple(unique.values())


def _unless(
    decision: Decision, compiled: CompiledPolicySet, facts: Facts
) -> tuple[Requirement, ...]:
    """Deny statements that matched the request but for their conditions."""
    out: list[Requirement] = []
    by_ref = _statements_by_ref(compiled)
    for trace in decision.statements:
        ref = trace.ref
        if ref.effect != "Deny" or trace.applied or trace.reason != "condition":
            continue
        statement = by_ref.get((ref.policy_type, ref.policy, ref.statement, ref.level))
        if statement is None:
            continue
        residual = facts.residual(statement.conditions)
        if residual:
            out.append(Requirement(ref, clauses_to_dict(residual)))
    return tuple(out)


def who_can(
    world: World,
    actions: Iterable[str],
    resource: str,
    *,
    context: Mapping[str, ContextValue] | None = None,
    analyzer: WhoCan | None = None,
) -> WhoCanResult:
    """Who can perform ``actions`` (names, lists or globs) on ``resource``."""
    analyzer = analyzer or WhoCan(world)
    expanded = expand_actions(actions, analyzer.builder.catalog)
    return analyzer.who_can(expanded, resource, context=context)
