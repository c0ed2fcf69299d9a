"""Output is inert: text from an input is printed as text, in every command.

A Sid, tag value, condition value, resource policy or expectation name holding console markup
(``[/]``, ``[red]``, ``[link=...]``), an ANSI escape, a NUL or a right-to-left override must
neither crash a command, nor restyle its output, nor reach the terminal raw: control and bidi
characters are shown escaped (``\\x1b``, ``\\u202e``), markup literally. JSON stays exact JSON
(the values decode unchanged) with those characters written as ``\\u`` escapes.

And a closed output pipe (``iamsim demo | head -1``) ends the run quietly with status 141,
never with 1 ("an expectation failed") or 2 ("invalid input").
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from iamsim.cli.main import EXIT_OUTPUT_CLOSED, cli
from iamsim.report.inert import InertConsole, dumps, inert, inert_json

MARKUP = "[/] [red]x[/red] [link=https://evil]x[/link] \\[b]"
# For names, tags, descriptions, expectation and scenario names: anything.
HOSTILE = f"{MARKUP} \u202eevil\u202c \x1b[31mred\x1b[0m nul\x00 del\x7f csi\x9b"
# Policy documents hold only TAB, LF, CR and U+0020-U+00FF (the loader refuses the rest, as
# AWS does), which still leaves markup, DEL, the C1 controls (U+009B is an 8-bit CSI, which
# some terminals obey like ESC [), a carriage return and a line break (which must not forge a
# line of the report).
POLICY_HOSTILE = f"{MARKUP} csi\x9b31m del\x7f cr\rover nl\nforged"
# The characters that must never reach the output raw.
RAW = ["\u202e", "\u202c", "\x1b", "\x00", "\x7f", "\x9b", "\r"]
ACCOUNT = "111122223333"
BUCKET = "arn:aws:s3:::hostile-bucket"
OBJECT = f"{BUCKET}/k"


# -- the hostile world -----------------------------------------------------------------------


def _statement(sid: str, **rest: Any) -> dict[str, Any]:
    # Sids of identity-based policies are letters and digits (refused otherwise, as by AWS);
    # those of resource-based policies may hold any text.
    return {"Sid": sid, "Effect": "Allow", **rest}


def _gaad() -> dict[str, Any]:
    tag_condition = {"StringEquals": {"aws:PrincipalTag/team": POLICY_HOSTILE}}
    alice = {
        "Path": "/",
        "UserName": "alice",
        "UserId": "AIDAALICE00000000001",
        "Arn": f"arn:aws:iam::{ACCOUNT}:user/alice",
        "GroupList": [],
        "UserPolicyList": [
            {
                "PolicyName": "reader",
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        _statement(
                            "ReadIfTagged",
                            Action="s3:GetObject",
                            Resource=f"{BUCKET}/*",
                            Condition=tag_condition,
                        ),
                        _statement(
                            "Passes",
                            Action=["iam:PassRole", "lambda:CreateFunction"],
                            Resource="*",
                            Condition={"StringLike": {"aws:RequestTag/x": POLICY_HOSTILE}},
                        ),
                    ],
                },
            }
        ],
        "AttachedManagedPolicies": [],
        "Tags": [{"Key": "team", "Value": POLICY_HOSTILE}, {"Key": "note", "Value": HOSTILE}],
    }
    role = {
        "Path": "/",
        "RoleName": "app",
        "RoleId": "AROAAPP0000000000001",
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/app",
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Lambda",
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        },
        "RolePolicyList": [
            {
                "PolicyName": "app-admin",
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [_statement("Everything", Action="*", Resource="*")],
                },
            }
        ],
        "AttachedManagedPolicies": [],
        "Tags": [{"Key": "app", "Value": HOSTILE}],
    }
    return {
        "UserDetailList": [alice],
        "GroupDetailList": [],
        "RoleDetailList": [role],
        "Policies": [],
    }


def _resources() -> dict[str, Any]:
    return {
        "resources": [
            {
                "arn": BUCKET,
                "account": ACCOUNT,
                "tags": {"app": HOSTILE},
                "policy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": POLICY_HOSTILE,
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"},
                            "Action": "s3:GetObject",
                            "Resource": f"{BUCKET}/*",
                            "Condition": {
                                "StringEquals": {"aws:PrincipalTag/team": POLICY_HOSTILE}
                            },
                        },
                        {
                            "Sid": "VpceOnly",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:PutObject",
                            "Resource": f"{BUCKET}/*",
                            "Condition": {"StringNotEquals": {"aws:SourceVpce": POLICY_HOSTILE}},
                        },
                    ],
                },
            }
        ]
    }


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    (root / "gaad.json").write_text(json.dumps(_gaad()), encoding="utf-8")
    # YAML cannot hold NUL or ESC unescaped; safe_dump writes them as "\0" and "\e".
    (root / "resources.yaml").write_text(yaml.safe_dump(_resources()), encoding="utf-8")
    expectations = {
        "inputs": ["gaad.json", "resources.yaml"],
        "expectations": [
            {
                "name": HOSTILE,
                "principal": "alice",
                "action": "s3:GetObject",
                "resource": OBJECT,
                "expect": "Allow",
            },
            {
                "name": "no admin",
                "principal": "alice",
                "action": "iam:CreateUser",
                "resource": f"arn:aws:iam::{ACCOUNT}:user/x",
                "expect": "Deny",
            },
        ],
    }
    (root / "expectations.yaml").write_text(yaml.safe_dump(expectations), encoding="utf-8")
    scenarios = [
        {
            "name": HOSTILE,
            "principal": f"arn:aws:iam::{ACCOUNT}:user/alice",
            "action": "s3:GetObject",
            "resource": OBJECT,
            "context": {"aws:PrincipalTag/team": POLICY_HOSTILE},
            "expect": "Allow",
            "policies": {
                "identity": [
                    {
                        "name": "reader",
                        "document": {
                            "Version": "2012-10-17",
                            "Statement": [
                                _statement(
                                    "ReadIfTagged",
                                    Action="s3:GetObject",
                                    Resource=f"{BUCKET}/*",
                                    Condition={
                                        "StringEquals": {"aws:PrincipalTag/team": POLICY_HOSTILE}
                                    },
                                )
                            ],
                        },
                    }
                ]
            },
        }
    ]
    (root / "scenario.yaml").write_text(yaml.safe_dump(scenarios), encoding="utf-8")
    return root


def _commands(root: Path) -> dict[str, list[str]]:
    inputs = ["-i", str(root / "gaad.json"), "-i", str(root / "resources.yaml")]
    return {
        "check": ["check", "alice", "s3:GetObject", OBJECT, *inputs, "--explain"],
        "explain": ["explain", "alice", "s3:GetObject", OBJECT, *inputs, "--all-statements"],
        "eval": ["eval", str(root / "scenario.yaml")],
        "test": ["test", str(root / "expectations.yaml")],
        "validate": ["validate", str(root / "gaad.json"), str(root / "resources.yaml")],
        "permissions": ["permissions", "alice", *inputs],
        "who-can": ["who-can", "s3:GetObject", OBJECT, *inputs, "--show-blocked"],
        "escalation": ["escalation", *inputs, "--from", "alice"],
        "audit": ["audit", "boundaries", *inputs],
    }


def run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, args)
    # No traceback: the only exception a command ends with is its exit.
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exc_info,
        result.output,
    )
    return result.exit_code, result.stdout, result.stderr


def _assert_inert(text: str) -> None:
    for char in RAW:
        assert char not in text, f"raw {char!r} in the output"
    assert "Traceback" not in text


COMMANDS = ["check", "explain", "eval", "test", "validate", "permissions", "who-can"]
COMMANDS += ["escalation", "audit"]


@pytest.mark.parametrize("name", COMMANDS)
def test_text_output_is_inert(world: Path, name: str) -> None:
    code, out, err = run(_commands(world)[name])
    assert code in (0, 1), (code, out, err)
    _assert_inert(out)
    _assert_inert(err)


# The commands whose text report quotes the hostile text: a Sid or condition value (policy
# text), or an expectation or scenario name (any text).
QUOTING = ["check", "explain", "eval", "test", "permissions", "who-can"]


@pytest.mark.parametrize("name", QUOTING)
def test_hostile_text_is_shown_escaped_and_markup_literally(world: Path, name: str) -> None:
    code, out, err = run(_commands(world)[name])
    assert code in (0, 1), (code, out, err)
    text = out + err
    if name in ("eval", "test"):
        assert "\\u202eevil\\u202c" in text
        assert "\\x1b[31mred" in text
        assert "nul\\x00" in text
    elif name == "permissions":
        # Conditions are shown as the policy's JSON writes them.
        assert "csi\\u009b31m del\\u007f cr\\rover" in text
    else:
        # Words, not the whole Sid: a table cell may wrap it.
        for word in ("csi\\x9b31m", "del\\x7f", "cr\\x0dover", "nl\\x0aforged"):
            assert word in text
    assert not any(line.lstrip("│ ").startswith("forged") for line in text.splitlines())
    assert "[red]x[/red]" in text
    assert "[link=https://evil]x[/link]" in text


JSON_COMMANDS = ["check", "explain", "validate", "permissions", "who-can", "escalation"]
JSON_COMMANDS += ["audit", "test"]


def _strings(value: Any) -> set[str]:
    """Every string in a decoded JSON document."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return {s for k, v in value.items() for s in (*_strings(k), *_strings(v))}
    if isinstance(value, list):
        return {s for item in value for s in _strings(item)}
    return set()


