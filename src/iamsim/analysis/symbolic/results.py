"""Results of the symbolic checks: PASS/FAIL with concrete, engine-replayed requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Witness:
    """A concrete request the check found, with the engine's decision on replay."""

    request: dict[str, object]
    engine_decision: str
    statements: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.request)
        out["engine_decision"] = self.engine_decision
        if self.statements:
            out["statements"] = list(self.statements)
        return out


@dataclass(frozen=True, slots=True)
class CheckResult:
    """``result`` is ``PASS`` or ``FAIL``; FAIL carries at least one witness."""

    check: str
    result: str
    message: str
    witnesses: tuple[Witness, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return self.result == "PASS"

    def to_dict(self) -> dict[str, Any]:
        key = "counterexamples" if self.check == "compare" else "witnesses"
        return {
            "check": self.check,
            "result": self.result,
            "message": self.message,
            key: [w.to_dict() for w in self.witnesses],
        }

    def render(self) -> str:
        lines = [f"{self.result}: {self.message}"]
        for witness in self.witnesses:
            request = witness.request
            who = f"{request['principal']} " if "principal" in request else ""
            lines.append(f"  {who}{request['action']} on {request['resource']}")
            context = request.get("context") or {}
            assert isinstance(context, dict)
            for key, value in sorted(context.items(), key=lambda kv: kv[0].lower()):
                lines.append(f"      {key} = {value!r}")
            if witness.statements:
                lines.append(f"      granted by: {', '.join(witness.statements)}")
            lines.append(f"      engine: {witness.engine_decision}")
        return "\n".join(lines)
