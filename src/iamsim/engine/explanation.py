"""The steps of AWS's evaluation flowchart for one decision: part of the decision, as data.

:func:`explain` reads an engine :class:`~iamsim.engine.trace.Decision` (evaluated with
``explain=True``) and returns one :class:`Step` per step AWS takes, in the order AWS documents
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html):

1. the explicit-deny sweep over every applicable policy;
2. the organization gates: RCPs of the resource's account, SCPs of the caller's account, one
   level at a time from the root down (and a VPC endpoint policy when there is one);
3. the resource-based policy (the role trust policy for role assumption, the key policy for
   KMS), and how its statements named the caller;
4. the identity-based policies;
5. the permissions boundary;
6. the session policy.

Each step records which case of that step this request hit (``finding``), what it means for the
request (``outcome``) and the statements and organization levels involved. It owns no words:
:mod:`iamsim.report.explain` renders the steps as text and JSON. What kind of resource policy
governs the request comes from :func:`iamsim.vocabulary.targets.resource_policy_kind`, the one
home of that rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from iamsim.engine.trace import (
    Decision,
    DecisionValue,
    PolicyTypeResult,
    PolicyTypeVerdict,
    StatementTrace,
)
from iamsim.vocabulary.request import CallerKind
from iamsim.vocabulary.targets import ResourcePolicyKind, resource_policy_kind

StepKey = Literal["deny", "rcp", "scp", "endpoint", "resource", "identity", "boundary", "session"]

# deny: an explicit Deny decides here; block: this step denies implicitly; grant: this step's
# Allow is what grants the request; pass: the step lets the request through; none: nothing to
# check; not-applicable: the policy exists but does not govern this request.
Outcome = Literal["deny", "block", "grant", "pass", "none", "not-applicable"]

# Where an organization level sits: the root, an OU, or the account itself.
LevelPlace = Literal["root", "ou", "account"]

# Principal match classes from the weakest grant to the strongest (engine MatchClass order).
_MATCH_ORDER = ("", "ACCOUNT", "ENTITY", "FEDERATED", "SERVICE", "DIRECT")


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the evaluation, in AWS order.

    ``finding`` names the case of the step this request hit (``denied``, ``allowed``,
    ``none-allows``, ``absent``, ...; see :func:`explain`). ``statements`` are the traces of the
    statements the step looked at (for the deny sweep: the Deny statements that applied).
    """

    key: StepKey
    finding: str
    outcome: Outcome
    statements: tuple[StatementTrace, ...] = ()
    levels: tuple[PolicyTypeResult, ...] = ()  # organization levels, root first
    level_places: tuple[LevelPlace, ...] = ()  # aligned with levels
    blocking_level: int | None = None  # the first organization level that allows nothing
    resource_kind: ResourcePolicyKind | None = None  # the resource step: which policy
    principal_match: str | None = None  # the resource step: strongest Principal match
    note: str | None = None  # the engine's note about this step, when it made one
    result: PolicyTypeResult | None = None  # the step's policy type, for one-type steps

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"step": self.key, "finding": self.finding, "outcome": self.outcome}
        if self.resource_kind is not None:
            out["resource_kind"] = self.resource_kind
        if self.principal_match is not None:
            out["principal_match"] = self.principal_match
        if self.blocking_level is not None:
            out["blocking_level"] = self.blocking_level
        if self.note is not None:
            out["note"] = self.note
        return out


def explain(decision: Decision) -> tuple[Step, ...]:
    """The steps AWS takes to reach ``decision``, in AWS order (see the module docstring)."""
    return _Steps(decision).build()


def level_place(level: int, count: int) -> LevelPlace:
    """Where organization level ``level`` of ``count`` levels sits (0 is the root)."""
    if level == 0:
        return "root"
    return "account" if level == count - 1 else "ou"


