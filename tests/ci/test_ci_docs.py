"""docs/ci.md and the README: the documented action and hook use inputs and ids that exist,
and no instruction tells anyone to ``pip install iamsim`` from PyPI, where it is not published."""

from __future__ import annotations

import re

import yaml
from ci_definitions import ACTION, HOOKS, ROOT, load_yaml

CI_PAGE = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")


def yaml_blocks(text: str) -> list[object]:
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL)]


def test_the_documented_workflow_uses_the_actions_inputs() -> None:
    inputs = set(load_yaml(ACTION)["inputs"])
    workflow = next(b for b in yaml_blocks(CI_PAGE) if isinstance(b, dict) and "jobs" in b)
    steps = workflow["jobs"]["iamsim"]["steps"]
    [ours] = [s for s in steps if s.get("uses", "").startswith("<owner>/iamsim@")]
    assert set(ours["with"]) <= inputs
    assert workflow["permissions"]["security-events"] == "write"


def test_the_documented_hooks_exist() -> None:
    ids = {h["id"] for h in load_yaml(HOOKS)}
    configs = [b for b in yaml_blocks(CI_PAGE) if isinstance(b, dict) and "repos" in b]
    hooks = [h for c in configs for r in c["repos"] for h in r["hooks"]]
    assert hooks
    assert {h["id"] for h in hooks} <= ids


def test_no_document_installs_iamsim_from_pypi() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    command = re.compile(r"^\s*(?:-\s+(?:run:\s*)?)?pip install iamsim\s*$", re.MULTILINE)
    for page in pages:
        assert not command.search(page.read_text(encoding="utf-8")), page
