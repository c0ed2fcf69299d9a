"""Readable text for expectation runs (``iamsim test``): one line per case, details for
the cases that failed or could not be evaluated, and a summary line."""

from __future__ import annotations

import textwrap

from iamsim.checks.expectations import CaseResult, ExpectationRun
from iamsim.report.inert import inert, inert_lines

_MARKS = {"passed": "PASS ", "failed": "FAIL ", "error": "ERROR"}


def _case_line(result: CaseResult) -> str:
    case = result.case
    head = f"{_MARKS[result.status]} {case.expectation.label}: {case.id}"
    if result.status == "passed":
        assert result.decision is not None
        return f"{head} — {result.decision.value.value}"
    if result.status == "failed":
        assert result.decision is not None
        return f"{head} — expected {case.expectation.expect}, got {result.decision.value.value}"
    return f"{head} — could not evaluate"


def _details(result: CaseResult) -> list[str]:
    indent = " " * 8
    lines: list[str] = []
    d = result.decision
    if result.status == "error":
        lines += textwrap.wrap(
            inert(result.error or ""), 96, initial_indent=indent, subsequent_indent=indent
        )
        return lines
    assert d is not None
    lines.append(f"{indent}reason: {d.reason}")
    if d.blocked_by:
        lines.append(f"{indent}blocked by: {d.blocked_by}")
    for ref in d.decisive:
        lines.append(f"{indent}decisive: {ref.describe()}")
    for note in d.notes:
        lines.append(f"{indent}note: {note}")
    if d.missing_context_keys:
        lines.append(
            f"{indent}absent context keys it depended on: {', '.join(d.missing_context_keys)}"
        )
    for text in result.assumptions:
        lines.append(f"{indent}assumed: {text}")
    return lines


def render_run(run: ExpectationRun, *, quiet: bool = False) -> str:
    """Every case (only the failures and errors when ``quiet``) and a summary line."""
    lines: list[str] = []
    for result in run.results:
        if quiet and result.status == "passed":
            continue
        lines.append(_case_line(result))
        if result.status != "passed":
            lines += _details(result)
    summary = run.summary()
    noun = "case" if summary["total"] == 1 else "cases"
    tail = f"{summary['total']} {noun}: {summary['passed']} passed, {summary['failed']} failed"
    if summary["errors"]:
        tail += f", {summary['errors']} could not be evaluated"
    if lines:
        lines.append("")
    lines.append(tail)
    return inert_lines(lines)
