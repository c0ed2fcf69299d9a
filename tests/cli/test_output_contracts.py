"""Output contracts: every ``--json`` document carries ``schema_version`` and is described in
``docs/json.md`` (every kind, every top-level key); shell completion scripts are produced."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from iamsim.cli.main import cli
from iamsim.report.schemas import SCHEMA_VERSIONS, schema_version

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "json.md").read_text()
MODEL = str(ROOT / "examples" / "organization" / "model")
SCENARIOS = str(ROOT / "examples" / "scenarios" / "developer-boundary.yaml")
EXPECTATIONS = str(ROOT / "examples" / "organization" / "iam-expectations.yaml")
POLICY_DIR = ROOT / "tests" / "checks" / "validation" / "data"
DEVELOPER = "arn:aws:iam::111122223333:role/developer"


def documented() -> dict[str, set[str]]:
    """``## `KIND/N``` sections of docs/json.md -> the keys they name (in backquotes)."""
    out: dict[str, set[str]] = {}
    for section in re.split(r"^## ", DOC, flags=re.MULTILINE)[1:]:
        heading, _, body = section.partition("\n")
        match = re.fullmatch(r"`([a-z-]+/\d+)`", heading.strip())
        if match is None:
            continue
        out[match.group(1)] = set(re.findall(r"`([a-z_]+)`", body))
    return out


def test_every_kind_is_documented_with_its_current_version() -> None:
    sections = documented()
    assert set(sections) == {schema_version(kind) for kind in SCHEMA_VERSIONS}


COMMANDS: list[tuple[str, list[str]]] = [
    ("decision", ["check", "role/developer", "iam:AttachRolePolicy", DEVELOPER, "-i", MODEL]),
    ("explanation", ["explain", "role/developer", "iam:AttachRolePolicy", DEVELOPER, "-i", MODEL]),
    ("validation", ["validate", str(POLICY_DIR / "catalog-mistakes.json")]),
    ("permissions", ["permissions", "role/developer", "-i", MODEL, "--service", "iam"]),
    ("effective-policy", ["permissions", "role/developer", "-i", MODEL, "--policy"]),
    ("who-can", ["who-can", "iam:AttachRolePolicy", DEVELOPER, "-i", MODEL]),
    ("escalation", ["escalation", "-i", MODEL]),
    ("techniques", ["escalation", "-i", MODEL, "--list-techniques"]),
    ("boundary-audit", ["audit", "boundaries", "-i", MODEL]),
    ("error", ["who-can", ",", "arn:aws:s3:::x/y", "-i", MODEL]),
]


def invoke(args: list[str]) -> str:
    result = CliRunner().invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.stdout


@pytest.mark.parametrize(("kind", "args"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_json_documents_carry_their_version_and_documented_keys(kind: str, args: list[str]) -> None:
    document: dict[str, Any] = json.loads(invoke([*args, "--json"]))
    version = schema_version(kind)
    assert document["schema_version"] == version
    assert next(iter(document)) == "schema_version"
    undocumented = set(document) - documented()[version] - {"schema_version", "input_notes"}
    assert not undocumented, f"{version}: keys missing from docs/json.md: {undocumented}"


def test_eval_json_lines_and_test_json_carry_their_versions() -> None:
    lines = [json.loads(x) for x in invoke(["eval", SCENARIOS, "--json"]).splitlines()]
    assert lines and all(x["schema_version"] == schema_version("eval-record") for x in lines)
    assert not set(lines[0]) - documented()["eval-record/1"] - {"schema_version"}
    run = json.loads(invoke(["test", EXPECTATIONS, "-i", MODEL, "--format", "json"]))
    assert run["schema_version"] == schema_version("test-run")
    assert not set(run) - documented()["test-run/1"] - {"schema_version", "input_notes"}


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_completion_script_is_produced(shell: str) -> None:
    result = CliRunner(env={"_IAMSIM_COMPLETE": f"{shell}_source"}).invoke(
        cli, [], prog_name="iamsim"
    )
    assert result.exit_code == 0
    assert "_IAMSIM_COMPLETE" in result.output
    assert f"{shell}_complete" in result.output


def test_shell_completion_completes_commands_and_format_choices() -> None:
    def complete(words: str) -> str:
        env = {"_IAMSIM_COMPLETE": "bash_complete", "COMP_WORDS": words}
        env["COMP_CWORD"] = str(len(words.split()) - (0 if words.endswith(" ") else 1))
        return CliRunner(env=env).invoke(cli, [], prog_name="iamsim").output

    assert "plain,escalation" in complete("iamsim esc")
    assert "plain,mermaid" in complete("iamsim escalation --format ")
