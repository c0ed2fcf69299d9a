"""The world diff (``iamsim diff -i BEFORE --against AFTER``): what a change to the inputs
grants or takes away, decided by the symbolic layer and replayed through the engine.

For every principal (user or role, matched by ARN across the two worlds):

* **access** -- its identity-based access: requests (action, resource of its own account,
  context) that its identity policies, permissions boundary and SCP chain allow in one world
  and not in the other. The question is asked over every action, resource and context at once
  (:mod:`iamsim.analysis.symbolic`): one space over the statements of both worlds, the caller
  fixed to the principal and the keys AWS derives from it (``aws:PrincipalTag/...``,
  ``aws:PrincipalArn``, ...) known; every other key the policies read is free. Each example
  found is a concrete request replayed through :func:`iamsim.engine.decide` with each world's
  policy set; only requests the engine decides differently are reported, with both decisions.
  The conditions under which the change holds (``residual``) are computed on the request's
  action and resource over every context;
* **boundary** -- its permissions boundary removed, or widened (the new boundary allows a
  request the old one denies: ``compare``);

for every role, **trust** -- callers its trust policy newly lets in (``compare`` of the two
trust policies, principals free); for every resource with a resource-based policy, the
requests it newly allows (the same, for resource policies); and **escalation** -- paths to an
administrator found in AFTER and not in BEFORE (:mod:`iamsim.analysis.escalation`).

Scope (said in the output): the access comparison is the identity-based path within the
principal's account (no resource policy, RCP or session policy in the replayed set);
resource-policy grants are compared per resource document instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast

from iamsim.analysis.symbolic import SymbolicLimitError, compare
from iamsim.analysis.symbolic.checks import statement_key
from iamsim.analysis.symbolic.questions import Side, build_space, first
from iamsim.analysis.symbolic.residual import residual_conditions
from iamsim.analysis.symbolic.space import Space
from iamsim.builder import RequestBuilder
from iamsim.engine import Context, DecisionValue, PolicySet, Request, decide
from iamsim.engine.compiled import compiled_policy
from iamsim.errors import IamsimError
from iamsim.model import Role, User, World
from iamsim.policy.model import Policy, PolicyType
from iamsim.vocabulary.request import Caller, ContextValue

MAX_EXAMPLES = 8  # per principal and direction
PROBE_ACTION = "sts:GetCallerIdentity"  # any action: the builder's principal part is the same

ALLOW = DecisionValue.ALLOW.value


def _derived(key: str) -> bool:
    """A key AWS derives from the caller (known when the caller is)."""
    lower = key.lower()
    return lower.startswith("aws:principal") or lower in ("aws:userid", "aws:username")


# -- the principal's identity-based gate -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Identity:
    """One principal in one world: its caller, known keys and identity-path policies."""

    caller: Caller
    keys: Mapping[str, ContextValue]
    policies: PolicySet

    def slots(self) -> list[tuple[str, Sequence[Policy]]]:
        """The groups that must each allow (identity, boundary, each SCP level)."""
        out: list[tuple[str, Sequence[Policy]]] = [("identity", self.policies.identity)]
        if self.policies.boundary is not None:
            out.append(("boundary", (self.policies.boundary,)))
        for index, level in enumerate(self.policies.scp or ()):
            out.append((f"scp{index}", level))
        return out

    def content(self) -> tuple[object, ...]:
        return (
            tuple((name, tuple(_policy_key(p) for p in ps)) for name, ps in self.slots()),
            tuple(sorted((k.lower(), repr(v)) for k, v in self.keys.items())),
        )


@dataclass(frozen=True, slots=True)
class Gate:
    """Three-valued "the identity path allows": no Deny applies and every group has an Allow."""

    required: tuple[int, ...]
    deny: int

    def allows(self, certain: int, possible: int) -> bool | None:
        if certain & self.deny:
            return False
        if any(not possible & group for group in self.required):
            return False
        if not possible & self.deny and all(certain & group for group in self.required):
            return True
        return None


NEVER = Gate((0,), 0)


def _gate(sides: Sequence[Side], groups: Sequence[int]) -> Gate:
    """``groups[i]``: the group of ``sides[i]`` (policies of one group share an index)."""
    required: dict[int, int] = {}
    deny = 0
    for side, group in zip(sides, groups, strict=True):
        required[group] = required.get(group, 0) | side.allow
        deny |= side.deny
    return Gate(tuple(required[g] for g in sorted(required)), deny)


def policy_fingerprint(policy: Policy | None) -> object:
    """What the diff compares of a policy: its type and statements (not where it was read)."""
    return _policy_key(policy)


def _policy_key(policy: Policy | None) -> object:
    if policy is None:
        return None
    return (policy.policy_type, tuple(statement_key(policy, s) for s in policy.statements))


# -- results ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatementInfo:
    """A statement responsible for a change, with where it is written."""

    label: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    source: str | None
    pointer: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "statement": self.label,
            "actions": _capped(self.actions),
            "resources": _capped(self.resources),
            "source": self.source,
        }


MAX_PATTERNS = 10  # patterns shown per summary (the rest counted)


def _capped(items: Iterable[str]) -> list[str]:
    values = list(items)
    if len(values) <= MAX_PATTERNS:
        return values
    return [*values[:MAX_PATTERNS], f"... ({len(values) - MAX_PATTERNS} more)"]


@dataclass(frozen=True, slots=True)
class AccessChange:
    """One request a principal can make in one world and not in the other."""

    principal: str
    direction: str  # "gained" | "lost"
    action: str
    resource: str
    context: dict[str, object]
    residual: list[dict[str, dict[str, list[str]]]]
    before: str
    after: str
    statements: tuple[StatementInfo, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "resource": self.resource,
            "context": self.context,
            "residual": self.residual,
            "engine": {"before": self.before, "after": self.after},
            "statements": [s.to_dict() for s in self.statements],
        }


@dataclass(frozen=True, slots=True)
class DocumentChange:
    """A trust, resource or boundary policy that lets in more than before (or is gone)."""

    kind: str  # "trust" | "resource-policy" | "boundary"
    subject: str  # role / resource / principal ARN
    change: str  # "widened" | "added" | "removed"
    policy: str | None
    source: str | None
    counterexamples: tuple[dict[str, Any], ...] = ()

    @property
    def gains(self) -> bool:
        if self.kind == "boundary":
            return self.change in ("widened", "removed")
        return self.change in ("widened", "added")

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "change": self.change,
            "policy": self.policy,
            "source": self.source,
            "counterexamples": list(self.counterexamples),
        }


@dataclass(frozen=True, slots=True)
class PathChange:
    """An escalation path of AFTER that BEFORE does not have."""

    start: str
    reaches: str
    techniques: tuple[str, ...]
    path: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "principal": self.start,
            "reaches": self.reaches,
            "techniques": list(self.techniques),
            "path": self.path,
        }


@dataclass(slots=True)
class PrincipalDiff:
    principal: str
    status: str  # "changed" | "added" | "removed"
    gained: list[AccessChange] = field(default_factory=list)
    lost: list[AccessChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    undecided: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"principal": self.principal, "status": self.status}
        out["gained"] = _grouped(self.gained)
        out["lost"] = _grouped(self.lost)
        if self.undecided:
            out["undecided"] = self.undecided
        if self.notes:
            out["notes"] = list(self.notes)
        return out


def _grouped(changes: Sequence[AccessChange]) -> list[dict[str, Any]]:
    """Examples grouped by the statement(s) responsible: an action/resource-pattern summary."""
    groups: dict[tuple[str, ...], dict[str, Any]] = {}
    for change in changes:
        key = tuple(s.label for s in change.statements)
        group = groups.get(key)
        if group is None:
            group = {
                "actions": _capped(sorted({a for s in change.statements for a in s.actions})),
                "resources": _capped(sorted({r for s in change.statements for r in s.resources})),
                "statements": [s.label for s in change.statements],
                "examples": [],
            }
            groups[key] = group
        group["examples"].append(change.to_dict())
    return list(groups.values())


@dataclass(slots=True)
class WorldDiff:
    """Everything the change grants or removes."""

    principals: list[PrincipalDiff]
    documents: list[DocumentChange]
    paths: list[PathChange]
    notes: list[str] = field(default_factory=list)

    @property
    def gains(self) -> bool:
        return (
            any(p.gained or p.undecided for p in self.principals)
            or any(d.gains for d in self.documents)
            or bool(self.paths)
        )

    def to_dict(self) -> dict[str, Any]:
        changed = [
            p for p in self.principals if p.gained or p.lost or p.undecided or p.status == "removed"
        ]
        trust = [d for d in self.documents if d.kind == "trust"]
        return {
            "result": "GAINS" if self.gains else "NO_NEW_ACCESS",
            "summary": {
                "principals_gaining": sum(bool(p.gained) for p in self.principals),
                "principals_losing": sum(
                    bool(p.lost) or p.status == "removed" for p in self.principals
                ),
                "undecided": sum(bool(p.undecided) for p in self.principals),
                "trust_widened": sum(d.gains for d in trust),
                "resource_policies_widened": sum(
                    d.gains for d in self.documents if d.kind == "resource-policy"
                ),
                "boundaries_removed_or_widened": sum(
                    d.gains for d in self.documents if d.kind == "boundary"
                ),
                "new_escalation_paths": len(self.paths),
            },
            "principals": [p.to_dict() for p in changed],
            "trust": [d.to_dict() for d in trust],
            "resource_policies": [
                d.to_dict() for d in self.documents if d.kind == "resource-policy"
            ],
            "boundaries": [d.to_dict() for d in self.documents if d.kind == "boundary"],
            "escalation_paths": [p.to_dict() for p in self.paths],
            "notes": list(self.notes),
        }


# -- access -----------------------------------------------------------------------------------


def _identity(builder: RequestBuilder, arn: str) -> Identity:
    built = builder.build(arn, PROBE_ACTION, "*")
    every = cast(dict[str, ContextValue], built.request.context.as_dict())
    keys = {k: v for k, v in every.items() if _derived(k)}
    policies = PolicySet(
        identity=built.policies.identity,
        boundary=built.policies.boundary,
        scp=built.policies.scp,
    )
    return Identity(built.request.caller, keys, policies)


def _flat(identity: Identity | None) -> tuple[list[Policy], list[int]]:
    policies: list[Policy] = []
    groups: list[int] = []
    if identity is None:
        return policies, groups
    for group, (_, members) in enumerate(identity.slots()):
        for policy in members:
            policies.append(policy)
            groups.append(group)
    return policies, groups


def _replay(request: Request, identity: Identity | None) -> str:
    """The engine's decision for ``request`` in one world (its own derived keys)."""
    if identity is None:
        return DecisionValue.IMPLICIT_DENY.value
    every = cast(dict[str, ContextValue], request.context.as_dict())
    values = {k: v for k, v in every.items() if not _derived(k)}
    values.update(identity.keys)
    concrete = Request(
        caller=identity.caller,
        action=request.action,
        resource=request.resource,
        resource_account=identity.caller.account,
        context=Context(values),
    )
    return decide(concrete, identity.policies).value


