"""``--format dot|mermaid|svg``: escalation paths, who-can and explain as pictures."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from iamsim.cli.main import cli
from iamsim.report import diagrams
from iamsim.report.diagrams import Diagram, to_dot, to_mermaid

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "examples" / "organization" / "model"
DEVELOPER = "arn:aws:iam::111122223333:role/developer"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def dot_edges(text: str) -> list[tuple[str, str, str]]:
    return re.findall(r'^  (n\d+) -> (n\d+)(?: \[label="(.*)"\])?;$', text, re.MULTILINE)


def dot_labels(text: str) -> dict[str, str]:
    return dict(re.findall(r'^  (n\d+) \[label="(.*)", shape=\w+\];$', text, re.MULTILINE))


def test_escalation_dot_is_a_digraph_of_principals_and_technique_steps() -> None:
    code, out, _ = run("escalation", "-i", str(MODEL), "--format", "dot")
    assert code == 0
    assert out.startswith("digraph iamsim {") and out.rstrip().endswith("}")
    labels = dot_labels(out)
    edges = dot_edges(out)
    start = next(n for n, label in labels.items() if label == "111122223333:role/developer")
    first = [e for e in edges if e[0] == start]
    assert first, "the developer role starts a path"
    # The edge names the technique and the statements that allow its step.
    assert any(
        "iam-attach-role-policy: iam:AttachRolePolicy" in label
        and "identity developer-access IamForWorkloads" in label
        and "boundary developer-boundary WorkloadServices" in label
        for _, _, label in first
    )
    # Every edge connects declared nodes.
    assert all(a in labels and b in labels for a, b, _ in edges)


def test_escalation_mermaid_is_a_flowchart_with_the_same_edges() -> None:
    code, out, _ = run("escalation", "-i", str(MODEL), "--format", "mermaid")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "flowchart LR"
    _, dot, _ = run("escalation", "-i", str(MODEL), "--format", "dot")
    edges = re.findall(r"^  (n\d+) -->\|.*\| (n\d+)$", out, re.MULTILINE)
    assert sorted(edges) == sorted((a, b) for a, b, _ in dot_edges(dot))


def test_who_can_and_explain_pictures() -> None:
    code, out, _ = run(
        "who-can", "iam:AttachRolePolicy", DEVELOPER, "-i", str(MODEL), "--format", "mermaid"
    )
    assert code == 0 and "flowchart LR" in out
    assert '["arn:aws:iam::111122223333:role/developer<br/>(role)"]' in out
    code, out, _ = run(
        "explain",
        "role/developer",
        "iam:AttachRolePolicy",
        DEVELOPER,
        "-i",
        str(MODEL),
        "--format",
        "dot",
    )
    assert code == 0 and out.startswith("digraph iamsim {")
    labels = list(dot_labels(out).values())
    assert labels[0] == "request"
    assert labels[-1].startswith("Allow\\n")
    # The steps in AWS's order, each followed by the next.
    titles = [label.split("\\n")[0] for label in labels[1:-1]]
    assert titles[0] == "Explicit deny" and "Permissions boundary" in titles
    assert len(dot_edges(out)) == len(labels) - 1


def test_labels_from_the_inputs_cannot_break_out_of_the_picture() -> None:
    diagram = Diagram(title='t"\n}')
    a = diagram.node("a", 'role/x"];\n evil -> n0 [label="#quot;')
    b = diagram.node("b", "<script>|x|</script>\x1b[31m")
    diagram.edge(a, b, 'allowed_by "Sid" \\')
    dot = to_dot(diagram)
    assert dot.count("\n") == 10  # header (6 lines), 2 nodes, 1 edge, "}"
    assert 'role/x\\"];\\n evil' in dot and "\x1b" not in dot
    mermaid = to_mermaid(diagram)
    assert "#quot;];<br/> evil -#gt; n0 [label=#quot;#35;quot;" in mermaid
    assert "<script>" not in mermaid and "#lt;script#gt;" in mermaid
    assert len(mermaid.splitlines()) == 5  # header, title comment, 2 nodes, 1 edge


def test_svg_without_graphviz_says_so_and_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(diagrams.shutil, "which", lambda _name: None)
    code, out, err = run("escalation", "-i", str(MODEL), "--format", "svg")
    assert code == 2 and out == ""
    assert "Graphviz" in err and "not installed" in err


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_svg_with_graphviz() -> None:
    code, out, _ = run("escalation", "-i", str(MODEL), "--format", "svg")
    assert code == 0 and "<svg" in out and "</svg>" in out
