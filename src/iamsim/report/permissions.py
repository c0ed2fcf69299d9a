"""Rendering effective permissions and who-can answers: rich text and JSON-ready values.

Nothing here decides anything: it lays out what :mod:`iamsim.analysis.effective` and
:mod:`iamsim.analysis.who_can` computed. Actions are grouped by service and access level, and
actions with the same outcome are listed together ("all 45 Read actions", else their names),
so that a principal with thousands of actions still reads in a screen or two.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from iamsim.analysis.effective import (
    ActionPermission,
    EffectivePermissions,
    Removal,
    Status,
    Term,
    term_to_dict,
)
from iamsim.analysis.facts import clauses_to_dict
from iamsim.report.inert import InertConsole, inert, styled

if TYPE_CHECKING:
    from iamsim.analysis.who_can import WhoCanResult

_LEVEL_ORDER = {"List": 0, "Read": 1, "Write": 2, "Permissions management": 3, "Tagging": 4}
_STATUS_STYLE = {
    Status.ALLOWED: "green",
    Status.CONDITIONAL: "yellow",
    Status.CUT: "magenta",
    Status.DENIED: "red",
}
_MAX_NAMES = 8


# ---------------------------------------------------------------------------- JSON


def permissions_to_dict(
    result: EffectivePermissions, *, policy: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The whole result as plain JSON values.

    ``actions`` lists every granted action (sorted by name) with its status and the id of its
    *case*; ``cases`` holds, once per distinct outcome, the grants that survive and what was
    removed (thousands of actions usually share a few dozen outcomes).
    """
    actions = []
    cases: dict[int, dict[str, Any]] = {}
    ids: dict[int, int] = {}
    for permission in result:
        case = permission.case
        case_id = ids.get(id(case))
        if case_id is None:
            case_id = ids[id(case)] = len(ids)
            entry: dict[str, Any] = {
                "status": permission.status.value,
                "grants": [term_to_dict(t) for t in case.terms],
            }
            if case.removals:
                entry["removed"] = [removal_to_dict(r) for r in case.removals]
            if case.within_boundary is not None:
                entry["identity_grants"] = [term_to_dict(t) for t in case.granted]
                entry["within_boundary"] = [term_to_dict(t) for t in case.within_boundary]
            cases[case_id] = entry
        actions.append(
            {
                "action": permission.action,
                "access_level": permission.access_level,
                "status": permission.status.value,
                "case": case_id,
            }
        )
    out: dict[str, Any] = {
        "principal": result.principal,
        "kind": result.caller.kind.value,
        "account": result.account,
        "guardrails": [layer.label for layer in result.layers if layer.kind != "identity"],
        "summary": result.counts(),
        "cut_by": _cut_counts(result),
        "notes": list(result.notes),
        "actions": actions,
        "cases": [cases[i] for i in range(len(cases))],
    }
    if policy is not None:
        out["policy"] = policy
    return out


def removal_to_dict(removal: Removal) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": removal.kind,
        "by": removal.by,
        "whole": removal.full,
        "from": term_to_dict(removal.term)["resources"],
    }
    if removal.slot is not None:
        out["statement"] = removal.slot.ref.to_dict()
        if removal.slot.clauses:
            out["conditions"] = clauses_to_dict(removal.slot.clauses)
        out["resources"] = [s.text for s in removal.slot.sets()]
        if removal.slot.not_resources is not None:
            out["resources_are_excluded"] = True
    if removal.allowed:
        out["kept"] = sorted({t for scope, _slot in removal.allowed for t in scope.texts})
    return out


def _cut_counts(result: EffectivePermissions) -> dict[str, int]:
    counts: dict[str, int] = {}
    for permission in result:
        if permission.status is Status.CUT:
            for by in permission.case.cut_by:
                counts[by] = counts.get(by, 0) + 1
    return dict(sorted(counts.items()))


# ---------------------------------------------------------------------------- text


def _terms_text(terms: Iterable[Term]) -> str:
    parts = []
    for term in terms:
        text = ", ".join(term.scope.texts)
        excluded = [s.text for s in (*term.scope.exclude, *term.denied)]
        if excluded:
            text += " except " + ", ".join(excluded)
        clauses = term.clauses()
        if clauses:
            text += " if " + json.dumps(clauses_to_dict(clauses), separators=(",", ":"))
        if term.unless:
            text += " unless " + "; ".join(
                f"{s.ref.policy_type} {s.ref.statement} "
                + json.dumps(clauses_to_dict(s.clauses), separators=(",", ":"))
                for s in term.unless
            )
        parts.append(inert(text))  # one line per term, whatever its resources hold
    return "\n".join(parts) or "-"


