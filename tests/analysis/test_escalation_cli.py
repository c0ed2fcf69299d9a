"""``iamsim escalation`` and ``iamsim audit boundaries`` on a small GAAD export and resources
file written for these tests (escalation_data/delegation-*.json)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from iamsim.cli.main import cli

DATA = Path(__file__).parent / "escalation_data"
GAAD = str(DATA / "delegation-gaad.json")
RESOURCES = str(DATA / "delegation-resources.json")


def _run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.output


def test_escalation_text() -> None:
    code, out = _run(["escalation", "-i", GAAD, "--max-paths", "2"])
    assert code == 0, out
    assert "Administrators (2 of 6):" in out
    assert "user/intern: at least 3 path(s), showing 2" in out
    assert "iam:CreateAccessKey on arn:aws:iam::111111111111:user/ops-admin" in out
    assert "allowed by identity policy 'keys (inline, group/interns)' statement #0" in out
    assert "break it:" in out


def test_escalation_json_from_one_principal() -> None:
    code, out = _run(["escalation", "-i", GAAD, "--from", "user/dev", "--json"])
    assert code == 0, out
    data = json.loads(out)
    (result,) = data["results"]
    assert result["label"] == "user/dev" and result["status"] == "escalates"
    first = result["paths"][0]["steps"][0]
    assert first["technique"] == "iam-create-role"
    assert first["steps"][0]["context"] == {
        "iam:PermissionsBoundary": "arn:aws:iam::111111111111:policy/dev-boundary"
    }
    assert first["steps"][0]["allowed_by"][0]["statement"] == "CreateOnlyWithBoundary"
    (verdict,) = data["admin_verdicts"]
    assert verdict["admin"] is False and verdict["boundary"] == "dev-boundary"


def test_escalation_fail_flag_and_goal_resource() -> None:
    code, _ = _run(["escalation", "-i", GAAD, "--from", "user/intern", "--fail"])
    assert code == 1
    code, out = _run(
        [
            "escalation", "-i", GAAD, "-i", RESOURCES, "--from", "role/first-api",
            "--to", "arn:aws:dynamodb:us-east-1:111111111111:table/second-orders", "--json",
        ]
    )  # fmt: skip
    assert code == 0, out
    (result,) = json.loads(out)["results"]
    assert result["paths"][0]["goal"].startswith("dynamodb:")
    assert result["paths"][0]["steps"][0]["technique"] == "sts-assume-role"


def test_escalation_invalid_input() -> None:
    code, out = _run(["escalation", "-i", GAAD, "--from", "nobody"])
    assert code == 2
    assert "nobody" in out
    code, out = _run(["escalation", "-i", GAAD, "--technique", "teleport"])
    assert code == 2 and "teleport" in out
    code, out = _run(["escalation", "-i", GAAD, "--runs-as", "nonsense"])
    assert code == 2 and "RESOURCE_ARN=ROLE_ARN" in out


def test_list_techniques() -> None:
    code, out = _run(["escalation", "--list-techniques", "--json", "-i", GAAD])
    assert code == 0
    ids = [t["id"] for t in json.loads(out)["techniques"]]
    assert "passrole-lambda-invoke" in ids and len(ids) == len(set(ids))


def test_audit_boundaries_text_and_isolation() -> None:
    code, out = _run(
        [
            "audit",
            "boundaries",
            "-i",
            GAAD,
            "-i",
            RESOURCES,
            "--prefix",
            "first-",
            "--prefix",
            "second-",
        ]
    )
    assert code == 0, out
    assert "user/dev [bounded, delegated-admin]: ESCAPES the ceiling" in out
    assert (
        "[first- -> second-] arn:aws:iam::111111111111:role/first-api: s3:GetObject on arn:aws:s3:::second-data"
        in out
    )
    assert "becomes arn:aws:iam::111111111111:role/second-worker" in out


def test_audit_boundaries_json_principal_and_fail() -> None:
    code, out = _run(
        [
            "audit",
            "boundaries",
            "-i",
            GAAD,
            "--principal",
            "role/first-api",
            "--json",
            "--tag",
            "app",
        ]
    )
    assert code == 0, out
    data = json.loads(out)
    assert [s["label"] for s in data["subjects"]] == ["role/first-api"]
    assert data["subjects"][0]["verdict"] == "escapes"
    assert {a["app"] for a in data["isolation"]["apps"]} == {"app=first", "app=second"}
    code, _ = _run(["audit", "boundaries", "-i", GAAD, "--fail"])
    assert code == 1


def test_output_is_reproducible() -> None:
    args = ["escalation", "-i", GAAD, "-i", RESOURCES, "--json"]
    first = _run(args)[1]
    assert first == _run(args)[1]
    args = ["audit", "boundaries", "-i", GAAD, "-i", RESOURCES, "--json", "--tag", "app"]
    assert _run(args)[1] == _run(args)[1]
