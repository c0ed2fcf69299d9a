"""``iamsim eval`` over JSON Lines files in several worker processes, records in file order.

A batch of scenarios is embarrassingly parallel: each line is decided on its own. When
``eval`` writes JSON (``--json``, ``--jsonl``) and reads a named JSON Lines file, the file is
cut into blocks of :data:`BLOCK_LINES` lines and the blocks are decided by worker processes
while this process only finds where the blocks start and writes what the workers return, in
the order of the file. The output -- every record, every error, the summary line, the exit
status -- is byte for byte the one a single process writes (``tests/cli/test_eval_workers.py``);
only the wall time changes.

How:

- the parent reads the file once, line by line through the same reader as the serial path
  (so a line over ``max_file_bytes`` ends the file at the same place, after the records of the
  lines before it), and sends each worker only a block's byte range and first line number:
  messages of a few bytes, which never fill a pipe, so a worker waiting to hand back a block
  of records can never block the parent's next message;
- block ``k`` goes to worker ``k mod N``; each worker answers its blocks in order, and the
  parent reads the answers in the order it sent the blocks, at most ``2 N`` blocks ahead: the
  records come out in file order and memory stays bounded by those blocks' records;
- a worker opens the same file again (with the same refusals), reads its range, and decides
  the lines exactly as the serial path does (:func:`iamsim.cli.eval_cmd.eval_line`), with its
  own caches, which the blocks it gets fill as the single process's would;
- workers are forked from this process once its imports are done (cheap: nothing to import
  again; the collector's view frozen first, see :mod:`iamsim.checks.batch_gc`), and only when
  this process runs no other thread: forking a process with threads can leave a lock held in
  the child. Where that cannot be guaranteed, or off Linux, ``eval`` runs in one process.

By default (:func:`worker_count`) a run whose JSON Lines files add up to at least
:data:`AUTO_BYTES` uses one worker per CPU this process may run on (at most
:data:`AUTO_MAX`); ``--workers 1`` keeps everything in this process.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Sequence
from types import TracebackType
from typing import IO, TYPE_CHECKING

from iamsim import limits
from iamsim.checks.jsonl import (
    decoded_lines,
    is_jsonl_name,
    line_reader,
    numbered_lines,
    open_lines,
    too_long,
)
from iamsim.errors import IamsimError, InputError
from iamsim.ingest.fast_json import SharedMember

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    from iamsim.cli.eval_cmd import EvalRun, Mode, Tally

# Lines per block: enough that a block's messages cost little beside deciding it (a few
# milliseconds of work), few enough that the blocks in flight hold little memory.
BLOCK_LINES = 256
# The JSON Lines input (bytes, all files together) from which a run uses workers by default:
# below it (about a thousand scenarios) starting them costs more than they save.
AUTO_BYTES = 2 << 20
AUTO_MAX = 8

# A block: (file name, source label, start offset, end offset, its first line number).
_Block = tuple[str, str, int, int, int]
# A block's answer: (records written, tally, exit status, lines handled).
_Answer = tuple[bytes, "Tally", int, int]


def can_fork() -> bool:
    """Whether workers may be forked from this process now (see the module)."""
    # multiprocessing itself (about 15 ms of imports) is loaded only when workers start.
    return sys.platform.startswith("linux") and threading.active_count() == 1


def worker_count(requested: int | None, files: Sequence[str], machine: bool) -> int:
    """How many worker processes a run over ``files`` uses: ``requested`` when given, else
    one per CPU (at most :data:`AUTO_MAX`) when the JSON Lines ``files`` add up to
    :data:`AUTO_BYTES`; 1 (this process alone) whenever workers cannot serve: text output
    (``machine`` False), no named JSON Lines file, or no safe way to start them."""
    if not machine or not can_fork():
        return 1
    named = [name for name in files if name != "-" and is_jsonl_name(name)]
    if not named:
        return 1
    if requested is not None:
        return requested
    total = 0
    for name in named:
        try:
            total += os.stat(name).st_size
        except OSError:  # reported when the file is read
            continue
    if total < AUTO_BYTES:
        return 1
    return max(1, min(len(os.sched_getaffinity(0)), AUTO_MAX))


class EvalWorkers:
    """``count`` forked worker processes deciding blocks of JSON Lines files (see the
    module). A context manager: leaving it stops the workers."""

    def __init__(self, count: int, mode: Mode) -> None:
        from multiprocessing import get_context

        context = get_context("fork")
        sys.stdout.flush()  # nothing buffered may be written twice (by a child at exit)
        self._connections: list[Connection] = []
        self._processes: list[BaseProcess] = []
        for _ in range(count):
            ours, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(theirs, mode), daemon=True)
            process.start()
            theirs.close()
            self._connections.append(ours)
            self._processes.append(process)
        self._next = 0

    def __enter__(self) -> EvalWorkers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker (asked to, then made to)."""
        for connection in self._connections:
            with contextlib.suppress(OSError):  # a worker already gone
                connection.send(None)
            connection.close()
        for process in self._processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
        self._connections.clear()
        self._processes.clear()

    def eval_file(self, stream: IO[bytes], name: str, run: EvalRun) -> None:
        """Decide the JSON Lines file ``name`` (open as ``stream``, unread) into ``run``:
        records written to standard output in file order, tally and status merged; raises
        the InputError of a line too long (after the records of the lines before it)."""
        limit = limits.current().max_file_bytes
        pending: deque[int] = deque()
        offset = start = 0
        number = 0
        first = 1
        while True:
            line = stream.readline(limit + 1)
            if not line:
                break
            number += 1
            if len(line) > limit:
                if offset > start:
                    self._send((name, name, start, offset, first), pending, run)
                self._drain(pending, run)
                raise too_long(number, limit, name)
            offset += len(line)
            if number - first + 1 == BLOCK_LINES:
                self._send((name, name, start, offset, first), pending, run)
                start, first = offset, number + 1
        if offset > start:
            self._send((name, name, start, offset, first), pending, run)
        self._drain(pending, run)

    def _send(self, block: _Block, pending: deque[int], run: EvalRun) -> None:
        if len(pending) >= 2 * len(self._connections):
            self._collect(pending.popleft(), run)
        worker = self._next
        self._next = (worker + 1) % len(self._connections)
        try:
            self._connections[worker].send(block)
        except OSError:  # a broken pipe to the worker (not standard output's)
            raise _lost() from None
        pending.append(worker)

    def _drain(self, pending: deque[int], run: EvalRun) -> None:
        while pending:
            self._collect(pending.popleft(), run)

    def _collect(self, worker: int, run: EvalRun) -> None:
        """The next answer of ``worker``, written and merged into ``run``."""
        try:
            records, tally, status, handled = self._connections[worker].recv()
        except (EOFError, OSError):
            raise _lost() from None
        sys.stdout.buffer.write(records)
        run.merge(tally, status, handled)


