"""Every decision and analysis command shows what the inputs could not resolve, and refuses
what depends on it.

The world is a Terraform configuration where alice's Deny policy depends on a variable with no
value: the loader leaves that policy out, says so in ``world.notes`` and marks alice unresolved,
so questions about alice are refused (an Allow could hide the Deny) while questions about bob,
whose policies are known, are answered with the note beside them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iamsim.cli.main import cli

MAIN_TF = """
provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["111122223333"]
}
variable "blocked" {}
resource "aws_iam_user" "a" { name = "alice" }
resource "aws_iam_user_policy" "allow" {
  name   = "allow"
  user   = aws_iam_user.a.name
  policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", Action = "s3:*", Resource = "*"}]})
}
resource "aws_iam_user" "b" { name = "bob" }
resource "aws_iam_user_policy" "bob" {
  name   = "allow"
  user   = aws_iam_user.b.name
  policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", Action = "s3:*", Resource = "*"}]})
}
resource "aws_iam_user_policy" "deny" {
  name   = "deny"
  user   = aws_iam_user.a.name
  policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Deny", Action = "s3:GetObject", Resource = var.blocked}]})
}
"""
NOTE = "policy is unknown"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("unknown_deny")
    (directory / "main.tf").write_text(MAIN_TF)
    return directory


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def commands(world: Path) -> dict[str, list[str]]:
    inputs = ["-i", str(world)]
    return {
        "check": ["check", "bob", "s3:GetObject", "arn:aws:s3:::b/k", *inputs],
        "explain": ["explain", "bob", "s3:GetObject", "arn:aws:s3:::b/k", *inputs],
        "permissions": ["permissions", "bob", "--service", "s3", *inputs],
        "who-can": ["who-can", "s3:GetObject", "arn:aws:s3:::b/k", *inputs],
        "escalation": ["escalation", "--from", "bob", *inputs],
        "audit": ["audit", "boundaries", *inputs],
    }


@pytest.mark.parametrize(
    "name", ["check", "explain", "permissions", "who-can", "escalation", "audit"]
)
def test_text_output_prints_the_notes_on_stderr(world: Path, name: str) -> None:
    code, out, err = run(*commands(world)[name])
    assert code == 0, err
    notes = [line for line in err.splitlines() if line.startswith("note: ")]
    assert any(NOTE in line and "aws_iam_user_policy.deny" in line for line in notes), err
    if name in ("who-can", "escalation", "audit"):
        # The analyses over every principal also say, in their report, that alice was left out.
        assert "alice" in out and "incomplete" in out
    else:
        assert NOTE not in out


@pytest.mark.parametrize(
    "name", ["check", "explain", "permissions", "who-can", "escalation", "audit"]
)
def test_json_output_carries_the_notes(world: Path, name: str) -> None:
    code, out, err = run(*commands(world)[name], "--json")
    assert code == 0, err
    document = json.loads(out)
    assert any(NOTE in note for note in document["input_notes"])
    assert "note: " not in err


def test_a_principal_with_an_unknown_policy_is_refused(world: Path) -> None:
    args = ["check", "alice", "s3:GetObject", "arn:aws:s3:::b/k", "-i", str(world)]
    code, out, err = run(*args, "-c", "aws:RequestedRegion=eu-west-1")
    assert code == 2 and not out.startswith("Allow")
    assert "incomplete" in err and "aws_iam_user_policy.deny" in err
    code, out, err = run(*commands(world)["check"], "-c", "aws:RequestedRegion=eu-west-1")
    assert code == 0 and out.startswith("Allow:")  # bob's policies are all known
    assert "aws_iam_user_policy.deny" in err and "var.blocked has no value" in err


def test_test_command_shows_the_notes(world: Path, tmp_path: Path) -> None:
    suite = tmp_path / "e.yaml"
    suite.write_text(
        f"inputs: [{world}]\n"
        "expectations:\n"
        "  - {principal: bob, action: s3:GetObject, resource: 'arn:aws:s3:::b/k', expect: Allow}\n"
    )
    code, _, err = run("test", str(suite))
    assert code == 0
    assert any(line.startswith("note: ") and NOTE in line for line in err.splitlines())
    code, out, _ = run("test", str(suite), "--json")
    assert code == 0
    assert any(NOTE in note for note in json.loads(out)["input_notes"])
    report = tmp_path / "report.json"
    code, _, _ = run("test", str(suite), "--format", "json", "-o", str(report))
    assert code == 0
    assert any(NOTE in note for note in json.loads(report.read_text())["input_notes"])


def test_no_notes_no_key(tmp_path: Path) -> None:
    gaad = Path(__file__).resolve().parent / "data" / "world" / "gaad-app.json"
    code, out, err = run(
        "check", "alice", "s3:GetObject", "arn:aws:s3:::first-bucket/x", "-i", str(gaad), "--json"
    )
    assert code == 0
    assert "input_notes" not in json.loads(out)
    assert "note: " not in err
