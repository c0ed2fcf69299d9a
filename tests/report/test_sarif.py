"""``--format sarif``: SARIF 2.1.0 logs valid against the official schema, from tool "iamsim",
with a rule per finding code and each result at the file, line and column of the element."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from iamsim.cli.main import cli
from iamsim.ingest.locations import Position, parse_source
from iamsim.report.sarif import SarifFinding, SarifRule, artifact_uri, sarif_log

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MODEL = ROOT / "examples" / "organization" / "model"
WORKLOADS = ROOT / "examples" / "organization" / "terraform" / "workloads"
# The OASIS SARIF 2.1.0 schema (errata 01), vendored: see data/README.md.
SCHEMA = json.loads((HERE / "data" / "sarif-schema-2.1.0.json").read_text())

MISSPELLED = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Read",
      "Effect": "Allow",
      "Action": [
        "s3:GetObject",
        "s3:GetObjekt"
      ],
      "Resource": "arn:aws:s3:::bucket/*"
    }
  ]
}
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout


def valid_sarif(text: str) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(text)
    jsonschema.validate(log, SCHEMA, cls=jsonschema.Draft4Validator)
    assert log["version"] == "2.1.0"
    assert log["runs"][0]["tool"]["driver"]["name"] == "iamsim"
    return log


def region_of(result: dict[str, Any]) -> tuple[str, int | None, int | None]:
    physical = result["locations"][0]["physicalLocation"]
    region = physical.get("region", {})
    return physical["artifactLocation"]["uri"], region.get("startLine"), region.get("startColumn")


def test_validate_sarif_puts_a_misspelled_action_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "policy.json"
    path.write_text(MISSPELLED)
    code, out = run("validate", str(path), "--format", "sarif")
    assert code == 1  # the same verdict as the text output: an error was found
    log = valid_sarif(out)
    run_ = log["runs"][0]
    (result,) = run_["results"]
    assert result["ruleId"] == "unknown-action" and result["level"] == "error"
    assert "s3:GetObjekt" in result["message"]["text"]
    uri, line, column = region_of(result)
    assert uri.endswith("/policy.json") and uri.startswith("file://")
    assert (line, column) == (9, 9)
    rule = run_["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert rule["id"] == "unknown-action"
    assert rule["help"]["text"] and rule["helpUri"].startswith("https://docs.aws.amazon.com/")


SCENARIO = """\
- name: misspelled
  principal: arn:aws:iam::111122223333:user/alice
  action: s3:GetObject
  resource: arn:aws:s3:::b/k
  policies:
    identity:
      - name: p
        document:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Action:
                - s3:GetObjekt
              Resource: "*"
"""


def test_validate_sarif_locates_findings_in_yaml_scenarios(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(SCENARIO)
    code, out = run("validate", str(path), "--format", "sarif")
    assert code == 1
    (result,) = valid_sarif(out)["runs"][0]["results"]
    assert result["ruleId"] == "unknown-action"
    assert region_of(result)[1:] == (13, 19)


def test_validate_sarif_places_a_syntax_error_where_the_parser_stopped(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "Version": "2012-10-17",\n  "Statement": [,]\n}\n')
    code, out = run("validate", str(path), "--format", "sarif")
    assert code == 1
    (result,) = valid_sarif(out)["runs"][0]["results"]
    assert result["ruleId"] == "json-syntax"
    assert region_of(result)[1] == 3


def test_validate_sarif_with_a_clean_policy_is_an_empty_run(tmp_path: Path) -> None:
    path = tmp_path / "ok.json"
    path.write_text(
        '{"Version": "2012-10-17", "Statement": '
        '{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}}'
    )
    code, out = run("validate", str(path), "--format", "sarif")
    assert code == 0
    assert valid_sarif(out)["runs"][0]["results"] == []


def test_validate_sarif_locates_terraform_policies_at_their_attribute() -> None:
    code, out = run("validate", str(WORKLOADS), "--format", "sarif", "--fail-on", "error")
    assert code == 0
    log = valid_sarif(out)
    (result,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "pass-role-with-star"]
    uri, line, _ = region_of(result)
    # developer.tf: `policy = data.aws_iam_policy_document.developer_access.json` on line 26.
    assert uri.endswith("workloads/developer.tf") and line == 26
    names = [loc["fullyQualifiedName"] for loc in result["locations"][0]["logicalLocations"]]
    assert "/Statement/1/Resource" in names


def test_validate_sarif_and_json_are_exclusive(tmp_path: Path) -> None:
    path = tmp_path / "policy.json"
    path.write_text(MISSPELLED)
    code, _ = run("validate", str(path), "--format", "sarif", "--json")
    assert code == 2


def test_escalation_sarif_has_a_result_per_path_at_the_principal() -> None:
    code, out = run("escalation", "-i", str(WORKLOADS), "--format", "sarif")
    assert code == 0
    log = valid_sarif(out)
    results = log["runs"][0]["results"]
    assert results and {r["ruleId"] for r in results} == {"escalation-path"}
    developer = [r for r in results if "role/developer" in r["message"]["text"]]
    uri, line, _ = region_of(developer[0])
    assert uri.endswith("workloads/developer.tf") and line == 44  # resource "aws_iam_role"


def test_audit_boundaries_sarif_reports_escapes_at_the_principal_in_the_export() -> None:
    code, out = run("audit", "boundaries", "-i", str(MODEL), "--format", "sarif")
    assert code == 0
    results = valid_sarif(out)["runs"][0]["results"]
    assert results and {r["ruleId"] for r in results} == {"boundary-escape"}
    assert all("developer-boundary" in r["message"]["text"] for r in results)
    export = MODEL / "gaad-111122223333.json"
    record = '"Arn": "arn:aws:iam::111122223333:role/developer"'
    line = next(n for n, text in enumerate(export.read_text().splitlines(), 1) if record in text)
    uri, at, _ = region_of(results[0])
    assert uri.endswith("model/gaad-111122223333.json") and at == line


def test_sarif_log_is_generic_over_findings() -> None:
    rules = {"x-code": SarifRule("x-code", "x", "X help.", level="note")}
    findings = [
        SarifFinding("x-code", "note", "first", file="a dir/f.json", pointer="/a"),
        SarifFinding("x-code", "warning", "second", logical=[("member", "arn:aws:iam::1:role/r")]),
        SarifFinding("unlisted", "error", "third"),
    ]

    def locate(source: str, pointer: str) -> Any:
        return parse_source(source), Position(3, 4) if pointer else None

    log = sarif_log(findings, rules, locate=locate)
    jsonschema.validate(log, SCHEMA, cls=jsonschema.Draft4Validator)
    results = log["runs"][0]["results"]
    assert region_of(results[0]) == ("a%20dir/f.json", 3, 4)
    assert "physicalLocation" not in results[1]["locations"][0]
    assert "locations" not in results[2]
    assert [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]] == ["x-code", "unlisted"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("policies/p.json", {"uri": "policies/p.json", "uriBaseId": "%SRCROOT%"}),
        ("./p.json", {"uri": "p.json", "uriBaseId": "%SRCROOT%"}),
        ("/abs/p q.json", {"uri": "file:///abs/p%20q.json"}),
    ],
)
def test_artifact_uri(path: str, expected: dict[str, str]) -> None:
    assert artifact_uri(path) == expected
