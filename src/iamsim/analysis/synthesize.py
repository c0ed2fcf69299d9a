"""One identity policy equivalent to a principal's effective permissions.

Every surviving grant term becomes an Allow statement (actions that share the same resources and
conditions are grouped; a group holding every action of a service is written ``service:*``, of
the whole catalogue ``*``). What carved resources out of a term is written back as the Deny
that did it, restricted to the affected actions: the unconditional Denies that excluded
resources, and the conditional Denies a term is allowed "unless". Conditions are the clauses
left once the principal's own keys are evaluated, so the policy is equivalent *for this
principal* (attached to it alone, with no boundary, session policy, SCP or RCP).

Two shapes cannot be written exactly as one statement; they are kept (the wider reading) and
listed in :attr:`Synthesized.approximations`: a scope that is the intersection of two patterns
neither of which contains the other, and a scope with both Resource and NotResource parts
where a Deny of the excluded part would also hit another grant of the same action.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from iamsim.analysis.effective.algebra import Slot, Term
from iamsim.analysis.effective.results import EffectivePermissions
from iamsim.policy import PolicyType, parse_policy
from iamsim.policy.model import Policy


@dataclass
class Synthesized:
    """The synthesized document, its parsed form, and what could not be written exactly."""

    document: dict[str, Any]
    approximations: list[str] = field(default_factory=list)

    def policy(self) -> Policy:
        return parse_policy(self.document, PolicyType.IDENTITY, name="effective-permissions")

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.document, indent=indent)


def _case_variants(operator: str) -> list[str]:
    # Operator names are case-insensitive, so one Condition block can hold the same operator
    # and key twice (an AND of two clauses) under two spellings.
    return [operator, operator.lower(), operator.upper(), operator[:1].lower() + operator[1:]]


def _merge_conditions(clause_sets: list[Slot]) -> dict[str, dict[str, Any]] | None:
    block: dict[str, dict[str, Any]] = {}
    for slot in clause_sets:
        for condition in slot.clauses:
            clause = condition.clause
            values = list(clause.values)
            value: Any = values if (clause.value_was_list or len(values) != 1) else values[0]
            for spelling in _case_variants(clause.operator.text):
                keys = block.setdefault(spelling, {})
                existing = {k.lower(): k for k in keys}
                if clause.key.lower() not in existing:
                    keys[clause.key] = value
                    break
                if keys[existing[clause.key.lower()]] == value:
                    break
            else:
                return None
    return {op: keys for op, keys in block.items() if keys}


def _resource_element(slot: Slot) -> tuple[str, list[str]]:
    if slot.resources is not None:
        return "Resource", [s.text for s in slot.resources]
    return "NotResource", [s.text for s in slot.not_resources or ()]


def _patterns(result: EffectivePermissions) -> list[tuple[str, frozenset[str]]]:
    """The Action patterns of the principal's statements with what each expands to, widest
    first: the vocabulary the synthesized policy is written in."""
    out: dict[str, frozenset[str]] = {}
    for slot in result.slots:
        for pattern in slot.statement.actions or ():
            if pattern.matches_all or pattern.text in out:
                continue
            if "*" in pattern.text or "?" in pattern.text:
                out[pattern.text] = frozenset(result.index.expand(pattern.text))
    ranked = [(text, actions) for text, actions in out.items() if len(actions) > 1]
    ranked.sort(key=lambda item: (-len(item[1]), item[0]))
    return ranked


def _compress(
    actions: list[str], result: EffectivePermissions, patterns: list[tuple[str, frozenset[str]]]
) -> list[str]:
    """Whole catalogue as ``*``, whole services as ``service:*``, then the principal's own
    patterns (``ec2:Describe*``) where every action they cover is in the group."""
    index = result.index
    chosen = set(actions)
    if index.services_filter is None and len(chosen) == len(index.actions):
        return ["*"]
    out: list[str] = []
    remaining = set(chosen)
    by_service: dict[str, list[str]] = {}
    for action in actions:
        by_service.setdefault(action.split(":", 1)[0].lower(), []).append(action)
    for service, members in sorted(by_service.items()):
        if len(index.service_ids([service])) == len(members):
            out.append(f"{service}:*")
            remaining.difference_update(members)
    for text, covered in patterns:
        if covered and covered <= remaining:
            out.append(text)
            remaining -= covered
    out.extend(sorted(remaining))
    return sorted(out)


def synthesize(result: EffectivePermissions) -> Synthesized:
    """The identity policy equivalent to ``result`` (see the module docstring)."""
    approximations: list[str] = []
    allows: dict[str, list[str]] = {}
    allow_docs: dict[str, dict[str, Any]] = {}
    denies: dict[str, list[str]] = {}
    deny_docs: dict[str, dict[str, Any]] = {}

    def add_deny(action: str, statement: dict[str, Any]) -> None:
        key = json.dumps(statement, sort_keys=True)
        deny_docs[key] = statement
        denies.setdefault(key, []).append(action)

    for permission in result:
        terms = permission.case.terms
        if not terms:
            continue
        action = permission.action
        for term in terms:
            statement: dict[str, Any] = {"Effect": "Allow"}
            scope = term.scope
            if len(scope.include) > 1:
                approximations.append(
                    f"{action}: resources in all of {', '.join(s.text for s in scope.include)} "
                    f"written as {scope.include[-1].text}"
                )
            if scope.include and scope.exclude:
                if _deny_is_safe(term, terms):
                    for excluded in scope.exclude:
                        add_deny(action, {"Effect": "Deny", "Resource": [excluded.text]})
                else:
                    approximations.append(
                        f"{action}: {scope.include[-1].text} except "
                        f"{', '.join(s.text for s in scope.exclude)} written without the exception"
                    )
                statement["Resource"] = [scope.include[-1].text]
            elif scope.include:
                statement["Resource"] = [scope.include[-1].text]
            elif scope.exclude:
                statement["NotResource"] = [s.text for s in scope.exclude]
            else:
                statement["Resource"] = ["*"]
            if term.conditions:
                block = _merge_conditions(list(term.conditions))
                if block is None:
                    approximations.append(f"{action}: conditions could not be merged")
                    block = _merge_conditions(list(term.conditions[:1])) or {}
                if block:
                    statement["Condition"] = block
            key = json.dumps(statement, sort_keys=True)
            allow_docs[key] = statement
            allows.setdefault(key, []).append(action)
            for slot in (*term.unless, *term.denied_by):
                element, values = _resource_element(slot)
                deny: dict[str, Any] = {"Effect": "Deny", element: values}
                if slot.clauses:
                    deny["Condition"] = _merge_conditions([slot]) or {}
                add_deny(action, deny)

    statements: list[dict[str, Any]] = []
    vocabulary = _patterns(result)
    for key, actions in allows.items():
        body = allow_docs[key]
        action_list = _compress(sorted(set(actions)), result, vocabulary)
        statements.append({"Effect": "Allow", "Action": action_list, **_rest(body)})
    for key, actions in denies.items():
        body = deny_docs[key]
        action_list = _compress(sorted(set(actions)), result, vocabulary)
        statements.append({"Effect": "Deny", "Action": action_list, **_rest(body)})
    statements.sort(key=lambda s: (s["Effect"] != "Allow", json.dumps(s, sort_keys=True)))
    for number, statement in enumerate(statements, start=1):
        statement["Sid"] = f"{statement['Effect']}{number}"
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": s.pop("Sid"), **s} for s in statements],
    }
    return Synthesized(document, list(dict.fromkeys(approximations)))


def _rest(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "Effect"}


def _deny_is_safe(term: Term, terms: tuple[Term, ...]) -> bool:
    """Whether denying ``term``'s excluded sets cannot touch another grant of the action."""
    for other in terms:
        if other is term:
            continue
        if any(other.meets(e) for e in term.scope.exclude):
            return False
    return True
