"""Guarantee 2 of docs/security.md: loading inputs and running the commands executes no
code and fetches nothing.

Every example and real input is loaded, and the main commands run in-process, with every way
out of the process (sockets, name lookups, HTTP, subprocesses, ``os.system``/``exec*``/
``spawn*``/``fork``, native libraries) replaced by a recorder that raises: the test asserts
that nothing even tried (a caught exception would still be recorded). A static test keeps
the means out of the source: no unsafe YAML loader, no ``eval``/``exec``, no pickle, no
subprocess, socket or HTTP modules in ``src/iamsim`` outside an explicit allow-list.
"""

from __future__ import annotations

import ast
import ctypes
import http.client
import os
import socket
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from iamsim.cli.main import cli
from iamsim.ingest import load_inputs

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "iamsim"
EXAMPLES = SRC / "examples"
REAL = ROOT / "tests" / "real_inputs"
MODEL = EXAMPLES / "organization" / "model"


class Escape(RuntimeError):
    """Raised by every patched way out of the process."""


@pytest.fixture
def sealed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Patch every way out of the process; yield the list of what was attempted."""
    attempts: list[str] = []

    def recorder(name: str):  # type: ignore[no-untyped-def]
        def refuse(*args: object, **kwargs: object) -> object:
            attempts.append(f"{name}{args[:2]!r}")
            raise Escape(f"{name} called")

        return refuse

    targets: list[tuple[object, str]] = [
        (socket, "socket"),
        (socket, "create_connection"),
        (socket, "getaddrinfo"),
        (socket, "gethostbyname"),
        (socket, "socketpair"),
        (subprocess, "Popen"),
        (subprocess, "run"),
        (subprocess, "call"),
        (subprocess, "check_output"),
        (os, "system"),
        (os, "popen"),
        (os, "fork"),
        (os, "forkpty"),
        (os, "posix_spawn"),
        (os, "posix_spawnp"),
        (urllib.request, "urlopen"),
        (urllib.request, "urlretrieve"),
        (http.client.HTTPConnection, "connect"),
        (ctypes, "CDLL"),
        (ctypes, "PyDLL"),
        (ctypes.cdll, "LoadLibrary"),
    ]
    targets += [(os, name) for name in dir(os) if name.startswith(("exec", "spawn"))]
    for owner, name in targets:
        if hasattr(owner, name):
            monkeypatch.setattr(
                owner, name, recorder(f"{getattr(owner, '__name__', owner)}.{name}")
            )
    yield attempts


def _inputs() -> list[Path]:
    """Every example and real input, as the loaders see them (files and Terraform folders)."""
    paths = [
        *sorted(MODEL.glob("*.json")),
        *sorted(MODEL.glob("*.yaml")),
        *sorted((REAL / "gaad").glob("*.json")),
        *sorted(p for p in (REAL / "terraform").iterdir() if p.is_dir()),
        *sorted(p for p in (EXAMPLES / "organization" / "terraform").iterdir() if p.is_dir()),
        ROOT / "tests" / "ingest" / "cloudformation" / "data" / "iam.yaml",
        ROOT / "tests" / "ingest" / "cloudformation" / "data" / "template.json",
    ]
    missing = [p for p in paths if not p.exists()]
    assert not missing, missing
    return paths


def test_loading_every_input_runs_and_fetches_nothing(sealed: list[str]) -> None:
    for path in _inputs():
        world = load_inputs([path])
        assert world.accounts or world.notes or world.organization is not None, path
    assert sealed == []


_COMMANDS: list[list[str]] = [
    ["eval", *map(str, sorted((EXAMPLES / "scenarios").glob("*.yaml")))],
    ["test", str(EXAMPLES / "organization" / "iam-expectations.yaml")],
    ["validate", *map(str, sorted((REAL / "scp-examples").rglob("*.json"))[:20])],
    ["validate", str(MODEL)],
    ["check", "role/developer", "iam:CreateRole", "*", "-i", str(MODEL)],
    ["explain", "role/developer", "iam:CreateRole", "*", "-i", str(MODEL)],
    ["permissions", "role/developer", "--service", "s3", "-i", str(MODEL)],
    ["who-can", "iam:PassRole", "*", "-i", str(MODEL)],
    ["escalation", "-i", str(MODEL)],
    ["audit", "boundaries", "-i", str(MODEL)],
    [
        "who-can",
        "s3:GetObject",
        "*",
        "-i",
        str(EXAMPLES / "organization" / "terraform" / "workloads"),
    ],
    ["demo"],
]


@pytest.mark.parametrize("argv", _COMMANDS, ids=lambda a: a[0])
def test_commands_run_and_fetch_nothing(sealed: list[str], argv: list[str]) -> None:
    result = CliRunner().invoke(cli, argv)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1), result.output
    assert sealed == []


_REMOTE_SOURCES = [
    "git::https://example.com/network.git?ref=v1.2.0",
    "github.com/hashicorp/example",
    "hashicorp/consul/aws",
    "app.terraform.io/example-corp/k8s-cluster/azurerm",
    "https://example.com/vpc-module.zip",
    "s3::https://s3-eu-west-1.amazonaws.com/examplecorp-terraform-modules/vpc.zip",
    "gcs::https://www.googleapis.com/storage/v1/modules/foomodule.zip",
    "hg::http://example.com/vpc.hg",
]


def test_terraform_remote_module_sources_are_never_fetched(
    sealed: list[str], tmp_path: Path
) -> None:
    blocks = "".join(
        f'module "m{i}" {{\n  source = "{source}"\n}}\n' for i, source in enumerate(_REMOTE_SOURCES)
    )
    (tmp_path / "main.tf").write_text(
        blocks + 'resource "aws_iam_user" "u" {\n  name = "alice"\n}\n',
        encoding="utf-8",
    )
    world = load_inputs([tmp_path])
    assert sealed == []
    for source in _REMOTE_SOURCES:
        # each remote module is named in a note (never fetched, never silently dropped)
        assert any(source in note and "not loaded" in note for note in world.notes), source


# -- static: the means are absent from the source ----------------------------------------------

# Modules whose mere import opens a way out of the process or runs stored code.
_FORBIDDEN_IMPORTS = {
    "pickle",
    "cPickle",
    "dill",
    "shelve",
    "marshal",
    "subprocess",
    "socket",
    "ssl",
    "urllib",
    "requests",
    "httpx",
    "urllib3",
    "aiohttp",
    "http",
    "ftplib",
    "smtplib",
    "ctypes",
    "cffi",
    "multiprocessing",
    "pty",
    "webbrowser",
}
_FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "breakpoint"}
_FORBIDDEN_ATTRIBUTES = {
    ("yaml", "load"),
    ("yaml", "load_all"),
    ("yaml", "unsafe_load"),
    ("yaml", "unsafe_load_all"),
    ("yaml", "full_load"),
    ("yaml", "full_load_all"),
    ("yaml", "Loader"),
    ("yaml", "UnsafeLoader"),
    ("yaml", "FullLoader"),
    ("os", "system"),
    ("os", "popen"),
    ("os", "fork"),
    ("os", "posix_spawn"),
    ("os", "posix_spawnp"),
    ("importlib", "import_module"),
}
_FORBIDDEN_ATTRIBUTE_PREFIXES = {("os", "exec"), ("os", "spawn")}

# Harmless parts of forbidden packages (pure string handling).
_HARMLESS_MODULES = {"urllib.parse"}

# Legitimate uses, by module (relative to src/iamsim) and what they use.
ALLOWED: dict[str, set[str]] = {
    # the package root imports its public names' modules on first use, by fixed names
    "__init__.py": {"importlib.import_module"},
    # the CLI registers its own sub-command modules by fixed names
    "cli/main.py": {"importlib.import_module"},
    # --workers: a pool of iamsim's own worker processes (spawn/forkserver start method) that
    # answer per-account tasks of an organization folder; they run iamsim code, never input
    "scale/runner.py": {"import multiprocessing"},
    # eval's workers: iamsim's own processes, forked for a large scenario file, deciding its
    # scenarios as this process would (the file is input; nothing in it is run)
    "cli/eval_workers.py": {
        "from multiprocessing import ...",
        "from multiprocessing.connection import ...",
        "from multiprocessing.process import ...",
    },
    # --format svg, and only it, runs Graphviz's dot (found on PATH) on the DOT text it wrote
    "report/diagrams.py": {"import subprocess"},
    # --ray HOST:PORT, and only it, first checks that the cluster head the user named accepts
    # a connection (Ray itself would retry for minutes before failing)
    "scale/ray_runner.py": {"import socket"},
}


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in _HARMLESS_MODULES:
                    continue
                if alias.name.split(".")[0] in _FORBIDDEN_IMPORTS:
                    found.append(f"{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            top = node.module.split(".")[0]
            if top in _FORBIDDEN_IMPORTS and node.module not in _HARMLESS_MODULES:
                found.append(f"{node.lineno}: from {node.module} import ...")
            for alias in node.names:
                if (top, alias.name) in _FORBIDDEN_ATTRIBUTES or any(
                    top == mod and alias.name.startswith(p)
                    for mod, p in _FORBIDDEN_ATTRIBUTE_PREFIXES
                ):
                    found.append(f"{node.lineno}: {top}.{alias.name}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in _FORBIDDEN_CALLS:
                found.append(f"{node.lineno}: {node.func.id}(")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            pair = (node.value.id, node.attr)
            if pair in _FORBIDDEN_ATTRIBUTES or any(
                node.value.id == mod and node.attr.startswith(p)
                for mod, p in _FORBIDDEN_ATTRIBUTE_PREFIXES
            ):
                found.append(f"{node.lineno}: {node.value.id}.{node.attr}")
    return found


def _uses_name(violation: str) -> str:
    return violation.split(": ", 1)[1]


def test_source_has_no_means_to_run_code_or_fetch() -> None:
    problems: list[str] = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        allowed = ALLOWED.get(rel, set())
        for violation in _violations(path):
            if _uses_name(violation) not in allowed:
                problems.append(f"src/iamsim/{rel}:{violation}")
    assert problems == [], "\n".join(problems)


def test_allow_list_has_no_stale_entries() -> None:
    for rel, names in ALLOWED.items():
        used = {_uses_name(v) for v in _violations(SRC / rel)}
        assert names <= used, f"{rel}: allowed but unused: {names - used}"


def test_the_static_check_sees_what_it_forbids(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import yaml, pickle\nfrom subprocess import run\nimport os\n"
        "yaml.load('x', Loader=yaml.Loader)\neval('1')\nos.execv('a', [])\n"
        "from urllib.request import urlopen\n",
        encoding="utf-8",
    )
    found = {_uses_name(v) for v in _violations(sample)}
    assert {
        "import pickle",
        "from subprocess import ...",
        "yaml.load",
        "yaml.Loader",
        "eval(",
        "os.execv",
        "from urllib.request import ...",
    } <= found
    harmless = tmp_path / "harmless.py"
    harmless.write_text("from urllib.parse import unquote\nimport urllib.parse\n", encoding="utf-8")
    assert _violations(harmless) == []
