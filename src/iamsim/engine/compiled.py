"""Policies prepared once for many requests: patterns compiled, statements indexed by service.

A :class:`CompiledPolicy` answers, for one request, which of its statements apply and with
which principal match class. Statement applicability follows
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html :
``(Action matches | NotAction does not) and (Resource matches | NotResource does not) and
(Principal matches | NotPrincipal does not) and every condition holds``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from iamsim.conditions import CompiledConditionBlock, ConditionOutcome, compile_conditions
from iamsim.engine.principals import CompiledPrincipal, MatchClass
from iamsim.engine.trace import ConditionCheck, StatementRef, StatementTrace
from iamsim.patterns.action import ActionPattern, compile_action
from iamsim.patterns.arn import ResourcePattern, compile_resource
from iamsim.policy.model import ConditionClause, Effect, Policy, PolicyType, Statement
from iamsim.vocabulary.arn import Arn
from iamsim.vocabulary.request import Caller, CallerKind, Context, Request

# Statement applies without a Principal element (identity-type policies name no principal).
IMPLICIT_PRINCIPAL = 0

# Policy types whose statements carry a Principal/NotPrincipal element.
_PRINCIPAL_TYPES = frozenset(
    {PolicyType.RESOURCE, PolicyType.TRUST, PolicyType.RCP, PolicyType.ENDPOINT}
)

# Callers that can carry a permissions boundary (for the NotPrincipal + boundary rule).
_BOUNDABLE = frozenset({CallerKind.USER, CallerKind.ROLE_SESSION})


_DENY = Effect.DENY

# The slots CompiledStatement._complete fills on first use.
_LAZY = frozenset(
    {
        "_arn_tests",
        "_not_resource",
        "_resource_memo",
        "conditions",
        "constant",
        "holds",
        "not_principal",
        "not_resources",
        "principal",
        "resources",
    }
)


@dataclass(frozen=True, slots=True)
class Applied:
    """A statement that applied to a request, with how its Principal named the caller."""

    statement: CompiledStatement
    match: int  # MatchClass value, or IMPLICIT_PRINCIPAL


class CompiledStatement:
    """One statement with every pattern compiled; evaluation allocates as little as possible.

    Compiled in two steps. The constructor compiles only the Action/NotAction element (and
    the services it covers): every request asks about it first, and a statement whose action
    element does not cover a request never needs the rest. The Resource, Principal and
    Condition elements (and the derived tests) are compiled on the first read of any of
    them, the :class:`StatementRef` on the first read of ``ref``: each is a slot left unset
    until :meth:`__getattr__` (which Python calls only for an unset slot) fills it. A
    document used once (a batch where every scenario has its own policy text) so compiles
    only what that one request reaches; a document used again pays nothing more, the slots
    being plain attributes once filled. ``tests/engine/test_lazy_compile.py`` checks that a
    statement compiled this way decides and traces as one compiled in full up front.
    """

    __slots__ = (
        "_action_memo",
        "_arn_tests",
        "_level",
        "_not_resource",
        "_policy",
        "_resource_memo",
        "actions",
        "conditions",
        "constant",
        "effect",
        "holds",
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
        self.source = statement
        self._policy = policy
        self._level = level
        effect = statement.effect
        self.effect = effect
        self.is_deny = effect is _DENY
        self._action_memo: dict[str, bool] = {}
        # Services this statement can apply to; None means any service (wildcard or NotAction).
        values = statement.actions
        self.actions: tuple[ActionPattern, ...] | None
        self.not_actions: tuple[ActionPattern, ...] | None
        if values is not None:
            self.actions, self.services = _action_element(values)
            self.not_actions = None
        else:
            self.actions = self.services = None
            not_actions = statement.not_actions
            self.not_actions = None if not_actions is None else _action_element(not_actions)[0]

    def __getattr__(self, name: str) -> object:
        """Compile what an unset slot needs, on its first read (see the class)."""
        if name == "ref":
            self.ref = self._make_ref()
            return self.ref
        if name in _LAZY:
            self._complete()
            return object.__getattribute__(self, name)
        raise AttributeError(name)

    def _make_ref(self) -> StatementRef:
        statement = self.source
        policy = self._policy
        # ``_value_`` is what an enum's ``value`` property returns, without the property call.
        return StatementRef(
            policy.policy_type._value_,
            policy.label,
            statement.label,
            statement.effect._value_,
            self._level,
        )

    def _complete(self) -> None:
        """Compile the Resource, Principal and Condition elements and the tests built on
        them (every slot of ``_LAZY``)."""
        statement = self.source
        enabled = self._policy.variables_enabled
        resources = not_resources = None
        patterns: tuple[ResourcePattern, ...] | None = None
        cacheable = matches_all = False
        arn_tests: tuple[ArnTest, ...] = ()
        values = statement.resources
        positive = values is not None
        if values is None:
            values = statement.not_resources
        if values is not None:
            # Whether the resource element applies depends only on the resource ARN (unless
            # a policy variable is involved), so results are memoized.
            patterns, cacheable, matches_all, arn_tests = _resource_element(values, enabled)
            if positive:
                resources = patterns
            else:
                not_resources = patterns
        principal = CompiledPrincipal.compile(statement.principal) if statement.principal else None
        not_principal = (
            CompiledPrincipal.compile(statement.not_principal) if statement.not_principal else None
        )
        conditions = _conditions(statement.conditions, enabled)
        # The match class when the statement applies to every request its action element
        # covers (Resource "*", no or a "*" Principal, no condition), else None: such a
        # statement needs no work per request once the action is known.
        constant: int | None = None
        if resources is not None and matches_all and not_principal is None and conditions.empty:
            if principal is None:
                constant = IMPLICIT_PRINCIPAL
            elif principal.wildcard:
                constant = MatchClass.DIRECT
        # Filled last, in one go: a slot read before this point would re-enter __getattr__.
        self.resources: tuple[ResourcePattern, ...] | None = resources
        self.not_resources: tuple[ResourcePattern, ...] | None = not_resources
        self.principal = principal
        self.not_principal = not_principal
        self.conditions = conditions
        # The block as one compiled closure for the decision-only path; None without conditions.
        self.holds = None if conditions.empty else conditions.holds
        self._resource_memo: dict[str, bool] | None = {} if cacheable else None
        # The Resource (or NotResource) element's specialised ARN tests, for parsed requests.
        self._not_resource = resources is None
        self._arn_tests = arn_tests
        self.constant = constant

    def match(
        self,
        request: Request,
        action: str,
        bounded: bool,
        outcomes: list[ConditionOutcome] | None = None,
        arn: Arn | None = None,
    ) -> tuple[int | None, str | None, str | None]:
        """(match class or None, reason it did not apply, detail).

        ``action`` is the lowercased request action; ``arn`` the parsed request resource,
        parsed once per request by the caller (None for ``"*"`` or a non-ARN resource).
        """
        action_applies = self._action_memo.get(action)
        if action_applies is None:
            if self.actions is not None:
                action_applies = _any_action(self.actions, action)
            else:
                action_applies = not _any_action(self.not_actions or (), action)
            _remember(self._action_memo, action, action_applies)
        if not action_applies:
            if self.actions is not None:
                return None, "action", f"{request.action} is not in Action"
            return None, "action", f"{request.action} is excluded by NotAction"
        context = request.context
        resource = request.resource
        memo = self._resource_memo
        resource_applies = memo.get(resource) if memo is not None else None
        if resource_applies is None:
            if self.resources is not None:
                resource_applies = _any_resource(self.resources, resource, arn, context)
            else:
                resource_applies = not _any_resource(
                    self.not_resources or (), resource, arn, context
                )
            if memo is not None:
                _remember(memo, resource, resource_applies)
        if not resource_applies:
            if self.resources is not None:
                return None, "resource", f"{resource} is not in Resource"
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

    def action_applies(self, action: str) -> bool:
        """Whether the Action/NotAction element covers the lowercased request ``action``."""
        applies = self._action_memo.get(action)
        if applies is None:
            if self.actions is not None:
                applies = _any_action(self.actions, action)
            else:
                applies = not _any_action(self.not_actions or (), action)
            _remember(self._action_memo, action, applies)
        return applies

    def applies(self, request: Request, bounded: bool, arn: Arn | None) -> int | None:
        """The match class if the statement applies, else None; the action is known to match.

        The decision-only twin of :meth:`match` (same tests, same order, no reasons built)."""
        constant = self.constant
        if constant is not None:
            return constant
        resource = request.resource
        memo = self._resource_memo
        resource_applies = memo.get(resource) if memo is not None else None
        if resource_applies is None:
            if arn is not None:
                # _any_resource inlined for a parsed ARN: the hottest loop of decide().
                resource_applies = False
                context = request.context
                for test in self._arn_tests:
                    if test(arn, context):
                        resource_applies = True
                        break
                if self._not_resource:
                    resource_applies = not resource_applies
            elif self.resources is not None:
                resource_applies = _any_resource(self.resources, resource, arn, request.context)
            else:
                resource_applies = not _any_resource(
                    self.not_resources or (), resource, arn, request.context
                )
            if memo is not None:
                if len(memo) >= _MEMO_LIMIT:
                    memo.clear()
                memo[resource] = resource_applies
        if not resource_applies:
            return None
        match_class = IMPLICIT_PRINCIPAL
        if self.principal is not None:
            found = self.principal.match(request.caller)
            if found is None:
                return None
            match_class = found
        elif self.not_principal is not None:
            caller = request.caller
            if self.not_principal.covers_every_layer(caller) and not (
                self.is_deny and bounded and caller.kind in _BOUNDABLE
            ):
                return None
            match_class = MatchClass.DIRECT
        holds = self.holds
        if holds is not None and not holds(request.context):
            return None
        return match_class

    def checker(self, bounded: bool) -> int | Check:
        """:meth:`applies` specialised at compile time for a set with (``bounded``) or without
        a permissions boundary: the match class itself when the statement applies to every
        request its action element covers, else one closure ``check(request, parts)`` over
        the request and its resource split by :func:`split_request_arn` (None when the
        resource is ``"*"`` or not an ARN).

        Only the elements the statement has are tested, in the order of :meth:`applies`,
        in one frame: no memo (requests rarely repeat a resource within one statement's
        reach on the hot path), no method dispatch, the condition block's closure called
        directly. ``tests/engine/test_checker.py`` checks it against :meth:`applies`.
        """
        if self.constant is not None:
            return self.constant
        positive = self.resources is not None
        patterns = self.resources if positive else self.not_resources
        assert patterns is not None  # a statement has Resource or NotResource
        if positive and any(p.matches_all for p in patterns):
            resource_tests: tuple[PartsTest, ...] | None = None  # every resource matches
        else:
            resource_tests = tuple(p.parts_test for p in patterns)
        # What the Principal element makes of the caller: a fixed class, or a test.
        fixed = IMPLICIT_PRINCIPAL
        principal_match = None
        not_principal = self.not_principal
        exempt_denied = False  # NotPrincipal: a bounded caller's Deny is never exempted
        if self.principal is not None:
            if self.principal.wildcard:
                fixed = MatchClass.DIRECT
            else:
                principal_match = self.principal.matcher()
        elif not_principal is not None:
            fixed = MatchClass.DIRECT
            exempt_denied = self.is_deny and bounded
        holds = self.holds
        if not_principal is None and resource_tests is None:
            # Resource "*": the Principal element and the condition block decide.
            if principal_match is None:
                assert holds is not None  # else the statement would be constant
                condition = holds

                def check_condition(request: Request, parts: list[str] | None) -> int | None:
                    return fixed if condition(request.context) else None

                return check_condition

            def check_principal(request: Request, parts: list[str] | None) -> int | None:
                match_class = principal_match(request.caller)
                if match_class is None or (holds is not None and not holds(request.context)):
                    return None
                return match_class

            return check_principal
        if (
            not_principal is None
            and resource_tests is not None
            and len(resource_tests) == 1
            and positive
        ):
            # The commonest shape: one Resource pattern, maybe a Principal and a condition.
            only = resource_tests[0]
            if principal_match is None:

                def check_one(request: Request, parts: list[str] | None) -> int | None:
                    context = request.context
                    if parts is None:
                        if not _any_resource(patterns, request.resource, None, context):
                            return None
                    elif not only(parts, context):
                        return None
                    if holds is not None and not holds(context):
                        return None
                    return fixed

                return check_one

            def check_one_principal(request: Request, parts: list[str] | None) -> int | None:
                context = request.context
                if parts is None:
                    if not _any_resource(patterns, request.resource, None, context):
                        return None
                elif not only(parts, context):
                    return None
                match_class = principal_match(request.caller)
                if match_class is None or (holds is not None and not holds(context)):
                    return None
                return match_class

            return check_one_principal

        def check(request: Request, parts: list[str] | None) -> int | None:
            context = request.context
            if resource_tests is not None:
                if parts is None:
                    hit = _any_resource(patterns, request.resource, None, context)
                else:
                    hit = False
                    for test in resource_tests:
                        if test(parts, context):
                            hit = True
                            break
                if hit is not positive:
                    return None
            match_class: int | None = fixed
            if principal_match is not None:
                match_class = principal_match(request.caller)
                if match_class is None:
                    return None
            elif not_principal is not None:
                caller = request.caller
                if not_principal.covers_every_layer(caller) and not (
                    exempt_denied and caller.kind in _BOUNDABLE
                ):
                    return None
            if holds is not None and not holds(context):
                return None
            return match_class

        return check

    def explain(
        self, request: Request, action: str, bounded: bool, arn: Arn | None
    ) -> tuple[StatementTrace, int | None]:
        outcomes: list[ConditionOutcome] = []
        match_class, reason, detail = self.match(request, action, bounded, outcomes, arn)
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


_MEMO_LIMIT = 8192

# A Resource pattern's test over a split request ARN, and a statement's compiled check.
ArnTest = Callable[[Arn, Context], bool]
PartsTest = Callable[[list[str], Context], bool]
Check = Callable[[Request, list[str] | None], int | None]


def _remember(memo: dict[str, bool], key: str, value: bool) -> None:
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()
    memo[key] = value


def _any_action(patterns: tuple[ActionPattern, ...], action: str) -> bool:
    return any(pattern.matches(action) for pattern in patterns)


def _any_resource(
    patterns: tuple[ResourcePattern, ...], resource: str, arn: Arn | None, context: Context
) -> bool:
    if arn is not None:
        for pattern in patterns:  # noqa: SIM110 - a loop, not any() over a generator
            if pattern.arn_test(arn, context):  # True for "*" as well
                return True
        return False
    return any(pattern.matches_all or pattern.matches(resource, context) for pattern in patterns)


def _with_match(ref: StatementRef, match_class: int) -> StatementRef:
    return StatementRef(
        ref.policy_type,
        ref.policy,
        ref.statement,
        ref.effect,
        ref.level,
        MatchClass(match_class).name,
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


# Compiled condition blocks by their content. Documents that are new text as a whole (a Sid,
# a resource of their own) still repeat their organization's condition blocks word for word,
# and a compiled block is immutable (its caches only save work), so equal blocks share one.
_CONDITIONS: dict[tuple[object, ...], CompiledConditionBlock] = {}
_CONDITIONS_LIMIT = 4096
_EMPTY_CONDITIONS = {
    enabled: compile_conditions((), variables_enabled=enabled) for enabled in (False, True)
}


def _conditions(clauses: tuple[ConditionClause, ...], enabled: bool) -> CompiledConditionBlock:
    """``compile_conditions(clauses)``, shared between equal blocks (see ``_CONDITIONS``)."""
    if not clauses:
        return _EMPTY_CONDITIONS[enabled]
    # The key keeps every value's type and spelling: 1, 1.0, True and "1" compile (and are
    # traced) differently, though Python's == makes the first three equal.
    key = (
        enabled,
        *(
            (
                c.operator,
                c.key,
                tuple(v if type(v) is str else (type(v), repr(v)) for v in c.values),
                c.value_was_list,
                c.path,
            )
            for c in clauses
        ),
    )
    found = _CONDITIONS.get(key)
    if found is None:
        found = compile_conditions(clauses, variables_enabled=enabled)
        if len(_CONDITIONS) >= _CONDITIONS_LIMIT:
            _CONDITIONS.clear()
        _CONDITIONS[key] = found
    return found


# Compiled Action and Resource elements by their text. The documents of a batch that each
# carry their own text still repeat most of their elements word for word (an organization's
# ``["s3:GetObject", "s3:PutObject"]``, ``"*"``), and what is kept here is immutable (patterns
# are shared already, one per text, by compile_action and compile_resource), so equal
# elements share one compiled tuple and the facts derived from it. Bounded; emptied when full.
_ActionElement = tuple[tuple[ActionPattern, ...], frozenset[str] | None]
# The patterns, whether the element's answer depends on the resource ARN alone (no policy
# variable), whether one entry matches every resource, and the entries' specialised ARN tests.
_ResourceElement = tuple[tuple[ResourcePattern, ...], bool, bool, tuple[ArnTest, ...]]
_ACTION_ELEMENTS: dict[tuple[str, ...], _ActionElement] = {}
_RESOURCE_ELEMENTS: dict[tuple[tuple[str, ...], bool], _ResourceElement] = {}
_ELEMENTS_LIMIT = 8192


def _action_element(values: tuple[str, ...]) -> _ActionElement:
    """The compiled Action/NotAction element and the services it names (None: any)."""
    found = _ACTION_ELEMENTS.get(values)
    if found is None:
        patterns = tuple([compile_action(v) for v in values])
        named = {p.service for p in patterns}
        services = None if None in named else frozenset(s for s in named if s is not None)
        found = (patterns, services)
        if len(_ACTION_ELEMENTS) >= _ELEMENTS_LIMIT:
            _ACTION_ELEMENTS.clear()
        _ACTION_ELEMENTS[values] = found
    return found


def _resource_element(values: tuple[str, ...], enabled: bool) -> _ResourceElement:
    """The compiled Resource/NotResource element and its facts (see ``_ResourceElement``)."""
    key = (values, enabled)
    found = _RESOURCE_ELEMENTS.get(key)
    if found is None:
        patterns = tuple([compile_resource(v, variables_enabled=enabled) for v in values])
        cacheable = True
        matches_all = False
        for pattern in patterns:
            if pattern.has_variables:
                cacheable = False
            if pattern.matches_all:
                matches_all = True
        found = (patterns, cacheable, matches_all, tuple([p.arn_test for p in patterns]))
        if len(_RESOURCE_ELEMENTS) >= _ELEMENTS_LIMIT:
            _RESOURCE_ELEMENTS.clear()
        _RESOURCE_ELEMENTS[key] = found
    return found


class CompiledPolicy:
    """A policy ready for evaluation; candidate statements are looked up by service."""

    __slots__ = ("_by_service", "level", "policy", "statements")

    def __init__(self, policy: Policy, level: int | None = None) -> None:
        self.policy = policy
        self.level = level
        self.statements = tuple([CompiledStatement(s, policy, level) for s in policy.statements])
        self._by_service: dict[str, tuple[CompiledStatement, ...]] = {}

    @property
    def has_principals(self) -> bool:
        return self.policy.policy_type in _PRINCIPAL_TYPES

    def candidates(self, service: str) -> tuple[CompiledStatement, ...]:
        found = self._by_service.get(service)
        if found is None:
            found = tuple(s for s in self.statements if s.services is None or service in s.services)
            self._by_service[service] = found
        return found

    def applied(
        self, request: Request, action: str, bounded: bool, arn: Arn | None
    ) -> list[Applied]:
        """The statements that apply to the request, in document order, without a trace
        (``action``: the lowercased request action)."""
        out: list[Applied] = []
        for statement in self.statements:
            if statement.action_applies(action):
                match_class = statement.applies(request, bounded, arn)
                if match_class is not None:
                    out.append(Applied(statement, match_class))
        return out

    def explain(
        self, request: Request, action: str, bounded: bool, arn: Arn | None
    ) -> tuple[list[Applied], list[StatementTrace]]:
        applied: list[Applied] = []
        traces: list[StatementTrace] = []
        for statement in self.statements:
            trace, match_class = statement.explain(request, action, bounded, arn)
            traces.append(trace)
            if match_class is not None:
                applied.append(Applied(statement, match_class))
        return applied, traces


# Compiled policies by the identity of the (immutable) Policy object and organization level.
# Each entry keeps its Policy alive, so an id is never reused while its entry exists.
_COMPILED: OrderedDict[tuple[int, int | None], tuple[Policy, CompiledPolicy]] = OrderedDict()
_COMPILED_LIMIT = 8192


def compiled_policy(policy: Policy, level: int | None = None) -> CompiledPolicy:
    """The compiled form of ``policy``, compiled once and reused while it stays cached."""
    key = (id(policy), level)
    entry = _COMPILED.get(key)
    if entry is not None:
        _COMPILED.move_to_end(key)
        return entry[1]
    compiled = CompiledPolicy(policy, level)
    _COMPILED[key] = (policy, compiled)
    if len(_COMPILED) > _COMPILED_LIMIT:
        _COMPILED.popitem(last=False)
    return compiled


def forget_compiled() -> None:
    """Drop every cached compiled policy (a long-lived worker moving on to an account whose
    policies share none of the cached ones: otherwise the cache keeps them alive)."""
    _COMPILED.clear()


def caller_is_bounded(caller: Caller, has_boundary: bool) -> bool:
    return has_boundary and caller.kind in _BOUNDABLE
