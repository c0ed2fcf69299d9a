"""Text and JSON for the escalation analysis, administrator verdicts and the boundary audit.

Everything here renders results computed in :mod:`iamsim.analysis`; nothing is decided.
Output is deterministic: the analyses sort their results, and this module keeps their order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from iamsim.analysis.admin import AdminVerdict, describe_ref
from iamsim.analysis.boundary_audit import BoundaryAuditReport, SubjectAudit
from iamsim.analysis.boundary_proof import NOT_CONTAINED, PROVED, UNDECIDED, Containment
from iamsim.analysis.escalation import EscalationPath, EscalationReport, PathStep, StartResult
from iamsim.report.inert import inert_lines

_INDENT = "  "


def escalation_json(
    report: EscalationReport, verdicts: Sequence[AdminVerdict] = ()
) -> dict[str, Any]:
    out = report.to_dict()
    if verdicts:
        out["admin_verdicts"] = [v.to_dict() for v in verdicts]
    return out


def render_escalation(
    report: EscalationReport,
    verdicts: Sequence[AdminVerdict] = (),
    *,
    show_contained: bool = False,
) -> str:
    lines = [
        f"Escalation to {report.goal}: {report.techniques} techniques, "
        f"{report.checks} engine decisions"
    ]
    if verdicts:
        lines.append("")
        lines.extend(render_admins(verdicts))
    elif report.admins:
        lines.append("")
        lines.append(f"Administrators ({len(report.admins)}):")
        lines.extend(f"{_INDENT}{a}" for a in report.admins)
    escalating = [r for r in report.results if r.status == "escalates"]
    at_goal = [r for r in report.results if r.status == "goal"]
    contained = [r for r in report.results if r.status == "contained"]
    lines.append("")
    lines.append(
        f"{len(escalating)} of {len(report.results)} principals escalate to {report.goal}"
        f" ({len(at_goal)} already there, {len(contained)} contained)"
    )
    for result in escalating:
        lines.append("")
        lines.extend(render_start(result))
    if len(report.results) == 1 and report.results[0].status != "escalates":
        only = report.results[0]
        lines.append("")
        if only.status == "goal":
            lines.append(f"{only.label}: already {only.detail or report.goal}")
        else:
            lines.append(f"{only.label}: no path to {report.goal} with the catalogue's techniques")
    elif contained and show_contained:
        lines.append("")
        lines.append(f"Contained ({len(contained)}):")
        lines.extend(f"{_INDENT}{r.label}" for r in contained)
    for note in report.notes:
        lines.append("")
        lines.append(f"note: {note}")
    return inert_lines(lines)


def render_start(result: StartResult) -> list[str]:
    shown = len(result.paths)
    more = f", showing {shown}" if shown < result.paths_total else ""
    total = f"{result.paths_total}" if result.complete else f"at least {result.paths_total}"
    lines = [f"{result.label}: {total} path(s){more}"]
    for number, path in enumerate(result.paths, 1):
        lines.extend(_INDENT + line for line in render_path(path, number))
    return lines


def render_path(path: EscalationPath, number: int | None = None) -> list[str]:
    head = f"path {number}" if number is not None else "path"
    kind = " (conditional)" if path.conditional else ""
    lines = [f"{head}{kind}, {len(path.steps)} step(s): reaches {path.reaches} — {path.goal}"]
    for index, step in enumerate(path.steps, 1):
        lines.extend(_INDENT + line for line in render_step(step, index))
    return lines


def render_step(step: PathStep, index: int) -> list[str]:
    edge = step.edge
    then = "then, " if step.then else ""
    lines = [f"{index}. {then}{step.actor}: {edge.technique.name} [{edge.technique.id}]"]
    lines.append(f"{_INDENT}{edge.summary}")
    for record in edge.steps:
        context = ""
        if record.context:
            context = " with " + ", ".join(f"{k}={v}" for k, v in record.context)
        trust = ""
        if record.trust == "attacker":
            trust = " (trust policy written by the actor)"
        lines.append(f"{_INDENT}{record.action} on {record.resource}{context}{trust}")
        refs = [describe_ref(r) for r in record.statements]
        if refs:
            lines.append(f"{_INDENT * 2}allowed by " + "; ".join(refs))
    for condition in edge.conditions:
        lines.append(f"{_INDENT}if: {condition}")
    if edge.link:
        lines.append(f"{_INDENT}runs as the role per: {edge.link}")
    if edge.technique.note:
        lines.append(f"{_INDENT}note: {edge.technique.note}")
    breaks = edge.breaks()
    if breaks:
        lines.append(f"{_INDENT}break it: " + breaks[0])
        lines.extend(f"{_INDENT}      or: {b}" for b in breaks[1:])
    return lines


def render_admins(verdicts: Sequence[AdminVerdict]) -> list[str]:
    admins = [v for v in verdicts if v.admin]
    others = [v for v in verdicts if not v.admin]
    if admins:
        lines = [f"Administrators ({len(admins)} of {len(verdicts)}):"]
        lines.extend(f"{_INDENT}{v.label}" for v in admins)
    else:
        lines = [f"Administrators: none of {len(verdicts)}"]
    if others:
        counts = Counter(_category(v.blockers[0]) if v.blockers else "unknown" for v in others)
        summary = ", ".join(
            f"{what}: {n}" for what, n in sorted(counts.items(), key=lambda i: (-i[1], i[0]))
        )
        lines.append(f"Not administrators: {len(others)} (first blocker: {summary})")
    return lines


def render_verdict(verdict: AdminVerdict) -> list[str]:
    if verdict.admin:
        allowed = verdict.probes - verdict.beyond_organization
        beyond = (
            f"; {verdict.beyond_organization} more that SCPs or RCPs deny it whatever its policies"
            if verdict.beyond_organization
            else ""
        )
        return [f"{verdict.label}: administrator ({allowed} probes allowed{beyond})"]
    failed = len(verdict.failures)
    beyond = (
        f", {verdict.beyond_organization} more beyond what SCPs or RCPs allow it"
        if verdict.beyond_organization
        else ""
    )
    lines = [
        f"{verdict.label}: not an administrator ({failed} of {verdict.probes} probes denied{beyond})"
    ]
    for blocker in verdict.blockers:
        examples = [f.action for f in verdict.failures if f.blocker == blocker][:3]
        lines.append(f"{_INDENT}{blocker} ({', '.join(examples)})")
    return lines


def _category(blocker: str) -> str:
    if blocker.startswith("explicit Deny"):
        return "explicit Deny"
    if blocker.startswith("permissions boundary"):
        return "permissions boundary"
    if blocker.startswith(("SCP", "RCP")):
        return blocker.split(":", 1)[0].split(" (", 1)[0]
    return "no Allow in the identity policies"


# -- boundary audit ----------------------------------------------------------------------------


def render_audit(report: BoundaryAuditReport) -> str:
    summary = report.to_dict()["summary"]
    lines = [
        f"Boundary audit: {summary['subjects']} subject(s) — {summary['proven']} proven, "
        f"{summary['checked']} checked, {summary['conditional']} conditional, "
        f"{summary['escapes']} escape(s); "
        f"{report.checks} engine decisions"
    ]
    if any(s.containment is not None for s in report.subjects):
        lines.append(
            f"Delegated administration: {summary['containment_proved']} containment proved, "
            f"{summary['not_contained']} not contained"
        )
    for subject in report.subjects:
        lines.append("")
        lines.extend(render_subject(subject))
    if report.apps:
        lines.append("")
        lines.extend(render_isolation(report))
    for note in report.notes:
        lines.append("")
        lines.append(f"note: {note}")
    return inert_lines(lines)


_VERDICT_TEXT = {
    "proven": "CONTAINED (proven: every principal reached is capped by the ceiling)",
    "checked": "CONTAINED (checked: no request tried exceeds the ceiling)",
    "escapes": "ESCAPES the ceiling",
    "conditional": "ESCAPES the ceiling if resources outside the inputs exist (see conditions)",
}


def render_subject(subject: SubjectAudit) -> list[str]:
    kinds = ", ".join(subject.kinds)
    lines = [f"{subject.label} [{kinds}]: {_VERDICT_TEXT[subject.verdict]}"]
    lines.append(f"{_INDENT}ceiling: {subject.ceiling}")
    if subject.approved_boundaries:
        lines.append(f"{_INDENT}approved boundaries: {', '.join(subject.approved_boundaries)}")
    structure, check = len(subject.by_structure), len(subject.by_check)
    outside = subject.examined - structure - check
    lines.append(
        f"{_INDENT}examined {subject.examined} principal(s), counting changed and created ones: "
        f"{structure} contained by structure, {check} by check"
        + (f", {outside} outside the ceiling" if outside else "")
    )
    if subject.verdict != "escapes":
        lines.extend(f"{_INDENT * 2}{line}" for line in _limit(subject.by_structure, 5))
        lines.extend(f"{_INDENT * 2}{line}" for line in _limit(subject.by_check, 5))
    shown = len(subject.counterexamples)
    if subject.counterexamples_total:
        more = f", showing {shown}" if shown < subject.counterexamples_total else ""
        lines.append(f"{_INDENT}counterexamples: {subject.counterexamples_total}{more}")
        for number, path in enumerate(subject.counterexamples, 1):
            lines.extend(_INDENT * 2 + line for line in render_path(path, number))
    if subject.containment is not None:
        lines.extend(render_containment(subject.containment))
    return lines


def render_containment(containment: Containment) -> list[str]:
    """The delegated administrator's containment proof: verdict, questions, witnesses."""
    verdict = {
        PROVED: "PROVED (no request, in any context, creates or changes a principal outside "
        "an approved boundary)",
        NOT_CONTAINED: "NOT CONTAINED",
        UNDECIDED: "UNDECIDED",
    }[containment.verdict]
    lines = [f"{_INDENT}containment: {verdict}"]
    approved = ", ".join(containment.approved) or "none"
    lines.append(f"{_INDENT * 2}approved boundaries: {approved}")
    lines.append(
        f"{_INDENT * 2}questions: {', '.join(containment.questions)} "
        f"({containment.classes} request classes)"
    )
    if containment.reason:
        lines.append(f"{_INDENT * 2}reason: {containment.reason}")
    for witness in containment.witnesses:
        request = witness.request
        context = request.get("context")
        shown = (
            ", ".join(f"{k}={v}" for k, v in context.items())
            if isinstance(context, dict) and context
            else ""
        )
        lines.append(
            f"{_INDENT * 2}witness ({witness.question}): {request['principal']}: "
            f"{request['action']} on {request['resource']}"
            + (f" with {shown}" if shown else " (no other context key)")
            + f" -> engine: {witness.decision}"
        )
        if witness.note:
            lines.append(f"{_INDENT * 3}note: {witness.note}")
    return lines


