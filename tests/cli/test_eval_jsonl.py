"""``iamsim eval`` over JSON Lines: streamed input, lean records, located errors, exit statuses."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from iamsim.cli.main import cli

ALLOW_GET = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}
DENY_REGION = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {
            "Sid": "RegionLock",
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}},
        },
    ],
}


def _scenario(i: int, region: str, expect: str) -> dict[str, object]:
    return {
        "name": f"s{i}",
        "principal": f"arn:aws:iam::111122223333:user/u{i}",
        "action": "s3:GetObject",
        "resource": f"arn:aws:s3:::bucket/object-{i}",
        "context": {"aws:RequestedRegion": region},
        "policies": {"identity": [ALLOW_GET], "scp": [[DENY_REGION]]},
        "expect": expect,
    }


def _lines(*items: object) -> str:
    return "".join(json.dumps(item) + "\n" for item in items)


def _invoke(args: list[str], stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, args, input=stdin)


def test_jsonl_file_streams_lean_records(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text(
        _lines(_scenario(1, "eu-west-1", "Allow"), _scenario(2, "us-east-1", "ExplicitDeny"))
    )
    result = _invoke(["eval", "--jsonl", str(path)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["name"], r["decision"], r["expectation_met"]) for r in records] == [
        ("s1", "Allow", True),
        ("s2", "ExplicitDeny", True),
    ]
    # Lean: the decisive statements and reason, no statement-by-statement trace.
    assert records[1]["decisive_statements"][0]["statement"] == "RegionLock"
    assert all("statements" not in r and "missing_context_keys" not in r for r in records)
    assert all(r["schema_version"].startswith("eval-record/") for r in records)
    assert "2 scenarios: 1 Allow, 1 ExplicitDeny; expectations 2 met, 0 failed" in result.stderr


def test_failed_expectation_carries_the_full_trace(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text(_lines(_scenario(1, "us-east-1", "Allow"), _scenario(2, "eu-west-1", "Allow")))
    result = _invoke(["eval", "--jsonl", str(path)])
    assert result.exit_code == 1
    failed, passed = (json.loads(line) for line in result.stdout.splitlines())
    assert failed["expectation_met"] is False and failed["decision"] == "ExplicitDeny"
    assert any(s["statement"] == "RegionLock" and s["applied"] for s in failed["statements"])
    assert "missing_context_keys" in failed
    assert "statements" not in passed


def test_explain_traces_every_record(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text(_lines(_scenario(1, "eu-west-1", "Allow")))
    result = _invoke(["eval", "--jsonl", "--explain", str(path)])
    assert result.exit_code == 0
    (record,) = (json.loads(line) for line in result.stdout.splitlines())
    assert record["statements"] and record["missing_context_keys"] == []


def test_same_decisions_as_json_output(tmp_path: Path) -> None:
    items = [_scenario(i, ("eu-west-1", "us-east-1")[i % 2], "Allow") for i in range(6)]
    lines, whole = tmp_path / "b.jsonl", tmp_path / "b.json"
    lines.write_text(_lines(*items))
    whole.write_text(json.dumps(items))
    streamed = _invoke(["eval", "--jsonl", str(lines)])
    full = _invoke(["eval", "--json", str(whole)])
    fields = ("name", "decision", "reason", "decisive_statements", "blocked_by")
    lean = [{k: json.loads(x)[k] for k in fields} for x in streamed.stdout.splitlines()]
    rich = [{k: json.loads(x)[k] for k in fields} for x in full.stdout.splitlines()]
    assert lean == rich
    assert streamed.exit_code == full.exit_code == 1


def test_standard_input_with_jsonl(tmp_path: Path) -> None:
    stdin = _lines(_scenario(1, "eu-west-1", "Allow")) + "\n\n"  # blank lines are skipped
    result = _invoke(["eval", "--jsonl"], stdin=stdin)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["decision"] == "Allow"


def test_bad_lines_are_located_and_the_rest_evaluated(tmp_path: Path) -> None:
    bad_policy = _scenario(3, "eu-west-1", "Allow")
    bad_policy["policies"] = {"identity": [{"Version": "2012-10-17", "Statement": "nope"}]}
    path = tmp_path / "batch.jsonl"
    path.write_text(
        _lines(_scenario(1, "eu-west-1", "Allow"))
        + '{"name": "dup", "action": "s3:GetObject", "action": "s3:PutObject"}\n'
        + "not json\n"
        + _lines(bad_policy, [1, 2])
        + '{"name": "trailing", }\n'
        + _lines(_scenario(6, "eu-west-1", "Allow"))
    )
    result = _invoke(["eval", "--jsonl", str(path)])
    assert result.exit_code == 2
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["schema_version"].split("/")[0] for r in records] == [
        "eval-record",
        *["eval-error"] * 5,
        "eval-record",
    ]
    errors = [r["error"] for r in records[1:6]]
    assert f"{path} line 2" in errors[0] and "duplicate key 'action'" in errors[0]
    assert f"{path} line 3" in errors[1] and "not JSON" in errors[1]
    assert f"{path} line 4" in errors[2] and "/policies/identity/0/Statement" in errors[2]
    assert f"{path} line 5" in errors[3] and "one scenario (a JSON object) per line" in errors[3]
    assert f"{path} line 6" in errors[4] and "invalid JSON at line 1" in errors[4]
    assert "; 5 invalid" in result.stderr


def test_unreadable_jsonl_inputs_are_refused_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "dir.jsonl"
    folder.mkdir()
    result = _invoke(["eval", "--jsonl", str(tmp_path / "missing.jsonl"), str(folder)])
    assert result.exit_code == 2
    errors = [json.loads(line)["error"] for line in result.stdout.splitlines()]
    assert "no such file or directory" in errors[0]
    assert "is a directory" in errors[1]


def test_text_report_over_jsonl_file(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text(_lines(_scenario(1, "us-east-1", "ExplicitDeny")))
    result = _invoke(["eval", str(path)])
    assert result.exit_code == 0
    assert "== s1  [expect ExplicitDeny: ok]" in result.output


def test_policy_sets_met_once_stay_out_of_the_engine_cache(tmp_path: Path) -> None:
    """A batch where every scenario carries its own policy text decides each scenario as
    before but leaves no compiled set behind in the engine's cache (memory stays bounded);
    a set met again is cached from its second scenario on."""
    from iamsim.engine import decision

    decision._SETS.clear()
    lines = []
    for i in range(40):
        own = {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": f"Own{i}", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
            ],
        }
        item = _scenario(i, "eu-west-1" if i % 2 else "us-east-1", "Allow")
        item["policies"] = {"identity": [own], "scp": [[DENY_REGION]]}
        item["expect"] = "Allow" if i % 2 else "ExplicitDeny"
        lines.append(json.dumps(item))
    lines += [json.dumps(_scenario(100 + i, "eu-west-1", "Allow")) for i in range(3)]
    path = tmp_path / "own.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(cli, ["eval", "--jsonl", "--quiet", str(path)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    assert [r["expectation_met"] for r in records] == [True] * 43
    assert [r["decision"] for r in records[:4]] == ["ExplicitDeny", "Allow"] * 2
    assert len(decision._SETS) == 1  # only the set the last three scenarios share