@pytest.mark.parametrize("name", JSON_COMMANDS)
def test_json_output_is_exact_and_inert(world: Path, name: str) -> None:
    code, out, err = run([*_commands(world)[name], "--json"])
    assert code in (0, 1), (code, out, err)
    _assert_inert(out)
    document = json.loads(out)
    # The escapes decode back to the hostile text itself: values are unchanged.
    if name == "test":
        assert HOSTILE in _strings(document)
        assert "\\u202e" in out
    elif name in ("check", "explain", "who-can"):
        assert POLICY_HOSTILE in _strings(document)
        assert "\\u009b" in out


def test_eval_json_lines_are_exact_and_inert(world: Path) -> None:
    code, out, _ = run(["eval", "--json", str(world / "scenario.yaml")])
    assert code == 0
    _assert_inert(out)
    records = [json.loads(line) for line in out.splitlines()]
    assert records[0]["name"] == HOSTILE


def test_junit_report_is_inert(world: Path, tmp_path: Path) -> None:
    report = tmp_path / "junit.xml"
    code, out, _ = run([*_commands(world)["test"], "--format", "junit", "-o", str(report)])
    assert code in (0, 1)
    xml = report.read_text(encoding="utf-8")
    _assert_inert(xml)
    assert "\\u202eevil" in xml
    _assert_inert(out)


