"""``iamsim eval``: output shapes, exit statuses and located errors."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from iamsim.cli.main import cli

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "iamsim" / "examples" / "scenarios"

ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


def _run(args: list[str], stdin: str | None = None) -> tuple[int, str]:
    """Exit status and standard output (with --json, the summary line goes to standard error)."""
    result = CliRunner().invoke(cli, args, input=stdin)
    return result.exit_code, result.stdout if "--json" in args else result.output


def test_bundled_examples_hold_their_expectations() -> None:
    files = sorted(str(p) for p in EXAMPLES.glob("*.yaml"))
    assert files
    code, output = _run(["eval", *files])
    assert code == 0, output
    assert "FAILED" not in output


def test_json_lines_in_input_order(tmp_path: Path) -> None:
    scenarios = [
        {
            "name": "first",
            "principal": "arn:aws:iam::111122223333:user/a",
            "action": "s3:GetObject",
            "policies": {"identity": [ALLOW_ALL]},
        },
        {
            "name": "second",
            "principal": "arn:aws:iam::111122223333:user/a",
            "action": "s3:GetObject",
        },
    ]
    path = tmp_path / "s.json"
    path.write_text(json.dumps(scenarios))
    code, output = _run(["eval", "--json", str(path)])
    records = [json.loads(line) for line in output.splitlines()]
    assert code == 0
    assert [r["name"] for r in records] == ["first", "second"]
    assert [r["decision"] for r in records] == ["Allow", "ImplicitDeny"]


def test_failed_expectation_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "principal: arn:aws:iam::111122223333:user/a\naction: s3:GetObject\nexpect: Allow\n"
    )
    code, output = _run(["eval", str(path)])
    assert code == 1
    assert "FAILED" in output


def test_invalid_policy_exits_2_naming_file_scenario_and_path(tmp_path: Path) -> None:
    bad = {
        "name": "typo",
        "principal": "arn:aws:iam::111122223333:user/a",
        "action": "s3:GetObject",
        "policies": {
            "identity": [
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "s3:*",
                            "Resource": "*",
                            "Condition": {"StringEqualz": {"aws:username": "a"}},
                        }
                    ],
                }
            ]
        },
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([bad]))
    code, output = _run(["eval", "--json", str(path)])
    record = json.loads(output.splitlines()[0])
    assert code == 2
    assert record["name"] == "typo"
    assert "bad.json" in record["error"]
    assert "typo" in record["error"]
    assert "/0/policies/identity/0/Statement/0/Condition" in record["error"]
    assert "StringEqualz" in record["error"]


def test_invalid_input_never_prevents_other_scenarios(tmp_path: Path) -> None:
    good = {
        "name": "good",
        "principal": "arn:aws:iam::111122223333:user/a",
        "action": "s3:GetObject",
    }
    bad = {"name": "bad", "principal": "not a principal", "action": "s3:GetObject"}
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps([bad, good]))
    code, output = _run(["eval", "--json", str(path)])
    records = [json.loads(line) for line in output.splitlines()]
    assert code == 2
    assert "error" in records[0] and records[1]["decision"] == "ImplicitDeny"


def test_reads_standard_input() -> None:
    scenario = json.dumps({"principal": "arn:aws:iam::111122223333:root", "action": "s3:GetObject"})
    code, output = _run(["eval", "--json"], stdin=scenario)
    assert code == 0
    assert json.loads(output)["decision"] == "Allow"


def test_malformed_yaml_is_reported_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("principal: [unclosed\n")
    code, output = _run(["eval", str(path)])
    assert code == 2
    assert "broken.yaml" in output and "invalid YAML" in output


def _run_split(args: list[str], stdin: str | bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, args, input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def test_read_errors_use_the_input_file_wording(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("name: caf\xe9\n".encode("latin-1"))
    directory = tmp_path / "adir"
    directory.mkdir()
    missing = tmp_path / "missing.yaml"
    code, out, err = _run_split(["eval", str(missing), str(latin1), str(directory)])
    assert code == 2
    assert out == "0 scenarios; expectations 0 met, 0 failed; 3 invalid\n"
    lines = err.splitlines()
    assert lines == [
        f"error: {missing}: no such file or directory",
        f"error: {latin1}: file is not UTF-8 text",
        f"error: {directory}: is a directory, not a scenario file",
    ]


def test_json_stays_json_when_a_file_cannot_be_read(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(
        json.dumps({"principal": "arn:aws:iam::111122223333:root", "action": "s3:GetObject"})
    )
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nprincipal: [a\n")
    code, out, err = _run_split(
        ["eval", "--json", str(tmp_path / "missing.yaml"), str(broken), str(good)]
    )
    assert code == 2
    records = [json.loads(line) for line in out.splitlines()]
    assert records[0] == {
        "schema_version": "eval-error/1",
        "name": None,
        "error": f"{tmp_path / 'missing.yaml'}: no such file or directory",
    }
    assert records[1]["error"] == (
        f"{broken}: invalid YAML at line 3 column 1: expected ',' or ']', but got '<stream end>'"
    )
    assert records[2]["decision"] == "Allow"
    # The summary is the only thing on standard error: stdout stays one record per line.
    assert err == "1 scenario: 1 Allow; expectations 0 met, 0 failed; 2 invalid\n"


def test_standard_input_that_is_not_utf8() -> None:
    code, _, err = _run_split(["eval"], stdin=b"\xff\xfe\x00")
    assert code == 2
    assert "error: <stdin>: file is not UTF-8 text" in err


def test_request_fields_are_checked_like_check_does(tmp_path: Path) -> None:
    scenarios = [
        {"name": "n1", "principal": "arn:aws:iam::111122223333:user/*", "action": "s3:GetObject"},
        {"name": "n2", "principal": "arn:aws:iam::111122223333:user/a", "action": "s3:Get Object"},
        {
            "name": "n3",
            "principal": "arn:aws:iam::111122223333:user/a",
            "action": "s3:GetObject",
            "resource": "bucket/key",
        },
        {
            "name": "n4",
            "principal": "arn:aws:iam::111122223333:user/a",
            "action": "s3:GetObject",
            "resource_account": "abc",
        },
        {
            "name": "n5",
            "principal": "arn:aws:iam::111122223333:user/a",
            "action": "s3:GetObject",
            "context": [],
            "expect": "Allow",
        },
        {
            "name": "n6",
            "principal": "arn:aws:iam::111122223333:user/a",
            "action": "s3:GetObject",
            "policies": [],
        },
    ]
    path = tmp_path / "s.json"
    path.write_text(json.dumps(scenarios))
    code, out, _ = _run_split(["eval", "--json", str(path)])
    assert code == 2
    records = [json.loads(line) for line in out.splitlines()]
    assert all("decision" not in r for r in records)
    wheres = [r["error"].split(" at ", 1)[1].split(":", 1)[0] for r in records]
    assert wheres == [
        "/0/principal",
        "/1/action",
        "/2/resource",
        "/3/resource_account",
        "/4/context",
        "/5/policies",
    ]


def test_help_states_the_exit_statuses() -> None:
    code, out, _ = _run_split(["eval", "--help"])
    assert code == 0
    assert "Exit status: 0 when every scenario" in out


def _scenario(name: str, action: str, expect: str | None = None) -> dict[str, object]:
    scenario: dict[str, object] = {
        "name": name,
        "principal": "arn:aws:iam::111122223333:user/a",
        "action": action,
        "policies": {"identity": [ALLOW_ALL]},
    }
    if expect is not None:
        scenario["expect"] = expect
    return scenario


DENY_DELETE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}],
}


def _summary_world(tmp_path: Path) -> Path:
    denied = _scenario("denied", "s3:DeleteObject", expect="Allow")
    denied["policies"] = {"identity": [ALLOW_ALL, DENY_DELETE]}
    implicit = _scenario("implicit", "s3:GetObject", expect="Deny")
    implicit["policies"] = {}
    scenarios = [
        _scenario("one", "s3:GetObject", expect="Allow"),
        _scenario("two", "s3:PutObject"),
        denied,
        implicit,
    ]
    path = tmp_path / "s.json"
    path.write_text(json.dumps(scenarios))
    return path


def test_text_report_ends_with_the_summary_line(tmp_path: Path) -> None:
    code, out, err = _run_split(["eval", str(_summary_world(tmp_path))])
    assert code == 1
    assert out.splitlines()[-1] == (
        "4 scenarios: 2 Allow, 1 ExplicitDeny, 1 ImplicitDeny; expectations 2 met, 1 failed"
    )
    assert err == ""


def test_json_summary_goes_to_standard_error(tmp_path: Path) -> None:
    code, out, err = _run_split(["eval", "--json", str(_summary_world(tmp_path))])
    assert code == 1
    assert [json.loads(line)["name"] for line in out.splitlines()] == [
        "one",
        "two",
        "denied",
        "implicit",
    ]
    assert err == (
        "4 scenarios: 2 Allow, 1 ExplicitDeny, 1 ImplicitDeny; expectations 2 met, 1 failed\n"
    )


def test_quiet_leaves_the_summary_out(tmp_path: Path) -> None:
    path = _summary_world(tmp_path)
    code, out, err = _run_split(["eval", "--quiet", "--json", str(path)])
    assert code == 1 and err == "" and len(out.splitlines()) == 4
    code, out, _ = _run_split(["eval", "-q", str(path)])
    assert "scenarios:" not in out and "== one" in out