def stronger_match(a: str, b: str) -> str:
    """The stronger of two match-class names (unknown names count as the weakest)."""

    def rank(name: str) -> int:
        return _MATCH_ORDER.index(name) if name in _MATCH_ORDER else 0

    return a if rank(a) >= rank(b) else b


class _Steps:
    def __init__(self, decision: Decision) -> None:
        self.d = decision
        self.results: dict[tuple[str, int | None], PolicyTypeResult] = {
            (r.policy_type, r.level): r for r in decision.policy_results
        }
        self.traces: dict[tuple[str, int | None], list[StatementTrace]] = {}
        for trace in decision.statements:
            self.traces.setdefault((trace.ref.policy_type, trace.ref.level), []).append(trace)
        self.request = decision.request
        self.caller = decision.request.caller
        self.blocked = decision.blocked_by or ""
        self.decisive_types = {ref.policy_type for ref in decision.decisive}

    def build(self) -> tuple[Step, ...]:
        optional = (self.org("rcp"), self.org("scp"), self.endpoint())
        steps = [self.deny_sweep(), *(s for s in optional if s is not None)]
        steps += [self.resource(), self.identity(), self.boundary()]
        session = self.session()
        if session is not None:
            steps.append(session)
        return tuple(steps)

    def traces_of(self, policy_type: str, level: int | None = None) -> tuple[StatementTrace, ...]:
        return tuple(self.traces.get((policy_type, level), ()))

    def verdict_step(self, key: StepKey, result: PolicyTypeResult) -> Step | None:
        """The cases every limiting policy shares: allowed, denied, not applicable."""
        traces = self.traces_of(key)
        if result.verdict is PolicyTypeVerdict.ALLOW:
            return Step(key, "allowed", "pass", traces, result=result)
        if result.verdict is PolicyTypeVerdict.DENY:
            return Step(key, "denied", "deny", traces, result=result)
        if result.verdict is PolicyTypeVerdict.NOT_APPLICABLE:
            return Step(key, "not-applicable", "not-applicable", traces, result=result)
        return None

    # -- 1. explicit deny ---------------------------------------------------------------------

    def deny_sweep(self) -> Step:
        denies = tuple(t for t in self.d.statements if t.applied and t.ref.effect == "Deny")
        if denies:
            return Step("deny", "denied", "deny", denies)
        return Step("deny", "no-deny", "pass")

    # -- 2. organization gates ----------------------------------------------------------------

    def org(self, kind: Literal["rcp", "scp"]) -> Step | None:
        levels = tuple(
            sorted(
                (r for (t, _), r in self.results.items() if t == kind),
                key=lambda r: r.level or 0,
            )
        )
        upper = kind.upper()
        notes = [n for n in self.d.notes if upper in n]
        note = notes[0] if notes else None
        if not levels:
            return Step(kind, "ungoverned", "none", note=note)
        places = tuple(level_place(r.level or 0, len(levels)) for r in levels)
        if all(r.verdict is PolicyTypeVerdict.NOT_APPLICABLE for r in levels):
            return Step(kind, "not-applicable", "not-applicable", (), levels, places, note=note)
        blocking: PolicyTypeResult | None = None
        denied = False
        finding: str
        outcome: Outcome
        traces: list[StatementTrace] = []
        for result in levels:
            if result.verdict is PolicyTypeVerdict.DENY:
                denied = True
            elif result.verdict is not PolicyTypeVerdict.ALLOW:
                blocking = blocking or result
            traces.extend(self.traces_of(kind, result.level))
        if denied:
            finding, outcome = "denied", "deny"
        elif blocking is not None and self.d.value is not DecisionValue.EXPLICIT_DENY:
            finding, outcome = "blocked", "block"
        elif blocking is not None:
            finding, outcome = "blocked-after-deny", "block"
        else:
            finding, outcome = "allowed", "pass"
        return Step(
            kind,
            finding,
            outcome,
            tuple(traces),
            levels,
            places,
            blocking.level if blocking is not None else None,
        )

    def endpoint(self) -> Step | None:
        result = self.results.get(("endpoint", None))
        if result is None:
            return None
        decided = self.verdict_step("endpoint", result)
        if decided is not None and decided.finding != "not-applicable":
            return decided
        return Step("endpoint", "none-allows", "block", self.traces_of("endpoint"), result=result)

    # -- 3. resource-based policy -------------------------------------------------------------

    def resource_kind(self) -> ResourcePolicyKind:
        if ("trust", None) in self.results:
            return "trust"
        return resource_policy_kind(self.request.action, self.request.resource)

    def resource(self) -> Step:
        kind = self.resource_kind()
        ptype = "trust" if kind == "trust" else "resource"
        result = self.results.get((ptype, None))
        same = self.request.same_account
        traces = self.traces_of(ptype)
        if result is None:
            blocks = kind == "trust" or (not same and kind != "kms")
            return Step("resource", "absent", "block" if blocks else "none", resource_kind=kind)
        if result.verdict is PolicyTypeVerdict.NOT_APPLICABLE:
            return Step(
                "resource",
                "not-applicable",
                "not-applicable",
                traces,
                resource_kind=kind,
                result=result,
            )
        if result.verdict is PolicyTypeVerdict.DENY:
            return Step("resource", "denied", "deny", traces, resource_kind=kind, result=result)
        if result.verdict is PolicyTypeVerdict.ALLOW:
            best = ""
            for ref in result.statements:
                best = stronger_match(best, ref.principal_match or "")
            granted = ptype in self.decisive_types and self.d.allowed
            return Step(
                "resource",
                "allowed",
                "grant" if granted else "pass",
                traces,
                resource_kind=kind,
                principal_match=best,
                result=result,
            )
        blocks = kind in ("trust", "kms") or not same
        return Step(
            "resource",
            "none-allows",
            "block" if blocks else "pass",
            traces,
            resource_kind=kind,
            result=result,
        )

    # -- 4. identity --------------------------------------------------------------------------

    def identity(self) -> Step:
        result = self.results.get(("identity", None))
        traces = self.traces_of("identity")
        if result is None or result.verdict is PolicyTypeVerdict.NOT_APPLICABLE:
            return Step("identity", "no-identity", "not-applicable", traces, result=result)
        if result.verdict is PolicyTypeVerdict.DENY:
            return Step("identity", "denied", "deny", traces, result=result)
        if result.verdict is PolicyTypeVerdict.ALLOW:
            granted = "identity" in self.decisive_types and self.d.allowed
            return Step(
                "identity", "allowed", "grant" if granted else "pass", traces, result=result
            )
        if "resource" in self.decisive_types and self.d.allowed:
            return Step("identity", "none-allows-resource-grants", "pass", traces, result=result)
        if self.caller.kind is CallerKind.ROOT:
            return Step("identity", "none-allows-root", "pass", traces, result=result)
        return Step("identity", "none-allows", "block", traces, result=result)

    # -- 5. boundary --------------------------------------------------------------------------

    def boundary(self) -> Step:
        result = self.results.get(("boundary", None))
        if result is None:
            return Step("boundary", "absent", "none")
        decided = self.verdict_step("boundary", result)
        if decided is not None:
            return decided
        blocks = self.blocked == "permissions boundary"
        return Step(
            "boundary", "outside", "block" if blocks else "pass", self.traces_of("boundary")
        )

    # -- 6. session ---------------------------------------------------------------------------

    def session(self) -> Step | None:
        result = self.results.get(("session", None))
        if result is None and not self.caller.is_session:
            return None
        if result is None:
            if self.caller.kind is CallerKind.FEDERATED_USER:
                return Step("session", "absent-federated", "block", self.traces_of("session"))
            return Step("session", "absent", "none")
        decided = self.verdict_step("session", result)
        if decided is not None:
            return decided
        blocks = self.blocked == "session policy"
        return Step(
            "session",
            "outside",
            "block" if blocks else "pass",
            self.traces_of("session"),
            result=result,
        )