def _free_context(request: Request) -> dict[str, object]:
    return {k: v for k, v in request.context.as_dict().items() if not _derived(k)}


def _responsible(request: Request, identity: Identity | None) -> tuple[StatementInfo, ...]:
    """The identity-policy Allow statements that apply to ``request`` in that world."""
    if identity is None:
        return ()
    out: list[StatementInfo] = []
    action = request.action.lower()
    for policy in identity.policies.identity:
        for compiled in compiled_policy(policy).statements:
            if compiled.is_deny or compiled.match(request, action, False)[0] is None:
                continue
            source = compiled.source
            out.append(
                StatementInfo(
                    label=f"{policy.label} {source.label}",
                    actions=source.actions
                    or tuple(f"NotAction {a}" for a in source.not_actions or ()),
                    resources=source.resources
                    or tuple(f"NotResource {r}" for r in source.not_resources or ()),
                    source=policy.source,
                    pointer=source.path,
                )
            )
    return tuple(out)


def _residual(
    policies: Sequence[Policy],
    caller: Caller,
    keys: Mapping[str, ContextValue],
    request: Request,
    gate_of: Callable[[list[Side]], tuple[Gate, Gate]],
) -> list[dict[str, dict[str, list[str]]]]:
    """The contexts in which the change holds for this action and resource."""
    space, sides = build_space(
        policies,
        actions=[request.action],
        resources=[request.resource],
        caller=caller,
        fixed=keys,
        refine=True,
    )
    first_gate, second_gate = gate_of(sides)
    allowed = [
        leaf
        for leaf, mask in space.leaves()
        if first_gate.allows(mask, mask) is True and second_gate.allows(mask, mask) is False
    ]
    return [dict(block) for block in residual_conditions(space, allowed)]


