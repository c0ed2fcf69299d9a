"""Containment proofs for delegated administrators, decided by the symbolic layer.

A delegated administrator A (a principal whose identity policies create or change users and
roles under ``iam:PermissionsBoundary`` conditions) is *contained* when every user or role it
can create or change carries an approved boundary and it cannot remove or rewrite one. AWS
documents the pattern in "Delegating responsibility to others by using permissions
boundaries" (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html).

The proof is a list of *questions*, each "is there a request of A, for one of these actions,
on one of these resources, in some context, that the engine allows?" -- a not-granted query
over A's whole policy set (identity, boundary, session, SCPs), not over requests tried:

* ``create-without-approved-boundary``: ``iam:CreateRole``/``iam:CreateUser`` on any role or
  user of A's account with ``iam:PermissionsBoundary`` absent or naming a policy other than an
  approved one;
* ``set-other-boundary``: ``iam:Put{Role,User}PermissionsBoundary`` with another ARN;
* ``remove-boundary``: ``iam:Delete{Role,User}PermissionsBoundary`` on any role or user;
* ``edit-approved-boundary``: ``iam:CreatePolicyVersion``/``SetDefaultPolicyVersion``/
  ``DeletePolicy`` on an approved boundary policy;
* ``grant-unbounded``: attaching or writing policies on an existing user or role of the
  account without an approved boundary (``iam:PermissionsBoundary`` is then that principal's
  own boundary, or absent: the key is the target's boundary for these actions);
* ``take-over-unbounded``: becoming such a principal or handing it to a service
  (``iam:PassRole``, ``iam:UpdateAssumeRolePolicy``, access keys, console passwords);
* ``edit-unbounded-policy``: new default versions of a customer managed policy attached to
  such a principal.

Known and unknown. The caller is A, and the keys AWS derives from A and from the resource
(``aws:Principal*``, ``aws:userid``, ``aws:username``, ``aws:SourceIdentity``,
``aws:Resource*``, ``iam:ResourceTag/*``) keep the values the request builder derives; every
other key the statements read is unknown (absent or any value): time, MFA, network, region,
request tags, ``iam:PermissionsBoundary`` where the request names it. The question is decided
over a :class:`~iamsim.analysis.symbolic.space.Space` (one representative per class of
resource and context, :mod:`iamsim.analysis.symbolic.domains`) with the engine deciding one
request per set of applying statements -- the engine's decision depends on the context only
through which statements apply, as in discover mode. An approved boundary is excluded by a
question-only Deny statement (``StringEqualsIgnoreCase iam:PermissionsBoundary`` on the
approved ARNs: IAM policy names are unique regardless of case), so the partition also splits
on the approved ARNs. Every witness is replayed through the engine against A's real policies.

Approved boundaries are the managed policies of the world that the values of the
``iam:PermissionsBoundary`` conditions of A's policies and SCPs name (wildcards with a name
prefix matched against the world's policies; ``*`` approves nothing).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from iamsim import limits
from iamsim.analysis.symbolic.automata import SymbolicLimitError
from iamsim.analysis.symbolic.domains import arn_candidates
from iamsim.analysis.symbolic.questions import key_states, with_variable_values
from iamsim.analysis.symbolic.space import ABSENT, ACTION, RESOURCE, Space, Value, ctx
from iamsim.analysis.techniques import Actor, Change, Oracle, administrator_access_arn, allow_all
from iamsim.engine import CompiledPolicySet, Context, DecisionValue, PolicySet, Request, decide
from iamsim.errors import InputError
from iamsim.model import Role, User, World
from iamsim.patterns import parse_template
from iamsim.patterns.glob import Glob
from iamsim.policy.model import ConditionClause, Policy, PolicyType
from iamsim.policy.parser import parse_policy
from iamsim.vocabulary.request import ContextValue

PROVED, NOT_CONTAINED, UNDECIDED = "proved", "not contained", "undecided"
BOUNDARY_KEY = "iam:PermissionsBoundary"
DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html"
MAX_WITNESSES = 8
MAX_PREFERRED = 32  # the world's own policies tried first as boundary values in witnesses

# Keys whose values follow from the caller or the resource: known in every question.
_KNOWN_PREFIXES = ("aws:principal", "aws:resource", "iam:resourcetag/")
_KNOWN_KEYS = frozenset({"aws:userid", "aws:username", "aws:sourceidentity"})


def known_key(lower: str, new_principal: bool = False) -> bool:
    """Whether a (lower-case) key's value follows from the administrator or the resource.
    For a principal the administrator creates (``new_principal``), its tags are its
    creator's choice: unknown."""
    if new_principal and lower.startswith("aws:principaltag/"):
        return False
    return lower in _KNOWN_KEYS or lower.startswith(_KNOWN_PREFIXES)


