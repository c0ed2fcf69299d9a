"""Building a :class:`~.space.Space` for questions about policy documents, and replaying answers.

Document questions (``compare``, ``not-granted``, ``no-public-access``) ask what a policy
*allows* in the Access Analyzer sense: some Allow statement applies and no Deny statement does
(for RCPs, which AWS pairs with the undetachable ``RCPFullAWSAccess``, only the absence of a
Deny). Every action, resource and context key is free; the caller is free when the policy has
``Principal`` elements (resource, trust, RCP and endpoint policies), and then the keys AWS
derives from the caller (``aws:PrincipalArn``, ``aws:PrincipalAccount``, ...) follow it.

Witnesses are replayed through the engine (:func:`engine_decision`) with the policy placed in
the slot its type occupies and every other slot allowing everything, so that the engine's
decision is the document's.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from iamsim.analysis.symbolic.automata import SymbolicLimitError
from iamsim.analysis.symbolic.domains import (
    OUTSIDER_ACCOUNT,
    action_candidates,
    arn_candidates,
    caller_candidates,
    value_candidates,
)
from iamsim.analysis.symbolic.space import (
    ABSENT,
    ACTION,
    PRINCIPAL,
    RESOURCE,
    Space,
    Value,
    allows,
    ctx,
)
from iamsim.catalog import service_reference
from iamsim.conditions import coerce, compile_conditions
from iamsim.engine import (
    Caller,
    CallerKind,
    Context,
    DecisionValue,
    PolicySet,
    Request,
    caller_context,
    decide,
    parse_caller,
)
from iamsim.engine.compiled import CompiledStatement, compiled_policy
from iamsim.errors import InputError
from iamsim.patterns import parse_template
from iamsim.policy.model import (
    ConditionClause,
    Effect,
    Policy,
    PolicyType,
    PrincipalSpec,
    Statement,
)
from iamsim.policy.operators import OperatorFamily, operator_info
from iamsim.vocabulary.context_keys import context_key_multivalued
from iamsim.vocabulary.request import ContextValue

BASE_ACCOUNT = "111122223333"
BASE_CALLER = f"arn:aws:iam::{BASE_ACCOUNT}:user/zz9user"
MAX_SET_CLASSES = 10  # per-value classes of a multivalued key whose every subset is tried

# The keys AWS derives from the caller: free only when the caller is fixed.
DERIVED_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:PrincipalType",
        "aws:userid",
        "aws:username",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:PrincipalIsAWSService",
        "aws:PrincipalServiceName",
    )
)

PRINCIPAL_TYPES = frozenset(
    {PolicyType.RESOURCE, PolicyType.TRUST, PolicyType.RCP, PolicyType.ENDPOINT}
)


@dataclass(frozen=True, slots=True)
class Side:
    """One policy's statements inside a space: bit masks of its Allow and Deny statements."""

    allow: int
    deny: int
    implicit_allow: bool  # RCPs: RCPFullAWSAccess allows everything a Deny does not deny

    def allows(self, certain: int, possible: int) -> bool | None:
        if self.implicit_allow:
            if certain & self.deny:
                return False
            return True if not possible & self.deny else None
        return allows(certain, possible, self.allow, self.deny)


def statements_of(policies: Sequence[Policy]) -> tuple[list[CompiledStatement], list[Side]]:
    statements: list[CompiledStatement] = []
    sides: list[Side] = []
    for policy in policies:
        allow = deny = 0
        for statement in compiled_policy(policy).statements:
            bit = 1 << len(statements)
            statements.append(statement)
            if statement.is_deny:
                deny |= bit
            else:
                allow |= bit
        sides.append(Side(allow, deny, policy.policy_type is PolicyType.RCP))
    return statements, sides


def _sources(policies: Sequence[Policy]) -> list[Statement]:
    return [s for p in policies for s in p.statements]


