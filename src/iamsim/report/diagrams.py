"""Pictures of analysis results: Graphviz DOT, Mermaid flowcharts and (with Graphviz) SVG.

This module owns the ``--format dot|mermaid|svg`` output of ``escalation``, ``who-can`` and
``explain``. Each picture is first built as a small :class:`Diagram` (nodes and labelled edges)
from the command's JSON document — the documented contract (see ``docs/json.md``), so the
pictures follow whatever the analyses report and nothing here reaches into their internals —
and then written in one of the two languages:

* escalation: principals (and the changed states they pass through) as nodes, each technique
  step as an edge labelled with the technique and the statements that allow it, ending at the
  goal (an administrator, or the resource);
* who-can: every principal able to act, an edge to the resource per action with the granting
  statements;
* explain: the decision flow in AWS's evaluation order, one node per step with its outcome and
  statements, ending at the decision.

Every label comes from the inputs (names, Sids, ARNs) and is escaped for the target language;
control characters are dropped, so no input text can end a label or inject a statement.
SVG is produced by Graphviz's ``dot`` when it is installed (the only program this module runs,
with the DOT text on standard input and a time limit); when it is not, :class:`GraphvizMissing`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

FORMATS = ("dot", "mermaid", "svg")

# Graphviz lays out a few hundred nodes in well under a second; a minute is a hung process.
_DOT_TIMEOUT_SECONDS = 60
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MAX_LABEL = 200


class GraphvizMissing(Exception):
    """``--format svg`` was asked for, but Graphviz's ``dot`` is not installed."""


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    label: str
    shape: str = "box"  # box, ellipse, diamond, goal


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    label: str = ""


@dataclass
class Diagram:
    """Nodes and edges in the order added; a node or edge added twice is kept once."""

    title: str
    direction: str = "LR"  # LR or TB
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], Edge] = field(default_factory=dict)

    def node(self, key: str, label: str, shape: str = "box") -> str:
        """The id of the node for ``key`` (added on first use, with ``label`` and ``shape``)."""
        node_id = self._ids.get(key)
        if node_id is None:
            node_id = f"n{len(self._ids)}"
            self._ids[key] = node_id
            self.nodes[node_id] = Node(node_id, label, shape)
        return node_id

    def edge(self, source: str, target: str, label: str = "") -> None:
        self.edges.setdefault((source, target, label), Edge(source, target, label))

    def __post_init__(self) -> None:
        self._ids: dict[str, str] = {}


def _clean(text: str) -> str:
    text = _CONTROL.sub(" ", text)
    return text if len(text) <= _MAX_LABEL else text[: _MAX_LABEL - 1] + "…"


def _lines(label: str) -> list[str]:
    return [_clean(line) for line in label.split("\n")]


# -- writers ----------------------------------------------------------------------------------

_DOT_SHAPES = {"box": "box", "ellipse": "ellipse", "diamond": "diamond", "goal": "doubleoctagon"}


def _dot_text(label: str) -> str:
    parts = [line.replace("\\", "\\\\").replace('"', '\\"') for line in _lines(label)]
    return '"' + "\\n".join(parts) + '"'


