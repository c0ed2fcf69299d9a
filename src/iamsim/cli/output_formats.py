"""``--format``: the output formats beside text and JSON (pictures, SARIF), shared by commands;
and the width of text tables.

A command adds :func:`format_option` with the formats it supports and, after computing its
result, calls :func:`emit_diagram` or :func:`emit_sarif`. The renderers live in
:mod:`iamsim.report.diagrams` and :mod:`iamsim.report.sarif`; they are imported when used, to
keep the start-up of every other command short.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import click

from iamsim.cli._common import F, fail
from iamsim.report.inert import echo, echo_json_text

DIAGRAM_FORMATS = ("dot", "mermaid", "svg")


def format_option(*formats: str) -> Callable[[F], F]:
    """``--format`` with ``text`` (the default), ``json`` (same as ``--json``) and ``formats``."""
    details = {
        "json": "json: as --json",
        "sarif": "sarif: SARIF 2.1.0 for code scanning",
        "dot": "dot: a Graphviz digraph",
        "mermaid": "mermaid: a Mermaid flowchart",
        "svg": "svg: laid out by Graphviz (needs its dot program)",
    }
    choices = ["text", "json", *formats]
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default="text",
        show_default=True,
        help="Output format; " + "; ".join(details[c] for c in choices if c in details) + ".",
    )


def resolve_format(fmt: str, as_json: bool) -> str:
    """The one format asked for: ``--json`` is ``--format json``; both differently is an error."""
    if as_json and fmt not in ("text", "json"):
        fail(f"--json and --format {fmt} ask for two different outputs; give one")
    return "json" if as_json else fmt


def emit_diagram(fmt: str, build: Callable[[], Any]) -> None:
    """Print the picture ``build()`` makes in ``fmt``; exit 2 when SVG needs Graphviz and it is
    not installed."""
    from iamsim.report.diagrams import GraphvizMissing, render  # lazy: start-up time

    try:
        text = render(build(), fmt)
    except GraphvizMissing as exc:
        fail(str(exc))
    echo(text.rstrip("\n"))


def emit_sarif(log: dict[str, Any]) -> None:
    echo_json_text(json.dumps(log, indent=2, ensure_ascii=False))


# Where the output has no width of its own (a file, a pipe), tables are laid out this wide.
_UNBOUNDED_TABLE_WIDTH = 140


def table_width() -> int:
    """The width for rich tables: the terminal's (or ``COLUMNS``) when there is one, so that
    cells wrap inside it rather than lines overflowing it; else 140 columns."""
    from iamsim.report.inert_console import InertConsole  # rich only when a table is drawn

    probe = InertConsole()
    if probe.is_terminal or os.environ.get("COLUMNS", "").strip().isdigit():
        return probe.width
    return max(probe.width, _UNBOUNDED_TABLE_WIDTH)
