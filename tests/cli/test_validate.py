"""``iamsim validate``: text and JSON output, exit statuses, --type, --quota and --fail-on."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from iamsim.cli.main import cli

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "checks" / "validation" / "data"
WORLD = HERE / "data" / "world"
SHARED = Path(__file__).resolve().parents[1] / "real_inputs"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def test_clean_policy_exits_0() -> None:
    code, out, _ = run("validate", str(DATA / "clean-identity.json"))
    assert code == 0
    assert (
        out.splitlines()[0]
        == f"{DATA / 'clean-identity.json'} (identity policy, type inferred): ok"
    )
    assert out.splitlines()[-1] == (
        "1 file, 1 policy: 0 errors, 0 security warnings, 0 warnings, 0 suggestions; "
        "AWS would refuse 0 of the findings"
    )


def test_errors_exit_1_with_severity_code_path_and_message() -> None:
    code, out, _ = run("validate", str(DATA / "catalog-mistakes.json"))
    assert code == 1
    assert "  error            unknown-action  /Statement/0/Action/0" in out
    assert "  warning          resource-type-mismatch  /Statement/1/Action/0" in out
    assert "  suggestion       resource-matches-no-action  /Statement/1/Resource/1" in out
    flat = " ".join(out.split())
    assert "'s3:GetObjcet' is not an action of Amazon S3; did you mean: s3:GetObject" in flat
    assert out.splitlines()[-1] == (
        "1 file, 1 policy: 3 errors, 0 security warnings, 4 warnings, 1 suggestion; "
        "AWS would refuse 0 of the findings"
    )


def test_json_output() -> None:
    code, out, _ = run("validate", str(DATA / "catalog-mistakes.json"), "--json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"] == {
        "files": 1,
        "policies": 1,
        "unresolved": 0,
        "errors": 3,
        "security_warnings": 0,
        "warnings": 4,
        "suggestions": 1,
        "aws_rejects": 0,  # unknown actions and keys: IAM stores the policy
    }
    assert report["targets"][0]["kind"] == "policy"
    first = report["findings"][0]
    assert set(first) == {
        "severity",
        "aws_rejects",
        "code",
        "message",
        "file",
        "path",
        "policy",
        "policy_type",
    }
    assert first["aws_rejects"] is False
    assert first["file"] == str(DATA / "catalog-mistakes.json")
    assert first["policy_type"] == "identity"


def test_type_option_changes_the_grammar() -> None:
    path = str(DATA / "identity-with-principal.json")
    code, out, _ = run("validate", path)
    assert code == 0 and "resource policy, type inferred" in out
    code, out, _ = run("validate", path, "--type", "identity")
    assert code == 1
    assert "error            AWS-REJECTS prohibited-principal  /Statement/0/Principal" in out


def test_fail_on_warning() -> None:
    path = str(WORLD / "gaad-app.json")
    code, out, _ = run("validate", path)
    assert code == 0
    assert (
        "security-warning pass-role-with-star  [dev-admin (inline, role/dev)] /Statement/0/Resource"
        in (out)
    )
    code, _, _ = run("validate", path, "--fail-on", "warning")
    assert code == 1


def test_quota_option(tmp_path: Path) -> None:
    statement = {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::a-bucket-with-a-rather-long-name-for-padding/some/prefix/*",
    }
    policy = tmp_path / "big.json"
    policy.write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [dict(statement, Sid=f"S{i}") for i in range(25)],
            }
        )
    )
    code, out, _ = run("validate", str(policy))
    assert code == 0 and "policy-too-large" not in out
    code, out, _ = run("validate", str(policy), "--quota", "user-inline")
    assert code == 1 and "the user-inline quota is 2048" in " ".join(out.split())


def test_inputs_scenarios_and_policies_together() -> None:
    code, out, _ = run(
        "validate",
        str(DATA / "trust.json"),
        str(DATA / "scenario-two-boundaries.yaml"),
        str(DATA / "gaad-boundary-a.json"),
        str(DATA / "gaad-boundary-b.json"),
        str(WORLD / "org.yaml"),
    )
    assert code == 1
    assert "(trust policy, type inferred): ok" in out
    assert "(iamsim eval scenarios): 2 findings" in out
    assert "error            multiple-boundaries  /policies/boundary" in out
    assert "error            multiple-boundaries  [arn:aws:iam::111122223333:role/app]" in out
    assert "(organization o-exampleorg1): ok" in out


def test_scp_examples_with_type() -> None:
    folder = SHARED / "scp-examples" / "Region-controls"
    files = sorted(str(p) for p in folder.glob("*.json"))
    code, out, _ = run("validate", "--type", "scp", *files)
    assert code == 0, out
    assert out.count("(scp policy): ") == len(files)


def test_invalid_input_exits_2(tmp_path: Path) -> None:
    other = tmp_path / "notes.yaml"
    other.write_text("shopping: [milk]\n")
    code, out, err = run("validate", str(other))
    assert code == 2 and out == ""
    assert f"error: {other}: this file is not a recognised input" in err
    code, out, _ = run("validate", str(other), "--json")
    assert code == 2 and "not a recognised input" in json.loads(out)["error"]


def test_missing_path_exits_2(tmp_path: Path) -> None:
    code, _, err = run("validate", str(tmp_path / "nope.json"))
    assert code == 2 and "does not exist" in err


def test_help_has_examples() -> None:
    code, out, _ = run("validate", "--help")
    assert code == 0
    assert "Examples:" in out and "--type" in out and "--fail-on" in out


def test_terraform_directory_is_validated_with_each_policy_located() -> None:
    folder = SHARED / "terraform" / "no_access_granted"
    code, out, _ = run("validate", str(folder), "--json")
    report = json.loads(out)
    assert code == 0  # warnings only
    assert report["targets"][0]["kind"] == "input"
    mismatches = [f for f in report["findings"] if f["code"] == "resource-type-mismatch"]
    assert mismatches
    assert all(f["policy_type"] == "resource" for f in mismatches)
    assert all("aws_s3_bucket_policy" in f["file"] for f in mismatches)


def test_directory_findings_belong_to_the_directory() -> None:
    from iamsim.cli.demo_cmd import example_dir

    model = example_dir() / "model"
    out = CliRunner().invoke(cli, ["validate", str(model)]).output
    first = out.splitlines()[0]
    assert first.startswith(f"{model} (") and first.endswith(": 1 finding")
    assert f"  in {model}/gaad-111122223333.json:" in out
    # A permissions boundary is a ceiling: a broad Allow in it grants nothing, so no warning.
    assert "[developer-boundary]" not in out and "[developer-access]" in out