def _lost() -> IamsimError:
    return IamsimError(
        "an eval worker process ended abruptly (out of memory?); retry with --workers 1"
    )


def _serve(connection: Connection, mode: Mode) -> None:
    """A worker: decide each block the parent sends, answer with its records, until told to
    stop (None) or the parent is gone."""
    from iamsim.cli.eval_cmd import EvalRun
    from iamsim.cli.progress import silent

    # Ctrl-C reaches every process of the terminal's group: the parent alone handles it (and
    # then stops the workers), so no worker prints a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    captured = io.BytesIO()
    # What eval writes goes to standard output's buffer: here, the block's answer.
    sys.stdout = io.TextIOWrapper(captured, encoding="utf-8", write_through=True)
    run = EvalRun(mode, silent)
    reader = line_reader()
    with contextlib.suppress(EOFError, OSError):  # the parent is gone: nobody to answer
        while _answer(connection, run, reader, captured):
            pass


def _answer(
    connection: Connection, run: EvalRun, reader: SharedMember, captured: io.BytesIO
) -> bool:
    """Decide the next block the parent sends and answer it; False when told to stop."""
    from iamsim.cli.eval_cmd import EXIT_OK, Tally, eval_line

    block: _Block | None = connection.recv()
    if block is None:
        return False
    name, source, start, end, first = block
    run.tally, run.status, run.done = Tally(), EXIT_OK, 0
    try:
        with open_lines(name, source) as stream:
            stream.seek(start)
            lines = numbered_lines(stream, source, first=first, end=end - start)
            for number, label, item in decoded_lines(lines, source, reader):
                eval_line(run, source, number, label, item)
    except InputError as exc:  # the file changed or vanished since the parent read it
        run.error(None, exc)
    sys.stdout.flush()
    answer: _Answer = (captured.getvalue(), run.tally, run.status, run.done)
    connection.send(answer)
    captured.seek(0)
    captured.truncate()
    return True
