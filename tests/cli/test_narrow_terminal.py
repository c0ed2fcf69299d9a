"""Text tables at 80 columns: cells wrap inside the terminal's width, and nothing decisive (an
ARN, a policy, a statement) is cut or replaced by an ellipsis."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from iamsim.cli.main import cli

MODEL = Path(__file__).resolve().parents[2] / "examples" / "organization" / "model"
DEVELOPER = "arn:aws:iam::111122223333:role/developer"


def run_at_80(*args: str) -> str:
    result = CliRunner(env={"COLUMNS": "80"}).invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def column(out: str, index: int) -> str:
    """Everything written in table column ``index``, wrapped pieces joined back together
    (without spaces, which wrapping moves)."""
    pieces = [line.split("│")[index + 1] for line in out.splitlines() if "│" in line]
    return "".join("".join(pieces).split())


def assert_fits(out: str) -> None:
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "…" not in out


def test_who_can_wraps_principals_and_statements() -> None:
    out = run_at_80("who-can", "iam:AttachRolePolicy", DEVELOPER, "-i", str(MODEL))
    assert_fits(out)
    principals = column(out, 0)
    for arn in (
        "arn:aws:iam::111122223333:role/OrganizationAccountAccessRole",
        DEVELOPER,
        "arn:aws:iam::111122223333:root",
    ):
        assert arn in principals
    how = column(out, 3)
    assert "'developer-access'statementIamForWorkloads(Allow)" in how
    assert "'developer-boundary'statementWorkloadServices(Allow)" in how


def test_permissions_wraps_the_statements_that_deny() -> None:
    out = run_at_80("permissions", "role/developer", "-i", str(MODEL), "--service", "iam")
    assert_fits(out)
    assert "NoRoleCreationNoUserPolicies(Deny)" in column(out, 3)
    assert "'developer-boundary'" in column(out, 3)
    assert "CreateRole" in column(out, 2) and "AttachUserPolicy" in column(out, 2)
