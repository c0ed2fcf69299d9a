"""The answer of the effective-permissions analysis: each granted action with what became of it
(:class:`ActionPermission`), the whole :class:`EffectivePermissions` of one principal, and its
evaluation at one concrete request (:class:`Verdict`) from the terms and records alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from iamsim.analysis.actions_index import ActionIndex
from iamsim.analysis.effective.algebra import Case, Layer, Slot, Status, Term
from iamsim.analysis.facts import Facts, clauses_to_dict
from iamsim.vocabulary.request import Caller, Context


class Verdict(StrEnum):
    """The result's answer at one concrete request (see :meth:`decision_at`)."""

    ALLOWED = "allowed"
    DENIED = "denied"  # an explicit Deny applies
    CUT = "cut"  # a guardrail's implicit deny
    NOT_GRANTED = "not-granted"  # no identity policy grants it


# ---------------------------------------------------------------------------- the result


@dataclass(frozen=True, slots=True)
class ActionPermission:
    """One action the identity policies grant, with what became of it."""

    action: str
    service: str
    access_level: str
    case: Case

    @property
    def status(self) -> Status:
        assert self.case.status is not None
        return self.case.status


@dataclass
class EffectivePermissions:
    """The effective permissions of one principal (see :mod:`iamsim.analysis.effective`)."""

    principal: str
    caller: Caller
    account: str | None
    layers: tuple[Layer, ...]
    index: ActionIndex
    notes: tuple[str, ...]
    _cases: dict[int, Case] = field(repr=False)
    _facts: Facts = field(repr=False)
    slots: tuple[Slot, ...] = field(default=(), repr=False)

    @property
    def facts(self) -> Facts:
        """The context keys the principal fixes (see :mod:`iamsim.analysis.facts`)."""
        return self._facts

    def __iter__(self) -> Iterator[ActionPermission]:
        """Every action the identity policies grant, sorted by action name."""
        index = self.index
        for action_id in sorted(self._cases, key=lambda i: index.actions[i]):
            case = self._cases[action_id]
            yield ActionPermission(
                index.actions[action_id],
                index.service_of[action_id],
                index.access_level[action_id],
                case,
            )

    def __len__(self) -> int:
        return len(self._cases)

    def get(self, action: str) -> ActionPermission | None:
        action_id = self.index.id_of(action)
        if action_id is None or action_id not in self._cases:
            return None
        return ActionPermission(
            self.index.actions[action_id],
            self.index.service_of[action_id],
            self.index.access_level[action_id],
            self._cases[action_id],
        )

    def status(self, action: str) -> Status | None:
        found = self.get(action)
        return found.status if found is not None else None

    def allowed_actions(self, *, conditional: bool = True) -> list[str]:
        wanted = {Status.ALLOWED, Status.CONDITIONAL} if conditional else {Status.ALLOWED}
        return [p.action for p in self if p.status in wanted]

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Status}
        for permission in self:
            out[permission.status.value] += 1
        return out

    def decision_at(
        self, action: str, resource: str, context: Context
    ) -> tuple[Verdict, str | None]:
        """What this result says about one concrete request: (verdict, by whom).

        Uses only the result (its terms and removal records) and the engine's pattern and
        condition matchers, so comparing it with the engine checks the algebra.
        """
        found = self.get(action)
        if found is None:
            return Verdict.NOT_GRANTED, None
        case = found.case
        for removal in case.removals:
            if removal.kind in ("deny", "deny-if") and removal.slot is not None:
                slot = removal.slot
                if (
                    removal.term.in_resources(resource, context)
                    and slot.contains(resource, context)
                    and slot.holds(context)
                ):
                    return Verdict.DENIED, slot.ref.describe()
        for term in case.terms:
            if term.in_resources(resource, context) and term.holds(resource, context):
                return Verdict.ALLOWED, None
        for removal in case.removals:
            if removal.kind != "cut":
                continue
            term = removal.term
            if not (term.in_resources(resource, context) and term.holds(resource, context)):
                continue
            if any(
                scope.contains(resource, context) and slot.holds(context)
                for scope, slot in removal.allowed
            ):
                continue
            return Verdict.CUT, removal.layer.guard
        return Verdict.NOT_GRANTED, None


def term_to_dict(term: Term) -> dict[str, Any]:
    """A term as plain JSON values."""
    out: dict[str, Any] = {"resources": term.scope.texts}
    excluded = [s.text for s in term.scope.exclude] + [s.text for s in term.denied]
    if excluded:
        out["except"] = excluded
    clauses = term.clauses()
    if clauses:
        out["conditions"] = clauses_to_dict(clauses)
        out["conditions_from"] = [s.ref.to_dict() for s in term.conditions]
    if term.unless:
        out["unless_denied_by"] = [
            {"statement": s.ref.to_dict(), "conditions": clauses_to_dict(s.clauses)}
            for s in term.unless
        ]
    return out
