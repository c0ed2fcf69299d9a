"""Reading the files the checks are given: policy documents, scenario and expectations files.

The one place in :mod:`iamsim.checks` that reads a file (or standard input). It reads through
ingest's readers, so these files get exactly what every input gets: the size cap of
:mod:`iamsim.limits`, devices, FIFOs and system pseudo-files refused, UTF-8 required, and JSON
or YAML parsed with located errors (``invalid YAML at line 3 column 1: ...``). Inputs that
describe a world (IAM exports, Terraform, ...) are not read here: :func:`iamsim.ingest.load_input`
reads those, inside the folder the user named.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from iamsim.errors import InputError
from iamsim.ingest.documents import parse_text

# ingest's file readers; that module is being made public (its name may change at merge).
from iamsim.ingest.files import read_text
from iamsim.ingest.read_scope import decode_text, read_bounded_stream

STDIN = "-"  # the name that stands for standard input
STDIN_SOURCE = "<stdin>"


def read_file_text(path: Path | str, source: str | None = None) -> str:
    """The text of the regular file ``path`` (InputError naming ``source`` when it cannot be
    read: missing, too large, not UTF-8, a device or a directory)."""
    return read_text(path, source if source is not None else str(path))


def parse_document(text: str, source: str) -> Any:
    """JSON (when the text starts like JSON, for exact positions) or YAML, with the same
    located messages as every other input file."""
    return parse_text(text, source)


def read_document(path: Path | str, source: str | None = None) -> Any:
    """The parsed JSON or YAML document of the file ``path``."""
    label = source if source is not None else str(path)
    return parse_document(read_file_text(path, label), label)


def read_texts(names: Sequence[str], *, kind: str) -> list[tuple[str, str | InputError]]:
    """(source, text) of each named file, ``-`` being standard input (also when ``names`` is
    empty); a file that cannot be read gives the InputError saying why in place of its text,
    so the others are still read. ``kind`` names what a file should be, for a directory given
    in its place (``is a directory, not a scenario file``)."""
    out: list[tuple[str, str | InputError]] = []
    for name in names or (STDIN,):
        source = STDIN_SOURCE if name == STDIN else name
        path = Path(name)
        try:
            if name == STDIN:
                text = decode_text(read_bounded_stream(sys.stdin.buffer, source), source)
            elif not path.exists():
                raise InputError("no such file or directory", source=source)
            elif path.is_dir():
                raise InputError(f"is a directory, not a {kind}", source=source)
            else:
                text = read_file_text(path, source)
        except InputError as exc:
            out.append((source, exc))
            continue
        out.append((source, text))
    return out
