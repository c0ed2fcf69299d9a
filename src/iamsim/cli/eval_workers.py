"""``iamsim eval`` of a large scenario file in several worker processes, records in order.

A batch of scenarios is embarrassingly parallel: each scenario is decided on its own. When
``eval`` writes JSON (``--json``, ``--jsonl``) and reads a named scenario file of
:data:`AUTO_BYTES` or more, the file's scenarios are cut into blocks and the blocks decided by
worker processes while this process hands out the blocks and writes what the workers return,
in the order of the file. The output -- every record, every error, the summary line, the exit
status -- is byte for byte the one a single process writes (``tests/cli/test_eval_workers.py``);
only the wall time changes.

How:

- a JSON Lines file: this process reads it once, line by line through the same reader as the
  serial path (so a line over ``max_file_bytes`` ends the file at the same place, after the
  records of the lines before it), and sends a worker only a block's byte range and first
  line number; the worker reads its range from the file this process opened (inherited:
  nothing is opened again by name, so nothing else can be read if the path changes), at its
  own offsets (``os.pread``), one line at a time. Memory stays constant however long the file;
- a JSON or YAML file (one document): this process reads and decodes it, as the serial path
  does, then forks the workers, which so hold the decoded items without copying them; a
  block is a range of item indexes;
- either way a message to a worker is a few bytes, which never fills a pipe, so a worker
  waiting to hand back a block of records can never block the next message; block ``k``
  goes to worker ``k mod N``, each worker answers its blocks in order, and this process reads
  the answers in the order it sent the blocks, at most ``2 N`` blocks ahead: the records come
  out in file order, and memory is bounded by those blocks' records;
- a worker decides a scenario exactly as the serial path does
  (:func:`iamsim.cli.eval_cmd.eval_line`, :func:`iamsim.cli.eval_cmd.eval_item`), with its
  own caches, which the blocks it gets fill as the single process's would;
- workers are forked for the file, from this process with its imports done (nothing to
  import again; the collector's view frozen first, see :mod:`iamsim.checks.batch_gc`), and
  only when this process runs no other thread: forking a process with threads can leave a
  lock held in the child. Where that cannot be guaranteed, or off Linux, the file is decided
  in this process.

By default (:func:`worker_plan`) a file uses one worker per CPU this process may run on (at
most :data:`AUTO_MAX`) from :data:`AUTO_BYTES` on; ``--workers N`` uses N for every named
file, ``--workers 1`` none.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sys
import threading
from collections import deque
from dataclasses import dataclass
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any

from iamsim.checks.jsonl import decoded_lines, every_line, line_reader, numbered_lines
from iamsim.cli.eval_cmd import EXIT_OK, EvalRun, Mode, Tally, eval_item, eval_line
from iamsim.cli.progress import silent
from iamsim.errors import IamsimError, InputError
from iamsim.ingest.fast_json import SharedMember

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    from iamsim.checks.scenarios import ScenarioItems

# Lines (or items) per block: enough that a block's messages cost little beside deciding it
# (a few milliseconds of work), few enough that the blocks in flight hold little memory.
BLOCK_LINES = 256
# The size of a scenario file (bytes) from which it is decided by workers by default: below
# it (about a thousand scenarios) starting them costs more than they save.
AUTO_BYTES = 2 << 20
AUTO_MAX = 8

# A block of a JSON Lines file: ("lines", its file descriptor (inherited), source label,
# start offset, end offset, its first line number); of a decoded file: ("items", first
# index, end index).
_Block = tuple[Any, ...]
# A block's answer: (records written, tally, exit status, scenarios handled).
_Answer = tuple[bytes, Tally, int, int]


@dataclass(frozen=True)
class WorkerPlan:
    """How many worker processes a file is decided by, and from what size on."""

    count: int
    min_bytes: int

    def applies(self, size: int) -> bool:
        """Whether a file of ``size`` bytes is decided by workers (and can be, now)."""
        return size >= self.min_bytes and can_fork()

    def start(self, mode: Mode, items: ScenarioItems | None = None) -> EvalWorkers:
        """The workers for one file (``items``: a decoded file's, which they inherit)."""
        return EvalWorkers(self.count, mode, items)


def can_fork() -> bool:
    """Whether workers may be forked from this process now (see the module)."""
    # multiprocessing itself (about 15 ms of imports) is loaded only when workers start.
    return sys.platform.startswith("linux") and threading.active_count() == 1


def worker_plan(requested: int | None, machine: bool) -> WorkerPlan | None:
    """The workers of a run (None: every file in this process): ``requested`` for every named
    file when given, else one per CPU (at most :data:`AUTO_MAX`) for files of
    :data:`AUTO_BYTES` or more; none for text output (``machine`` False) or off Linux."""
    if not machine or not sys.platform.startswith("linux"):
        return None
    if requested is not None:
        return WorkerPlan(requested, 0) if requested > 1 else None
    count = min(len(os.sched_getaffinity(0)), AUTO_MAX)
    return WorkerPlan(count, AUTO_BYTES) if count > 1 else None


class EvalWorkers:
    """``count`` worker processes forked for one file (see the module); ``items``: the
    decoded items of a JSON or YAML file, which the workers inherit. A context manager:
    leaving it stops the workers."""

    def __init__(self, count: int, mode: Mode, items: ScenarioItems | None = None) -> None:
        from multiprocessing import get_context

        from iamsim.catalog import service_reference

        context = get_context("fork")
        # Built here once, before the fork, instead of once in every worker: the decoder of
        # scenario lines (msgspec's, with its import) and the catalogue's index, which
        # deciding a request that names an ARN reads (about 12 ms of CPU per worker).
        reader = line_reader() if items is None else None
        service_reference()
        sys.stdout.flush()  # nothing buffered may be written twice (by a child at exit)
        self._connections: list[Connection] = []
        self._processes: list[BaseProcess] = []
        for _ in range(count):
            ours, theirs = context.Pipe()
            # Forked: the arguments are the child's copy of this memory, not pickled.
            process = context.Process(
                target=_serve, args=(theirs, mode, items, reader), daemon=True
            )
            process.start()
            theirs.close()
            self._connections.append(ours)
            self._processes.append(process)
        self._next = 0
        self._pending: deque[int] = deque()

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

    def eval_lines(self, stream: IO[bytes], name: str, run: EvalRun) -> None:
        """Decide the JSON Lines file ``name`` (open as ``stream``, unread) into ``run``:
        records written to standard output in file order, tally and status merged; raises
        the InputError of a line too long (after the records of the lines before it)."""
        fd = stream.fileno()
        offset = start = 0
        first = 1

        def finish() -> None:
            """The lines read before the end, or before a line too long, then every answer."""
            if offset > start:
                self._send(("lines", fd, name, start, offset, first), run)
            self._drain(run)

        try:
            for number, line in every_line(stream, name):
                offset += len(line)
                if number - first + 1 == BLOCK_LINES:
                    self._send(("lines", fd, name, start, offset, first), run)
                    start, first = offset, number + 1
        except InputError:
            finish()
            raise
        finish()

    def eval_items(self, count: int, run: EvalRun) -> None:
        """Decide the ``count`` items the workers were forked with into ``run`` (records in
        order, tally and status merged)."""
        for start in range(0, count, BLOCK_LINES):
            self._send(("items", start, min(start + BLOCK_LINES, count)), run)
        self._drain(run)

    def _send(self, block: _Block, run: EvalRun) -> None:
        if len(self._pending) >= 2 * len(self._connections):
            self._collect(self._pending.popleft(), run)
        worker = self._next
        self._next = (worker + 1) % len(self._connections)
        try:
            self._connections[worker].send(block)
        except OSError:  # a broken pipe to the worker (not standard output's)
            raise _lost() from None
        self._pending.append(worker)

    def _drain(self, run: EvalRun) -> None:
        while self._pending:
            self._collect(self._pending.popleft(), run)

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


def _serve(
    connection: Connection,
    mode: Mode,
    items: ScenarioItems | None,
    reader: SharedMember | None,
) -> None:
    """A worker: decide each block the parent sends, answer with its records, until told to
    stop (None) or the parent is gone."""
    # Ctrl-C reaches every process of the terminal's group: the parent alone handles it (and
    # then stops the workers), so no worker prints a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    captured = io.BytesIO()
    # What eval writes goes to standard output's buffer: here, the block's answer.
    sys.stdout = io.TextIOWrapper(captured, encoding="utf-8", write_through=True)
    worker = _Worker(EvalRun(mode, silent), reader or line_reader(), items, captured)
    with contextlib.suppress(EOFError, OSError):  # the parent is gone: nobody to answer
        while worker.answer(connection):
            pass


class _Worker:
    """A worker's state across the blocks of its file: the run (its caches) and readers."""

    def __init__(
        self,
        run: EvalRun,
        reader: SharedMember,
        items: ScenarioItems | None,
        captured: io.BytesIO,
    ) -> None:
        self.run = run
        self.reader = reader
        self.items = items
        self.captured = captured

    def answer(self, connection: Connection) -> bool:
        """Decide the next block the parent sends and answer it; False when told to stop."""
        block: _Block | None = connection.recv()
        if block is None:
            return False
        run = self.run
        run.tally, run.status, run.done = Tally(), EXIT_OK, 0
        if block[0] == "lines":
            self._lines(*block[1:])
        else:
            assert self.items is not None  # forked with the items of the file
            for index in range(block[1], block[2]):
                eval_item(run, self.items, index)
        sys.stdout.flush()
        answer: _Answer = (self.captured.getvalue(), run.tally, run.status, run.done)
        connection.send(answer)
        self.captured.seek(0)
        self.captured.truncate()
        return True

    def _lines(self, fd: int, source: str, start: int, end: int, first: int) -> None:
        stream = io.BufferedReader(_Range(fd, start, end), _BUFFER)
        try:
            lines = numbered_lines(stream, source, first=first)
            for number, label, item in decoded_lines(lines, source, self.reader):
                eval_line(self.run, source, number, label, item)
        except InputError as exc:  # the file changed since the parent read it
            self.run.error(None, exc)
        except OSError as exc:
            self.run.error(None, InputError(f"cannot read file: {exc.strerror}", source=source))


# What a worker reads of its range at a time (a line longer than it is read in parts).
_BUFFER = 1 << 20


class _Range(io.RawIOBase):
    """Bytes ``start`` to ``end`` of the open file ``fd``, read at this reader's own offsets
    (``os.pread``): the file the parent opened, whose shared offset is the parent's."""

    def __init__(self, fd: int, start: int, end: int) -> None:
        super().__init__()
        self._fd = fd
        self._at = start
        self._end = end

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = min(len(buffer), self._end - self._at)
        if size <= 0:
            return 0
        data = os.pread(self._fd, size, self._at)
        buffer[: len(data)] = data
        self._at += len(data)
        return len(data)
