"""Escalation results: the record of one allowed step, an edge (one technique applied), a path
step, a path to the goal, the paths found from one start and the report of a whole run.

These are plain values the search produces and ``report/escalation.py`` renders; they hold the
engine's outcomes (decisive statements computed on first use) but decide nothing themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from iamsim.analysis.admin import describe_ref
from iamsim.analysis.techniques import SYNTHETIC_POLICIES, Actor, Outcome, Technique, fill_text
from iamsim.engine import StatementRef

# The sorts of edge (see the package docstring).
BECOME = "become"
CHANGE = "change"
CREATE = "create"


@dataclass(frozen=True, slots=True)
class StepRecord:
    """One request of a technique as the engine allowed it; ``statements`` are the decisive
    statements of the engine's decision (computed when first asked for)."""

    action: str
    resource: str
    context: tuple[tuple[str, str], ...] = ()
    trust: str | None = None
    outcome: Outcome | None = field(default=None, compare=False, repr=False)

    @property
    def statements(self) -> tuple[StatementRef, ...]:
        return self.outcome.statements if self.outcome is not None else ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"action": self.action, "resource": self.resource}
        if self.context:
            out["context"] = dict(self.context)
        if self.trust:
            out["trust_policy"] = (
                "written by the actor" if self.trust == "attacker" else "trusts the account"
            )
        out["allowed_by"] = [s.to_dict() for s in self.statements]
        return out


@dataclass(frozen=True, slots=True)
class Edge:
    """One technique applied by ``source`` (an actor key).

    ``sort`` is become, change or create. ``target`` is the key of the principal the actor
    becomes (become), the principal whose policies change (change; the actor must then become
    it), or the new principal (create); ``result`` is the actor obtained, with its changes.
    ``conditions`` say what must exist outside the model for the edge to work; ``link`` where
    the inputs say the resource a code-injection edge goes through runs as the role.
    """

    technique: Technique
    source: str
    sort: str
    target: str
    result: Actor
    summary: str
    steps: tuple[StepRecord, ...]
    conditions: tuple[str, ...] = ()
    values: tuple[tuple[str, str], ...] = ()
    link: str = ""

    @property
    def conditional(self) -> bool:
        return bool(self.conditions)

    @property
    def order(self) -> tuple[str, ...]:
        return (self.target, self.technique.id, self.result.key)

    def breaks(self) -> tuple[str, ...]:
        """What would break this edge: the technique's advice, then each granting statement."""
        values = dict(self.values)
        out = [fill_text(b, values) for b in self.technique.breaks]
        granted: dict[StatementRef, list[str]] = {}
        for step in self.steps:
            for ref in step.statements:
                if ref.effect != "Allow" or ref.policy_type in ("scp", "rcp", "boundary"):
                    continue
                if ref.policy in SYNTHETIC_POLICIES:
                    continue  # written by the actor during the escalation
                actions = granted.setdefault(ref, [])
                if step.action not in actions:
                    actions.append(step.action)
        for ref, actions in granted.items():
            what = ", ".join(actions)
            if ref.policy_type == "trust":
                out.append(f"remove the actor from {describe_ref(ref)} (it allows {what})")
            else:
                out.append(f"narrow or remove {describe_ref(ref)} (it allows {what})")
        return tuple(dict.fromkeys(out))


@dataclass(frozen=True, slots=True)
class PathStep:
    """An edge as one step of a path (``then`` marks becoming the changed principal)."""

    edge: Edge
    actor: str  # label of the actor applying the technique
    then: bool = False

    def to_dict(self) -> dict[str, Any]:
        e = self.edge
        out: dict[str, Any] = {
            "technique": e.technique.id,
            "name": e.technique.name,
            "sort": e.sort,
            "actor": self.actor,
            "yields": e.summary,
            "steps": [s.to_dict() for s in e.steps],
        }
        if self.then:
            out["after_change"] = True
        if e.conditions:
            out["conditions"] = list(e.conditions)
        if e.link:
            out["runs_as_link"] = e.link
        if e.technique.note:
            out["note"] = e.technique.note
        out["breaks"] = list(e.breaks())
        out["references"] = list(e.technique.references)
        return out


@dataclass(frozen=True, slots=True)
class EscalationPath:
    """A way from ``start`` to the goal: ``steps`` in order; ``reaches`` what meets it."""

    start: str
    steps: tuple[PathStep, ...]
    reaches: str
    goal: str

    @property
    def conditional(self) -> bool:
        return any(s.edge.conditional for s in self.steps)

    @property
    def sort_key(self) -> tuple[bool, int, tuple[tuple[str, str, str], ...]]:
        return (
            self.conditional,
            len(self.steps),
            tuple((s.edge.technique.id, s.edge.target, s.edge.result.key) for s in self.steps),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "reaches": self.reaches,
            "goal": self.goal,
            "conditional": self.conditional,
            "length": len(self.steps),
            "steps": [s.to_dict() for s in self.steps],
        }


@dataclass(frozen=True, slots=True)
class StartResult:
    """The paths found from one starting principal.

    ``status``: ``goal`` (it already meets the goal), ``escalates`` (paths found) or
    ``contained`` (no path with the catalogue's techniques).
    """

    start: str
    label: str
    status: str
    paths: tuple[EscalationPath, ...] = ()
    paths_total: int = 0
    detail: str = ""
    complete: bool = True

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"principal": self.start, "label": self.label, "status": self.status}
        if self.detail:
            out["detail"] = self.detail
        out["paths_total"] = self.paths_total
        out["search_complete"] = self.complete
        out["paths"] = [p.to_dict() for p in self.paths]
        return out


@dataclass(frozen=True)
class EscalationReport:
    """The answer of ``iamsim escalation``: the goal, every start's paths, the admins."""

    goal: str
    results: tuple[StartResult, ...]
    admins: tuple[str, ...] = ()
    techniques: int = 0
    checks: int = 0
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        escalating = [r for r in self.results if r.status == "escalates"]
        return {
            "goal": self.goal,
            "techniques": self.techniques,
            "administrators": list(self.admins),
            "summary": {
                "principals": len(self.results),
                "already_at_goal": sum(r.status == "goal" for r in self.results),
                "escalate": len(escalating),
                "contained": sum(r.status == "contained" for r in self.results),
            },
            "results": [r.to_dict() for r in self.results],
            "notes": list(self.notes),
        }