def test_test_report_files_are_inert(world: Path, tmp_path: Path) -> None:
    for fmt in ("text", "json"):
        report = tmp_path / f"report.{fmt}"
        code, _, _ = run([*_commands(world)["test"], "--format", fmt, "-o", str(report)])
        assert code in (0, 1)
        text = report.read_text(encoding="utf-8")
        _assert_inert(text)
        if fmt == "json":
            assert HOSTILE in _strings(json.loads(text))


def test_a_name_aws_forbids_is_refused_or_printed_inertly(tmp_path: Path) -> None:
    """A role name with markup and an override: either a clean located error (once names are
    checked at load) or inert output; never a traceback nor a raw character."""
    gaad = _gaad()
    gaad["RoleDetailList"][0]["RoleName"] = "[/]app\u202e[red]"
    gaad["RoleDetailList"][0]["Arn"] = f"arn:aws:iam::{ACCOUNT}:role/[/]app\u202e[red]"
    path = tmp_path / "gaad.json"
    path.write_text(json.dumps(gaad), encoding="utf-8")
    for args in (
        ["who-can", "s3:GetObject", OBJECT, "-i", str(path)],
        ["permissions", "alice", "-i", str(path)],
        ["check", "role/[/]app\u202e[red]", "s3:GetObject", OBJECT, "-i", str(path)],
    ):
        code, out, err = run(args)
        _assert_inert(out)
        _assert_inert(err)
        if code == 2:
            assert "gaad.json" in err
        else:
            assert code == 0
            assert "[/]app\\u202e[red]" in out


