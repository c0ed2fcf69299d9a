"""The task-runner protocol and the runners on this machine.

A question about a whole organization is split into independent tasks (one per account or
per shard of principals); a :class:`TaskRunner` maps a module-level function over them and
yields results as they finish, in any order (callers merge and sort). ``fn`` must be
picklable by reference (a module-level function) and tasks and results small picklable
values, so the same tasks run in this process (:class:`SerialRunner`), in a pool of worker
processes (:class:`ProcessRunner`, ``--workers N``) or on a Ray cluster (``--ray``, the
:mod:`iamsim.scale.ray_runner` module, imported only when asked for).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Protocol, TypeVar

from iamsim.errors import IamsimError, InputError

__all__ = ["ProcessRunner", "SerialRunner", "TaskRunner", "runner_for"]

T = TypeVar("T")
R = TypeVar("R")

RAY_EXTRA_MESSAGE = "--ray needs the ray extra: pip install 'iamsim[ray]'"


class TaskRunner(Protocol):
    """Runs ``fn`` over tasks, yielding each result as its task finishes (any order)."""

    def map_unordered(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[R]: ...

    def close(self) -> None: ...


class SerialRunner:
    """Every task in this process, in order (``--workers 1``; also the reference answer)."""

    workers = 1

    def map_unordered(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[R]:
        for task in tasks:
            yield fn(task)

    def close(self) -> None:
        return None


class ProcessRunner:
    """Tasks in a pool of worker processes on this machine.

    Workers are started with ``forkserver`` where the platform has it, else ``spawn``: never
    ``fork``, which would copy the parent's (possibly large) heap and its threads' locks.
    At most ``2 * workers`` tasks are in flight, so an iterable of many tasks is consumed
    lazily and the parent holds only the results not yet read.
    """

    def __init__(self, workers: int | None = None, *, start_method: str | None = None) -> None:
        count = workers if workers is not None else (os.cpu_count() or 1)
        if count < 1:
            raise InputError(f"--workers must be at least 1 (got {count})")
        self.workers = count
        methods = multiprocessing.get_all_start_methods()
        # "spawn" makes the workers children of this process (their peak memory shows in
        # getrusage(RUSAGE_CHILDREN) once closed); forkserver's are the server's children.
        method = start_method or ("forkserver" if "forkserver" in methods else "spawn")
        if method == "fork":
            raise ValueError("the fork start method is not supported (see the class docstring)")
        self._pool = ProcessPoolExecutor(
            max_workers=count, mp_context=multiprocessing.get_context(method)
        )

    def map_unordered(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[R]:
        pending: set[Future[R]] = set()
        source = iter(tasks)
        exhausted = False
        try:
            while True:
                while not exhausted and len(pending) < 2 * self.workers:
                    try:
                        task = next(source)
                    except StopIteration:
                        exhausted = True
                        break
                    pending.add(self._pool.submit(fn, task))
                if not pending:
                    return
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        # A worker killed (out of memory, a signal): say so, never half an answer.
                        raise IamsimError(
                            "a worker process ended abruptly (out of memory?); "
                            "retry with fewer --workers"
                        ) from None
                    yield result
        finally:
            for future in pending:
                future.cancel()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def runner_for(workers: int | None = None, ray: str | None = None) -> TaskRunner:
    """The runner the options ask for: Ray when ``ray`` ("auto" or a cluster ADDRESS) is
    given, one process when ``workers`` is 1, else a pool of ``workers`` processes (default:
    this machine's cores)."""
    if ray is not None:
        try:
            # Lazily, by its fixed name: Ray is an optional extra, heavy to import.
            from iamsim.scale import ray_runner  # type: ignore[attr-defined,unused-ignore]

            runner: TaskRunner = ray_runner.RayRunner(ray)
        except ImportError as exc:
            raise InputError(f"{RAY_EXTRA_MESSAGE} ({exc})") from None
        return runner
    if workers == 1:
        return SerialRunner()
    return ProcessRunner(workers)