def render_isolation(report: BoundaryAuditReport) -> list[str]:
    lines = ["Application isolation:"]
    for app in report.apps:
        lines.append(
            f"{_INDENT}{app.name} ({app.selector}): {len(app.principals)} principal(s), "
            f"{len(app.resources)} resource(s)"
        )
    if not report.findings:
        lines.append(f"{_INDENT}no principal of one application reaches another's resources")
        return lines
    lines.append(f"{_INDENT}{len(report.findings)} crossing(s):")
    for finding in report.findings:
        actions = ", ".join(finding.actions[:4])
        if len(finding.actions) > 4:
            actions += f" (+{len(finding.actions) - 4})"
        target = f"{actions} on {finding.resource}"
        if finding.actions == ("become",):
            target = f"becomes {finding.resource}"
        via = ""
        if finding.via:
            via = " via " + " -> ".join(
                f"{s.edge.technique.id} ({s.edge.summary})" for s in finding.via
            )
        lines.append(
            f"{_INDENT * 2}[{finding.app} -> {finding.other_app}] {finding.principal}: "
            f"{target}{via}"
        )
    return lines


def _limit(items: Iterable[str], count: int) -> list[str]:
    items = list(items)
    if len(items) <= count:
        return items
    return [*items[:count], f"... and {len(items) - count} more"]