def build_space(
    policies: Sequence[Policy],
    *,
    actions: Sequence[str] | None = None,
    resources: Sequence[str] | None = None,
    callers: Sequence[Caller] | None = None,
    pinned: dict[str, list[Value]] | None = None,
    services: frozenset[str] | None = None,
    caller: Caller | None = None,
    fixed: Mapping[str, ContextValue] | None = None,
    refine: bool = False,
) -> tuple[Space, list[Side]]:
    """The space of every request the documents can tell apart.

    ``actions``/``resources`` fix those dimensions to the values given; ``callers`` replaces
    the caller candidates; ``pinned`` replaces the candidates of some context keys;
    ``services`` keeps only actions of those service prefixes. ``caller`` fixes the caller of
    every request (when no policy makes it free) and ``fixed`` the context keys known for it
    (the keys AWS derives from a given principal): those keys are not free. ``refine`` keeps
    classes apart as residual conditions need (:class:`~.space.Space`).
    """
    statements, sides = statements_of(policies)
    sources = _sources(policies)
    candidates: dict[str, list[Value]] = {}
    if actions is not None:
        candidates[ACTION] = list(actions)
    else:
        texts = [a for s in sources for a in (s.actions or s.not_actions or ())]
        found = action_candidates(texts)
        if services is not None:
            found = [a for a in found if a.partition(":")[0] in services]
            found += [f"{s}:zz9action" for s in sorted(services)]
        candidates[ACTION] = list(dict.fromkeys(found))
    if resources is not None:
        candidates[RESOURCE] = list(resources)
    else:
        texts = [r for s in sources for r in (s.resources or s.not_resources or ())]
        candidates[RESOURCE] = list(arn_candidates(texts, resource_elements=True))
    principal_free = any(p.policy_type in PRINCIPAL_TYPES for p in policies) or callers is not None
    clauses: dict[str, list[ConditionClause]] = {}
    names: dict[str, str] = {}
    for statement in sources:
        for clause in statement.conditions:
            clauses.setdefault(clause.key.lower(), []).append(clause)
            names.setdefault(clause.key.lower(), clause.key)
    variable_keys: set[str] = set()
    for statement in sources:
        texts = [
            *(statement.resources or statement.not_resources or ()),
            *(str(v) for c in statement.conditions for v in c.values),
        ]
        for text in texts:
            if "${" in text:
                try:
                    keys = parse_template(text, enabled=True).variable_keys
                except ValueError:
                    continue
                for key in keys:
                    variable_keys.add(key.lower())
                    names.setdefault(key.lower(), key)
    if principal_free:
        specs: list[PrincipalSpec] = [
            spec for s in sources for spec in (s.principal, s.not_principal) if spec is not None
        ]
        accounts = {
            str(v)
            for key in ("aws:principalaccount",)
            for clause in clauses.get(key, [])
            for v in clause.values
        }
        chosen = list(callers) if callers is not None else caller_candidates(specs, accounts)
        if any(p.policy_type is PolicyType.TRUST for p in policies):
            # The root user cannot assume roles (the engine denies it whatever the trust
            # policy says): a trust policy naming an account lets in its IAM principals.
            # https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
            chosen = [c for c in chosen if c.kind is not CallerKind.ROOT]
        candidates[PRINCIPAL] = [(c, caller_context(c)) for c in chosen]
    base_caller = parse_caller(BASE_CALLER)
    known = {k.lower() for k in fixed or {}}
    for key in sorted(set(clauses) | variable_keys):
        if principal_free and key in DERIVED_KEYS:
            continue
        if key in known:
            continue
        if pinned is not None and key in pinned:
            candidates[ctx(key)] = list(pinned[key])
            continue
        candidates[ctx(key)] = key_states(names[key], clauses.get(key, []))
    for key, states in (pinned or {}).items():
        candidates.setdefault(ctx(key), list(states))
    with_variable_values(candidates, clauses)
    base = Request(
        caller=base_caller,
        action="zz9svc:zz9action",
        resource="*",
        resource_account=base_caller.account if caller is not None else None,
        context=Context(dict(fixed or {})),
    )
    return Space(statements, base, candidates, names, refine=refine), sides


