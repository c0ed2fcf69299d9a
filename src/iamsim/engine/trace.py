"""What the engine reports: the decision, who decided it, and why every statement did or not.

A :class:`Decision` carries the final value, a one-line reason, the decisive statements, the
guardrail that blocked an otherwise allowed request, the result of each policy type (and each
organization level), the per-statement trace when requested, and the context keys the decision
depended on but that were absent from the request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from iamsim.vocabulary.request import Request


class DecisionValue(StrEnum):
    ALLOW = "Allow"
    EXPLICIT_DENY = "ExplicitDeny"
    IMPLICIT_DENY = "ImplicitDeny"

    @property
    def allowed(self) -> bool:
        return self is DecisionValue.ALLOW


@dataclass(frozen=True, slots=True)
class ConditionCheck:
    """One condition (operator, key) as evaluated for the request."""

    operator: str
    key: str
    policy_values: tuple[Any, ...]
    request_values: tuple[str, ...] | None
    result: bool
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "operator": self.operator,
            "key": self.key,
            "policy_values": list(self.policy_values),
            "request_values": None if self.request_values is None else list(self.request_values),
            "result": self.result,
        }
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True, slots=True)
class StatementRef:
    """A statement located in its policy: enough for a person to find it."""

    policy_type: str
    policy: str
    statement: str  # Sid, or "#index"
    effect: str
    level: int | None = None  # organization level for SCPs/RCPs (0 = root)
    principal_match: str | None = None  # match class for resource-policy statements

    def describe(self) -> str:
        where = f"{self.policy_type}"
        if self.level is not None:
            where += f"[level {self.level}]"
        return f"{where} {self.policy!r} statement {self.statement} ({self.effect})"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "policy_type": self.policy_type,
            "policy": self.policy,
            "statement": self.statement,
            "effect": self.effect,
        }
        if self.level is not None:
            out["level"] = self.level
        if self.principal_match is not None:
            out["principal_match"] = self.principal_match
        return out


@dataclass(frozen=True, slots=True)
class StatementTrace:
    """Whether one statement applied to the request, and if not, the first reason why."""

    ref: StatementRef
    applied: bool
    reason: str | None = None  # "action", "resource", "principal", "condition"
    detail: str | None = None
    conditions: tuple[ConditionCheck, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out = self.ref.to_dict()
        out["applied"] = self.applied
        if self.reason:
            out["not_applied_because"] = self.reason
        if self.detail:
            out["detail"] = self.detail
        if self.conditions:
            out["conditions"] = [c.to_dict() for c in self.conditions]
        return out


class PolicyTypeVerdict(StrEnum):
    ALLOW = "Allow"  # an Allow statement applied (and no Deny)
    DENY = "Deny"  # a Deny statement applied
    NO_MATCH = "NoMatch"  # present, but nothing applied: an implicit deny for gates
    NOT_APPLICABLE = "NotApplicable"  # present but does not govern this request


@dataclass(frozen=True, slots=True)
class PolicyTypeResult:
    """The result of one policy type (or one organization level)."""

    policy_type: str
    verdict: PolicyTypeVerdict
    level: int | None = None
    statements: tuple[StatementRef, ...] = ()
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"policy_type": self.policy_type, "result": self.verdict.value}
        if self.level is not None:
            out["level"] = self.level
        if self.statements:
            out["statements"] = [s.to_dict() for s in self.statements]
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True, slots=True)
class Decision:
    """The engine's answer for one request."""

    value: DecisionValue
    reason: str
    request: Request
    decisive: tuple[StatementRef, ...] = ()
    blocked_by: str | None = None
    policy_results: tuple[PolicyTypeResult, ...] = ()
    statements: tuple[StatementTrace, ...] = ()
    missing_context_keys: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def allowed(self) -> bool:
        return self.value is DecisionValue.ALLOW

    def to_dict(self) -> dict[str, Any]:
        request = self.request
        out: dict[str, Any] = {
            "decision": self.value.value,
            "reason": self.reason,
            "request": {
                "principal": request.caller.display,
                "action": request.action,
                "resource": request.resource,
                "resource_account": request.resource_account,
                "same_account": request.same_account,
            },
            "decisive_statements": [s.to_dict() for s in self.decisive],
            "blocked_by": self.blocked_by,
            "policy_results": [r.to_dict() for r in self.policy_results],
            "missing_context_keys": list(self.missing_context_keys),
        }
        if self.statements:
            out["statements"] = [s.to_dict() for s in self.statements]
        if self.notes:
            out["notes"] = list(self.notes)
        return out
