"""Shared paths for the loader tests."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
SHARED = Path("/work/shared/data")
GAAD_DIR = SHARED / "gaad"


def shared(path: str) -> Path:
    """A file of the shared real inputs; the test is skipped where they are not mounted."""
    full = SHARED / path
    if not full.exists():
        pytest.skip(f"{full} is not available")
    return full
