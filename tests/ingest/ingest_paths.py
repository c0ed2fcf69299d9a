"""Shared paths for the loader tests."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[1] / "real_inputs"
GAAD_DIR = SHARED / "gaad"


def shared(path: str) -> Path:
    """A file of the real inputs vendored in tests/real_inputs (see its README)."""
    return SHARED / path
