"""JSON shapes of what the commands print with ``--json``: plain dicts, stable keys.

* :func:`decision_to_json` — one decision (``check``), with the principal as typed, the
  builder's assumptions and the request context that was evaluated;
* :func:`scenario_to_json` — one evaluated scenario (``eval --json``, ``POST /api/eval``);
* :func:`test_run_to_json` — an expectations run (``test``);
* :func:`validation_to_json` — validation findings (``validate``).

The explanation of ``explain`` is :func:`iamsim.report.explain.explanation_to_dict`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from iamsim.engine.trace import Decision
from iamsim.report.schemas import schema_version

if TYPE_CHECKING:
    from iamsim.checks.expectations import CaseResult, ExpectationRun
    from iamsim.checks.scenarios import Scenario
    from iamsim.checks.validation import ValidationReport


def decision_to_json(
    decision: Decision,
    *,
    principal: str | None = None,
    assumptions: Sequence[str] = (),
    include_context: bool = True,
) -> dict[str, Any]:
    """The decision's own dict plus what the question was and what was assumed."""
    out = decision.to_dict()
    if principal is not None:
        out["request"] = {"principal_input": principal, **out["request"]}
    if include_context:
        out["request"]["context"] = decision.request.context.as_dict()
    out["assumptions"] = list(assumptions)
    return out


def scenario_to_json(scenario: Scenario, decision: Decision) -> dict[str, Any]:
    """What ``eval --json`` prints for one scenario (and ``POST /api/eval`` answers): its name,
    the decision, the expectation and whether it held, the decision's trace, the notes."""
    record: dict[str, Any] = {
        "schema_version": schema_version("eval-record"),
        "name": scenario.name,
        "decision": decision.value.value,
    }
    if scenario.expect is not None:
        record["expect"] = scenario.expect
        record["expectation_met"] = scenario.expectation_met(decision.value.value)
    record.update({k: v for k, v in decision.to_dict().items() if k != "decision"})
    if scenario.notes:
        record["notes"] = list(scenario.notes)
    return record


def case_to_json(result: CaseResult) -> dict[str, Any]:
    case = result.case
    out: dict[str, Any] = {
        "name": case.expectation.name,
        "expectation": case.expectation.label,
        "principal": case.principal,
        "action": case.action,
        "resource": case.resource,
        "expect": case.expectation.expect,
        "status": result.status,
    }
    if result.principal_arn is not None:
        out["principal_arn"] = result.principal_arn
    if result.decision is not None:
        d = result.decision
        out["decision"] = d.value.value
        out["reason"] = d.reason
        out["decisive_statements"] = [s.to_dict() for s in d.decisive]
        out["blocked_by"] = d.blocked_by
        if d.missing_context_keys:
            out["missing_context_keys"] = list(d.missing_context_keys)
    if result.error is not None:
        out["error"] = result.error
    if result.assumptions:
        out["assumptions"] = list(result.assumptions)
    out["message"] = result.message
    return out


def test_run_to_json(run: ExpectationRun) -> dict[str, Any]:
    return {
        "source": run.source,
        "summary": run.summary(),
        "results": [case_to_json(r) for r in run.results],
    }


def validation_to_json(report: ValidationReport) -> dict[str, Any]:
    return {
        "summary": report.summary(),
        "targets": [t.to_dict() for t in report.targets],
        "findings": [f.to_dict() for f in report.findings],
    }
