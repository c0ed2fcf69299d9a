"""The cyclic collector is paused inside an analysis question and restored after it."""

from __future__ import annotations

import gc

import pytest

from iamsim.analysis.collector import collector_paused


def test_paused_inside_and_restored_after() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_restored_when_the_question_raises() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("question failed")
    assert gc.isenabled()


def test_an_already_paused_collector_stays_paused() -> None:
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
