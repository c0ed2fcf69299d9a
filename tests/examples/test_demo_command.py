"""``iamsim demo``: the example organization's questions as a table, and a smoke test."""

from __future__ import annotations

import dataclasses

import pytest
from click.testing import CliRunner

from iamsim.cli import demo_cmd
from iamsim.cli.demo_cmd import ALLOW, IMPLICIT_DENY, QUESTIONS
from iamsim.cli.main import cli


@pytest.fixture(scope="module")
def demo_output() -> str:
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_exits_0_when_every_answer_is_as_expected(demo_output: str) -> None:
    assert f"{len(QUESTIONS)} of {len(QUESTIONS)} answers as expected" in demo_output
    assert "expected " + ALLOW.value not in demo_output


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.title for q in QUESTIONS])
def test_demo_mentions_each_question(question: demo_cmd.Question, demo_output: str) -> None:
    for text in (question.who, question.action, question.on, question.note):
        assert text in demo_output


def test_demo_shows_decisions_and_why(demo_output: str) -> None:
    for value in ("Allow", "ExplicitDeny", "ImplicitDeny"):
        assert value in demo_output
    for why in (
        "OwnBuckets",  # the boundary statement that lets the Lambda write its backups
        "NoRoleCreationNoUserPolicies",  # the developer boundary's Deny
        "CreateOrChangeOnlyWithBoundary",  # the junior admin's conditional Allow
        "DenyOutsideAllowedRegions",  # the OU's SCP
        "BackupAccountWritesAndRestores",  # the bucket policy, cross-account
        "permissions boundary does not allow",
        "key policy does not allow",
    ):
        assert why in demo_output


def test_demo_table_fits_120_columns(demo_output: str) -> None:
    assert max(len(line) for line in demo_output.splitlines() if "│" in line) <= 120


def test_demo_tells_how_to_ask_more(demo_output: str) -> None:
    assert "iamsim explain" in demo_output
    assert "aws:RequestedRegion=eu-west-1" in demo_output
    # The suggested command loads the whole model directory, which holds exactly the demo's files.
    model = demo_cmd.example_dir() / "model"
    assert f"-i {model}" in demo_output.replace("\n", "")
    loaded = sorted(p.name for p in model.iterdir() if p.suffix in (".json", ".yaml"))
    assert loaded == sorted(demo_cmd.MODEL_FILES)


def test_demo_exits_1_when_an_answer_is_not_the_expected_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wrong = dataclasses.replace(QUESTIONS[1], expect=ALLOW)  # really an ImplicitDeny
    assert QUESTIONS[1].expect is IMPLICIT_DENY
    monkeypatch.setattr(demo_cmd, "QUESTIONS", (QUESTIONS[0], wrong))
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 1
    assert "(expected Allow)" in result.output
    assert "1 of 2 answers as expected" in result.output


def test_a_question_that_cannot_be_asked_fails_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = dataclasses.replace(QUESTIONS[0], action="s3:PutObjekt")
    monkeypatch.setattr(demo_cmd, "QUESTIONS", (broken,))
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 1
    assert "error" in result.output


def test_demo_scenarios_runs_the_older_scenario_files() -> None:
    result = CliRunner().invoke(cli, ["demo", "--scenarios"])
    assert result.exit_code == 0, result.output
    assert "developer cannot create roles" in result.output
    assert "backup role writes through the bucket policy" in result.output


def test_demo_help_mentions_both_modes() -> None:
    result = CliRunner().invoke(cli, ["demo", "--help"])
    assert result.exit_code == 0
    assert "--scenarios" in result.output
    assert "smoke test" in result.output