def to_dot(diagram: Diagram) -> str:
    """The diagram as a Graphviz ``digraph``."""
    out = [
        "digraph iamsim {",
        f"  label={_dot_text(diagram.title)};",
        "  labelloc=t;",
        f"  rankdir={diagram.direction};",
        '  node [fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for node in diagram.nodes.values():
        out.append(f"  {node.id} [label={_dot_text(node.label)}, shape={_DOT_SHAPES[node.shape]}];")
    for edge in diagram.edges.values():
        label = f" [label={_dot_text(edge.label)}]" if edge.label else ""
        out.append(f"  {edge.source} -> {edge.target}{label};")
    out.append("}")
    return "\n".join(out) + "\n"


def _mermaid_text(label: str) -> str:
    # Inside "..." Mermaid reads entities (#quot;) and HTML; # and the quote could start an
    # entity or end the label, < and > start markup, so all four are written as entities.
    parts = [
        line.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
        for line in _lines(label)
    ]
    return '"' + "<br/>".join(parts) + '"'


_MERMAID_SHAPES = {"box": "[{}]", "ellipse": "([{}])", "diamond": "{{{}}}", "goal": "[[{}]]"}


def to_mermaid(diagram: Diagram) -> str:
    """The diagram as a Mermaid ``flowchart``."""
    # The title is a comment: "flowchart" stays the first word, as tools that sniff the
    # diagram type expect; a comment ends at the line's end, which the title cannot contain.
    out = [
        f"flowchart {diagram.direction}",
        f"  %% {' '.join(_lines(diagram.title))}",
    ]
    for node in diagram.nodes.values():
        out.append(f"  {node.id}{_MERMAID_SHAPES[node.shape].format(_mermaid_text(node.label))}")
    for edge in diagram.edges.values():
        if edge.label:
            out.append(f"  {edge.source} -->|{_mermaid_text(edge.label)}| {edge.target}")
        else:
            out.append(f"  {edge.source} --> {edge.target}")
    return "\n".join(out) + "\n"


def graphviz_available() -> bool:
    return shutil.which("dot") is not None


def to_svg(diagram: Diagram) -> str:
    """The diagram laid out by Graphviz as SVG; :class:`GraphvizMissing` without ``dot``."""
    dot = shutil.which("dot")
    if dot is None:
        raise GraphvizMissing(
            "--format svg needs Graphviz's dot program, which is not installed "
            "(install the graphviz package, or use --format dot and lay it out elsewhere)"
        )
    done = subprocess.run(
        [dot, "-Tsvg"],
        input=to_dot(diagram),
        capture_output=True,
        text=True,
        timeout=_DOT_TIMEOUT_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        raise GraphvizMissing(f"dot failed: {_clean(done.stderr.strip())}")
    return done.stdout


def render(diagram: Diagram, fmt: str) -> str:
    if fmt == "dot":
        return to_dot(diagram)
    if fmt == "mermaid":
        return to_mermaid(diagram)
    if fmt == "svg":
        return to_svg(diagram)
    raise ValueError(f"unknown diagram format {fmt!r}")


# -- builders ---------------------------------------------------------------------------------


def _statements(refs: Iterable[Mapping[str, Any]]) -> str:
    out = []
    for ref in refs:
        where = f"{ref.get('policy_type')} {ref.get('policy')!s} {ref.get('statement')}"
        if ref.get("level") is not None:
            where += f" (level {ref['level']})"
        out.append(where)
    return "\n".join(dict.fromkeys(out))


def escalation_diagram(document: Mapping[str, Any]) -> Diagram:
    """From ``escalation --json``: every path as a chain principal -> ... -> goal."""
    goal = document.get("goal")
    goal_text = goal if isinstance(goal, str) else "administrator"
    diagram = Diagram(title=f"iamsim escalation paths (goal: {goal_text})")
    for result in document.get("results", []):
        for path in result.get("paths", []):
            steps: Sequence[Mapping[str, Any]] = path.get("steps", [])
            if not steps:
                continue
            reached = diagram.node(f"goal:{path.get('reaches')}", str(path.get("reaches")), "goal")
            for index, step in enumerate(steps):
                actor = diagram.node(f"actor:{step.get('actor')}", str(step.get("actor")))
                if index + 1 < len(steps):
                    nxt = steps[index + 1].get("actor")
                    target = diagram.node(f"actor:{nxt}", str(nxt))
                else:
                    target = reached
                allowed = [
                    ref for call in step.get("steps", []) for ref in call.get("allowed_by", [])
                ]
                actions = ", ".join(
                    dict.fromkeys(str(call.get("action")) for call in step.get("steps", []))
                )
                label = f"{step.get('technique')}: {actions}"
                if allowed:
                    label += "\n" + _statements(allowed)
                diagram.edge(actor, target, label)
    if not diagram.nodes:
        diagram.node("none", "no escalation path found", "ellipse")
    return diagram


def who_can_diagram(document: Mapping[str, Any]) -> Diagram:
    """From ``who-can --json``: each principal -> the resource, one edge per action."""
    resource = str(document.get("resource"))
    diagram = Diagram(title=f"iamsim who-can {', '.join(document.get('actions', []))}")
    target = diagram.node("resource", resource, "goal")
    for item in document.get("principals", []):
        principal = diagram.node(
            f"p:{item.get('principal')}", f"{item.get('principal')}\n({item.get('kind')})"
        )
        for grant in item.get("actions", []):
            label = str(grant.get("action"))
            if grant.get("conditional"):
                label += " (conditional)"
            statements = _statements(grant.get("granted_by", []))
            if statements:
                label += "\n" + statements
            diagram.edge(principal, target, label)
    if len(diagram.nodes) == 1:
        diagram.node("none", "no principal can", "ellipse")
    return diagram


def explain_diagram(document: Mapping[str, Any]) -> Diagram:
    """From ``explain --json``: the evaluation steps in AWS's order, then the decision."""
    request = document.get("request", {})
    diagram = Diagram(
        title=(
            f"iamsim explain {request.get('principal', '')} {request.get('action', '')} "
            f"{request.get('resource', '')}"
        ),
        direction="TB",
    )
    previous = diagram.node("start", "request", "ellipse")
    for step in document.get("steps", []):
        outcome = str(step.get("outcome", ""))
        refs = [s for s in step.get("statements", []) if s.get("applied")]
        label = f"{step.get('title')}\n{outcome}"
        statements = _statements(refs)
        if statements:
            label += "\n" + statements
        current = diagram.node(f"step:{step.get('step')}", label, "diamond" if refs else "box")
        diagram.edge(previous, current)
        previous = current
    decision = str(document.get("decision"))
    reason = str(document.get("reason", ""))
    final = diagram.node("decision", f"{decision}\n{reason}", "goal")
    diagram.edge(previous, final)
    return diagram
