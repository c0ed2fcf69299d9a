"""``.pre-commit-hooks.yaml``: the hook parses, its ``files`` pattern selects IAM inputs and
leaves other JSON/YAML alone, and its entry — run as pre-commit runs it, with the selected files
as arguments — exits 0 on a clean repository and 1 on a misspelled action."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ci_definitions import DATA, HOOKS, command_env, load_yaml


@pytest.fixture(scope="module")
def hook() -> dict[str, Any]:
    hooks = load_yaml(HOOKS)
    assert isinstance(hooks, list)
    [only] = hooks
    return only


def test_the_hook_has_pre_commits_required_keys(hook: dict[str, Any]) -> None:
    assert {"id", "name", "entry", "language"} <= set(hook)
    assert hook["id"] == "iamsim-validate"
    assert hook["language"] == "python"
    assert hook["entry"] == "iamsim validate"
    re.compile(hook["files"])


@pytest.mark.parametrize(
    ("path", "selected"),
    [
        ("iam/policies/reports-read.json", True),
        ("policies/boundary.yaml", True),
        ("org/scps/region-lock.json", True),
        ("bucket-policy.json", True),
        ("infra/s3.tf", True),
        ("plan.tfplan.json", True),
        ("cloudformation/app.yaml", True),
        ("stacks/app.template.json", True),
        ("package.json", False),
        (".github/workflows/ci.yml", False),
        (".pre-commit-config.yaml", False),
        ("docs/mkdocs.yml", False),
        ("src/app/settings.json", False),
    ],
)
def test_files_selects_iam_inputs_only(hook: dict[str, Any], path: str, selected: bool) -> None:
    # pre-commit matches `files` with re.search on the path relative to the repository root.
    assert bool(re.search(hook["files"], path)) == selected


def selected_files(hook: dict[str, Any], repo: Path) -> list[str]:
    paths = sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file())
    return [p for p in paths if re.search(hook["files"], p)]


def run_hook(hook: dict[str, Any], repo: Path) -> subprocess.CompletedProcess[str]:
    files = selected_files(hook, repo)
    assert files, repo
    return subprocess.run(
        [*shlex.split(hook["entry"]), *hook.get("args", []), *files],
        cwd=repo,
        env=command_env(),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def test_the_hook_passes_a_clean_repository(hook: dict[str, Any]) -> None:
    repo = DATA / "clean"
    assert selected_files(hook, repo) == [
        "cloudformation/reports-role.yaml",
        "iam/policies/reports-read.json",
    ]
    proc = run_hook(hook, repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 errors" in proc.stdout


def test_the_hook_fails_on_a_misspelled_action(hook: dict[str, Any]) -> None:
    proc = run_hook(hook, DATA / "bad")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "unknown-action" in proc.stdout
    assert "'s3:GetObjekt' is not an action of Amazon S3" in proc.stdout


def test_a_file_the_pattern_leaves_out_would_be_refused(hook: dict[str, Any]) -> None:
    """Why ``files`` is narrow: validate refuses JSON that is no IAM input (status 2)."""
    repo = DATA / "clean"
    assert "package.json" not in selected_files(hook, repo)
    proc = subprocess.run(
        [*shlex.split(hook["entry"]), "package.json"],
        cwd=repo,
        env=command_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "not a recognised input" in proc.stderr