def with_variable_values(
    candidates: dict[str, list[Value]], clauses: dict[str, list[ConditionClause]]
) -> None:
    """Add, to the candidates of a key whose clauses name policy variables of other free
    keys, each clause value with those keys' candidate values substituted (a request where
    ``s3:prefix`` is ``"zz9/"`` and ``aws:username`` is ``"zz9"`` for ``"${aws:username}/"``)."""
    for key, items in clauses.items():
        target = candidates.get(ctx(key))
        if target is None:
            continue
        extra: list[str] = []
        for clause in items:
            for raw in clause.values:
                text = str(raw)
                if "${" not in text:
                    continue
                try:
                    names = parse_template(text, enabled=True).variable_keys
                except ValueError:
                    continue
                for name in names:
                    for value in candidates.get(ctx(name), [])[:16]:
                        if isinstance(value, str):
                            extra.append(_substitute(text, name, value))
        singles = {v for v in target if isinstance(v, str)}
        for text in dict.fromkeys(extra):
            if text not in singles and not any(isinstance(v, list) for v in target):
                target.append(text)


def _substitute(text: str, name: str, value: str) -> str:
    """``text`` with ``${name}`` (any case, with or without a default) replaced by ``value``;
    other variables widened to the fresh value."""
    out = []
    index = 0
    lowered = name.lower()
    while True:
        start = text.find("${", index)
        if start < 0:
            out.append(text[index:])
            break
        end = text.find("}", start)
        if end < 0:
            out.append(text[index:])
            break
        out.append(text[index:start])
        inner = text[start + 2 : end].split(",", 1)[0].strip()
        out.append(value if inner.lower() == lowered else "zz9")
        index = end + 1
    return "".join(out)


def key_states(name: str, clauses: list[ConditionClause]) -> list[Value]:
    """Absent, then single values (or, for a multivalued key, lists) covering every class."""
    return list(_key_states(name, tuple(clauses)))


@lru_cache(maxsize=4096)
def _key_states(name: str, clauses: tuple[ConditionClause, ...]) -> tuple[Value, ...]:
    return tuple(_compute_key_states(name, list(clauses)))


# Catalogue types whose values AWS always writes in one syntax, with the operator family that
# reads it and the parser the engine's conditions use for that family.
_TYPED: dict[str, tuple[OperatorFamily, Callable[[str], object]]] = {
    "numeric": (OperatorFamily.NUMERIC, coerce.parse_number),
    "date": (OperatorFamily.DATE, coerce.parse_date),
}
_TYPED_DEFAULT = {"numeric": "0", "date": "2000-01-01T00:00:00Z"}


def typed_family(name: str, clauses: Sequence[ConditionClause]) -> str | None:
    """``"numeric"``/``"date"`` when the key's catalogue type is Numeric/Date (single-valued)
    and every clause on it uses that family's operators (or Null): its values are then only
    well-typed ones (AWS writes a number, a date, in such a key), else None."""
    try:
        key_type = service_reference().condition_key_type(name)
    except InputError:
        return None
    kind = (key_type or "").lower()
    if kind not in _TYPED:
        return None
    family = _TYPED[kind][0]
    for clause in clauses:
        if clause.operator.set_operator is not None:
            return None
        found = operator_info(clause.operator).family
        if found is not family and clause.operator.base != "Null":
            return None
    return kind


