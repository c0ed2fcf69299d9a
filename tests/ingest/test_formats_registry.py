"""The public registry of input formats (iamsim.formats): built-ins listed explicitly, user
formats added and removed, detection by content, and the docs/inputs.md example."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import iamsim.formats
from iamsim.errors import InputError
from iamsim.formats import InputFile, InputFormat
from iamsim.ingest import load_input
from iamsim.model import World

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"
SRC = ROOT / "src" / "iamsim"


def test_built_in_formats_are_the_registered_ones() -> None:
    names = [f.name for f in iamsim.formats.all()]
    assert sorted(names) == sorted(f.name for f in iamsim.formats.BUILTIN_FORMATS)
    assert {
        "cloudformation",
        "gaad",
        "organization",
        "organization-cli",
        "resources",
        "terraform",
        "terraform-plan",
    } <= set(names)


def test_detect_takes_a_path_or_an_input_file() -> None:
    assert iamsim.formats.detect(DATA / "gaad-small.json").name == "gaad"
    assert iamsim.formats.detect(str(DATA / "org-tree.yaml")).name == "organization"
    assert iamsim.formats.detect(InputFile(DATA / "resources.yaml")).name == "resources"


def test_detect_names_the_file_no_format_claims(tmp_path: Path) -> None:
    stray = tmp_path / "stray.json"
    stray.write_text('{"Something": []}')
    with pytest.raises(InputError, match="not a recognised input") as info:
        iamsim.formats.detect(stray)
    assert info.value.source == str(stray)


def test_two_formats_claiming_a_file_is_an_error_and_replace_overrides(tmp_path: Path) -> None:
    gaad = next(f for f in iamsim.formats.all() if f.name == "gaad")
    rival = InputFormat("rival", "claims GAAD files too", gaad.detect, lambda f: World())
    iamsim.formats.register(rival)
    try:
        with pytest.raises(InputError, match=r"several input formats \(gaad, rival\)"):
            load_input(DATA / "gaad-small.json")
        with pytest.raises(ValueError, match="already registered"):
            iamsim.formats.register(rival)
        # A built-in may be replaced by name (and restored).
        quiet = InputFormat("gaad", gaad.description, lambda f: False, gaad.load)
        iamsim.formats.register(quiet, replace=True)
        assert iamsim.formats.detect(DATA / "gaad-small.json").name == "rival"
    finally:
        iamsim.formats.register(gaad, replace=True)
        iamsim.formats.unregister("rival")
    assert iamsim.formats.detect(DATA / "gaad-small.json").name == "gaad"
    with pytest.raises(KeyError):
        iamsim.formats.unregister("rival")


def test_nothing_inside_iamsim_imports_the_front_module() -> None:
    # iamsim.formats is a front end for library users; the package uses the registry itself.
    # Only the package root names it, to hand it to users as ``iamsim.formats``.
    offenders = []
    for path in SRC.rglob("*.py"):
        if path in (SRC / "formats.py", SRC / "__init__.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(n == "iamsim.formats" or n.startswith("iamsim.formats.") for n in names):
                offenders.append(str(path.relative_to(SRC)))
    assert offenders == []


def test_the_documented_example_runs() -> None:
    page = (ROOT / "docs" / "inputs.md").read_text(encoding="utf-8")
    section = page.split("## Adding an input format", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    namespace: dict[str, object] = {"__name__": "docs_inputs_example"}
    exec(compile(block, "docs/inputs.md", "exec"), namespace)
    # The example cleans up after itself: the registry holds the built-ins again.
    assert "team-users" not in {f.name for f in iamsim.formats.all()}
    assert namespace["world"] is not None
