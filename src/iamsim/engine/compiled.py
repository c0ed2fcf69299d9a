"""Policies prepared once for many requests: patterns compiled, statements indexed by service.

A :class:`CompiledPolicy` answers, for one request, which of its statements apply and with
which principal match class. Statement applicability follows
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html :
``(Action matches | NotAction does not) and (Resource matches | NotResource does not) and
(Principal matches | NotPrincipal does not) and every condition holds``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from iamsim.conditions import ConditionOutcome, compile_conditions
from iamsim.engine.principals import CompiledPrincipal, MatchClass
from iamsim.engine.request import Caller, CallerKind, Request
from iamsim.engine.trace import ConditionCheck, StatementRef, StatementTrace
from iamsim.patterns.action import ActionPattern, compile_action
from iamsim.patterns.arn import ResourcePattern, compile_resource
from iamsim.policy.model import Effect, Policy, PolicyType, Statement

# Statement applies without a Principal element (identity-type policies name no principal).
IMPLICIT_PRINCIPAL = 0

# Policy types whose statements carry a Principal/NotPrincipal element.
_PRINCIPAL_TYPES = frozenset({PolicyType.RESOURCE, PolicyType.TRUST, PolicyType.RCP, PolicyType.ENDPOINT})

# Callers that can carry a permissions boundary (for the NotPrincipal + boundary rule).
_BOUNDABLE = frozenset({CallerKind.USER, CallerKind.ROLE_SESSION})


@dataclass(frozen=True, slots=True)
class Applied:
    """A statement that applied to a request, with how its Principal named the caller."""

    statement: CompiledStatement
    match: int  # MatchClass value, or IMPLICIT_PRINCIPAL


class CompiledStatement:
    """One statement with every pattern compiled; evaluation allocates as little as possible."""

    __slots__ = (
        "actions",
        "conditions",
        "effect",
        "is_deny",
        "not_actions",
        "not_principal",
        "not_resources",
        "principal",
        "ref",
        "resources",
        "services",
        "source",
    )

    def __init__(self, statement: Statement, policy: Policy, level: int | None) -> None:
        enabled = policy.variables_enabled
        self.source = statement
        self.effect = statement.effect
        self.is_deny = statement.effect is Effect.DENY
        self.actions: tuple[ActionPattern, ...] | None = _actions(statement.actions)
        self.not_actions: tuple[ActionPattern, ...] | None = _actions(statement.not_actions)
        self.resources: tuple[ResourcePattern, ...] | None = _resources(statement.resources, enabled)
        self.not_resources: tuple[ResourcePattern, ...] | None = _resources(
            statement.not_resources, enabled
        )
        self.principal = (
            CompiledPrincipal.compile(statement.principal) if statement.principal else None
        )
        self.not_principal = (
            CompiledPrincipal.compile(statement.not_principal) if statement.not_principal else None
        )
        self.conditions = compile_conditions(statement.conditions, variables_enabled=enabled)
        # Services this statement can apply to; None means any service (wildcard or NotAction).
        self.services: frozenset[str] | None = None
        if self.actions is not None and all(p.service is not None for p in self.actions):
            self.services = frozenset(p.service for p in self.actions if p.service is not None)
        self.ref = StatementRef(
            policy_type=policy.policy_type.value,
            policy=policy.label,
            statement=statement.label,
            effect=statement.effect.value,
            level=level,
        )

    def match(
        self,
        request: Request,
        action: str,
        bounded: bool,
        outcomes: list[ConditionOutcome] | None = None,
    ) -> tuple[int | None, str | None, str | None]:
        """(match class or None, reason it did not apply, detail). ``action`` is lowercased."""
        if self.actions is not None:
            if not any(p.matches(action) for p in self.actions):
                return None, "action", f"{request.action} is not in Action"
        elif self.not_actions is not None and any(p.matches(action) for p in self.not_actions):
            return None, "action", f"{request.action} is excluded by NotAction"
        context = request.context
        resource = request.resource
        if self.resources is not None:
            if not any(p.matches(resource, context) for p in self.resources):
                return None, "resource", f"{resource} is not in Resource"
        elif self.not_resources is not None and any(
            p.matches(resource, context) for p in self.not_resources
        ):
            return None, "resource", f"{resource} is excluded by NotResource"
        match_class = IMPLICIT_PRINCIPAL
        caller = request.caller
        if self.principal is not None:
            found = self.principal.match(caller)
            if found is None:
                return None, "principal", f"{caller.display} is not named in Principal"
            match_class = found
        elif self.not_principal is not None:
            if self.not_principal.covers_every_layer(caller) and not (
                self.is_deny and bounded and caller.kind in _BOUNDABLE
            ):
                return None, "principal", f"{caller.display} is excluded by NotPrincipal"
            match_class = MatchClass.DIRECT
        if not self.conditions.empty and not self.conditions.evaluate(context, outcomes):
            return None, "condition", _failed_conditions(outcomes)
        return match_class, None, None

    def explain(self, request: Request, action: str, bounded: bool) -> tuple[StatementTrace, int | None]:
        outcomes: list[ConditionOutcome] = []
        match_class, reason, detail = self.match(request, action, bounded, outcomes)
        ref = self.ref
        if match_class is not None and match_class != IMPLICIT_PRINCIPAL:
            ref = _with_match(ref, match_class)
        trace = StatementTrace(
            ref=ref,
            applied=match_class is not None,
            reason=reason,
            detail=detail,
            conditions=tuple(_check(o) for o in outcomes),
        )
        return trace, match_class


def _with_match(ref: StatementRef, match_class: int) -> StatementRef:
    return StatementRef(
        ref.policy_type, ref.policy, ref.statement, ref.effect, ref.level, MatchClass(match_class).name
    )


def _check(outcome: ConditionOutcome) -> ConditionCheck:
    return ConditionCheck(
        operator=outcome.operator,
        key=outcome.key,
        policy_values=tuple(outcome.policy_values),
        request_values=None if outcome.request_values is None else tuple(outcome.request_values),
        result=outcome.result,
        note=outcome.note,
    )


def _failed_conditions(outcomes: list[ConditionOutcome] | None) -> str:
    if not outcomes:
        return "a condition is not met"
    failed = [o for o in outcomes if not o.result]
    return "; ".join(f"{o.operator} {o.key}" + (f" ({o.note})" if o.note else "") for o in failed)


def _actions(values: tuple[str, ...] | None) -> tuple[ActionPattern, ...] | None:
    if values is None:
        return None
    return tuple(compile_action(v) for v in values)


def _resources(values: tuple[str, ...] | None, enabled: bool) -> tuple[ResourcePattern, ...] | None:
    if values is None:
        return None
    return tuple(compile_resource(v, variables_enabled=enabled) for v in values)


class CompiledPolicy:
    """A policy ready for evaluation; candidate statements are looked up by service."""

    __slots__ = ("_by_service", "level", "policy", "statements")

    def __init__(self, policy: Policy, level: int | None = None) -> None:
        self.policy = policy
        self.level = level
        self.statements = tuple(CompiledStatement(s, policy, level) for s in policy.statements)
        self._by_service: dict[str, tuple[CompiledStatement, ...]] = {}

    @property
    def has_principals(self) -> bool:
        return self.policy.policy_type in _PRINCIPAL_TYPES

    def candidates(self, service: str) -> tuple[CompiledStatement, ...]:
        found = self._by_service.get(service)
        if found is None:
            found = tuple(
                s for s in self.statements if s.services is None or service in s.services
            )
            self._by_service[service] = found
        return found

    def applied(self, request: Request, action: str, bounded: bool) -> list[Applied]:
        """Statements that apply to the request (fast path: no trace)."""
        out: list[Applied] = []
        for statement in self.candidates(request.service):
            match_class, _, _ = statement.match(request, action, bounded)
            if match_class is not None:
                out.append(Applied(statement, match_class))
        return out

    def explain(
        self, request: Request, action: str, bounded: bool
    ) -> tuple[list[Applied], list[StatementTrace]]:
        applied: list[Applied] = []
        traces: list[StatementTrace] = []
        for statement in self.statements:
            trace, match_class = statement.explain(request, action, bounded)
            traces.append(trace)
            if match_class is not None:
                applied.append(Applied(statement, match_class))
        return applied, traces


def compile_policies(policies: Sequence[Policy], level: int | None = None) -> tuple[CompiledPolicy, ...]:
    return tuple(CompiledPolicy(p, level) for p in policies)


def caller_is_bounded(caller: Caller, has_boundary: bool) -> bool:
    return has_boundary and caller.kind in _BOUNDABLE
