"""``action.yml``: the composite action parses, its steps use only inputs and step outputs that
exist, and its run steps — executed as a runner would on small repositories — exit as
``iamsim validate`` and ``iamsim test`` do (0 clean, non-zero on a bad policy or a failed
expectation), with the SARIF log written and handed to the upload step when validate has
``--format sarif``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from ci_definitions import (
    ACTION,
    DATA,
    EXPRESSION,
    ROOT,
    load_yaml,
    run_action,
    validate_formats,
)

MODEL = ROOT / "examples" / "organization" / "model"
EXPECTATIONS = ROOT / "examples" / "organization" / "iam-expectations.yaml"
VALIDATE = "iamsim validate"
TEST = "iamsim test"
FAIL = "Fail on validation findings"


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    loaded = load_yaml(ACTION)
    assert isinstance(loaded, dict)
    return loaded


def test_the_action_is_a_composite_action_with_described_inputs(action: dict[str, Any]) -> None:
    assert {"name", "description", "inputs", "runs"} <= set(action)
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {
        "paths",
        "expectations",
        "python-version",
        "sarif-file",
        "upload-sarif",
        "validate-args",
        "test-args",
    }
    for name, spec in action["inputs"].items():
        assert spec.get("description"), name
        assert isinstance(spec.get("default"), str), name


def test_steps_set_up_python_install_from_the_checkout_and_upload_sarif(
    action: dict[str, Any],
) -> None:
    steps = action["runs"]["steps"]
    uses = [s["uses"] for s in steps if "uses" in s]
    assert [u.split("@")[0] for u in uses] == [
        "actions/setup-python",
        "github/codeql-action/upload-sarif",
    ]
    setup = steps[0]
    assert setup["with"]["python-version"] == "${{ inputs.python-version }}"
    install = steps[1]
    assert install["run"].strip() == 'python -m pip install --quiet "$GITHUB_ACTION_PATH"'
    # What that installs is this repository's project.
    assert 'name = "iamsim"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/"))
    assert upload["with"]["sarif_file"] == "${{ steps.validate.outputs.sarif }}"
    for step in steps:
        if "run" in step:
            assert step["shell"] == "bash", step["name"]


def test_every_expression_names_a_declared_input_or_an_earlier_steps_output(
    action: dict[str, Any],
) -> None:
    inputs = set(action["inputs"])
    written: dict[str, set[str]] = {}
    for step in action["runs"]["steps"]:
        texts = [step.get("if", "")]
        texts += [str(v) for v in step.get("env", {}).values()]
        texts += [str(v) for v in step.get("with", {}).values()]
        expressions = [m.group(1) for t in texts for m in EXPRESSION.finditer(t)]
        expressions += [step.get("if", "")]  # `if:` is an expression without ${{ }}
        for expr in expressions:
            for name in re.findall(r"\binputs\.([A-Za-z0-9_-]+)", expr):
                assert name in inputs, (step["name"], name)
            for sid, out in re.findall(
                r"\bsteps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)", expr
            ):
                assert out in written.get(sid, set()), (step["name"], sid, out)
        # Inputs reach scripts only through env, never spliced into the script's text.
        assert "${{" not in step.get("run", ""), step["name"]
        if "id" in step:
            written[step["id"]] = set(re.findall(r'echo "([a-z-]+)=', step.get("run", "")))
    for name, spec in action["outputs"].items():
        sid, out = re.fullmatch(r"\$\{\{ steps\.(\w+)\.outputs\.(\w+) \}\}", spec["value"]).groups()
        assert out in written[sid], name


def test_a_clean_repository_passes(tmp_path: Path) -> None:
    run = run_action(
        {
            "paths": "iam/**/*.json cloudformation/*.yaml",
            "expectations": str(EXPECTATIONS),
            "sarif-file": "",
        },
        cwd=DATA / "clean",
        tmp=tmp_path,
    )
    validate = run.step(VALIDATE)
    assert validate.returncode == 0, validate.stderr
    assert validate.outputs == {"status": "0"}
    assert "iam/policies/reports-read.json (identity policy, type inferred): ok" in validate.stdout
    assert "cloudformation/reports-role.yaml (1 role)" in validate.stdout
    assert run.step(TEST).returncode == 0, run.step(TEST).stdout
    assert "0 failed" in run.step(TEST).stdout
    assert run.step(FAIL).returncode == 0


def test_a_misspelled_action_fails_the_job_after_validation(tmp_path: Path) -> None:
    run = run_action(
        {"paths": "iam/policies/*.json", "sarif-file": "", "validate-args": "--fail-on error"},
        cwd=DATA / "bad",
        tmp=tmp_path,
    )
    validate = run.step(VALIDATE)
    # The validate step itself succeeds so that SARIF is still uploaded; the last step fails.
    assert validate.returncode == 0, validate.stderr
    assert validate.outputs == {"status": "1"}
    assert "unknown-action" in validate.stdout
    assert "s3:GetObjekt" in validate.stdout
    assert run.step(TEST).stdout.strip() == "no expectations to check"
    fail = run.step(FAIL)
    assert fail.returncode == 1
    assert "::error::iamsim validate exited 1" in fail.stdout


def test_a_file_that_is_no_iam_input_fails_with_status_2(tmp_path: Path) -> None:
    run = run_action({"paths": "package.json", "sarif-file": ""}, cwd=DATA / "clean", tmp=tmp_path)
    assert run.step(VALIDATE).outputs == {"status": "2"}
    assert run.step(FAIL).returncode == 2


def test_a_failed_expectation_fails_the_test_step(tmp_path: Path) -> None:
    run = run_action(
        {
            "expectations": "failing-expectations.yaml",
            "test-args": f"-i {MODEL}",
            "sarif-file": "",
        },
        cwd=DATA,
        tmp=tmp_path,
    )
    assert run.step(VALIDATE).stdout.strip() == "no paths to validate"
    assert run.step(VALIDATE).outputs == {}
    test = run.step(TEST)
    assert test.returncode == 1
    assert "FAIL  developers may create roles" in test.stdout
    assert run.step(FAIL).returncode == 0  # nothing was validated


@pytest.mark.parametrize("repo", ["clean", "bad"])
def test_the_sarif_log_is_written_for_upload(repo: str, tmp_path: Path) -> None:
    """With ``validate --format sarif`` the log is written whatever the findings and handed to
    the upload step; an iamsim without it fails the job (status 2) instead of uploading nothing."""
    sarif = tmp_path / "iamsim.sarif"
    run = run_action(
        {"paths": "iam/policies/*.json", "sarif-file": str(sarif)}, DATA / repo, tmp_path
    )
    validate = run.step(VALIDATE)
    assert validate.returncode == 0, validate.stderr
    expected_status = {"clean": "0", "bad": "1"}[repo]
    if "sarif" not in validate_formats():
        assert validate.outputs == {"status": "2"}
        assert run.step(FAIL).returncode == 2
        return
    assert validate.outputs == {"sarif": str(sarif), "status": expected_status}
    log = json.loads(sarif.read_text(encoding="utf-8"))
    assert log["version"] == "2.1.0"
    [sarif_run] = log["runs"]
    assert sarif_run["tool"]["driver"]["name"] == "iamsim"
    rule_ids = {r["ruleId"] for r in sarif_run["results"]}
    assert ("unknown-action" in rule_ids) == (repo == "bad")