def _outcome_text(permission: ActionPermission) -> str:
    case = permission.case
    status = permission.status
    if status in (Status.ALLOWED, Status.CONDITIONAL):
        text = _terms_text(case.terms)
        partial = [r for r in case.removals if not r.full and r.kind != "deny-if"]
        if partial:
            text += "\n(narrowed by " + ", ".join(dict.fromkeys(r.by for r in partial)) + ")"
        return text
    if status is Status.DENIED:
        return "denied by " + inert("; ".join(ref.describe() for ref in case.denied_by))
    return "cut by " + ", ".join(case.cut_by)


def _names(actions: list[str], total_in_level: int, level: str) -> str:
    if len(actions) == total_in_level and len(actions) > 1:
        return f"all {len(actions)} {level} actions"
    names = [a.split(":", 1)[1] for a in actions]
    if len(names) > _MAX_NAMES:
        return ", ".join(names[:_MAX_NAMES]) + f" and {len(names) - _MAX_NAMES} more"
    return ", ".join(names)


def _scope(result: EffectivePermissions) -> str:
    services = set(result.index.service_of)
    return next(iter(services)) if len(services) == 1 else "catalogued"


def _header(result: EffectivePermissions) -> list[RenderableType]:
    counts = result.counts()
    lines: list[RenderableType] = [
        styled(
            f"Effective permissions of {result.principal} "
            f"({result.caller.kind.value}, account {result.account})",
            "bold",
        )
    ]
    guards = [layer.label for layer in result.layers if layer.kind != "identity"]
    lines.append(styled("Guardrails: " + ("; ".join(guards) if guards else "none")))
    every = counts["allowed"] == len(result.index) and len(result.index) > 0
    summary = (
        f"{counts['allowed']} actions allowed"
        + (f" (every {_scope(result)} action)" if every else "")
        + f", {counts['conditional']} allowed under conditions, "
        f"{counts['cut']} granted but cut by a guardrail, {counts['denied']} explicitly denied"
    )
    lines.append(Text(summary))
    cut = _cut_counts(result)
    if cut:
        lines.append(styled("Cut by: " + ", ".join(f"{k} ({v})" for k, v in cut.items())))
    for note in result.notes:
        lines.append(styled(f"note: {note}", "dim"))
    lines.append(
        Text(
            "Scope: resources of the principal's account, without resource-based policies.",
            style="dim",
        )
    )
    return lines


def _summary_table(result: EffectivePermissions) -> Table:
    """One row per service: actions per status, and per access level."""
    table = Table(title="By service", title_justify="left")
    table.add_column("service", no_wrap=True, overflow="fold")
    for status in Status:
        table.add_column(
            status.value, justify="right", style=_STATUS_STYLE[status], overflow="fold"
        )
    table.add_column("allowed by access level (of the service's actions)", overflow="fold")
    rows: dict[str, dict[str, Any]] = {}
    for permission in result:
        row = rows.setdefault(permission.service, {"status": {}, "levels": {}})
        row["status"][permission.status] = row["status"].get(permission.status, 0) + 1
        if permission.status in (Status.ALLOWED, Status.CONDITIONAL):
            level = permission.access_level
            row["levels"][level] = row["levels"].get(level, 0) + 1
    for service, row in sorted(rows.items()):
        totals: dict[str, int] = {}
        for action_id in result.index.service_ids([service]):
            level = result.index.access_level[action_id]
            totals[level] = totals.get(level, 0) + 1
        levels = " · ".join(
            f"{level} {row['levels'][level]}/{totals.get(level, 0)}"
            for level in sorted(row["levels"], key=lambda lv: _LEVEL_ORDER.get(lv, 9))
        )
        counts = [str(row["status"].get(status, "")) for status in Status]
        table.add_row(service, *counts, levels or "-")
    return table


# Above this many services the detail tables are left out unless asked for.
DETAIL_SERVICES = 25


