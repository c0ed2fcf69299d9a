"""The privilege escalation technique catalogue, and how one technique step is decided.

The catalogue is data (``iamsim/data/escalation_techniques.yaml``): each technique names the
actions it needs, the resource each action is requested on (a template), the context the
request carries (``iam:PassedToService``, ``iam:PermissionsBoundary``, ``iam:PolicyARN``...) and
what it yields. :func:`load_catalogue` reads and validates it.

Nothing here decides access by itself. An :class:`Actor` is a principal of the world, possibly
changed by an escalation (a policy added, a boundary removed) or created by one; the
:class:`Oracle` turns "can this actor do ACTION on RESOURCE with this context" into the request
the request builder makes for the actor, applies the actor's changes to the policy set, and asks
the engine. Every technique step of every analysis goes through :meth:`Oracle.check`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from iamsim.builder import RequestBuilder
from iamsim.engine import (
    Caller,
    CompiledPolicySet,
    Decision,
    DecisionValue,
    MatchClass,
    PolicySet,
    Request,
    StatementRef,
    decide,
    evaluate,
)
from iamsim.engine.compiled import CompiledStatement, compiled_policy
from iamsim.engine.decision import policy_set_key
from iamsim.errors import InputError
from iamsim.model import Role, User, World
from iamsim.model.managed import aws_managed_policy
from iamsim.policy.model import Policy, PolicyType, Statement
from iamsim.policy.parser import parse_policy
from iamsim.vocabulary.arn import parse_entity_arn
from iamsim.vocabulary.request import Context, ContextValue

# Kinds with an edge function in iamsim.analysis.escalation.edges; another kind is a catalogue error.
KINDS = frozenset(
    {
        "assume-role",
        "update-trust",
        "user-credentials",
        "pass-role",
        "run-as-existing",
        "attach-policy",
        "put-policy",
        "add-to-group",
        "edit-policy-version",
        "set-default-version",
        "delete-boundary",
        "put-boundary",
        "create-principal",
    }
)
# Kinds whose technique names a target type (user, group or role).
_TARGETED = {
    "attach-policy": {"user", "group", "role"},
    "put-policy": {"user", "group", "role"},
    "delete-boundary": {"user", "role"},
    "put-boundary": {"user", "role"},
    "create-principal": {"user", "role"},
}
PLACEHOLDERS = frozenset(
    {
        "Partition",
        "Account",
        "Region",
        "Target",
        "New",
        "Resource",
        "Service",
        "TargetBoundary",
        "PolicyChoice",
        "BoundaryChoice",
        "Actor",
        "Cluster",
    }
)
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z]+)\}")
_TECHNIQUE_KEYS = {
    "id",
    "name",
    "category",
    "kind",
    "target",
    "service",
    "instance_profile",
    "resource_kind",
    "candidate",
    "steps",
    "note",
    "breaks",
    "references",
}
_STEP_KEYS = {"action", "resource", "context", "trust", "gives"}

ADMINISTRATOR_ACCESS = "AdministratorAccess"

# Names of the documents an analysis writes itself (never advice targets).
ATTACKER_POLICY = "attacker-written policy (Allow * on *)"
ATTACKER_TRUST = "trust policy written by the actor"
ACCOUNT_TRUST = "trust policy trusting the account"
SYNTHETIC_POLICIES = frozenset({ATTACKER_POLICY, ATTACKER_TRUST, ACCOUNT_TRUST})


# -- the catalogue ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    """One request a technique needs: ``action`` on ``resource`` with ``context``.

    ``trust`` is ``attacker`` (decided against a trust policy the actor wrote naming itself)
    or ``account`` (a trust policy trusting the actor's account); ``gives`` says what an
    alternative of a new-principal technique grants (``inline-policy``/``attached-policy``).
    """

    action: str
    resource: str
    context: tuple[tuple[str, str], ...] = ()
    trust: str | None = None
    gives: str | None = None


@dataclass(frozen=True, slots=True)
class StepGroup:
    """Steps of which any one suffices (a single step is a group of one)."""

    options: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Technique:
    id: str
    name: str
    category: str
    kind: str
    steps: tuple[StepGroup, ...]
    target: str | None = None
    service: str | None = None
    instance_profile: bool = False
    resource_kind: str | None = None
    candidate: str | None = None
    note: str | None = None
    breaks: tuple[str, ...] = ()
    references: tuple[str, ...] = ()

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(o.action for g in self.steps for o in g.options)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "kind": self.kind,
            "actions": list(dict.fromkeys(self.actions)),
        }
        if self.service:
            out["service"] = self.service
        out["references"] = list(self.references)
        return out


@dataclass(frozen=True, slots=True)
class Probe:
    """An administrator probe: ``action`` on ``resource`` (a template), optionally a trust
    request decided against a trust policy trusting the account."""

    action: str
    resource: str
    trust: str | None = None


@dataclass(frozen=True)
class Catalogue:
    techniques: tuple[Technique, ...]
    admin_probes: tuple[Probe, ...]
    references: Mapping[str, str] = field(default_factory=dict)
    source: str = ""

    def technique(self, technique_id: str) -> Technique:
        for t in self.techniques:
            if t.id == technique_id:
                return t
        raise KeyError(technique_id)

    def of_kind(self, *kinds: str) -> tuple[Technique, ...]:
        return tuple(t for t in self.techniques if t.kind in kinds)

    def only(self, ids: Iterable[str]) -> Catalogue:
        """The catalogue restricted to techniques ``ids`` (unknown ids raise KeyError)."""
        wanted = set(ids)
        unknown = wanted - {t.id for t in self.techniques}
        if unknown:
            raise KeyError(", ".join(sorted(unknown)))
        kept = tuple(t for t in self.techniques if t.id in wanted)
        return dataclasses.replace(self, techniques=kept)


def default_catalogue_path() -> Path:
    return Path(str(resources.files("iamsim") / "data" / "escalation_techniques.yaml"))


@lru_cache(maxsize=1)
def _default_catalogue() -> Catalogue:
    path = default_catalogue_path()
    return parse_catalogue(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))


def load_catalogue() -> Catalogue:
    """The packaged catalogue. A catalogue of one's own (same schema) is input like any other:
    read and parse it with the loaders' bounded, strict reader (``iamsim.ingest.parse_text``)
    and validate it with :func:`parse_catalogue`; analysis reads no files."""
    return _default_catalogue()


# Makes the located InputError for a message and a JSON pointer in the catalogue.
_Fail = Callable[[str, str], InputError]


def parse_catalogue(doc: object, source: str = "<catalogue>") -> Catalogue:
    """Validate a parsed catalogue document; errors are InputError naming the entry."""

    def fail(message: str, where: str) -> InputError:
        return InputError(message, source=source, path=where)

    if not isinstance(doc, Mapping) or not isinstance(doc.get("techniques"), list):
        raise fail("a catalogue is a mapping with a 'techniques' list", "")
    refs = doc.get("references") or {}
    if not isinstance(refs, Mapping):
        raise fail("'references' maps a short name to a URL", "/references")
    probes = tuple(
        _probe(p, f"/admin_probes/{i}", fail) for i, p in enumerate(doc.get("admin_probes") or [])
    )
    # service prefix -> URL of its API reference pages ({operation} in it), and the
    # operations whose name differs from their action's (lambda:InvokeFunction is Invoke).
    # A catalogue with api_pages must give one for every service its techniques call.
    api_pages = doc.get("api_pages")
    api_operations = doc.get("api_operations") or {}
    if not isinstance(api_pages, Mapping | None) or not isinstance(api_operations, Mapping):
        raise fail("'api_pages' and 'api_operations' are mappings", "/api_pages")
    techniques: list[Technique] = []
    seen: set[str] = set()
    for i, entry in enumerate(doc["techniques"]):
        where = f"/techniques/{i}"
        technique = _technique(entry, where, refs, fail, api_pages, api_operations)
        if technique.id in seen:
            raise fail(f"technique id {technique.id!r} is used twice", f"{where}/id")
        seen.add(technique.id)
        techniques.append(technique)
    return Catalogue(tuple(techniques), probes, dict(refs), source)


def _probe(entry: object, where: str, fail: _Fail) -> Probe:
    if not isinstance(entry, Mapping) or not {"action", "resource"} <= set(entry):
        raise fail("an admin probe is {action, resource[, trust]}", where)
    trust = entry.get("trust")
    if trust not in (None, "account"):
        raise fail("a probe's trust can only be 'account'", f"{where}/trust")
    _check_placeholders(str(entry["resource"]), where, fail)
    return Probe(str(entry["action"]), str(entry["resource"]), trust)


def _technique(
    entry: object,
    where: str,
    refs: Mapping[str, str],
    fail: _Fail,
    api_pages: Mapping[str, object] | None = None,
    api_operations: Mapping[str, object] | None = None,
) -> Technique:
    """One technique; with ``api_pages`` (None: not cited) the API pages of its calls are added
    to its references."""
    if not isinstance(entry, Mapping):
        raise fail("a technique is a mapping", where)
    api_operations = api_operations or {}
    unknown = set(entry) - _TECHNIQUE_KEYS
    if unknown:
        raise fail(f"unknown technique field(s): {', '.join(sorted(unknown))}", where)
    for key in ("id", "name", "category", "kind", "steps"):
        if key not in entry:
            raise fail(f"a technique needs '{key}'", where)
    kind = entry["kind"]
    if kind not in KINDS:
        raise fail(f"unknown kind {kind!r} (known: {', '.join(sorted(KINDS))})", f"{where}/kind")
    target = entry.get("target")
    if kind in _TARGETED and target not in _TARGETED[kind]:
        allowed = ", ".join(sorted(_TARGETED[kind]))
        raise fail(f"kind {kind} needs a target among {allowed}", f"{where}/target")
    if kind in ("pass-role", "run-as-existing") and not entry.get("service"):
        raise fail(f"kind {kind} needs the 'service' principal", where)
    if kind == "run-as-existing" and not (entry.get("candidate") and entry.get("resource_kind")):
        raise fail("kind run-as-existing needs 'candidate' and 'resource_kind'", where)
    if not isinstance(entry["steps"], list) or not entry["steps"]:
        raise fail("'steps' is a non-empty list", f"{where}/steps")
    groups = []
    for j, raw in enumerate(entry["steps"]):
        step_where = f"{where}/steps/{j}"
        if isinstance(raw, Mapping) and "any_of" in raw:
            options = raw["any_of"]
            if not isinstance(options, list) or not options:
                raise fail("'any_of' is a non-empty list of steps", step_where)
            groups.append(
                StepGroup(
                    tuple(_step(o, f"{step_where}/any_of/{k}", fail) for k, o in enumerate(options))
                )
            )
        else:
            groups.append(StepGroup((_step(raw, step_where, fail),)))
    references = []
    for ref in entry.get("references") or []:
        references.append(refs.get(ref, ref))
    # The AWS API reference page of every API the technique calls (iam:PassRole is a
    # permission, not an API: the pass-role page cited by the technique covers it).
    for group in groups:
        if api_pages is None:
            break
        for option in group.options:
            if option.action.lower() == "iam:passrole":
                continue
            service, _, operation = option.action.partition(":")
            page = api_pages.get(service)
            if not isinstance(page, str):
                raise fail(f"no API reference page (api_pages) for service {service!r}", where)
            operation = str(api_operations.get(option.action, operation))
            # An override may be the page itself (an API documented with another service's).
            references.append(
                operation
                if operation.startswith("https://")
                else page.replace("{operation}", operation)
            )
    references = list(dict.fromkeys(references))
    if entry.get("candidate"):
        _check_placeholders(str(entry["candidate"]), f"{where}/candidate", fail)
    return Technique(
        id=str(entry["id"]),
        name=str(entry["name"]),
        category=str(entry["category"]),
        kind=kind,
        steps=tuple(groups),
        target=target,
        service=entry.get("service"),
        instance_profile=bool(entry.get("instance_profile", False)),
        resource_kind=entry.get("resource_kind"),
        candidate=entry.get("candidate"),
        note=entry.get("note"),
        breaks=tuple(str(b) for b in entry.get("breaks") or ()),
        references=tuple(references),
    )


def _step(raw: object, where: str, fail: _Fail) -> Step:
    if not isinstance(raw, Mapping) or "action" not in raw or "resource" not in raw:
        raise fail("a step is {action, resource[, context, trust, gives]}", where)
    unknown = set(raw) - _STEP_KEYS
    if unknown:
        raise fail(f"unknown step field(s): {', '.join(sorted(unknown))}", where)
    context = raw.get("context") or {}
    if not isinstance(context, Mapping):
        raise fail("a step's context maps condition keys to values", f"{where}/context")
    if raw.get("trust") not in (None, "attacker", "account"):
        raise fail("a step's trust is 'attacker' or 'account'", f"{where}/trust")
    if raw.get("gives") not in (None, "inline-policy", "attached-policy"):
        raise fail("a step gives 'inline-policy' or 'attached-policy'", f"{where}/gives")
    _check_placeholders(str(raw["resource"]), f"{where}/resource", fail)
    for value in context.values():
        _check_placeholders(str(value), f"{where}/context", fail)
    return Step(
        action=str(raw["action"]),
        resource=str(raw["resource"]),
        context=tuple((str(k), str(v)) for k, v in context.items()),
        trust=raw.get("trust"),
        gives=raw.get("gives"),
    )


def _check_placeholders(text: str, where: str, fail: _Fail) -> None:
    for name in _PLACEHOLDER.findall(text):
        if name not in PLACEHOLDERS:
            raise fail(f"unknown placeholder ${{{name}}}", where)


def substitute(template: str, values: Mapping[str, str | None]) -> str | None:
    """``template`` with every ``${Name}`` replaced; None when a used value is None.

    Names that are not placeholders (``${aws:username}`` in advice text) stay as written.
    """
    missing = False

    def one(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1)
        if name not in PLACEHOLDERS:
            return match.group(0)
        value = values.get(name)
        if value is None:
            missing = True
            return ""
        return value

    text = _PLACEHOLDER.sub(one, template)
    return None if missing else text


def fill_text(template: str, values: Mapping[str, str | None]) -> str:
    """Advice text with the placeholders that have values filled, others left readable."""

    def one(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        return value if value else match.group(0)

    return _PLACEHOLDER.sub(one, template)


# -- actors and changes -------------------------------------------------------------------


_ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


@lru_cache(maxsize=4)
def allow_all(policy_type: PolicyType = PolicyType.IDENTITY) -> Policy:
    """The document an actor writes when it may write any policy (Allow * on *)."""
    return parse_policy(_ALLOW_ALL, policy_type, name=ATTACKER_POLICY)


@dataclass(frozen=True, slots=True)
class Change:
    """A change an escalation makes to a principal's policies.

    ``identity`` (when not None) replaces every identity policy; ``add`` adds identity
    policies; ``replace`` swaps identity policies (old object, new object); ``boundary``
    replaces the boundary when ``sets_boundary`` (None removes it).
    """

    key: str
    description: str
    identity: tuple[Policy, ...] | None = None
    add: tuple[Policy, ...] = ()
    replace: tuple[tuple[Policy, Policy], ...] = ()
    sets_boundary: bool = False
    boundary: Policy | None = None
    replace_boundary: tuple[Policy, Policy] | None = None

    def apply(self, policies: PolicySet) -> PolicySet:
        identity = policies.identity if self.identity is None else self.identity
        if self.replace:
            swap = {id(old): new for old, new in self.replace}
            identity = tuple(swap.get(id(p), p) for p in identity)
        if self.add:
            identity = (*identity, *self.add)
        boundary = policies.boundary
        if self.sets_boundary:
            boundary = self.boundary
        elif self.replace_boundary is not None and boundary is self.replace_boundary[0]:
            boundary = self.replace_boundary[1]
        if identity is policies.identity and boundary is policies.boundary:
            return policies
        return dataclasses.replace(policies, identity=identity, boundary=boundary)


@dataclass(frozen=True, slots=True)
class Actor:
    """A principal an escalation can act as: a user or role of the world, with the changes
    made to it (``changes``), or a principal the escalation created (``created``)."""

    principal: User | Role
    changes: tuple[Change, ...] = ()
    created: str | None = None  # who created it and how, for new principals
    # Name the account in labels: the world holds several, where role/x alone is ambiguous.
    qualified: bool = field(default=False, compare=False)
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        key = self.principal.arn
        if self.changes or self.created:
            parts = [key]
            if self.created:
                parts.append(f"created:{self.created}")
            parts.extend(c.key for c in self.changes)
            key = "|".join(parts)
        object.__setattr__(self, "key", key)

    @property
    def arn(self) -> str:
        return self.principal.arn

    @property
    def account(self) -> str:
        return self.principal.account

    @property
    def partition(self) -> str:
        return self.principal.partition

    @property
    def is_user(self) -> bool:
        return isinstance(self.principal, User)

    @property
    def label(self) -> str:
        base = principal_label(self.principal, qualified=self.qualified)
        if self.created:
            base = f"new {base} ({self.created})"
        described = [c.description for c in self.changes if c.description]
        if described:
            base += " (" + "; ".join(described) + ")"
        return base

    def changed(self, change: Change) -> Actor:
        return dataclasses.replace(self, changes=(*self.changes, change))


def principal_label(principal: User | Role, *, qualified: bool = False) -> str:
    """``role/path/name`` (``ACCOUNT:role/path/name`` when ``qualified``)."""
    kind = "user" if isinstance(principal, User) else "role"
    label = f"{kind}{principal.path}{principal.name}"
    return f"{principal.account}:{label}" if qualified else label


# -- deciding a step ----------------------------------------------------------------------


class Outcome:
    """The engine's answer to one step: allowed or not. ``decision`` (decisive statements,
    blocking guardrail) is computed on first use, so the many allowed steps that never reach
    a report cost one decision only."""

    __slots__ = ("_compiled", "_decision", "_request", "allowed", "error")

    def __init__(
        self,
        allowed: bool,
        request: Request | None = None,
        compiled: CompiledPolicySet | None = None,
        error: str | None = None,
    ) -> None:
        self.allowed = allowed
        self.error = error
        self._request = request
        self._compiled = compiled
        self._decision: Decision | None = None

    @property
    def decision(self) -> Decision | None:
        if self._decision is None and self._request is not None and self._compiled is not None:
            self._decision = evaluate(self._request, self._compiled, explain=False)
        return self._decision

    @property
    def statements(self) -> tuple[StatementRef, ...]:
        decision = self.decision
        return decision.decisive if decision is not None else ()


_STAND_IN = "iamsim-stand-in-role"
_EMPTY = Context()


def _statement_covers(statement: CompiledStatement, lower: str) -> bool:
    if statement.actions is not None:
        return any(p.matches(lower) for p in statement.actions)
    return not any(p.matches(lower) for p in statement.not_actions or ())


def _covers(policies: Iterable[Policy], lower: str) -> bool:
    """Some Allow statement of ``policies`` covers the (lower-case) action."""
    service = lower.partition(":")[0]
    for policy in policies:
        for statement in compiled_policy(policy).candidates(service):
            if not statement.is_deny and _statement_covers(statement, lower):
                return True
    return False


class Oracle:
    """Decides technique steps with the engine, for actors of one world.

    Every request is built by the request builder for the actor's principal (so context keys,
    SCPs, RCPs and resource policies are exactly those of ``iamsim check``), then the actor's
    changes are applied to the policy set and the engine decides. ``context`` is laid over
    every request (the user's ``--context``). Requests go to ``region`` (IAM and other global
    services to us-east-1); role sessions carry the temporary-credential keys the builder
    derives (issued now, without MFA), IAM users sign with long-term keys, and every request
    is made over TLS (``aws:SecureTransport``).
    """

    def __init__(
        self,
        world: World,
        *,
        region: str = "us-east-1",
        context: Mapping[str, ContextValue] | None = None,
        now: datetime | None = None,
    ) -> None:
        self.world = world
        self.region = region
        self.now = now or datetime.now(UTC).replace(microsecond=0)
        self.context = dict(context or {})
        self._mfa_given = any(k.lower().startswith("aws:multifactorauth") for k in self.context)
        # A stand-in role per account lets the builder build trust requests for roles that do
        # not exist yet (roles an escalation creates); the request's resource is then renamed.
        stand_ins = [
            Role(
                arn=f"arn:{acct.partition}:iam::{acct.id}:role/{_STAND_IN}",
                name=_STAND_IN,
                account=acct.id,
            )
            for acct in world.accounts.values()
        ]
        self._build_world = (
            dataclasses.replace(world, roles={**world.roles, **{r.arn: r for r in stand_ins}})
            if stand_ins
            else world
        )
        self.builder = RequestBuilder(self._build_world, region=region)
        self._compiled: dict[tuple[object, ...], tuple[PolicySet, CompiledPolicySet]] = {}
        self._trusts: dict[tuple[str, str], Policy] = {}
        self._cache: dict[tuple[object, ...], Outcome] = {}
        self._base: dict[str, PolicySet] = {}
        self._documents: dict[str, Policy | None] = {}
        self._may: dict[tuple[str, str], bool] = {}
        self._callers: dict[str, Caller] = {}
        self._built: dict[
            tuple[object, ...],
            tuple[object, Request, PolicySet, dict[tuple[str, str | None], CompiledPolicySet]],
        ] = {}
        self.checks = 0  # engine decisions made (for benchmarks)

    # -- the actor's own policies ----------------------------------------------------------

    def policies_of(self, actor: Actor) -> PolicySet:
        """The identity, boundary and SCP policies the actor's requests carry."""
        found = self._base.get(actor.key)
        if found is None:
            built = self.builder.build(actor.principal, "sts:GetCallerIdentity", now=self.now)
            found = self._apply(actor, built.policies)
            self._base[actor.key] = found
            self._callers.setdefault(actor.principal.arn, built.request.caller)
        return found

    def caller_of(self, actor: Actor) -> Caller:
        """The engine's caller for the actor (a session of a role, the user)."""
        found = self._callers.get(actor.principal.arn)
        if found is None:
            self.policies_of(actor)
            found = self._callers[actor.principal.arn]
        return found

    def may_allow(self, actor: Actor, action: str) -> bool:
        """False only when the actor's policies cannot allow ``action`` on any resource: no
        identity Allow statement covers it, or its boundary or an SCP level has none (a cheap
        necessary condition, ignoring resources and conditions; never a grant)."""
        key = (actor.key, action.lower())
        found = self._may.get(key)
        if found is None:
            lower = key[1]
            policies = self.policies_of(actor)
            found = _covers(policies.identity, lower) and self._gate(policies, lower)
            self._may[key] = found
        return found

    def may_allow_on(self, actor: Actor, action: str, resource: str) -> bool:
        """Like :meth:`may_allow`, and some identity Allow statement's Resource (or
        NotResource) may cover ``resource`` (policy variables count as covering). Valid for
        resources without a resource-based policy."""
        if not self.may_allow(actor, action):
            return False
        lower = action.lower()
        service = lower.partition(":")[0]
        for policy in self.policies_of(actor).identity:
            for statement in compiled_policy(policy).candidates(service):
                if statement.is_deny or not _statement_covers(statement, lower):
                    continue
                if self._mfa_never_present(statement.source):
                    continue
                if statement.resources is not None:
                    if any(
                        p.matches_all or p.has_variables or p.matches(resource, _EMPTY)
                        for p in statement.resources
                    ):
                        return True
                elif not any(
                    not p.has_variables and p.matches(resource, _EMPTY)
                    for p in statement.not_resources or ()
                ):
                    return True
        return False

    def _mfa_never_present(self, statement: Statement) -> bool:
        """The statement requires MFA (``"Bool": {"aws:MultiFactorAuthPresent": "true"}``) and
        no request of this oracle has it: the builder sets the key to ``false`` for temporary
        credentials and leaves it out for long-term keys (where ``Bool`` without ``IfExists``
        is false), unless the user's ``--context`` gives it. Conditions of a statement are
        ANDed, so such a statement allows nothing, whatever the resource; escalation actors
        whose only IAM grant is MFA-gated then cost no engine request per candidate role.
        https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent
        """
        if self._mfa_given:
            return False
        for clause in statement.conditions:
            if (
                clause.key.lower() == "aws:multifactorauthpresent"
                and clause.operator.base == "Bool"
                and not clause.operator.if_exists
                and clause.operator.set_operator is None
                and clause.values
                and all(str(v).lower() == "true" for v in clause.values)
            ):
                return True
        return False

    def may_allow_request(self, actor: Actor, action: str, resource: str) -> bool:
        """A cheap necessary condition for the engine to allow the request: when the
        resource's policy may name the caller itself (or its role or user), only the
        boundary and SCP gate; otherwise :meth:`may_allow_on`."""
        found = self.world.resource_for(resource) if resource not in ("*", "") else None
        policy = found.policy if found is not None else None
        if policy is not None and self._names_caller(policy, self.caller_of(actor)):
            return self._gate(self.policies_of(actor), action.lower())
        return self.may_allow_on(actor, action, resource)

    @staticmethod
    def _names_caller(policy: Policy, caller: Caller) -> bool:
        """Some Allow statement of a resource policy names the caller more specifically than
        by its account (with the engine's principal matching), or uses NotPrincipal."""
        for statement in compiled_policy(policy).statements:
            if statement.is_deny:
                continue
            if statement.not_principal is not None:
                return True
            if statement.principal is not None:
                match = statement.principal.match(caller)
                if match is not None and match > MatchClass.ACCOUNT:
                    return True
        return False

    @staticmethod
    def _gate(policies: PolicySet, lower: str) -> bool:
        """The boundary and every SCP level have an Allow statement covering the action."""
        if policies.boundary is not None and not _covers((policies.boundary,), lower):
            return False
        return all(_covers(level, lower) for level in policies.scp or ())

    def condition_values(self, actor: Actor, key: str) -> list[str]:
        """Values the actor's identity policies compare ``key`` with (candidate choices)."""
        lower = key.lower()
        out: list[str] = []
        for policy in self.policies_of(actor).identity:
            for statement in policy.statements:
                for clause in statement.conditions:
                    if clause.key.lower() == lower:
                        out.extend(str(v) for v in clause.values)
        return list(dict.fromkeys(out))

    def resource_patterns(self, actor: Actor, action: str) -> list[str]:
        """``Resource`` values of the actor's Allow statements that may cover ``action``."""
        lower = action.lower()
        out: list[str] = []
        for policy in self.policies_of(actor).identity:
            for statement in compiled_policy(policy).candidates(lower.partition(":")[0]):
                if statement.is_deny or statement.actions is None:
                    continue
                if any(p.matches(lower) for p in statement.actions):
                    out.extend(statement.source.resources or ())
        return list(dict.fromkeys(out))

    # -- one request -----------------------------------------------------------------------

    def check(
        self,
        actor: Actor,
        action: str,
        resource: str,
        context: Mapping[str, str] | None = None,
        *,
        trust: str | None = None,
        explain: bool = False,
    ) -> Outcome:
        """Whether ``actor`` may do ``action`` on ``resource``. The decision (decisive
        statements, blocking guardrail) is kept when allowed, and when denied with ``explain``."""
        ctx_key = tuple(sorted((context or {}).items()))
        key = (actor.key, action, resource, ctx_key, trust, explain)
        found = self._cache.get(key)
        if found is not None:
            return found
        outcome = self._check(actor, action, resource, dict(context or {}), trust, explain)
        self._cache[key] = outcome
        return outcome

    def _check(
        self,
        actor: Actor,
        action: str,
        resource: str,
        context: dict[str, str],
        trust: str | None,
        explain: bool,
    ) -> Outcome:
        values: dict[str, ContextValue] = {"aws:SecureTransport": "true"}
        values.update(self.context)
        values.update(context)
        build_resource = resource
        if trust is not None or action.lower() == "sts:assumerole":
            build_resource = self._trust_resource(resource)
        # Changed actors share their principal's requests: build once per principal object.
        built_key = (id(actor.principal), action, build_resource, tuple(sorted(context.items())))
        cached = self._built.get(built_key)
        if cached is None:
            try:
                built = self.builder.build(
                    actor.principal, action, build_resource, context=values, now=self.now
                )
            except InputError as exc:  # the resource does not fit the action, an unknown role
                return Outcome(False, error=exc.describe())
            request = built.request
            if build_resource != resource:
                request = dataclasses.replace(request, resource=resource)
            cached = (actor.principal, request, built.policies, {})
            self._built[built_key] = cached
        _, request, base_policies, by_actor = cached
        compiled = by_actor.get((actor.key, trust))
        if compiled is None:
            policies = self._apply(actor, base_policies)
            if trust is not None:
                policies = dataclasses.replace(policies, resource=self._trust_policy(actor, trust))
            compiled = self._compile(policies)
            by_actor[(actor.key, trust)] = compiled
        self.checks += 1
        allowed = decide(request, compiled) is DecisionValue.ALLOW
        if allowed or explain:
            return Outcome(allowed, request, compiled)
        return Outcome(False)

    def _trust_resource(self, resource: str) -> str:
        """A role the builder knows, to build a trust request for a role not created yet."""
        if resource in self._build_world.roles:
            return resource
        parsed = parse_entity_arn(resource)
        if parsed is None or parsed.service != "iam" or not parsed.resource.startswith("role/"):
            return resource
        if parsed.account not in self.world.accounts:
            return resource
        return f"arn:{parsed.partition}:iam::{parsed.account}:role/{_STAND_IN}"

    def _apply(self, actor: Actor, policies: PolicySet) -> PolicySet:
        for change in actor.changes:
            policies = change.apply(policies)
        return policies

    def _compile(self, policies: PolicySet) -> CompiledPolicySet:
        key = policy_set_key(policies)
        found = self._compiled.get(key)
        if found is None:
            found = (policies, CompiledPolicySet(policies))
            self._compiled[key] = found
        return found[1]

    def _trust_policy(self, actor: Actor, trust: str) -> Policy:
        principal = (
            actor.arn if trust == "attacker" else f"arn:{actor.partition}:iam::{actor.account}:root"
        )
        key = (trust, principal)
        found = self._trusts.get(key)
        if found is None:
            doc = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": principal},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
            name = ATTACKER_TRUST if trust == "attacker" else ACCOUNT_TRUST
            found = parse_policy(doc, PolicyType.TRUST, name=name)
            self._trusts[key] = found
        return found

    def managed_document(self, arn: str) -> Policy | None:
        """The default document of a managed policy of the world or the AWS snapshot."""
        if arn in self._documents:
            return self._documents[arn]
        document: Policy | None = None
        found = self.world.managed_policy(arn)
        if found is not None:
            document = found.document
        else:
            try:
                managed = aws_managed_policy(arn)
            except InputError:
                managed = None
            document = managed.document if managed is not None else None
        self._documents[arn] = document  # one object per policy, so compiled sets are reused
        return document


def administrator_access_arn(partition: str) -> str:
    return f"arn:{partition}:iam::aws:policy/{ADMINISTRATOR_ACCESS}"


def step_values(actor: Actor, region: str, **extra: str | None) -> dict[str, str | None]:
    """Placeholder values for a step of ``actor`` (extra values override)."""
    values: dict[str, str | None] = {
        "Partition": actor.partition,
        "Account": actor.account,
        "Region": region,
        "Actor": actor.arn,
    }
    values.update(extra)
    return values