def _compute_key_states(name: str, clauses: list[ConditionClause]) -> list[Value]:
    values = value_candidates(clauses)
    multi = context_key_multivalued(name) is True or any(
        c.operator.set_operator is not None for c in clauses
    )
    kind = None if multi else typed_family(name, clauses)
    if kind is not None:
        # Only well-typed values: every class of the clauses' literals has one (the numbers
        # and instants between and beyond them), and a value that does not parse -- in no
        # comparison's class AWS can produce -- is not a state.
        parse = _TYPED[kind][1]
        values = [v for v in values if parse(v) is not None]
        if not values:
            values = [_TYPED_DEFAULT[kind]]
    if not multi:
        return [ABSENT, *values]
    # One value per class of the clauses' per-value outcome, then every set of classes.
    block = compile_conditions(clauses, variables_enabled=True)
    classes: dict[tuple[bool, ...], str] = {}
    for value in values:
        context = Context({name: [value]})
        signature = tuple(c.evaluate(context) for c in block.conditions)
        classes.setdefault(signature, value)
    reps = list(classes.values())
    if len(reps) > MAX_SET_CLASSES:
        raise SymbolicLimitError(
            f"{name}: {len(reps)} value classes of a multivalued key; every subset would be "
            f"needed, more than the bound of {MAX_SET_CLASSES} classes"
        )
    states: list[Value] = [ABSENT, []]
    for size in range(1, len(reps) + 1):
        for subset in itertools.combinations(reps, size):
            states.append(list(subset))
    return states


# -- replay through the engine -------------------------------------------------------------

_ALLOW_ALL = Policy(
    policy_type=PolicyType.IDENTITY,
    version="2012-10-17",
    name="allow-all",
    statements=(Statement(index=0, effect=Effect.ALLOW, actions=("*",), resources=("*",)),),
)


def engine_decision(policy: Policy, request: Request) -> DecisionValue:
    """The engine's decision for ``request`` with ``policy`` in its type's slot and every
    other slot allowing everything (so the decision is the document's)."""
    ptype = policy.policy_type
    if ptype is PolicyType.IDENTITY:
        policies = PolicySet(identity=(policy,))
    elif ptype is PolicyType.BOUNDARY:
        policies = PolicySet(identity=(_ALLOW_ALL,), boundary=policy)
    elif ptype is PolicyType.SESSION:
        policies = PolicySet(identity=(_ALLOW_ALL,), session=(policy,))
    elif ptype is PolicyType.SCP:
        policies = PolicySet(identity=(_ALLOW_ALL,), scp=((policy,),))
    elif ptype is PolicyType.RCP:
        policies = PolicySet(identity=(_ALLOW_ALL,), rcp=((policy,),))
    elif ptype is PolicyType.ENDPOINT:
        policies = PolicySet(identity=(_ALLOW_ALL,), endpoint=(policy,))
    else:
        policies = PolicySet(identity=(_ALLOW_ALL,), resource=policy)
    return decide(request, policies)


def replay_request(policy_type: PolicyType, request: Request) -> Request:
    """The request as the engine should see it for a document of ``policy_type``.

    A session policy needs a session caller; a resource policy is asked from another
    account than the resource's (so that the resource policy alone decides).
    """
    caller = request.caller
    if policy_type is PolicyType.SESSION and caller.kind is not CallerKind.ROLE_SESSION:
        caller = parse_caller(f"arn:aws:sts::{BASE_ACCOUNT}:assumed-role/zz9role/zz9")
    account = None
    if policy_type in (PolicyType.RESOURCE, PolicyType.TRUST):
        account = "000000000000" if caller.account != "000000000000" else OUTSIDER_ACCOUNT
    return Request(
        caller=caller,
        action=request.action,
        resource=request.resource,
        resource_account=account,
        context=request.context,
    )


def request_record(request: Request, *, with_principal: bool) -> dict[str, object]:
    record: dict[str, object] = {}
    if with_principal:
        record["principal"] = request.caller.display
    record["action"] = request.action
    record["resource"] = request.resource
    record["context"] = request.context.as_dict()
    return record


def first(iterable: Iterable[tuple[int, ...]], count: int) -> list[tuple[int, ...]]:
    return list(itertools.islice(iterable, count))