def _leaves(
    space: Space, goal: Callable[[int, int], bool | None], focus: int
) -> list[tuple[int, ...]]:
    leaves: list[tuple[int, ...]] = []
    bits = [1 << i for i in range(focus.bit_length()) if focus >> i & 1] or [0]
    for bit in bits:
        leaves.extend(first(space.search(goal, bit), 4))
        if len(leaves) >= 64:
            break
    return leaves


def access_diff(arn: str, before: Identity | None, after: Identity | None) -> PrincipalDiff:
    """The identity-based requests ``arn`` gains and loses."""
    status = "added" if before is None else "removed" if after is None else "changed"
    diff = PrincipalDiff(arn, status)
    known = after if after is not None else before
    assert known is not None
    if before is not None and after is not None and dict(before.keys) != dict(after.keys):
        diff.notes.append(
            "the keys derived from the principal (tags, ...) differ: the search used AFTER's, "
            "each example is replayed with each world's own"
        )
    if after is None:
        # Everything it could do is lost, and nothing is gained: no search needed (the verdict
        # does not depend on it, and a removed principal's policies can be large).
        labels = [p.label for p in before.policies.identity] if before is not None else []
        diff.notes.append(
            "removed: every request it could make is lost"
            + (f" (identity policies: {', '.join(labels)})" if labels else "")
        )
        return diff
    b_policies, b_groups = _flat(before)
    a_policies, a_groups = _flat(after)
    policies = [*b_policies, *a_policies]
    count = len(b_policies)

    def gates(sides: list[Side]) -> tuple[Gate, Gate]:
        b = _gate(sides[:count], b_groups) if before is not None else NEVER
        a = _gate(sides[count:], a_groups) if after is not None else NEVER
        return b, a

    try:
        space, sides = build_space(policies, caller=known.caller, fixed=known.keys)
        b_gate, a_gate = gates(sides)
        for direction, new_gate, old_gate, new_id, _old_id in (
            ("gained", a_gate, b_gate, after, before),
            ("lost", b_gate, a_gate, before, after),
        ):
            if new_id is None:
                continue

            def goal(
                certain: int, possible: int, new: Gate = new_gate, old: Gate = old_gate
            ) -> bool | None:
                grants = new.allows(certain, possible)
                if grants is False:
                    return False
                had = old.allows(certain, possible)
                if had is True:
                    return False
                if grants is True and had is False:
                    return True
                return None

            focus = new_gate.required[0] if new_gate.required else 0
            found = _examples(space, goal, focus)
            out = diff.gained if direction == "gained" else diff.lost
            for leaf in found:
                request = space.leaf_request(leaf)
                before_decision = _replay(request, before)
                after_decision = _replay(request, after)
                confirmed = (after_decision == ALLOW) != (before_decision == ALLOW) and (
                    (after_decision == ALLOW) == (direction == "gained")
                )
                if not confirmed:
                    diff.notes.append(
                        f"{request.action} on {request.resource}: found by the search but the "
                        f"engine decides {before_decision} before and {after_decision} after; "
                        "not reported"
                    )
                    continue

                def order(sides: list[Side], d: str = direction) -> tuple[Gate, Gate]:
                    b, a = gates(sides)
                    return (a, b) if d == "gained" else (b, a)

                residual = _residual(policies, known.caller, known.keys, request, order)
                responsible = _responsible(request, new_id)
                out.append(
                    AccessChange(
                        principal=arn,
                        direction=direction,
                        action=request.action,
                        resource=request.resource,
                        context=_free_context(request),
                        residual=residual,
                        before=before_decision,
                        after=after_decision,
                        statements=responsible,
                    )
                )
    except SymbolicLimitError as exc:
        diff.undecided = str(exc)
    return diff


