"""JUnit XML for expectation runs, the format CI systems (GitHub Actions, GitLab, Jenkins)
display as test results.

One ``<testsuite>`` per expectations file, one ``<testcase>`` per (principal, action,
resource): ``classname`` is the expectation's name (or its position), ``name`` the question.
A failed case carries ``<failure>`` whose message gives the expected and actual decision, the
decision's reason and its decisive statements; a case that could not be evaluated carries
``<error>``. Built with :mod:`xml.etree.ElementTree`, so every value is escaped; the text is
first made inert (:func:`iamsim.report.inert.inert`: control, bidi and invisible characters
written as ``\x1b``, ``\u202e``...), since CI pages show it to reviewers.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime

from iamsim.checks.expectations import CaseResult, ExpectationRun
from iamsim.report.inert import inert

# Characters XML 1.0 cannot hold, even escaped, that inert() leaves (the C0 controls and
# surrogates it escapes already).
_ILLEGAL = re.compile("[\ufffe\uffff]")


def _clean(text: str) -> str:
    return _ILLEGAL.sub("?", inert(text, keep_newlines=True))


def _testcase(result: CaseResult, suite_name: str) -> ET.Element:
    case = result.case
    element = ET.Element(
        "testcase",
        {
            "classname": _clean(case.expectation.label),
            "name": _clean(case.id),
            "file": _clean(case.expectation.source or suite_name),
            "time": "0",
        },
    )
    if result.status == "failed":
        assert result.decision is not None
        failure = ET.SubElement(
            element,
            "failure",
            {"message": _clean(result.message), "type": result.decision.value.value},
        )
        failure.text = _clean(_details(result))
    elif result.status == "error":
        error = ET.SubElement(
            element, "error", {"message": _clean(result.message), "type": "InvalidInput"}
        )
        error.text = _clean(result.error or "")
    else:
        out = ET.SubElement(element, "system-out")
        out.text = _clean(result.message)
    return element


def _details(result: CaseResult) -> str:
    case = result.case
    lines = [
        f"expectation: {case.expectation.label} ({case.expectation.source}"
        f"{' at ' + case.expectation.path if case.expectation.path else ''})",
        f"principal:   {case.principal}"
        + (f" ({result.principal_arn})" if result.principal_arn else ""),
        f"action:      {case.action}",
        f"resource:    {case.resource}",
        f"expected:    {case.expectation.expect}",
    ]
    d = result.decision
    if d is not None:
        lines.append(f"decision:    {d.value.value} — {d.reason}")
        if d.blocked_by:
            lines.append(f"blocked by:  {d.blocked_by}")
        for ref in d.decisive:
            lines.append(f"decisive:    {ref.describe()}")
        for note in d.notes:
            lines.append(f"note:        {note}")
        if d.missing_context_keys:
            lines.append("absent keys: " + ", ".join(d.missing_context_keys))
    for text in result.assumptions:
        lines.append(f"assumed:     {text}")
    return "\n".join(lines)


def render_junit(runs: ExpectationRun | Sequence[ExpectationRun]) -> str:
    """The runs as one JUnit XML document (one ``<testsuite>`` per expectations file)."""
    items = [runs] if isinstance(runs, ExpectationRun) else list(runs)
    totals = {"tests": 0, "failures": 0, "errors": 0}
    suites = []
    timestamp = datetime.now(UTC).replace(microsecond=0, tzinfo=None).isoformat()
    for run in items:
        summary = run.summary()
        counts = {
            "tests": summary["total"],
            "failures": summary["failed"],
            "errors": summary["errors"],
        }
        for key, value in counts.items():
            totals[key] += value
        suite = ET.Element(
            "testsuite",
            {
                "name": _clean(run.source),
                **{k: str(v) for k, v in counts.items()},
                "skipped": "0",
                "time": "0",
                "timestamp": timestamp,
            },
        )
        for result in run.results:
            suite.append(_testcase(result, run.source))
        suites.append(suite)
    root = ET.Element(
        "testsuites",
        {"name": "iamsim", **{k: str(v) for k, v in totals.items()}, "time": "0"},
    )
    root.extend(suites)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