# -- records -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Question:
    """One not-granted question: ``actions`` on ``resources`` (``free``: any ARN the patterns
    match; else the ARNs themselves), with ``iam:PermissionsBoundary`` ``boundary``:
    ``"unknown"``/``"present"`` (free; approved ARNs excluded when ``exclude_approved``), or
    per resource the target's boundary (``None``: absent)."""

    name: str
    description: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    free: bool
    boundary: str | Mapping[str, str | None] = "absent"
    exclude_approved: bool = False


@dataclass(frozen=True, slots=True)
class ContainmentWitness:
    """A request the administrator's policies allow, breaking containment."""

    question: str
    description: str
    request: dict[str, object]
    decision: str  # the engine's decision of the request against the real policies
    note: str | None = None
    # The exact request (every known key too), for replaying through the engine.
    full: Request | None = field(default=None, compare=False, repr=False)
    # Set when the request is one of the worst-case principal under this approved boundary.
    via: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "question": self.question,
            "description": self.description,
            "request": self.request,
            "decision": self.decision,
        }
        if self.via:
            out["via_boundary"] = self.via
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True, slots=True)
class Containment:
    """``proved`` (no question has an allowed request), ``not contained`` with witnesses, or
    ``undecided`` (a question exceeded the symbolic bounds: ``reason``)."""

    verdict: str
    approved: tuple[str, ...]
    questions: tuple[str, ...]
    witnesses: tuple[ContainmentWitness, ...] = ()
    classes: int = 0
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "verdict": self.verdict,
            "approved_boundaries": list(self.approved),
            "questions": list(self.questions),
            "classes": self.classes,
            "witnesses": [w.to_dict() for w in self.witnesses],
        }
        if self.reason:
            out["reason"] = self.reason
        return out


# -- the questions -----------------------------------------------------------------------------


def boundary_values(oracle: Oracle, actor: Actor) -> list[str]:
    """Values the actor's identity policies, boundary and SCPs compare
    ``iam:PermissionsBoundary`` with."""
    policies = oracle.policies_of(actor)
    documents = [
        *policies.identity,
        *((policies.boundary,) if policies.boundary else ()),
        *(p for level in policies.scp or () for p in level),
    ]
    out = [
        str(v)
        for document in documents
        for statement in document.statements
        for clause in statement.conditions
        if clause.key.lower() == BOUNDARY_KEY.lower()
        for v in clause.values
    ]
    return list(dict.fromkeys(out))


def approved_arns(world: World, oracle: Oracle, actor: Actor) -> tuple[str, ...]:
    """Managed policies named by the values of the ``iam:PermissionsBoundary`` conditions of
    the actor's policies and SCPs. A wildcard value approves the world's managed policies it
    matches only when it fixes a name prefix (``.../policy/app-*``): ``*`` or
    ``.../policy/*`` approve nothing (every policy, AdministratorAccess included, would be)."""
    out: list[str] = []
    for value in boundary_values(oracle, actor):
        if "*" in value or "?" in value:
            name = value.rpartition(":policy/")[2] if ":policy/" in value else ""
            if not name or name[0] in "*?":
                continue
            glob = Glob(value, ignore_case=True)
            out += sorted(a for a in world.managed_policies if glob.matches(a))
        elif value in world.managed_policies or oracle.managed_document(value) is not None:
            out.append(value)
    return tuple(dict.fromkeys(out))


