"""Reading the CI definitions (``action.yml``, ``.pre-commit-hooks.yaml``) and running what they
run, as GitHub Actions and pre-commit would, with the project's own ``iamsim``.

Only the ``run:`` steps of the composite action are executed: the ``uses:`` steps (setting up
Python, uploading SARIF) are GitHub's own actions, and the install step would ``pip install``
into the environment running the tests (packaging is tested by building and inspecting the
wheel, and CI installs it into a fresh environment).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
DATA = Path(__file__).resolve().parent / "data"

# GitHub runs a composite step with `shell: bash` as `bash --noprofile --norc -eo pipefail {0}`.
BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def iamsim_bin_dir() -> Path:
    """The directory of the ``iamsim`` script installed beside the Python running the tests."""
    bin_dir = Path(sys.executable).parent
    found = shutil.which("iamsim", path=str(bin_dir))
    assert found, f"no iamsim script beside {sys.executable}: install the project (make test)"
    return bin_dir


def command_env() -> dict[str, str]:
    """The environment a step sees: the project's iamsim first on PATH."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(iamsim_bin_dir()), env.get("PATH", "")])
    env.pop("GITHUB_OUTPUT", None)
    return env


@dataclass
class StepRun:
    name: str
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]


@dataclass
class ActionRun:
    """The run steps of one invocation of the action, in order, with their step outputs."""

    steps: list[StepRun] = field(default_factory=list)
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)

    def step(self, name: str) -> StepRun:
        return next(s for s in self.steps if s.name == name)


def action_inputs(action: dict[str, Any], given: dict[str, str]) -> dict[str, str]:
    """The inputs as GitHub passes them: the given ones over the declared defaults."""
    declared = action["inputs"]
    unknown = set(given) - set(declared)
    assert not unknown, f"inputs the action does not declare: {sorted(unknown)}"
    return {name: given.get(name, str(spec.get("default", ""))) for name, spec in declared.items()}


def evaluate(text: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
    """Substitute the ``${{ inputs.X }}`` and ``${{ steps.ID.outputs.N }}`` expressions, the
    only kinds the action's env and with values use; anything else is an error."""

    def one(match: re.Match[str]) -> str:
        expr = match.group(1)
        if m := re.fullmatch(r"inputs\.([A-Za-z0-9_-]+)", expr):
            return inputs[m.group(1)]
        if m := re.fullmatch(r"steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)", expr):
            return outputs.get(m.group(1), {}).get(m.group(2), "")
        raise AssertionError(f"expression the tests cannot evaluate: {expr}")

    return EXPRESSION.sub(one, text)


def parse_github_output(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line)
    return {name: value for name, value in pairs}


def run_action(given: dict[str, str], cwd: Path, tmp: Path) -> ActionRun:
    """Run every ``run:`` step except the install step, in order, as a runner would: each with
    its ``env`` evaluated, ``GITHUB_ACTION_PATH`` the repository root, ``GITHUB_OUTPUT`` a file
    whose ``name=value`` lines become the step's outputs."""
    action = load_yaml(ACTION)
    inputs = action_inputs(action, given)
    result = ActionRun()
    for index, step in enumerate(action["runs"]["steps"]):
        if "run" not in step or "pip install" in step["run"]:
            continue
        assert step.get("if", "always()") == "always()", step["name"]
        script = tmp / f"step-{index}.sh"
        script.write_text(step["run"], encoding="utf-8")
        output_file = tmp / f"step-{index}.output"
        output_file.write_text("", encoding="utf-8")
        env = command_env()
        env.update(
            {k: evaluate(str(v), inputs, result.outputs) for k, v in step.get("env", {}).items()}
        )
        env["GITHUB_ACTION_PATH"] = str(ROOT)
        env["GITHUB_OUTPUT"] = str(output_file)
        proc = subprocess.run(
            [*BASH, str(script)],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        outputs = parse_github_output(output_file.read_text(encoding="utf-8"))
        if "id" in step:
            result.outputs[step["id"]] = outputs
        result.steps.append(
            StepRun(step["name"], proc.returncode, proc.stdout, proc.stderr, outputs)
        )
    return result


def validate_formats() -> list[str]:
    """The ``--format`` choices of this ``iamsim validate`` (empty when it has no --format)."""
    proc = subprocess.run(
        [str(iamsim_bin_dir() / "iamsim"), "validate", "--help"],
        env=command_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"--format \[([a-z|]+)\]", proc.stdout)
    return match.group(1).split("|") if match else []
