"""Text and SARIF for ``iamsim diff`` (the JSON document is :meth:`WorldDiff.to_dict`).

SARIF: one finding per gained access example (at the file and statement of the Allow
statement responsible when known), per trust or resource policy that lets in more, per
boundary removed or widened, and per new escalation path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from iamsim.analysis.world_diff import WorldDiff
from iamsim.report.sarif import SarifFinding, SarifRule, sarif_log

ACCESS_RULE = SarifRule(
    "IAMSIM-DIFF-ACCESS",
    "A principal gains access",
    "The change lets a principal make a request it could not make before (identity "
    "policies, permissions boundary and SCPs; decided over every context and replayed "
    "through the engine).",
)
TRUST_RULE = SarifRule(
    "IAMSIM-DIFF-TRUST",
    "A role trusts more callers",
    "The change lets a caller assume a role (or make another trust-policy request) that "
    "the old trust policy did not allow.",
)
RESOURCE_RULE = SarifRule(
    "IAMSIM-DIFF-RESOURCE-POLICY",
    "A resource policy allows more",
    "The change makes a resource-based policy allow a request it did not allow before.",
)
BOUNDARY_RULE = SarifRule(
    "IAMSIM-DIFF-BOUNDARY",
    "A permissions boundary is removed or widened",
    "The change removes a principal's permissions boundary or makes it allow more.",
)
PATH_RULE = SarifRule(
    "IAMSIM-DIFF-ESCALATION",
    "A new privilege escalation path",
    "The change opens an escalation path to an administrator that did not exist before.",
)
RULES = {r.id: r for r in (ACCESS_RULE, TRUST_RULE, RESOURCE_RULE, BOUNDARY_RULE, PATH_RULE)}
_DOC_RULES = {"trust": TRUST_RULE, "resource-policy": RESOURCE_RULE, "boundary": BOUNDARY_RULE}


def _request_text(record: Mapping[str, Any]) -> str:
    who = f"{record['principal']} " if "principal" in record else ""
    text = f"{who}{record.get('action')} on {record.get('resource')}"
    context = record.get("context") or {}
    if context:
        pairs = ", ".join(f"{k}={v!r}" for k, v in sorted(context.items()))
        text += f" with {pairs}"
    return text


def render_diff(diff: WorldDiff) -> str:
    """The text report."""
    doc = diff.to_dict()
    lines: list[str] = []
    verdict = (
        "GAINS: the change grants new access"
        if diff.gains
        else "NO NEW ACCESS: the change grants nothing new"
    )
    lines.append(verdict)
    for principal in doc["principals"]:
        lines.append("")
        lines.append(f"{principal['principal']} ({principal['status']})")
        if principal.get("undecided"):
            lines.append(f"  undecided (counted as a gain): {principal['undecided']}")
        for direction in ("gained", "lost"):
            for group in principal[direction]:
                lines.append(f"  {direction}: {', '.join(group['actions'])}")
                lines.append(f"    on {', '.join(group['resources'])}")
                if group["statements"]:
                    lines.append(f"    via {', '.join(group['statements'])}")
                for example in group["examples"]:
                    lines.append(f"    e.g. {_request_text(example)}")
                    engine = example["engine"]
                    lines.append(
                        f"      engine: {engine['before']} before, {engine['after']} after"
                    )
                    for block in example["residual"]:
                        lines.append(f"      when {block}" if block else "      in every context")
        for note in principal.get("notes", ()):
            lines.append(f"  note: {note}")
    for title, key in (
        ("trust", "trust"),
        ("resource policy", "resource_policies"),
        ("boundary", "boundaries"),
    ):
        for item in doc[key]:
            lines.append("")
            lines.append(f"{title} of {item['subject']}: {item['change']}")
            for example in item["counterexamples"]:
                lines.append(f"  e.g. {_request_text(example)}")
                lines.append(f"    engine: {example.get('engine_decision')}")
    for path in doc["escalation_paths"]:
        lines.append("")
        lines.append(
            f"new escalation path: {path['principal']} -> {path['reaches']} "
            f"({' then '.join(path['techniques'])})"
        )
    for note in doc["notes"]:
        lines.append("")
        lines.append(f"note: {note}")
    return "\n".join(lines)


def diff_sarif(diff: WorldDiff, sources: Mapping[str, str]) -> dict[str, Any]:
    """``diff --format sarif``: one finding per gain (see the module docstring)."""
    findings: list[SarifFinding] = []
    for principal in diff.principals:
        if principal.undecided:
            findings.append(
                SarifFinding(
                    ACCESS_RULE.id,
                    "error",
                    f"{principal.principal}: undecided ({principal.undecided})",
                    file=sources.get(principal.principal),
                    logical=[("member", principal.principal)],
                )
            )
        for change in principal.gained:
            statement = change.statements[0] if change.statements else None
            findings.append(
                SarifFinding(
                    ACCESS_RULE.id,
                    "error",
                    f"{change.principal} gains {change.action} on {change.resource}"
                    + (f" (via {statement.label})" if statement else ""),
                    file=statement.source if statement else sources.get(change.principal),
                    pointer=statement.pointer if statement else "",
                    logical=[("member", change.principal)],
                    properties={"residual": change.residual, "context": change.context},
                )
            )
    for document in diff.documents:
        if not document.gains:
            continue
        rule = _DOC_RULES[document.kind]
        examples = "; ".join(_request_text(c) for c in document.counterexamples[:3])
        findings.append(
            SarifFinding(
                rule.id,
                "error",
                f"{document.kind} of {document.subject} {document.change}"
                + (f": e.g. {examples}" if examples else ""),
                file=document.source or sources.get(document.subject),
                logical=[("member", document.subject)],
            )
        )
    for path in diff.paths:
        findings.append(
            SarifFinding(
                PATH_RULE.id,
                "error",
                f"new escalation path: {path.start} -> {path.reaches} "
                f"({' then '.join(path.techniques)})",
                file=sources.get(path.start),
                logical=[("member", path.start)],
            )
        )
    return sarif_log(findings, RULES)
