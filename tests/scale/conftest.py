"""A small generated organization folder (bench/gen_org.py: 5 accounts x 20 roles)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="session")
def org_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(BENCH))
    try:
        import gen_org
    finally:
        sys.path.remove(str(BENCH))
    return Path(gen_org.write(tmp_path_factory.mktemp("org"), accounts=5, roles=20, seed=11))
