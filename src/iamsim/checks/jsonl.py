"""Scenario files in JSON Lines: read one line at a time, in constant memory.

A batch of a million scenarios is a file of a gigabyte or more: it is never held whole. The
file is opened with the refusals every input gets (devices, FIFOs, sockets, directories and
system pseudo-files refused; see :mod:`iamsim.ingest.read_scope`), then read line by line
through a fixed buffer. What bounds memory is the line: one longer than
``limits.max_file_bytes`` is refused (and the file with it: the reader cannot find the next
line without reading this one), blank lines are skipped, and each line is one scenario (a JSON
object), read by :mod:`iamsim.ingest.fast_json` and labelled ``FILE line N`` in its errors.
A ``policies`` block that recurs byte for byte is decoded once and shared
(:class:`~iamsim.ingest.fast_json.SharedMember`; memory bounded by its LRU of blocks).
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable, Iterator
from typing import IO, Any

from iamsim import limits
from iamsim.checks.scenarios import SCENARIO_FIELDS
from iamsim.errors import InputError
from iamsim.ingest import fast_json

# ingest's refusal rules for paths (its private helpers; public under another name at merge?).
from iamsim.ingest.read_scope import ReadRefused, is_special_path, resolved_path

_BOM = b"\xef\xbb\xbf"
_BUFFER = 1 << 20


def is_jsonl_name(name: str) -> bool:
    """Whether the file ``name`` is read as JSON Lines (by its extension)."""
    return name.lower().endswith((".jsonl", ".ndjson"))


def open_lines(path: str, source: str) -> IO[bytes]:
    """The regular file ``path`` opened for reading lines (InputError naming ``source`` when it
    cannot be: missing, a directory, a device, FIFO or pseudo-file)."""
    target = resolved_path(path)
    if is_special_path(target):
        raise ReadRefused(f"not a regular file ({target} is a system pseudo-file)", source=source)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(target, flags)
    except FileNotFoundError:
        raise InputError("no such file or directory", source=source) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a scenario file", source=source) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", source=source) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise InputError("is a directory, not a scenario file", source=source)
        raise ReadRefused("not a regular file (a device, FIFO or socket)", source=source)
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb", buffering=_BUFFER)


def stdin_lines() -> IO[bytes]:
    """Standard input, as bytes."""
    return sys.stdin.buffer


def scenario_lines(
    stream: IO[bytes], source: str
) -> Iterator[tuple[int, str, dict[str, Any] | InputError]]:
    """(line number, label, the scenario object or the InputError saying why it is not one)
    for every non-blank line of ``stream``; raises InputError for a line too long to read."""
    return decoded_lines(numbered_lines(stream, source), source)


def numbered_lines(
    stream: IO[bytes], source: str, *, first: int = 1
) -> Iterator[tuple[int, bytes]]:
    """(line number, line) for every non-blank line of ``stream`` read from where it stands,
    whose first line is number ``first`` (a byte order mark dropped from line 1); raises
    InputError (:func:`too_long`) for a line longer than ``limits.max_file_bytes``."""
    for number, line in every_line(stream, source, first=first):
        if number == 1 and line.startswith(_BOM):
            line = line[len(_BOM) :]
        if line.strip():
            yield number, line


def every_line(stream: IO[bytes], source: str, *, first: int = 1) -> Iterator[tuple[int, bytes]]:
    """(line number, line as written) for every line of ``stream`` read from where it stands
    (blank ones too); raises InputError (:func:`too_long`) for a line longer than
    ``limits.max_file_bytes``, which ends the reading."""
    limit = limits.current().max_file_bytes
    number = first - 1
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit:
            raise too_long(number, limit, source)
        yield number, line


def too_long(number: int, limit: int, source: str) -> InputError:
    """The error for line ``number`` being longer than ``limit`` bytes (which ends the file:
    the next line cannot be found without reading this one)."""
    return InputError(
        f"line {number} is longer than {limit} bytes (raise it with --limit max_file_bytes=N)",
        source=source,
    )


def line_reader() -> fast_json.SharedMember:
    """The decoder of scenario lines: scenarios of a batch often carry the same policies
    block, byte for byte, decoded once, one object for all (which policy_cache then
    recognises by identity)."""
    return fast_json.SharedMember("policies", SCENARIO_FIELDS)


def decoded_lines(
    lines: Iterable[tuple[int, bytes]],
    source: str,
    reader: fast_json.SharedMember | None = None,
) -> Iterator[tuple[int, str, dict[str, Any] | InputError]]:
    """(line number, label, the scenario object or the InputError saying why it is not one)
    for each numbered line; ``reader``: a :func:`line_reader` kept from earlier lines."""
    if reader is None:
        reader = line_reader()
    for number, line in lines:
        label = f"{source} line {number}"
        try:
            item = reader.loads(line, label)
        except InputError as exc:
            yield number, label, exc
            continue
        except RecursionError:
            yield number, label, InputError("the document is nested too deeply", source=label)
            continue
        if not isinstance(item, dict):
            yield (
                number,
                label,
                InputError(
                    "a JSON Lines scenario file holds one scenario (a JSON object) per line",
                    source=label,
                ),
            )
            continue
        yield number, label, item
