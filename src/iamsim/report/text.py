"""Readable text for decisions: a one-line verdict and a full explanation.

The explanation walks the policy types in the order AWS evaluates them, so that someone who
has never seen the evaluation flowchart can follow why a request was allowed or denied.
"""

from __future__ import annotations

from iamsim.engine.trace import Decision, PolicyTypeVerdict, StatementTrace
from iamsim.report.inert import inert_lines

_TYPE_TITLES = {
    "scp": "Service control policies (SCP)",
    "rcp": "Resource control policies (RCP)",
    "endpoint": "VPC endpoint policy",
    "resource": "Resource-based policy",
    "trust": "Role trust policy",
    "identity": "Identity-based policies",
    "boundary": "Permissions boundary",
    "session": "Session policy",
}

_VERDICT_WORDS = {
    PolicyTypeVerdict.ALLOW: "allows",
    PolicyTypeVerdict.DENY: "DENIES",
    PolicyTypeVerdict.NO_MATCH: "no statement applies",
    PolicyTypeVerdict.NOT_APPLICABLE: "does not apply to this request",
}


def verdict_line(decision: Decision) -> str:
    request = decision.request
    return (
        f"{decision.value.value}: {request.caller.display} -> {request.action} on "
        f"{request.resource} — {decision.reason}"
    )


def render_decision(decision: Decision, *, verbose: bool = True) -> str:
    """The decision, its decisive statements, and (verbose) every policy type's result."""
    lines = [verdict_line(decision)]
    if decision.blocked_by:
        lines.append(f"  blocked by: {decision.blocked_by}")
    for ref in decision.decisive:
        match = f", principal matched as {ref.principal_match}" if ref.principal_match else ""
        lines.append(f"  decisive: {ref.describe()}{match}")
    for note in decision.notes:
        lines.append(f"  note: {note}")
    if decision.missing_context_keys:
        lines.append(
            "  absent context keys it depended on: " + ", ".join(decision.missing_context_keys)
        )
    if not verbose:
        return inert_lines(lines)
    by_type: dict[tuple[str, int | None], list[StatementTrace]] = {}
    for trace in decision.statements:
        by_type.setdefault((trace.ref.policy_type, trace.ref.level), []).append(trace)
    for result in decision.policy_results:
        title = _TYPE_TITLES.get(result.policy_type, result.policy_type)
        if result.level is not None:
            title += f", level {result.level}" + (" (root)" if result.level == 0 else "")
        lines.append(f"  {title}: {_VERDICT_WORDS[result.verdict]}")
        if result.note:
            lines.append(f"      {result.note}")
        for trace in by_type.get((result.policy_type, result.level), []):
            lines.append("      " + _statement_line(trace))
            for check in trace.conditions:
                mark = "ok  " if check.result else "FAIL"
                got = "absent" if check.request_values is None else ", ".join(check.request_values)
                note = f" — {check.note}" if check.note else ""
                lines.append(
                    f"          [{mark}] {check.operator} {check.key} "
                    f"{list(check.policy_values)} vs request {got}{note}"
                )
    return inert_lines(lines)


def _statement_line(trace: StatementTrace) -> str:
    ref = trace.ref
    head = f"{ref.policy!r} {ref.statement} ({ref.effect})"
    if trace.applied:
        match = f" — principal matched as {ref.principal_match}" if ref.principal_match else ""
        return f"{head}: applies{match}"
    return f"{head}: does not apply — {trace.detail or trace.reason}"
