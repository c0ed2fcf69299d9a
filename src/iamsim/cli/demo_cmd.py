"""``iamsim demo``: run the bundled example and print a short table of real questions.

The bundled examples live inside the package (``iamsim/examples``), so the command works from
any directory and after a plain ``pip install``.
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from iamsim.engine.decision import evaluate
from iamsim.ingest.scenario import Scenario, ScenarioError, load_scenarios


def examples_dir() -> Path:
    return Path(str(resources.files("iamsim") / "examples"))


@click.command("demo")
def demo_command() -> None:
    """Evaluate the bundled permission-boundary examples and print what was decided and why."""
    console = Console(width=max(Console().width, 120))
    table = Table(title="iamsim demo: permission-boundary examples", show_lines=True)
    table.add_column("question", style="bold", max_width=44)
    table.add_column("decision", no_wrap=True)
    table.add_column("why", max_width=70)
    failed = False
    for path in sorted((examples_dir() / "scenarios").glob("*.yaml")):
        for item in load_scenarios(path.read_text(encoding="utf-8"), str(path.name)):
            if isinstance(item, ScenarioError):
                console.print(f"[red]error[/red] {item.error.describe()}")
                failed = True
                continue
            failed |= not _row(table, item)
    console.print(table)
    sys.exit(1 if failed else 0)


def _row(table: Table, scenario: Scenario) -> bool:
    decision = evaluate(scenario.request, scenario.policies)
    colour = "green" if decision.allowed else "red"
    why = decision.reason
    if decision.decisive:
        why += "\n" + "\n".join(ref.describe() for ref in decision.decisive[:2])
    met = scenario.expectation_met(decision.value.value)
    verdict = f"[{colour}]{decision.value.value}[/{colour}]"
    if met is False:
        verdict += f"\n[yellow](expected {scenario.expect})[/yellow]"
    table.add_row(scenario.name, verdict, why)
    return met is not False
