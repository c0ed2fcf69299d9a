"""The fuzz harness itself: its oracle catches tracebacks, hangs and memory blow-ups, and its
cases are reproducible from their seed."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from harness import (
    EXAMPLES,
    TARGETS,
    Case,
    CaseLimits,
    Seed,
    cases_for,
    materialise,
    run_case,
    warm_up,
)

import iamsim.cli.eval_cmd
import iamsim.ingest
from iamsim.errors import InputError

SCENARIO = EXAMPLES / "scenarios" / "scp-region-lock.yaml"
LIMITS = CaseLimits(memory_bytes=2 * 1024**3, cpu_seconds=20, wall_seconds=30.0)


def _eval_case() -> Case:
    text = SCENARIO.read_text(encoding="utf-8")
    return Case("scenario", Seed(SCENARIO), text, ("eval", "{file}"), "oracle")


def test_a_real_scenario_passes_the_oracle() -> None:
    warm_up()
    outcome = run_case(_eval_case(), LIMITS)
    assert outcome.reason == ""
    assert outcome.status == 0
    assert "ExplicitDeny" in outcome.stdout


def test_an_uncaught_exception_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise KeyError("engine bug")

    monkeypatch.setattr(iamsim.cli.eval_cmd, "evaluate", boom)  # the forked child inherits it
    outcome = run_case(_eval_case(), LIMITS)
    assert outcome.reason.startswith("traceback"), outcome
    assert "KeyError" in outcome.stderr


def test_invalid_input_must_name_its_file(monkeypatch: pytest.MonkeyPatch) -> None:
    def unnamed(*args: object, **kwargs: object) -> None:
        raise InputError("something is wrong")

    monkeypatch.setattr(iamsim.ingest, "load_inputs", unnamed)  # the forked child inherits it
    gaad = EXAMPLES / "organization" / "model" / "gaad-111122223333.json"
    argv = ("who-can", "s3:GetObject", "*", "-i", "{file}")
    case = Case("gaad", Seed(gaad), gaad.read_text(encoding="utf-8"), argv, "unnamed")
    outcome = run_case(case, LIMITS)
    assert outcome.status == 2
    assert outcome.reason == "exit status 2 without naming the input file", outcome


def test_every_command_names_files_that_exist(tmp_path: Path) -> None:
    for target in TARGETS.values():
        for index in range(12):
            case = next(cases_for(target, "files", start=index))
            folder = tmp_path / f"{target.name}-{index}"
            folder.mkdir()
            argv = materialise(case, folder)
            named = [Path(a) for a in argv if a.startswith(str(tmp_path))]
            assert named and all(p.exists() for p in named), (target.name, argv)


def test_a_hang_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(iamsim.cli.eval_cmd, "evaluate", lambda *a, **k: time.sleep(60))
    outcome = run_case(_eval_case(), CaseLimits(wall_seconds=1.0))
    assert outcome.reason.startswith("wall-clock timeout"), outcome


def test_memory_past_the_limit_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(iamsim.cli.eval_cmd, "evaluate", lambda *a, **k: bytearray(3 * 1024**3))
    outcome = run_case(_eval_case(), LIMITS)
    assert outcome.failed, outcome
    assert "MemoryError" in outcome.stderr or "killed" in outcome.reason


def test_cases_are_reproducible_from_their_seed() -> None:
    for target in TARGETS.values():
        first = [c.text for c, _ in zip(cases_for(target, "s"), range(3), strict=False)]
        again = [c.text for c, _ in zip(cases_for(target, "s"), range(3), strict=False)]
        assert first == again


def test_every_target_has_real_seeds() -> None:
    for target in TARGETS.values():
        assert target.seeds, target.name
        assert all(seed.path.is_file() for seed in target.seeds), target.name


def test_mutations_change_the_input() -> None:
    for target in TARGETS.values():
        changed = 0
        for index in range(10):
            case = next(cases_for(target, "change", start=index))
            changed += case.text != case.seed.path.read_text(encoding="utf-8")
        assert changed >= 8, target.name


def test_harness_random_is_independent_of_global_state() -> None:
    random.seed(1)
    a = next(cases_for(TARGETS["policy"], "x")).text
    random.seed(2)
    b = next(cases_for(TARGETS["policy"], "x")).text
    assert a == b