def _examples(
    space: Space, goal: Callable[[int, int], bool | None], allow: int
) -> list[tuple[int, ...]]:
    """A few requests satisfying ``goal``, at most one per (action, applying statements)."""
    leaves = _leaves(space, goal, allow)
    seen: set[tuple[str, int]] = set()
    out: list[tuple[int, ...]] = []
    for leaf in leaves:
        mask = space.all
        for dim, index in zip(space.dims, leaf, strict=True):
            mask &= dim.masks[index]
        request = space.leaf_request(leaf)
        key = (request.action.lower(), mask & allow)
        if key in seen:
            continue
        seen.add(key)
        out.append(leaf)
        if len(out) >= MAX_EXAMPLES:
            break
    return out


# -- documents --------------------------------------------------------------------------------


def _empty(policy_type: PolicyType) -> Policy:
    return Policy(policy_type=policy_type, version="2012-10-17", name="(none)", statements=())


def document_change(
    kind: str, subject: str, old: Policy | None, new: Policy | None
) -> DocumentChange | None:
    """A trust or resource policy that allows more, or a boundary widened or removed."""
    if _policy_key(old) == _policy_key(new):
        return None
    source = (new or old).source if (new or old) is not None else None  # type: ignore[union-attr]
    label = (new or old).label if (new or old) is not None else None  # type: ignore[union-attr]
    if kind == "boundary":
        if new is None:
            return DocumentChange(kind, subject, "removed", old.label if old else None, source)
        if old is None:
            return DocumentChange(kind, subject, "added", label, source)
    elif new is None:
        return DocumentChange(kind, subject, "removed", label, source)
    assert new is not None
    base = old if old is not None else _empty(new.policy_type)
    if base.policy_type is not new.policy_type:
        base = replace(base, policy_type=new.policy_type)
    result = compare(base, new)
    if result.passed:
        return DocumentChange(kind, subject, "narrowed-or-same", label, source)
    change = "added" if old is None else "widened"
    return DocumentChange(
        kind, subject, change, label, source, tuple(w.to_dict() for w in result.witnesses)
    )


