"""Readable text for validation reports (``iamsim validate``): findings grouped by file, each
with its severity, a visible ``AWS-REJECTS`` mark when AWS itself refuses the document for it,
its code, JSON path and message, then a summary line."""

from __future__ import annotations

import textwrap

from iamsim.checks.validation import ValidationFinding, ValidationReport
from iamsim.report.inert import inert, inert_lines

_WIDTH = 100


def _finding_lines(finding: ValidationFinding) -> list[str]:
    where = finding.path
    if finding.policy:
        where = f"[{finding.policy}] {where}".rstrip()
    mark = "AWS-REJECTS " if finding.aws_rejects else ""
    head = f"  {finding.severity:<16} {mark}{finding.code}  {where}".rstrip()
    body = textwrap.wrap(
        inert(finding.message),  # before textwrap turns a CR or a line break into a space
        _WIDTH,
        initial_indent=" " * 19,
        subsequent_indent=" " * 19,
        break_on_hyphens=False,
        break_long_words=False,
    )
    return [head, *body]


def render_validation(report: ValidationReport) -> str:
    """Each validated file with what it was read as, its findings, and a summary."""
    lines: list[str] = []
    by_file: dict[str, list[ValidationFinding]] = {}
    for finding in report.findings:
        by_file.setdefault(finding.file, []).append(finding)
    described = set()
    for target in report.targets:
        # A directory target owns the findings of the files inside it.
        inside = target.file.rstrip("/") + "/"
        members = [f for f in by_file if f == target.file or f.startswith(inside)]
        described.update(members)
        count = sum(len(by_file[f]) for f in members)
        status = "ok" if not count else f"{count} finding{'s' if count != 1 else ''}"
        lines.append(f"{target.file} ({target.description}): {status}")
        for member in members:
            if member != target.file:
                lines.append(f"  in {member}:")
            for finding in by_file[member]:
                lines += _finding_lines(finding)
    # Findings located in files the inputs referenced (an SCP file of an organization, ...).
    for file, found in by_file.items():
        if file in described:
            continue
        lines.append(f"{file or '<inputs>'}: {len(found)} finding{'s' if len(found) != 1 else ''}")
        for finding in found:
            lines += _finding_lines(finding)
    summary = report.summary()
    lines.append("")
    lines.append(
        f"{summary['files']} file{'s' if summary['files'] != 1 else ''}, "
        f"{summary['policies']} polic{'ies' if summary['policies'] != 1 else 'y'}: "
        f"{summary['errors']} error{'s' if summary['errors'] != 1 else ''}, "
        f"{summary['security_warnings']} security warning"
        f"{'s' if summary['security_warnings'] != 1 else ''}, "
        f"{summary['warnings']} warning{'s' if summary['warnings'] != 1 else ''}, "
        f"{summary['suggestions']} suggestion{'s' if summary['suggestions'] != 1 else ''}; "
        f"AWS would refuse {summary['aws_rejects']} of the findings"
    )
    unresolved = summary["unresolved"]
    if unresolved:
        # Coverage: the policies defined but not checked are not "ok".
        defined = summary["policies"] + unresolved
        line = (
            f"checked {summary['policies']} of {defined} policies; {unresolved} unresolved "
            "(the unresolved-policy warnings say why)"
        )
        hints = report.option_hints()
        if hints:
            line += f"; pass {', '.join(hints)} to check them"
        lines.append(line)
    return inert_lines(lines)
