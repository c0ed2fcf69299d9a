"""RayRunner("auto").close() shuts down the local cluster it started: its head's port is closed
and none of the Ray processes it spawned is left running. (Its own module: one process holds one
Ray connection, and test_ray_runner.py's cluster is closed when that module ends.)"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from ray_available import require_ray

require_ray()

import ray  # noqa: E402

from iamsim.scale.ray_runner import RayRunner, RayRunnerError  # noqa: E402


def _live_parents() -> dict[int, int]:
    """Each live (not zombie) process and its parent, from /proc (Linux, as CI is)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # gone while we looked
        fields = text.rsplit(")", 1)[1].split()
        if fields[0] != "Z":
            parents[int(stat.parent.name)] = int(fields[1])
    return parents


def _descendants(pid: int) -> set[int]:
    """The live processes under ``pid``."""
    parents = _live_parents()
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def _port_open(address: str) -> bool:
    host, port = address.rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_close_shuts_down_the_cluster_it_started() -> None:
    before = _descendants(os.getpid())
    runner = RayRunner("auto")
    assert sorted(runner.map_unordered(abs, [-4, 4])) == [4, 4]
    head = ray.get_runtime_context().gcs_address
    spawned = _descendants(os.getpid()) - before
    assert spawned, "the local cluster runs in processes under this one"
    assert _port_open(head)

    runner.close()
    runner.close()  # idempotent

    assert not ray.is_initialized()
    assert not _port_open(head)
    # Checked by process ID, not by parent: a worker whose raylet died would be re-parented.
    assert not (set(_live_parents()) & spawned)
    with pytest.raises(RayRunnerError, match="closed"):
        next(runner.map_unordered(abs, [1]))