def permissions_renderables(
    result: EffectivePermissions,
    *,
    compare_boundary: bool = False,
    details: bool | None = None,
) -> list[RenderableType]:
    """A header, a summary by service and access level, and (for a few services, or with
    ``details``) one table per service listing actions with their resources and conditions."""
    out = _header(result)
    by_service: dict[str, list[ActionPermission]] = {}
    for permission in result:
        by_service.setdefault(permission.service, []).append(permission)
    out.append(_summary_table(result))
    if details is None:
        details = compare_boundary or len(by_service) <= DETAIL_SERVICES
    if not details:
        out.append(
            Text(
                f"{len(by_service)} services: details left out (use --details or --service).",
                style="dim",
            )
        )
        return out
    catalog = result.index.catalog
    for service, permissions in sorted(by_service.items()):
        title = f"{service} — {catalog.service_name(service) or service}"
        level_totals: dict[str, int] = {}
        for action_id in result.index.service_ids([service]):
            level = result.index.access_level[action_id]
            level_totals[level] = level_totals.get(level, 0) + 1
        table = Table(title=title, title_justify="left", show_lines=True, expand=False)
        table.add_column("access level", no_wrap=True, overflow="fold")
        table.add_column("status", no_wrap=True, overflow="fold")
        table.add_column("actions", max_width=48, overflow="fold")
        if compare_boundary:
            table.add_column("identity policies grant", max_width=48, overflow="fold")
            table.add_column("within the boundary", max_width=48, overflow="fold")
        else:
            table.add_column("resources / conditions / by", max_width=70, overflow="fold")
        rows: dict[tuple[Any, ...], list[str]] = {}
        for permission in permissions:
            if compare_boundary:
                case = permission.case
                grant = _terms_text(case.granted)
                within = _terms_text(case.within_boundary or ())
                key: tuple[Any, ...] = (
                    permission.access_level,
                    permission.status,
                    grant,
                    within,
                )
            else:
                key = (permission.access_level, permission.status, _outcome_text(permission))
            rows.setdefault(key, []).append(permission.action)
        for key, actions in sorted(
            rows.items(), key=lambda kv: (_LEVEL_ORDER.get(kv[0][0], 9), kv[0][1].value, kv[1])
        ):
            level, status = key[0], key[1]
            names = _names(actions, level_totals.get(level, 0), level)
            style = _STATUS_STYLE[status]
            table.add_row(level, Text(status.value, style=style), names, *key[2:])
        out.append(table)
    return out


def render_permissions(
    result: EffectivePermissions,
    *,
    compare_boundary: bool = False,
    details: bool | None = None,
    width: int = 160,
) -> str:
    """The rich text report as plain text (for tests and files)."""
    console = InertConsole(record=True, width=width, color_system=None, file=io.StringIO())
    renderables = permissions_renderables(
        result, compare_boundary=compare_boundary, details=details
    )
    console.print(Group(*renderables))
    return console.export_text()


# ---------------------------------------------------------------------------- who-can


def who_can_renderables(result: WhoCanResult) -> list[RenderableType]:
    out: list[RenderableType] = [
        styled(
            f"Who can {', '.join(result.actions) if len(result.actions) <= 4 else f'{len(result.actions)} actions'}"
            f" on {result.resource}",
            "bold",
        ),
        Text(
            f"{len(result.principals)} principals can; {result.considered} candidates, "
            f"{result.evaluated} requests decided by the engine",
            style="dim",
        ),
    ]
    for note in result.notes:
        out.append(styled(f"note: {note}", "dim"))
    table = Table(show_lines=True)
    table.add_column("principal", max_width=60, overflow="fold")
    table.add_column("kind", no_wrap=True, overflow="fold")
    table.add_column("actions", max_width=40, overflow="fold")
    table.add_column("how", max_width=70, overflow="fold")
    for entry in result.principals:
        actions = [a.action for a in entry.actions]
        names = ", ".join(actions) if len(actions) <= 6 else f"{len(actions)} actions"
        # One line per grant: a Sid or condition value holding a line break cannot add one.
        how_lines = [inert(grant.describe()) for grant in entry.grants()]
        style = "yellow" if entry.conditional else "green"
        table.add_row(
            styled(entry.principal, style), entry.kind, names, "\n".join(how_lines) or "-"
        )
    out.append(table)
    return out


def render_who_can(result: WhoCanResult, *, width: int = 160) -> str:
    console = InertConsole(record=True, width=width, color_system=None, file=io.StringIO())
    console.print(Group(*who_can_renderables(result)))
    return console.export_text()