def _unbounded(world: World, actor: Actor, approved: Sequence[str]) -> list[User | Role]:
    """Users and roles of the actor's account a change to would escape containment: no
    approved boundary (nor the actor's own), not the bounded actor itself, not service-linked."""
    own = actor.principal.boundary_arn
    fine = {a.lower() for a in approved} | ({own.lower()} if own else set())
    out: list[User | Role] = []
    principals: list[User | Role] = [*world.users.values(), *world.roles.values()]
    for principal in sorted(principals, key=lambda p: p.arn):
        if principal.account != actor.account:
            continue
        if isinstance(principal, Role) and principal.service_linked:
            continue
        if principal.arn == actor.arn and own:
            continue
        if principal.boundary_arn and principal.boundary_arn.lower() in fine:
            continue
        out.append(principal)
    return out


def questions_for(world: World, actor: Actor, approved: Sequence[str]) -> list[Question]:
    """Every question whose allowed request breaks containment of ``actor``."""
    prefix = f"arn:{actor.partition}:iam::{actor.account}:"
    # A name has at least one character: "role/" alone names no role.
    roles, users = prefix + "role/?*", prefix + "user/?*"
    targets = _unbounded(world, actor, approved)
    target_roles = tuple(p.arn for p in targets if isinstance(p, Role))
    target_users = tuple(p.arn for p in targets if isinstance(p, User))
    boundaries = {p.arn: p.boundary_arn for p in targets}
    others = tuple(p.arn for p in targets if p.arn != actor.arn)
    other_roles = tuple(a for a in target_roles if a in others)
    other_users = tuple(a for a in target_users if a in others)
    attached = tuple(
        dict.fromkeys(
            arn
            for p in targets
            for arn in p.managed_policy_arns
            if arn.startswith(prefix + "policy/") and arn not in approved
        )
    )
    out = [
        Question(
            "create-without-approved-boundary",
            "create a role without an approved permissions boundary",
            ("iam:CreateRole",),
            (roles,),
            True,
            "unknown",
            True,
        ),
        Question(
            "create-without-approved-boundary",
            "create a user without an approved permissions boundary",
            ("iam:CreateUser",),
            (users,),
            True,
            "unknown",
            True,
        ),
        Question(
            "set-other-boundary",
            "set a permissions boundary other than an approved one on a role",
            ("iam:PutRolePermissionsBoundary",),
            (roles,),
            True,
            "present",
            True,
        ),
        Question(
            "set-other-boundary",
            "set a permissions boundary other than an approved one on a user",
            ("iam:PutUserPermissionsBoundary",),
            (users,),
            True,
            "present",
            True,
        ),
        Question(
            "remove-boundary",
            "remove the permissions boundary of a role",
            ("iam:DeleteRolePermissionsBoundary",),
            (roles,),
            True,
            "present",
        ),
        Question(
            "remove-boundary",
            "remove the permissions boundary of a user",
            ("iam:DeleteUserPermissionsBoundary",),
            (users,),
            True,
            "present",
        ),
    ]
    if approved:
        out.append(
            Question(
                "edit-approved-boundary",
                "rewrite or delete an approved boundary policy",
                ("iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy"),
                tuple(approved),
                False,
            )
        )
    if target_roles:
        out.append(
            Question(
                "grant-unbounded",
                "attach or write a policy on a role without an approved boundary",
                ("iam:AttachRolePolicy", "iam:PutRolePolicy"),
                target_roles,
                False,
                {a: boundaries[a] for a in target_roles},
            )
        )
    if target_users:
        out.append(
            Question(
                "grant-unbounded",
                "attach or write a policy on a user without an approved boundary",
                ("iam:AttachUserPolicy", "iam:PutUserPolicy"),
                target_users,
                False,
                {a: boundaries[a] for a in target_users},
            )
        )
    if other_roles:
        out.append(
            Question(
                "take-over-unbounded",
                "pass, or rewrite the trust policy of, a role without an approved boundary",
                ("iam:PassRole", "iam:UpdateAssumeRolePolicy"),
                other_roles,
                False,
            )
        )
    if other_users:
        out.append(
            Question(
                "take-over-unbounded",
                "sign in as a user without an approved boundary",
                ("iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"),
                other_users,
                False,
            )
        )
    if attached:
        out.append(
            Question(
                "edit-unbounded-policy",
                "rewrite a managed policy attached to a principal without an approved boundary",
                ("iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"),
                attached,
                False,
            )
        )
    return out


