"""``iamsim check`` on a small JSON input, and ``eval`` of JSON Lines, import only what they use (issue 10: start-up).

A fresh interpreter runs the command exactly as the ``iamsim`` entry point does and then
reports which modules it imported: rich (tables, progress bars), PyYAML (YAML input), lark
(Terraform HCL), the explanation and statement-location modules, the policy checks, the
AWS managed-policy snapshot, the organization loader and the Terraform/CloudFormation options
and placeholders must stay out when nothing asks for them. The decision itself is checked too, so a
command that failed early (and so imported little) cannot pass. No timing is asserted.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

EXPORT = {
    "UserDetailList": [
        {
            "UserName": "alice",
            "UserId": "AIDAEXAMPLE0000000001",
            "Arn": "arn:aws:iam::123456789012:user/alice",
            "Path": "/",
            "UserPolicyList": [
                {
                    "PolicyName": "s3read",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
                        ],
                    },
                }
            ],
            "AttachedManagedPolicies": [],
            "GroupList": [],
        }
    ],
    "GroupDetailList": [],
    "RoleDetailList": [],
    "Policies": [],
}

# Runs the CLI like the console script, then prints the imported module names as JSON on
# stderr (stdout holds the command's own output). SystemExit is the CLI's normal ending.
_PROBE = """
import json, sys
from iamsim.cli.main import main
sys.argv = ["iamsim", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
sys.stdout.flush()
sys.stderr.write("\\n" + json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""

_NOT_NEEDED = (
    "rich",
    "yaml",
    "lark",
    "iamsim.report.explain",
    "iamsim.report.statement_sources",
    "iamsim.report.inert_console",
    "iamsim.ingest.yaml_documents",
    "iamsim.ingest.locations",
    "iamsim.catalog.managed_policies",
    "iamsim.policy.findings",
    "iamsim.ingest.organization",
    "iamsim.ingest.iac",
)


def _run(tmp_path: Path, *args: str) -> tuple[str, int, set[str]]:
    export = tmp_path / "one.json"
    export.write_text(json.dumps(EXPORT), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args, "-i", str(export)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return done.stdout, report["code"], set(report["modules"])


def _imported(modules: set[str], name: str) -> bool:
    return name in modules or any(m.startswith(name + ".") for m in modules)


def test_check_on_a_gaad_export_imports_no_rich_yaml_or_lark(tmp_path: Path) -> None:
    out, code, modules = _run(tmp_path, "check", "alice", "s3:GetObject", "arn:aws:s3:::b/k")
    assert code == 0
    assert out.startswith("Allow: arn:aws:iam::123456789012:user/alice -> s3:GetObject")
    assert "identity 's3read (inline, user/alice)' statement #0 (Allow)" in out
    assert [name for name in _NOT_NEEDED if _imported(modules, name)] == []


def test_check_json_imports_no_rich_yaml_or_lark(tmp_path: Path) -> None:
    out, code, modules = _run(
        tmp_path, "check", "alice", "s3:PutObject", "arn:aws:s3:::b/k", "--json"
    )
    assert code == 0
    assert json.loads(out)["decision"] == "ImplicitDeny"
    assert [name for name in _NOT_NEEDED if _imported(modules, name)] == []


def test_explain_still_finds_what_it_needs(tmp_path: Path) -> None:
    # The lazily imported modules are imported when they are used: explain names where the
    # decisive statement is written (the export file).
    out, code, modules = _run(tmp_path, "explain", "alice", "s3:GetObject", "arn:aws:s3:::b/k")
    assert code == 0
    assert "where the decisive statements are written:" in out
    assert "one.json" in out
    assert "iamsim.report.statement_sources" in modules


def test_check_with_an_iac_option_still_passes_it(tmp_path: Path) -> None:
    # The options module is imported once an infrastructure-code option is given (and a
    # malformed one is still refused as a usage error, status 2).
    out, code, modules = _run(
        tmp_path,
        "check",
        "alice",
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        "--default-account",
        "123456789012",
    )
    assert code == 0
    assert out.startswith("Allow: arn:aws:iam::123456789012:user/alice -> s3:GetObject")
    assert "iamsim.ingest.iac.options" in modules
    _, code, _ = _run(
        tmp_path, "check", "alice", "s3:GetObject", "arn:aws:s3:::b/k", "--default-account", "1"
    )
    assert code == 2


def test_eval_of_json_lines_imports_no_loader_and_no_world_model(tmp_path: Path) -> None:
    # A batch of scenarios reads JSON Lines through fast_json alone: the ingest package's
    # loaders, its format registry and the world model stay out.
    scenario = {
        "principal": "arn:aws:iam::123456789012:user/alice",
        "action": "s3:GetObject",
        "resource": "arn:aws:s3:::b/k",
        "policies": {
            "identity": [EXPORT["UserDetailList"][0]["UserPolicyList"][0]["PolicyDocument"]]
        },  # type: ignore[index]
        "expect": "Allow",
    }
    batch = tmp_path / "batch.jsonl"
    batch.write_text(json.dumps(scenario) + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, "eval", "--jsonl", str(batch)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    modules = set(report["modules"])
    assert report["code"] == 0
    assert json.loads(done.stdout)["decision"] == "Allow"
    unwanted = (
        *_NOT_NEEDED,
        "iamsim.model",
        "iamsim.ingest.registry",
        "iamsim.ingest.loading",
        "iamsim.ingest.gaad",
    )
    assert [name for name in unwanted if _imported(modules, name)] == []
