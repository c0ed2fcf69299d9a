"""RayRunner against a real local Ray cluster (one for the module): the same results as a serial
map, workers importing this environment's iamsim and reading the inputs a task names, a task's
exception raised on the driver as itself, bounded tasks in flight, early stops, and a second
driver joining the cluster and leaving it running when it closes."""

from __future__ import annotations

import functools
import os
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from ray_available import require_ray

require_ray()

import ray  # noqa: E402
import ray.cloudpickle  # noqa: E402

import iamsim  # noqa: E402
from iamsim.errors import InputError  # noqa: E402
from iamsim.scale.ray_runner import RayRunner, RayRunnerError, check_address  # noqa: E402

# This module is imported by pytest from tests/scale, which the workers' sys.path does not
# have: ship its task functions by value. (iamsim's own task functions, the production case,
# are pickled by reference and imported on the workers from their installation.)
ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])

MODEL = (
    Path(__file__).resolve().parents[2] / "src" / "iamsim" / "examples" / "organization" / "model"
)


def _square_plus(n: int) -> int:
    return n * n + 1


def _scaled(factor: int, n: int) -> int:
    return factor * n


def _fail_on_13(n: int) -> int:
    if n == 13:
        raise InputError("malformed export", path="/RoleDetailList/13", source=f"accounts/{n}")
    return n


def _roles_in(path: str) -> tuple[str, tuple[str, ...]]:
    """Load one input in the worker, as a per-account task does, and name its roles."""
    world = iamsim.load([path])
    return iamsim.__file__, tuple(sorted(world.roles))


@pytest.fixture(scope="module")
def runner() -> Iterator[RayRunner]:
    started = RayRunner("auto")
    try:
        yield started
    finally:
        started.close()


def test_starts_a_local_cluster_with_this_machines_cpus(runner: RayRunner) -> None:
    assert runner.started_cluster
    assert runner.cluster_cpus() == (os.cpu_count() or 1)


def test_same_results_as_a_serial_map(runner: RayRunner) -> None:
    tasks = range(600)
    got = list(runner.map_unordered(_square_plus, tasks))
    assert sorted(got) == sorted(map(_square_plus, tasks))
    # The same function again reuses its remote function; a partial and a builtin also run.
    assert sorted(runner.map_unordered(_square_plus, [3, 4])) == [10, 17]
    assert sorted(runner.map_unordered(functools.partial(_scaled, 3), range(50))) == [
        3 * n for n in range(50)
    ]
    assert sorted(runner.map_unordered(abs, [-2, 5, -7])) == [2, 5, 7]


def test_no_tasks_no_results(runner: RayRunner) -> None:
    assert list(runner.map_unordered(_square_plus, [])) == []


def test_workers_import_this_iamsim_and_read_the_inputs_named(runner: RayRunner) -> None:
    paths = sorted(str(p) for p in MODEL.glob("gaad-*.json"))
    assert len(paths) == 2
    got = sorted(runner.map_unordered(_roles_in, paths))
    assert got == sorted(map(_roles_in, paths))
    assert {where for where, _ in got} == {iamsim.__file__}
    assert all(roles for _, roles in got)


def test_a_tasks_exception_is_raised_as_itself_naming_the_task(runner: RayRunner) -> None:
    with pytest.raises(InputError) as caught:
        list(runner.map_unordered(_fail_on_13, range(40)))
    error = caught.value
    assert type(error) is InputError
    assert error.describe() == "accounts/13 at /RoleDetailList/13: malformed export"
    assert any("_fail_on_13(13)" in note for note in error.__notes__)
    with pytest.raises(ValueError, match="invalid literal"):
        list(runner.map_unordered(int, ["1", "two", "3"]))
    # The runner stays usable after a failed map.
    assert sorted(runner.map_unordered(_square_plus, [1, 2])) == [2, 5]


def test_tasks_in_flight_are_bounded(runner: RayRunner) -> None:
    limit = runner.in_flight_per_cpu * runner.cluster_cpus()
    taken = 0

    def tasks() -> Iterator[int]:
        nonlocal taken
        for n in range(3000):
            taken += 1
            yield n

    seen = 0
    total = 0
    for result in runner.map_unordered(_square_plus, tasks()):
        seen += 1
        total += result
        # Every task taken and not yet yielded is in flight.
        assert taken - seen < limit
    assert seen == 3000
    assert total == sum(_square_plus(n) for n in range(3000))


def test_stopping_early_takes_no_more_tasks(runner: RayRunner) -> None:
    taken: list[int] = []

    def tasks() -> Iterator[int]:
        for n in range(10_000):
            taken.append(n)
            yield n

    results = runner.map_unordered(_square_plus, tasks())
    first = next(results)
    results.close()  # cancels what is in flight
    assert first in {_square_plus(n) for n in taken}
    assert len(taken) <= runner.in_flight_per_cpu * runner.cluster_cpus()
    assert sorted(runner.map_unordered(_square_plus, [0])) == [1]


def test_addresses_are_checked_before_ray_is_touched() -> None:
    for good in ("auto", "head:6379", "10.0.0.5:6379", "ray://head:10001", "[::1]:6379"):
        assert check_address(good) == good
    for bad in ("", "local", "head", "head:0", "head:70000", "http://head:6379", "a b:1"):
        with pytest.raises(InputError, match="expected auto"):
            check_address(bad)


def test_without_ray_the_error_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now raises ImportError
    with pytest.raises(RayRunnerError, match=r"pip install 'iamsim\[ray\]'"):
        RayRunner("auto")


def test_joining_an_address_where_nothing_listens_fails_fast() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    # Nothing listens on the port once the probe is closed.
    with pytest.raises(RayRunnerError, match="nothing accepts connections"):
        RayRunner(f"127.0.0.1:{free_port}")
    assert ray.is_initialized()  # the module's own cluster is untouched


def test_a_second_runner_in_the_same_process_is_refused(runner: RayRunner) -> None:
    with pytest.raises(RayRunnerError, match="already initialized"):
        RayRunner("auto")


def test_a_joined_cluster_keeps_running_after_close(runner: RayRunner) -> None:
    address = ray.get_runtime_context().gcs_address
    script = textwrap.dedent(
        f"""
        from iamsim.scale.ray_runner import RayRunner
        with RayRunner({address!r}) as joined:
            assert not joined.started_cluster
            print(sorted(joined.map_unordered(abs, [-1, -2, 3])))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[1, 2, 3]"
    # This driver's cluster is still there and still answers.
    assert sorted(runner.map_unordered(_square_plus, [2, 3])) == [5, 10]