# -- escalation ----------------------------------------------------------------------------------


PathKey = tuple[object, ...]
PathEntry = tuple[str, str, tuple[str, ...], dict[str, Any]]


def escalation_paths(
    world: World, *, graph: Any = None, starts: Callable[[str], bool] | None = None
) -> dict[PathKey, PathEntry]:
    """Every escalation path to an administrator, by (start, reaches, steps), in the order
    ``analyze_escalation`` finds them (starts sorted by ARN, each start's paths shortest
    first). ``starts`` keeps only the starts it accepts (the per-account tasks); ``graph``
    lets a caller reuse one graph (and its edge caches) across calls on the same world."""
    from iamsim.analysis.escalation import AdminGoal, EscalationAnalysis, EscalationGraph

    graph = graph if graph is not None else EscalationGraph(world)
    analysis = EscalationAnalysis(graph, AdminGoal(graph.admin))
    out: dict[PathKey, PathEntry] = {}
    for start in analysis.starts():
        if starts is not None and not starts(start):
            continue
        result = analysis.from_start(start, max_paths=None)
        for path in result.paths:
            key = (result.start, path.reaches, path.sort_key[2])
            techniques = tuple(s.edge.technique.id for s in path.steps)
            out[key] = (result.start, path.reaches, techniques, path.to_dict())
    return out


def new_paths(
    old: Mapping[PathKey, PathEntry], new: Mapping[PathKey, PathEntry]
) -> list[PathChange]:
    """The paths of ``new`` that ``old`` lacks, in ``new``'s order."""
    return [
        PathChange(start, reaches, techniques, path)
        for key, (start, reaches, techniques, path) in new.items()
        if key not in old
    ]