def test_error_messages_quoting_input_are_inert(tmp_path: Path) -> None:
    code, out, err = run(["check", "x\x1b[2J\u202e", "s3:GetObject", OBJECT, "-i", str(tmp_path)])
    assert code == 2
    _assert_inert(err)
    assert "Traceback" not in out + err


# -- the primitives ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\x1b[31mb", "a\\x1b[31mb"),
        ("nul\x00", "nul\\x00"),
        ("cr\rlf\n", "cr\\x0dlf\\x0a"),
        ("del\x7f c1\x9b", "del\\x7f c1\\x9b"),
        ("\u202a\u202b\u202c\u202d\u202e", "\\u202a\\u202b\\u202c\\u202d\\u202e"),
        ("\u2066\u2067\u2068\u2069", "\\u2066\\u2067\\u2068\\u2069"),
        ("\u200e\u200f\u061c", "\\u200e\\u200f\\u061c"),
        ("zero\u200bwidth\u200d\ufeff", "zero\\u200bwidth\\u200d\\ufeff"),
        ("\u2028\u2029", "\\u2028\\u2029"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("lone\ud800", "lone\\ud800"),
        ("café 東京 [red] \\x1b", "café 東京 [red] \\x1b"),
    ],
)
def test_inert_escapes_what_cannot_be_seen(text: str, shown: str) -> None:
    assert inert(text) == shown


def test_inert_keeps_the_reports_own_line_breaks() -> None:
    assert inert("a\nb\x1b", keep_newlines=True) == "a\nb\\x1b"


@pytest.mark.parametrize("ensure_ascii", [False, True])
def test_json_stays_exact(ensure_ascii: bool) -> None:
    value = {"k\u202e": [HOSTILE, "tag\U000e0041", "lone\ud800", "café"]}
    text = inert_json(json.dumps(value, indent=2, ensure_ascii=ensure_ascii))
    assert json.loads(text) == value
    _assert_inert(text)
    assert "\\u202e" in text
    assert json.loads(dumps(value)) == value


def test_console_never_interprets_markup() -> None:
    import io

    console = InertConsole(record=True, width=200, file=io.StringIO(), color_system="truecolor")
    console.print(HOSTILE)
    console.print(f"{MARKUP} and a [bold]")
    out = console.export_text()
    assert MARKUP in out
    assert "[bold]" in out
    _assert_inert(console.file.getvalue())  # type: ignore[attr-defined]


# -- a closed output pipe -------------------------------------------------------------------------


def _first_line_then_close(args: list[str]) -> tuple[int, str, str]:
    """Run ``iamsim ARGS`` with its output a pipe that is closed after the first line."""
    process = subprocess.Popen(
        [sys.executable, "-c", "from iamsim.cli.main import main; main()", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline().decode()
    process.stdout.close()
    err = process.stderr.read().decode()
    return process.wait(timeout=120), first, err


def test_demo_into_a_closed_pipe_ends_quietly() -> None:
    code, first, err = _first_line_then_close(["demo"])
    assert first.strip()
    assert err == ""
    # Not 1 (an expectation failed) nor 2 (invalid input); 0 when the demo had already
    # finished and only its buffered output was lost.
    assert code in (EXIT_OUTPUT_CLOSED, 0)


def test_eval_into_a_closed_pipe_ends_quietly(world: Path, tmp_path: Path) -> None:
    # Enough scenarios that the output outgrows every buffer: the pipe closes mid-run.
    scenarios = yaml.safe_load((world / "scenario.yaml").read_text(encoding="utf-8")) * 400
    path = tmp_path / "many.yaml"
    path.write_text(yaml.safe_dump(scenarios), encoding="utf-8")
    code, first, err = _first_line_then_close(["eval", str(path)])
    assert first.startswith("== ")
    assert err == ""
    assert code == EXIT_OUTPUT_CLOSED


def test_who_can_into_a_closed_pipe_ends_quietly(world: Path) -> None:
    code, first, err = _first_line_then_close(_commands(world)["who-can"])
    assert first.strip()
    assert err == ""
    assert code in (EXIT_OUTPUT_CLOSED, 0)


def test_help_lists_the_closed_output_status() -> None:
    code, out, _ = run(["--help"])
    assert code == 0
    assert "141" in out
