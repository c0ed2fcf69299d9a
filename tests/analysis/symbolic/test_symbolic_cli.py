"""The symbolic commands end to end: compare, not-granted, no-public-access (exit 0 PASS,
1 FAIL, 2 invalid input), ``check``/``explain --discover`` and ``discover:`` scenarios."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from iamsim.cli.main import cli

WORLD = Path(__file__).resolve().parents[2] / "cli" / "data" / "world"
INPUTS = [
    arg
    for name in ("gaad-app.json", "gaad-backup.json", "resources.yaml", "org.yaml")
    for arg in ("-i", str(WORLD / name))
]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def _write(tmp_path: Path, name: str, document: object) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return str(path)


def _identity(*statements: dict[str, object]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


READ: dict[str, object] = {"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/*"}
WRITE: dict[str, object] = {
    "Effect": "Allow",
    "Action": "s3:PutObject",
    "Resource": "arn:aws:s3:::b/*",
}


def test_compare_pass_and_fail_with_exit_codes_and_json(tmp_path: Path) -> None:
    old = _write(tmp_path, "old.json", _identity(READ))
    new = _write(tmp_path, "new.json", _identity(READ, WRITE))
    code, out, _ = run("compare", old, old, "--json")
    assert code == 0
    assert json.loads(out)["result"] == "PASS"
    code, out, _ = run("compare", old, new, "--json")
    assert code == 1
    record = json.loads(out)
    assert record["result"] == "FAIL"
    assert record["counterexamples"][0]["action"] == "s3:PutObject"
    assert record["counterexamples"][0]["engine_decision"] == "Allow"
    code, out, _ = run("compare", old, new)
    assert code == 1
    assert out.startswith("FAIL:")


def test_not_granted(tmp_path: Path) -> None:
    policy = _write(tmp_path, "p.json", _identity(READ))
    code, out, _ = run("not-granted", policy, "--action", "s3:PutObject")
    assert (code, out.split(":")[0]) == (0, "PASS")
    code, out, _ = run("not-granted", policy, "--action", "s3:GetObject", "--json")
    assert code == 1
    assert json.loads(out)["witnesses"][0]["action"] == "s3:GetObject"


def test_no_public_access(tmp_path: Path) -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}
        ],
    }
    policy = _write(tmp_path, "bucket.json", document)
    code, out, _ = run("no-public-access", policy, "--resource-type", "AWS::S3::Bucket", "--json")
    assert code == 1
    assert json.loads(out)["witnesses"][0]["engine_decision"] == "Allow"


def test_bad_input_is_a_located_error_with_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": 1}]}')
    good = _write(tmp_path, "good.json", _identity(READ))
    code, _, err = run("compare", str(bad), good)
    assert code == 2
    assert "bad.json" in err and "/Statement/0/Action" in err
    code, out, _ = run("not-granted", good, "--json")
    assert code == 2
    assert "error" in json.loads(out)


def test_check_discover_reports_the_residual_and_explain_walks_the_witness() -> None:
    args = ("alice", "s3:ListBucket", "arn:aws:s3:::first-bucket", *INPUTS)
    code, out, _ = run("check", *args, "--discover", "--json")
    assert code == 0
    record = json.loads(out)
    assert record["decision"] == "Conditional"
    assert record["residual"] == [{"IpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}}]
    code, out, _ = run("explain", *args, "--unknown", "aws:SourceIp")
    assert code == 0
    assert out.startswith("Conditional:")
    assert "ALLOWED" in out


def test_eval_discover_scenario(tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        """
- name: mfa unknown
  principal: arn:aws:iam::111122223333:user/alice
  action: s3:GetObject
  discover: true
  policies:
    identity:
      - {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:*", Resource: "*",
         Condition: {Bool: {aws:MultiFactorAuthPresent: "true"}}}]}
  expect: Conditional
- name: mfa known present
  principal: arn:aws:iam::111122223333:user/alice
  action: s3:GetObject
  discover: {aws:MultiFactorAuthPresent: absent}
  policies:
    identity:
      - {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:*", Resource: "*",
         Condition: {Bool: {aws:MultiFactorAuthPresent: "true"}}}]}
  expect: ImplicitDeny
"""
    )
    code, out, _ = run("eval", str(scenario), "--json")
    assert code == 0, out
    records = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert [r["decision"] for r in records] == ["Conditional", "ImplicitDeny"]
    scenario.write_text(
        "- {name: x, principal: arn:aws:iam::111122223333:user/a, action: s3:GetObject, "
        "expect: Conditional}\n"
    )
    code, _, err = run("eval", str(scenario))
    assert code == 2
    assert "discover" in err


def test_a_question_above_the_state_cap_is_refused_not_sampled(tmp_path: Path) -> None:
    from iamsim import limits
    from iamsim.analysis.symbolic import SymbolicLimitError, not_granted
    from iamsim.policy import PolicyType, parse_policy

    document = _identity(
        {"Effect": "Allow", "Action": ["s3:*Object*", "s3:Get*"], "Resource": "*"}, READ
    )
    policy = parse_policy(document, PolicyType.IDENTITY)
    with limits.override(max_symbolic_states=3):
        try:
            not_granted(policy, ["s3:GetObject"], None)
        except SymbolicLimitError as exc:
            assert "max_symbolic_states" in str(exc)
        else:  # pragma: no cover - the cap must bite
            raise AssertionError("the cap did not apply")
