"""Options of the analysis commands: a bad value is an error (or a warning), never a vacuous
"nothing found"; and the --help texts state the exit statuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iamsim.cli.main import cli

WORLD = Path(__file__).resolve().parent / "data" / "world"
INPUTS = [arg for path in sorted(WORLD.iterdir()) for arg in ("-i", str(path))]
FUNCTION = "arn:aws:lambda:eu-west-1:111122223333:function:f"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


# -- escalation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "notanarn"], "--to 'notanarn': expected admin or a resource ARN"),
        (
            ["--to", "arn:aws:s3:::first-bucket/x", "--action", "s3:GetObjectt"],
            "--action: unknown action 's3:GetObjectt'; did you mean: s3:GetObject",
        ),
        (
            ["--to", "arn:aws:s3:::first-bucket/x", "--action", "s3:Get*"],
            "name one action",
        ),
        (
            ["--to", "arn:aws:s3:::first-bucket/x", "--action", "iam:CreateRole"],
            "--action iam:CreateRole does not act on arn:aws:s3:::first-bucket/x",
        ),
        (["--action", "s3:GetObject"], "--action applies only with --to RESOURCE_ARN"),
    ],
)
def test_escalation_goal_options(args: list[str], message: str) -> None:
    code, _, err = run("escalation", *INPUTS, *args)
    assert code == 2
    assert message in err


def test_escalation_action_is_canonicalized() -> None:
    code, out, err = run(
        "escalation",
        *INPUTS,
        "--from",
        "alice",
        "--to",
        "arn:aws:s3:::first-bucket/reports/q1.csv",
        "--action",
        "S3:getobject",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("garbage", "expected RESOURCE_ARN=ROLE_ARN"),
        (f"{FUNCTION}=", "expected RESOURCE_ARN=ROLE_ARN"),
        ("notarn=arn:aws:iam::111122223333:role/dev", "is not an ARN"),
        (f"{FUNCTION}=dev", "is not a role ARN"),
        (f"{FUNCTION}=arn:aws:iam::111122223333:role/nosuch", "is not in the inputs"),
        (f"{FUNCTION}=arn:aws:iam::111122223333:role/*", "without wildcards"),
        ("arn:aws:s3:::first-bucket=arn:aws:iam::111122223333:role/dev", "lambda-function"),
    ],
)
def test_runs_as_is_checked(value: str, message: str) -> None:
    for command in (["escalation"], ["audit", "boundaries"]):
        code, _, err = run(*command, *INPUTS, "--runs-as", value)
        assert code == 2
        assert f"--runs-as {value!r}" in err and message in err


def test_runs_as_help_and_error_use_the_same_words() -> None:
    _, out, _ = run("escalation", "--help")
    assert "--runs-as RESOURCE_ARN=ROLE_ARN" in out
    _, out, _ = run("audit", "boundaries", "--help")
    assert "--runs-as RESOURCE_ARN=ROLE_ARN" in out


def test_runs_as_role_without_its_path_is_found() -> None:
    code, _, err = run(
        "escalation",
        *INPUTS,
        "--from",
        "alice",
        "--runs-as",
        f"{FUNCTION}=arn:aws:iam::111122223333:role/first-lambda",
    )
    assert code == 0, err


# -- audit boundaries ----------------------------------------------------------------------------


def test_audit_empty_prefix_is_an_error() -> None:
    code, _, err = run("audit", "boundaries", *INPUTS, "--prefix", "")
    assert code == 2
    assert "--prefix: an empty prefix" in err


def test_audit_options_that_match_nothing_warn() -> None:
    code, _, err = run("audit", "boundaries", *INPUTS, "--prefix", "nosuch-", "--tag", "nosuchtag")
    assert code == 0
    assert "warning: --prefix 'nosuch-' matches no principal and no resource" in err
    assert "warning: --tag 'nosuchtag': no principal or resource of the inputs has this tag" in err
    assert "isolation needs at least two applications" in err


def test_audit_single_prefix_warns_that_isolation_needs_two() -> None:
    code, out, err = run("audit", "boundaries", *INPUTS, "--prefix", "first-", "--json")
    assert code == 0
    warnings = json.loads(out)["warnings"]
    assert any(
        w.startswith("isolation needs at least two applications") and "found 1 (first-)" in w
        for w in warnings
    )
    assert "warning:" not in err


def test_audit_principal_that_is_not_a_subject_warns() -> None:
    code, _, err = run("audit", "boundaries", *INPUTS, "--principal", "alice")
    assert code == 0
    assert "warning: --principal arn:aws:iam::111122223333:user/alice: not audited" in err


# -- who-can and permissions ----------------------------------------------------------------------


@pytest.mark.parametrize("action", [",", " , ", ""])
def test_who_can_empty_action_list(action: str) -> None:
    code, _, err = run("who-can", action, "arn:aws:s3:::first-bucket", *INPUTS)
    assert code == 2
    assert "names no action" in err


@pytest.mark.parametrize(
    ("principal", "what"),
    [
        ("anonymous", "anonymous is the anonymous (unsigned) caller"),
        ("lambda.amazonaws.com", "lambda.amazonaws.com is a service principal"),
    ],
)
def test_permissions_of_a_non_iam_caller(principal: str, what: str) -> None:
    code, _, err = run("permissions", principal, *INPUTS)
    assert code == 2
    assert what in err
    assert "is a anonymous" not in err


# -- help ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [["eval"], ["who-can"], ["permissions"], ["escalation"], ["audit", "boundaries"], ["audit"]],
)
def test_help_states_exit_statuses_in_plain_text(command: list[str]) -> None:
    code, out, _ = run(*command, "--help")
    assert code == 0
    assert "Exit status" in out
    assert "``" not in out


def test_errors_stay_json_with_json() -> None:
    code, out, _ = run("permissions", "alice", *INPUTS, "--service", "nosuchsvc", "--json")
    assert code == 2
    assert json.loads(out) == {
        "schema_version": "error/1",
        "error": "--service: unknown service prefix 'nosuchsvc'",
    }
    code, out, _ = run("escalation", *INPUTS, "--to", "notanarn", "--json")
    assert code == 2
    assert "expected admin or a resource ARN" in json.loads(out)["error"]
    code, out, _ = run("who-can", ",", "arn:aws:s3:::first-bucket", *INPUTS, "--json")
    assert code == 2
    assert "names no action" in json.loads(out)["error"]
