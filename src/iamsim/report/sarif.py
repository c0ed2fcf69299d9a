"""SARIF 2.1.0 logs of findings, for code scanning (``--format sarif``).

This module owns the SARIF shape. It is generic: a command turns whatever it found into
:class:`SarifFinding` items (a rule code, a level, a message, and where: a file with a JSON
pointer into it, and/or the names of the entities involved) plus a :class:`SarifRule` for each
code, and :func:`sarif_log` writes the log: one run of the tool driver ``iamsim`` with a rule per
code (help text, help URI, default level) and a result per finding, located at the file, line
and column of the offending element (:mod:`iamsim.ingest.locations` maps the pointer to a
position in JSON, YAML and Terraform files). The adapters below cover ``validate``, ``escalation``
and ``audit boundaries``; a future command (``diff``) adds its own adapter and reuses the rest.

Paths are written as the user gave them: relative ones under ``uriBaseId`` ``%SRCROOT%`` (the
repository root in a CI job, so code scanning can anchor the results), absolute ones as
``file://`` URIs. Specification: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from iamsim.ingest.locations import Position, SourceRef, locate_entity_in_file, locate_in_file
from iamsim.policy.refusals import AWS_REJECTS_TABLE

if TYPE_CHECKING:
    from iamsim.validation import ValidationReport

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
TOOL_NAME = "iamsim"
SRCROOT = "%SRCROOT%"

Level = Literal["error", "warning", "note", "none"]

Locator = Callable[[str, str], tuple[SourceRef, Position | None]]


@dataclass(frozen=True, slots=True)
class SarifRule:
    """One finding code: what it means, where to read more, and its usual level."""

    id: str
    description: str
    help: str
    help_uri: str | None = None
    level: Level = "warning"


@dataclass(frozen=True, slots=True)
class SarifFinding:
    """One result. ``file`` is a finding's source as the loaders write it (``policy.json``,
    ``main.tf:24 (aws_iam_policy.x.policy)``); ``pointer`` a JSON pointer into that file, or
    into a policy document embedded in it (an export's policy), which then matches nothing in
    the file and gives no position. ``at`` is a position already known (a syntax error's),
    used when the pointer gives none. ``logical`` names the entities involved."""

    rule_id: str
    level: Level
    message: str
    file: str | None = None
    pointer: str = ""
    at: Position | None = None
    logical: Sequence[tuple[str, str]] = ()  # (kind, fully qualified name)
    properties: Mapping[str, Any] = field(default_factory=dict)


def _tool_version() -> str:
    try:
        return version("iamsim")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0"


def artifact_uri(path: str) -> dict[str, str]:
    """The ``artifactLocation`` for ``path`` as given (relative under %SRCROOT%)."""
    if PureWindowsPath(path).drive or path.startswith("/"):
        posix = PurePosixPath(path.replace("\\", "/")).as_posix()
        return {"uri": "file://" + quote(posix if posix.startswith("/") else "/" + posix)}
    relative = PurePosixPath(path.replace("\\", "/")).as_posix()
    while relative.startswith("./"):
        relative = relative[2:]
    return {"uri": quote(relative), "uriBaseId": SRCROOT}


def _location(finding: SarifFinding, locate: Locator) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    if finding.file:
        pointer = finding.pointer
        ref, position = locate(finding.file, pointer)
        physical: dict[str, Any] = {"artifactLocation": artifact_uri(ref.file)}
        if position is None or not pointer:
            position = finding.at or position
        if position is None and ref.line is not None:
            position = Position(ref.line, 1)
        if position is not None and (pointer or finding.at or ref.line is not None):
            physical["region"] = {"startLine": position.line, "startColumn": position.column}
        out["physicalLocation"] = physical
    logical = [{"kind": kind, "fullyQualifiedName": name} for kind, name in finding.logical]
    if finding.pointer:
        logical.append({"kind": "element", "fullyQualifiedName": finding.pointer})
    if logical:
        out["logicalLocations"] = logical
    return out or None


def sarif_log(
    findings: Iterable[SarifFinding],
    rules: Mapping[str, SarifRule],
    *,
    locate: Locator = locate_in_file,
) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run of ``iamsim``: every rule used, every finding."""
    items = list(findings)
    used = list(dict.fromkeys(f.rule_id for f in items))
    index = {rule_id: i for i, rule_id in enumerate(used)}
    descriptors = []
    for rule_id in used:
        rule = rules.get(rule_id) or SarifRule(rule_id, rule_id, f"iamsim finding {rule_id}.")
        descriptor: dict[str, Any] = {
            "id": rule.id,
            "shortDescription": {"text": rule.description},
            "fullDescription": {"text": rule.help},
            "help": {"text": rule.help},
            "defaultConfiguration": {"level": rule.level},
        }
        if rule.help_uri:
            descriptor["helpUri"] = rule.help_uri
        descriptors.append(descriptor)
    results = []
    for finding in items:
        result: dict[str, Any] = {
            "ruleId": finding.rule_id,
            "ruleIndex": index[finding.rule_id],
            "level": finding.level,
            "message": {"text": finding.message},
        }
        location = _location(finding, locate)
        if location is not None:
            result["locations"] = [location]
        if finding.properties:
            result["properties"] = dict(finding.properties)
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": _tool_version(),
                        "rules": descriptors,
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"description": {"text": "The working folder."}}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


# -- validate ---------------------------------------------------------------------------------

# Access Analyzer's severities mapped to SARIF levels: a security warning is as pressing as an
# error for code scanning (it is the finding a reviewer must see), a suggestion is a note.
_VALIDATION_LEVELS: dict[str, Level] = {
    "error": "error",
    "security-warning": "error",
    "warning": "warning",
    "suggestion": "note",
}


def validation_rule(code: str, level: Level = "warning") -> SarifRule:
    row = AWS_REJECTS_TABLE.get(code)
    if row is None:
        return SarifRule(code, code.replace("-", " "), f"iamsim validate: {code}.", level=level)
    verdict = "AWS refuses a policy with this problem" if row.rejects else "AWS stores the policy"
    return SarifRule(
        code,
        code.replace("-", " "),
        f"{verdict}: {row.reading}. See the iamsim docs on validate and {row.source}.",
        help_uri=row.source,
        level=level,
    )


def validation_sarif(
    report: ValidationReport, *, locate: Locator = locate_in_file
) -> dict[str, Any]:
    """``validate --format sarif``: one result per finding, at the offending element."""
    findings: list[SarifFinding] = []
    rules: dict[str, SarifRule] = {}
    for f in report.findings:
        level = _VALIDATION_LEVELS.get(f.severity, "warning")
        rules.setdefault(f.code, validation_rule(f.code, level))
        logical: list[tuple[str, str]] = []
        if f.policy:
            logical.append(("object", f"{f.policy_type or 'policy'} policy {f.policy}"))
        findings.append(
            SarifFinding(
                rule_id=f.code,
                level=level,
                message=f.message,
                file=f.file or None,
                pointer=f.path,
                at=_syntax_position(f.message),
                logical=logical,
                properties={
                    "severity": f.severity,
                    "aws_rejects": bool(f.aws_rejects),
                    **({"policy_type": f.policy_type} if f.policy_type else {}),
                },
            )
        )
    return sarif_log(findings, rules, locate=locate)


_LINE_COLUMN = re.compile(r"\bline (\d+),? column (\d+)\b")


def _syntax_position(message: str) -> Position | None:
    """The position a syntax error's message gives (``invalid JSON ... (line 3, column 7)``)."""
    match = _LINE_COLUMN.search(message)
    return Position(int(match.group(1)), int(match.group(2))) if match else None


# -- escalation and audit boundaries ----------------------------------------------------------

ESCALATION_RULE = SarifRule(
    "escalation-path",
    "privilege escalation path",
    "A principal can reach its goal (an administrator, or the resource given with --to) through "
    "a chain of techniques each of which the engine allows against the actual policies. Each "
    "step names the statements that allow it and what would break it.",
    help_uri="https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",
    level="error",
)
BOUNDARY_ESCAPE_RULE = SarifRule(
    "boundary-escape",
    "permissions boundary escape",
    "A principal with a permissions boundary, or a delegated administrator, can produce a "
    "principal or a permission outside its ceiling; the counterexample is the path.",
    help_uri="https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html",
    level="error",
)
CONTAINMENT_RULE = SarifRule(
    "boundary-not-contained",
    "delegated administrator not contained",
    "A delegated administrator can create or change a user or role without an approved "
    "permissions boundary, or remove or rewrite one; the witness is a request its policies "
    "allow.",
    help_uri="https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html",
    level="error",
)
ISOLATION_RULE = SarifRule(
    "isolation-breach",
    "application isolation breach",
    "A principal of one application (--prefix or --tag) can reach another application's resources.",
    level="error",
)


def _path_message(start: str, path: Mapping[str, Any]) -> str:
    steps = " -> ".join(str(s.get("technique")) for s in path.get("steps", []))
    conditional = " (conditionally)" if path.get("conditional") else ""
    return f"{start} reaches {path.get('reaches')}{conditional} via {steps}"


def _entity_position(arn: str, sources: Mapping[str, str]) -> Position | None:
    """Where the principal ``arn`` is defined, read once per principal."""
    source = sources.get(arn)
    return locate_entity_in_file(source, arn)[1] if source else None


def escalation_sarif(
    document: Mapping[str, Any],
    sources: Mapping[str, str],
    *,
    locate: Locator = locate_in_file,
) -> dict[str, Any]:
    """``escalation --format sarif`` from the ``--json`` document: one result per path, at the
    starting principal's definition (``sources``: entity ARN -> the loader's source)."""
    findings = []
    for result in document.get("results", []):
        principal = str(result.get("principal"))
        where = _entity_position(principal, sources)
        for path in result.get("paths", []):
            findings.append(
                SarifFinding(
                    rule_id=ESCALATION_RULE.id,
                    level="warning" if path.get("conditional") else "error",
                    message=_path_message(str(result.get("label", principal)), path),
                    file=sources.get(principal),
                    at=where,
                    logical=[("member", principal)],
                    properties={"goal": path.get("goal"), "length": path.get("length")},
                )
            )
    return sarif_log(findings, {ESCALATION_RULE.id: ESCALATION_RULE}, locate=locate)


def audit_sarif(
    document: Mapping[str, Any],
    sources: Mapping[str, str],
    *,
    locate: Locator = locate_in_file,
) -> dict[str, Any]:
    """``audit boundaries --format sarif`` from the ``--json`` document: a result per subject
    that escapes its ceiling (per counterexample) and per isolation finding."""
    findings = []
    for subject in document.get("subjects", []):
        if subject.get("verdict") != "escapes":
            continue
        principal = str(subject.get("principal"))
        where = _entity_position(principal, sources)
        for path in subject.get("counterexamples", []):
            findings.append(
                SarifFinding(
                    rule_id=BOUNDARY_ESCAPE_RULE.id,
                    level="warning" if path.get("conditional") else "error",
                    message=(
                        f"outside {subject.get('ceiling')}: "
                        + _path_message(str(subject.get("label", principal)), path)
                    ),
                    file=sources.get(principal),
                    at=where,
                    logical=[("member", principal)],
                    properties={"goal": path.get("goal"), "ceiling": subject.get("ceiling")},
                )
            )
    for subject in document.get("subjects", []):
        containment = subject.get("containment") or {}
        if containment.get("verdict") != "not contained":
            continue
        principal = str(subject.get("principal"))
        where = _entity_position(principal, sources)
        for witness in containment.get("witnesses", []):
            request = witness.get("request", {})
            findings.append(
                SarifFinding(
                    rule_id=CONTAINMENT_RULE.id,
                    level="error",
                    message=(
                        f"{subject.get('label', principal)} can {witness.get('description')}: "
                        f"{request.get('action')} on {request.get('resource')} "
                        f"({witness.get('question')})"
                    ),
                    file=sources.get(principal),
                    at=where,
                    logical=[("member", principal)],
                    properties={"question": witness.get("question"), "request": request},
                )
            )
    for item in document.get("isolation", {}).get("findings", []):
        principal = str(item.get("principal", ""))
        via = " after becoming other principals" if item.get("via") else ""
        findings.append(
            SarifFinding(
                rule_id=ISOLATION_RULE.id,
                level="error",
                message=(
                    f"{principal} of application {item.get('app')} can "
                    f"{', '.join(item.get('actions', []))} on {item.get('resource')} of "
                    f"application {item.get('other_app')}{via}"
                ),
                file=sources.get(principal),
                logical=[("member", principal)] if principal else [],
            )
        )
    return sarif_log(
        findings,
        {r.id: r for r in (BOUNDARY_ESCAPE_RULE, CONTAINMENT_RULE, ISOLATION_RULE)},
        locate=locate,
    )