def path_diff(before: World, after: World) -> list[PathChange]:
    return new_paths(escalation_paths(before), escalation_paths(after))


# -- the whole diff ---------------------------------------------------------------------------

SCOPE_NOTE = (
    "access: identity-based requests in the principal's own account (identity policies, "
    "permissions boundary, SCPs); resource-based policies are compared per document"
)


def _entities(world: World) -> dict[str, User | Role]:
    return {**world.users, **world.roles}


def principal_changes(
    before: World, after: World, arns: Iterable[str]
) -> tuple[list[PrincipalDiff], list[DocumentChange]]:
    """The access and boundary changes of the users and roles ``arns`` (sorted here)."""
    b_builder = RequestBuilder(before, validate=False)
    a_builder = RequestBuilder(after, validate=False)
    b_entities, a_entities = _entities(before), _entities(after)
    principals: list[PrincipalDiff] = []
    boundaries: list[DocumentChange] = []
    for arn in sorted(set(arns)):
        b_id, b_error = _load(b_builder, arn, b_entities)
        a_id, a_error = _load(a_builder, arn, a_entities)
        if b_error or a_error:
            # Fail closed: a principal whose policies cannot be assembled may gain anything.
            status = "changed" if arn in b_entities and arn in a_entities else "added"
            reason = "; ".join(
                e for e in (b_error and f"BEFORE: {b_error}", a_error and f"AFTER: {a_error}") if e
            )
            principals.append(PrincipalDiff(arn, status, undecided=reason))
            continue
        if b_id is not None and a_id is not None and b_id.content() == a_id.content():
            continue
        principals.append(access_diff(arn, b_id, a_id))
        if b_id is not None and a_id is not None:
            change = document_change(
                "boundary", arn, b_id.policies.boundary, a_id.policies.boundary
            )
            if change is not None:
                boundaries.append(change)
    return principals, boundaries


def trust_changes(before: World, after: World, arns: Iterable[str]) -> list[DocumentChange]:
    """The trust policies of the roles ``arns`` that changed (sorted by role ARN)."""
    out = []
    for arn in sorted(set(arns)):
        old_role, new_role = before.roles.get(arn), after.roles.get(arn)
        change = document_change(
            "trust",
            arn,
            old_role.trust_policy if old_role else None,
            new_role.trust_policy if new_role else None,
        )
        if change is not None:
            out.append(change)
    return out


def resource_changes(before: World, after: World, arns: Iterable[str]) -> list[DocumentChange]:
    """The resource-based policies of the resources ``arns`` that changed (sorted by ARN)."""
    out = []
    for arn in sorted(set(arns)):
        old_res, new_res = before.resources.get(arn), after.resources.get(arn)
        change = document_change(
            "resource-policy",
            arn,
            old_res.policy if old_res else None,
            new_res.policy if new_res else None,
        )
        if change is not None:
            out.append(change)
    return out


def diff_worlds(before: World, after: World, *, escalation: bool = True) -> WorldDiff:
    """Every change of access, trust, resource policy, boundary and escalation path."""
    principals, boundaries = principal_changes(
        before, after, set(_entities(before)) | set(_entities(after))
    )
    documents = [
        *boundaries,
        *trust_changes(before, after, set(before.roles) | set(after.roles)),
        *resource_changes(before, after, set(before.resources) | set(after.resources)),
    ]
    paths = path_diff(before, after) if escalation else []
    return WorldDiff(principals, documents, paths, [SCOPE_NOTE])


def _load(
    builder: RequestBuilder,
    arn: str,
    entities: Mapping[str, User | Role],
) -> tuple[Identity | None, str | None]:
    if arn not in entities:
        return None, None
    try:
        return _identity(builder, arn), None
    except IamsimError as exc:
        return None, str(exc)


def all_changes(diff: WorldDiff) -> Iterable[AccessChange]:
    for principal in diff.principals:
        yield from principal.gained
        yield from principal.lost
