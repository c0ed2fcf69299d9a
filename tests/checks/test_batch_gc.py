"""The batch's collector schedule is scoped: thresholds and frozen objects restored on exit."""

from __future__ import annotations

import gc

import pytest

from iamsim.checks.batch_gc import batch_collector


def test_thresholds_raised_inside_and_restored_after() -> None:
    before = gc.get_threshold()
    with batch_collector():
        inside = gc.get_threshold()
        assert inside[0] > before[0]
        assert gc.get_freeze_count() > 0  # what existed before the batch is frozen
        assert gc.isenabled()  # still collecting: cyclic garbage stays bounded
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_restored_when_the_batch_raises() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), batch_collector():
        raise RuntimeError("boom")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_cyclic_garbage_made_inside_is_still_collected() -> None:
    class Node:
        def __init__(self) -> None:
            self.me = self

    with batch_collector():
        for _ in range(250_000):  # beyond the raised young threshold: a collection runs
            Node()
        assert gc.get_count()[0] < 250_000