# -- deciding one question ----------------------------------------------------------------------


def _question_policy(approved: Sequence[str]) -> Policy:
    """The question-only Denies: requests naming an approved boundary, or naming something
    that is not a policy ARN (IAM rejects those), are not counterexamples."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "NotAPolicyArn",
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {
                "Null": {BOUNDARY_KEY: "false"},
                "StringNotLike": {BOUNDARY_KEY: "arn:*:iam::*:policy/?*"},
            },
        }
    ]
    if approved:
        statements.append(
            {
                "Sid": "ApprovedBoundary",
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringEqualsIgnoreCase": {BOUNDARY_KEY: list(approved)}},
            }
        )
    document = {"Version": "2012-10-17", "Statement": statements}
    return parse_policy(document, PolicyType.IDENTITY, name="iamsim-containment-question")


_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def _resolved(text: str, context: Context) -> str | None:
    """``text`` with policy variables of known single-valued keys replaced (None if some
    variable is not known)."""
    values = context.as_dict()
    lowered = {k.lower(): v for k, v in values.items()}
    missing = False

    def one(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1).split(",", 1)[0].strip()
        value = lowered.get(name.lower())
        if not isinstance(value, str):
            missing = True
            return "*"
        return value

    out = _VARIABLE.sub(one, text)
    return None if missing else out


def _resource_candidates(
    question: Question, action: str, statements: Iterable[Any], base: Context
) -> list[str]:
    """Representatives of every class of the statements' Resource elements that the
    question's patterns admit (the patterns are among the texts, so each class is wholly
    inside or outside them)."""
    if not question.free:
        return list(question.resources)
    # "…/*/" splits off the ARNs ending in "/": a path without a name names no principal.
    texts: list[str] = [
        *question.resources,
        *(p.removesuffix("?*") + "*/" for p in question.resources),
    ]
    for statement in statements:
        source = statement.source
        for text in (*(source.resources or ()), *(source.not_resources or ())):
            texts.append(text)
            if "${" in text:
                resolved = _resolved(text, base)
                if resolved is not None:
                    texts.append(resolved)
    globs = [Glob(p, ignore_case=False) for p in question.resources]
    found = arn_candidates(texts, resource_elements=True)
    return [r for r in found if any(g.matches(r) for g in globs) and not r.endswith("/")]


def _read_keys(statements: Iterable[Any]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for statement in statements:
        source = statement.source
        texts = [*(source.resources or ()), *(source.not_resources or ())]
        for clause in source.conditions:
            keys.setdefault(clause.key.lower(), clause.key)
            texts += [str(v) for v in clause.values]
        for text in texts:
            if "${" not in text:
                continue
            try:
                for key in parse_template(text, enabled=True).variable_keys:
                    keys.setdefault(key.lower(), key)
            except ValueError:
                continue
    return keys


def _known(lower: str, question: Question, new_principal: bool) -> bool:
    """:func:`known_key`, except that the tags of a resource a free question ranges over
    (any role or user, existing or new) are unknown too."""
    if question.free and lower.startswith(("aws:resourcetag/", "iam:resourcetag/")):
        return False
    return known_key(lower, new_principal)


@dataclass
class _Outcome:
    witnesses: list[tuple[Request, str]]
    classes: int


def decide_question(
    oracle: Oracle,
    actor: Actor,
    question: Question,
    approved: Sequence[str],
    *,
    max_witnesses: int = 1,
    new_principal: bool = False,
) -> _Outcome:
    """Requests of ``actor`` the question asks about that its policies allow, over every
    resource and context class (at most ``max_witnesses``), with the classes examined."""
    policies = oracle.policies_of(actor)
    extra = (_question_policy(approved),) if question.exclude_approved else ()
    asked = PolicySet(
        identity=(*policies.identity, *extra),
        boundary=policies.boundary,
        session=policies.session,
        scp=policies.scp,
    )
    real = CompiledPolicySet(
        PolicySet(
            identity=policies.identity,
            boundary=policies.boundary,
            session=policies.session,
            scp=policies.scp,
        )
    )
    compiled = CompiledPolicySet(asked)
    found: list[tuple[Request, str]] = []
    classes = 0
    own = [a for a in oracle.world.managed_policies if f":{actor.account}:" in a]
    # Names a wildcard condition admits, written as a policy could be named.
    named = [
        v.replace("*", "zz9").replace("?", "z")
        for v in boundary_values(oracle, actor)
        if "*" in v or "?" in v
    ]
    preferred: list[Value] = list(
        dict.fromkeys(
            [
                administrator_access_arn(actor.partition),
                *sorted(a for a in own if a not in approved)[:MAX_PREFERRED],
                *named[:MAX_PREFERRED],
            ]
        )
    )
    for action in question.actions:
        targets = question.resources if not question.free else (question.resources[0],)
        for target in targets:
            # A free question's resource is any name: the request is built for a new one.
            concrete = target.replace("?*", "zz9new") if question.free else target
            built = oracle.builder.build(actor.principal, action, concrete, now=oracle.now)
            statements = [s for _, s in compiled.plan(action.partition(":")[0].lower())]
            known: dict[str, ContextValue] = {}
            for key, item in built.request.context.as_dict().items():
                if _known(key.lower(), question, new_principal):
                    known[key] = list(item) if isinstance(item, list) else item
            boundary = question.boundary
            status = boundary if isinstance(boundary, str) else "absent"
            if isinstance(boundary, Mapping):
                value = boundary.get(target)
                if value is not None:
                    known[BOUNDARY_KEY] = value
            base = Request(
                caller=built.request.caller,
                action=action,
                resource=concrete,
                resource_account=built.request.resource_account,
                context=Context(known),
            )
            candidates: dict[str, list[Value]] = {}
            if question.free:
                candidates[RESOURCE] = list(
                    _resource_candidates(question, action, statements, base.context)
                )
                if not candidates[RESOURCE]:
                    continue
            read = _read_keys(statements)
            read.setdefault(BOUNDARY_KEY.lower(), BOUNDARY_KEY)
            clauses: dict[str, list[ConditionClause]] = {}
            for statement in statements:
                for clause in statement.source.conditions:
                    clauses.setdefault(clause.key.lower(), []).append(clause)
            for lower, name in read.items():
                if lower == BOUNDARY_KEY.lower():
                    if status == "absent":
                        continue
                    states = key_states(name, clauses.get(lower, []))
                    # Real policies first: a class holding one is shown by it (AWS's
                    # AdministratorAccess as a boundary is no boundary at all).
                    states = [ABSENT, *preferred, *(s for s in states if s is not ABSENT)]
                    if status == "present":
                        states = [s for s in states if s is not ABSENT]
                    candidates[ctx(lower)] = states
                elif not _known(lower, question, new_principal):
                    candidates[ctx(lower)] = key_states(name, clauses.get(lower, []))
            with_variable_values(candidates, clauses)
            candidates[ACTION] = [action]
            space = Space(statements, base, candidates, dict(read))
            total = space.state_count()
            bound = limits.current().max_symbolic_states
            if total > bound:
                raise SymbolicLimitError(
                    f"{question.name} ({action}): {total} classes exceed the bound of {bound} "
                    "(max_symbolic_states)"
                )
            decided: dict[int, bool] = {}
            for leaf, mask in space.leaves():
                classes += 1
                allowed = decided.get(mask)
                request = space.leaf_request(leaf)
                if allowed is None:
                    allowed = decide(request, compiled) is DecisionValue.ALLOW
                    decided[mask] = allowed
                if allowed:
                    # The question-only Deny did not apply: the real policies decide the same.
                    found.append((request, decide(request, real).value))
                    break
            if len(found) >= max_witnesses:
                return _Outcome(found, classes)
    return _Outcome(found, classes)


def _record(request: Request, principal: str | None = None) -> dict[str, object]:
    context = request.context.as_dict()
    shown = {k: v for k, v in context.items() if not known_key(k.lower(), principal is not None)}
    return {
        "principal": principal or request.caller.display,
        "action": request.action,
        "resource": request.resource,
        "context": shown,
    }


def worst_case(oracle: Oracle, actor: Actor, arn: str) -> Actor | None:
    """A principal of the actor's account bounded by the approved boundary ``arn`` whose
    identity policies allow everything: what any principal the actor creates or changes
    under that boundary can at most do (None when the policy's document is unknown)."""
    document = oracle.managed_document(arn)
    if document is None:
        return None
    boundary = dataclasses.replace(document, policy_type=PolicyType.BOUNDARY)
    change = Change(
        key=f"containment-worst-case:{arn}",
        description=f"any policy, boundary {arn}",
        identity=(allow_all(),),
        sets_boundary=True,
        boundary=boundary,
    )
    return actor.changed(change)


def prove_containment(
    world: World,
    oracle: Oracle,
    actor: Actor,
    approved: Sequence[str] | None = None,
    *,
    max_witnesses: int = MAX_WITNESSES,
) -> Containment:
    """Decide every containment question for ``actor`` (a delegated administrator), then
    for the worst-case principal under each approved boundary (:func:`worst_case`).

    Induction: when the actor and every worst-case principal answer every question "no",
    each principal the actor creates or changes carries an approved boundary, so it can do
    at most what that boundary's worst case does -- create or change principals only under
    an approved boundary, and so on: no chain of delegations leaves the approved set.
    """
    chosen = tuple(approved) if approved is not None else approved_arns(world, oracle, actor)
    questions = questions_for(world, actor, chosen)
    names = tuple(dict.fromkeys(q.name for q in questions))
    witnesses: list[ContainmentWitness] = []
    classes = 0
    known_policies = {a.lower() for a in world.managed_policies}
    askers: list[tuple[Actor, str | None]] = [(actor, None)]
    for arn in chosen:
        hypothetical = worst_case(oracle, actor, arn)
        if hypothetical is not None:
            askers.append((hypothetical, arn))
    for asker, via in askers:
        shown = None if via is None else f"any principal bounded by {via}"
        for question in questions:
            try:
                outcome = decide_question(
                    oracle, asker, question, chosen, new_principal=via is not None
                )
            except (SymbolicLimitError, InputError) as exc:
                return Containment(UNDECIDED, chosen, names, tuple(witnesses), classes, str(exc))
            classes += outcome.classes
            for request, decision in outcome.witnesses:
                note = None
                named = (
                    request.context.get_values(BOUNDARY_KEY) if question.exclude_approved else None
                )
                if named and named[0].lower() not in known_policies:
                    creates = oracle.check(asker, "iam:CreatePolicy", named[0]).allowed
                    note = "the boundary named is not a managed policy of the loaded world; " + (
                        "the administrator may create it (iam:CreatePolicy is allowed)"
                        if creates
                        else "a violation once a policy of that name exists"
                    )
                if via is not None:
                    prefix = f"a principal created under the approved boundary {via} can do this"
                    note = prefix if note is None else f"{prefix}; {note}"
                witnesses.append(
                    ContainmentWitness(
                        question.name,
                        question.description,
                        _record(request, shown),
                        decision,
                        note,
                        request,
                        via,
                    )
                )
        if witnesses:
            break  # the administrator itself escapes: the worst cases add nothing decisive
    verdict = NOT_CONTAINED if witnesses else PROVED
    return Containment(verdict, chosen, names, tuple(witnesses[:max_witnesses]), classes)


__all__ = [
    "DOC",
    "NOT_CONTAINED",
    "PROVED",
    "UNDECIDED",
    "Containment",
    "ContainmentWitness",
    "Question",
    "approved_arns",
    "decide_question",
    "known_key",
    "prove_containment",
    "questions_for",
]
