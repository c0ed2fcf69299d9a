"""``iamsim test``: exit statuses, text/JSON/JUnit reports, and located errors."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner

from iamsim.cli.main import cli

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "checks" / "expectations" / "data"
WORLD = HERE / "data" / "world"
GUARDRAILS = DATA / "guardrails.yaml"  # every case holds
BROKEN = DATA / "broken-promises.yaml"  # two cases fail
TYPO = DATA / "typo.yaml"  # one case cannot be evaluated


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def test_all_expectations_hold_exit_0() -> None:
    code, out, _ = run("test", str(GUARDRAILS))
    assert code == 0
    assert "FAIL" not in out
    assert out.splitlines()[-1] == "10 cases: 10 passed, 0 failed"
    assert (
        "PASS  the backup account reads backups: arn:aws:iam::444455556666:role/backup "
        "s3:GetObject arn:aws:s3:::first-backup/db.dump — Allow"
    ) in out


def test_a_failed_expectation_exits_1_with_reason_and_decisive_statements() -> None:
    code, out, _ = run("test", str(BROKEN))
    assert code == 1
    assert (
        "FAIL  dev may not read backups: role/dev s3:GetObject "
        "arn:aws:s3:::first-backup/db.dump — expected Deny, got Allow"
    ) in out
    assert "reason: an identity-based policy allows the action" in out
    assert "decisive: identity 'dev-admin (inline, role/dev)' statement Everything (Allow)" in out
    # the second failure names the context key the decision depended on
    assert "absent context keys it depended on: aws:SourceIp" in out
    assert out.splitlines()[-1] == "2 cases: 0 passed, 2 failed"


def test_quiet_lists_only_failures() -> None:
    code, out, _ = run("test", str(GUARDRAILS), str(BROKEN), "--quiet")
    assert code == 1
    assert "PASS" not in out
    assert out.count("FAIL ") == 2
    assert f"== {GUARDRAILS}" in out and f"== {BROKEN}" in out


def test_a_case_that_cannot_be_evaluated_exits_2_and_the_others_still_run() -> None:
    code, out, _ = run("test", str(TYPO))
    assert code == 2
    assert "ERROR typo: alice s3:GetObjet" in out
    assert "did you mean: s3:GetObject" in out
    assert "PASS  fine: alice s3:GetObject" in out
    assert out.splitlines()[-1] == "2 cases: 1 passed, 0 failed, 1 could not be evaluated"


def test_junit_is_well_formed_with_one_testcase_per_case() -> None:
    code, out, _ = run("test", str(GUARDRAILS), str(BROKEN), str(TYPO), "--format", "junit")
    assert code == 2  # an error wins over failures
    root = ET.fromstring(out)
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("14", "2", "1")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [str(GUARDRAILS), str(BROKEN), str(TYPO)]
    assert [len(s.findall("testcase")) for s in suites] == [10, 2, 2]
    failures = root.findall(".//testcase/failure")
    assert len(failures) == 2
    case = next(
        c for c in root.iter("testcase") if c.get("classname") == "dev may not read backups"
    )
    assert case.get("name") == "role/dev s3:GetObject arn:aws:s3:::first-backup/db.dump"
    failure = case.find("failure")
    assert failure is not None
    message = failure.get("message") or ""
    assert message.startswith("expected Deny, got Allow: an identity-based policy allows")
    assert "decisive: identity 'dev-admin (inline, role/dev)' statement Everything (Allow)" in (
        message
    )
    assert failure.get("type") == "Allow"
    assert "principal:   role/dev (arn:aws:iam::111122223333:role/dev)" in (failure.text or "")
    error = root.find(".//testcase/error")
    assert error is not None and "s3:GetObjet" in (error.get("message") or "")


def test_junit_written_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "iam.xml"
    target.parent.mkdir()
    code, out, _ = run("test", str(BROKEN), "--format", "junit", "-o", str(target))
    assert code == 1
    assert f"report written to {target}" in out
    root = ET.parse(target).getroot()
    assert root.get("failures") == "2"


def test_json_report() -> None:
    code, out, _ = run("test", str(BROKEN), "--json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"] == {"total": 2, "passed": 0, "failed": 2, "errors": 0}
    first = report["files"][0]["results"][0]
    assert first["status"] == "failed"
    assert first["expect"] == "Deny" and first["decision"] == "Allow"
    assert first["principal_arn"] == "arn:aws:iam::111122223333:role/dev"
    assert first["decisive_statements"][0]["statement"] == "Everything"
    assert first["message"].startswith("expected Deny, got Allow")


def test_inputs_from_the_command_line(tmp_path: Path) -> None:
    suite = tmp_path / "e.yaml"
    suite.write_text(
        "- principal: alice\n"
        "  action: s3:GetObject\n"
        "  resource: arn:aws:s3:::second-bucket/x\n"
        "  expect: allow\n"
    )
    code, out, _ = run("test", str(suite), "-i", str(WORLD / "gaad-app.json"))
    assert code == 0, out
    assert "PASS  expectations[0]: alice s3:GetObject" in out


def test_no_inputs_at_all_exits_2(tmp_path: Path) -> None:
    suite = tmp_path / "e.yaml"
    suite.write_text("- {principal: alice, action: s3:GetObject, expect: Allow}\n")
    code, _, err = run("test", str(suite))
    assert code == 2
    assert "no inputs" in err


def test_invalid_expectations_file_names_the_path(tmp_path: Path) -> None:
    suite = tmp_path / "e.yaml"
    suite.write_text(
        "inputs: [x.json]\n"
        "expectations:\n"
        "  - principal: alice\n"
        "    actions: [s3:GetObject]\n"
        "    expect: Allow\n"
    )
    code, _, err = run("test", str(suite))
    assert code == 2
    assert f"{suite} at /expectations/0/actions: unknown field 'actions'" in err
    assert "did you mean 'action'?" in err


def test_invalid_expectations_with_json_prints_a_json_error(tmp_path: Path) -> None:
    suite = tmp_path / "e.yaml"
    suite.write_text("expectations: [{principal: a, action: s3:GetObject, expect: Maybe}]\n")
    code, out, _ = run("test", str(suite), "--json")
    assert code == 2
    assert "must be one of Allow, Deny, ExplicitDeny, ImplicitDeny" in json.loads(out)["error"]


def test_help_documents_the_format_and_exit_codes() -> None:
    code, out, _ = run("test", "--help")
    assert code == 0
    assert "Examples:" in out and "--format" in out and "junit" in out
    assert "docs/expectations.md" in out


def test_single_valued_context_key_as_a_list_is_an_invalid_file(tmp_path: Path) -> None:
    suite = tmp_path / "e.yaml"
    suite.write_text(
        f"inputs: [{WORLD / 'gaad-app.json'}]\n"
        "expectations:\n"
        "  - principal: alice\n"
        "    action: s3:GetObject\n"
        "    resource: arn:aws:s3:::first-bucket/x\n"
        "    context: {aws:RequestedRegion: [ap-south-1]}\n"
        "    expect: ExplicitDeny\n"
        "  - principal: alice\n"
        "    action: s3:GetObject\n"
        "    context: {aws:RequestedRegion: ap-south-1, aws:requestedRegion: eu-west-1}\n"
        "    expect: Allow\n"
    )
    code, out, err = run("test", str(suite))
    assert code == 2
    assert out == ""
    assert (
        f"{suite} at /expectations/0/context/aws:RequestedRegion: aws:RequestedRegion is "
        "single-valued: give one value, not a list"
    ) in err


def test_defaults_must_be_a_mapping(tmp_path: Path) -> None:
    suite = tmp_path / "e.yaml"
    suite.write_text(
        "defaults: []\nexpectations: [{principal: a, action: s3:GetObject, expect: Allow}]\n"
    )
    code, _, err = run("test", str(suite))
    assert code == 2
    assert f"{suite} at /defaults: defaults must be a mapping" in err


def test_no_inputs_with_json_prints_a_json_error(tmp_path: Path) -> None:
    suite = tmp_path / "e.yaml"
    suite.write_text("- {principal: alice, action: s3:GetObject, expect: Allow}\n")
    code, out, _ = run("test", str(suite), "--json")
    assert code == 2
    assert "no inputs" in json.loads(out)["error"]
