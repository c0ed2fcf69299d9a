"""The Ray runner: an organization question's per-account tasks on a Ray cluster.

Owns starting a local Ray cluster (``--ray auto``) or joining a running one (``--ray ADDRESS``),
submitting tasks as Ray remote tasks with a bounded number in flight, yielding their results as
they complete, bringing a task's failure back to the driver, and shutting down a cluster it
started. It implements ``iamsim.scale.runner.TaskRunner`` (``map_unordered`` and ``close``)
structurally; ``runner_for`` imports this module only when ``--ray`` is given, because ``ray``
is an optional extra (``pip install 'iamsim[ray]'``).

What crosses to the workers is the task function (pickled by reference: a module-level function
of iamsim, which every node imports from its own installation) and the tasks themselves (paths
and limits, never code). The workers read account folders from paths the driver names, so on a
real cluster those paths must be shared (docs/scale.md, "Running on a Ray cluster").
"""

from __future__ import annotations

import inspect
import logging
import os
import re
import socket
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from iamsim.errors import IamsimError, InputError

T = TypeVar("T")
R = TypeVar("R")

# Tasks in flight per CPU of the cluster: enough that a worker finishing one finds the next
# already queued beside it, few enough that a million tasks (and their results) never sit in
# the object store at once. 4 did best of 1, 2, 4 and 8 on no-op tasks (bench/ray_overhead.py).
IN_FLIGHT_PER_CPU = 4

# How much of a task's repr an error message quotes (tasks come from hostile inputs: a path
# can be long; repr() keeps control characters inert).
_TASK_REPR_LIMIT = 200

# Seconds to wait for a cluster's head to accept a connection before giving up on joining it.
JOIN_TIMEOUT = 10.0

# HOST:PORT or ray://HOST:PORT, HOST a name or an IPv4 address or a bracketed IPv6 address.
_ADDRESS = re.compile(r"(?:ray://)?(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):[0-9]{1,5}")


class RayRunnerError(IamsimError):
    """The Ray cluster could not be started or joined, or lost a task (a worker or node died)."""


def _describe_task(task: object) -> str:
    text = repr(task)
    if len(text) > _TASK_REPR_LIMIT:
        text = text[:_TASK_REPR_LIMIT] + "..."
    return text


def _fn_name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", None) or type(fn).__name__


def _apply(fn: Callable[[Any], Any], task: Any) -> Any:
    """Run ``fn(task)`` on a worker: the remote body for callables Ray cannot wrap itself."""
    return fn(task)


def check_address(address: str) -> str:
    """``address`` if it is ``auto``, ``HOST:PORT`` or ``ray://HOST:PORT``; else InputError."""
    if address == "auto":
        return address
    if _ADDRESS.fullmatch(address) is None or not 0 < int(address.rsplit(":", 1)[1]) < 65536:
        raise InputError(
            f"{address!r}: expected auto (start a local Ray cluster), HOST:PORT (a cluster's "
            "head, e.g. head:6379) or ray://HOST:PORT (Ray Client, e.g. ray://head:10001)",
            source="--ray",
        )
    return address


def _reachable(address: str) -> None:
    """Fail fast when nothing listens at a cluster's address: Ray itself retries for minutes,
    printing warnings, before it gives up."""
    host, port = address.removeprefix("ray://").rsplit(":", 1)
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=JOIN_TIMEOUT):
            pass
    except OSError as exc:
        raise RayRunnerError(
            f"--ray: could not join {address!r}: nothing accepts connections there "
            f"({exc.strerror or type(exc).__name__}); is the head node started (ray start --head)?"
        ) from exc


class RayRunner:
    """Runs tasks on a Ray cluster: a local one it starts (``"auto"``) or one it joins.

    ``in_flight_per_cpu`` bounds how many tasks are submitted and not yet collected, per CPU
    the cluster had when ``map_unordered`` began.
    """

    def __init__(self, address: str, *, in_flight_per_cpu: int = IN_FLIGHT_PER_CPU) -> None:
        check_address(address)
        if in_flight_per_cpu < 1:
            raise ValueError("in_flight_per_cpu must be at least 1")
        self.address = address
        self.in_flight_per_cpu = in_flight_per_cpu
        self._remote: dict[Callable[..., Any], Any] = {}
        if address != "auto":
            _reachable(address)
        # Ray reads this when it starts a head node: no usage statistics leave the machine,
        # even when the environment asked for them (iamsim fetches and sends nothing).
        os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
        try:
            import ray
        except ImportError as exc:
            raise RayRunnerError(
                "--ray needs Ray, an optional extra: pip install 'iamsim[ray]' "
                "(the same version on every node of the cluster)"
            ) from exc

        self._ray: Any = ray  # typed loosely: ray's own annotations are partial
        if ray.is_initialized():
            raise RayRunnerError(
                "Ray is already initialized in this process; close the runner that owns it first"
            )
        quiet: dict[str, Any] = {
            "log_to_driver": False,
            "logging_level": logging.ERROR,
        }
        try:
            if address == "auto":
                # "local" (not Ray's own "auto") always starts a new cluster, even when
                # RAY_ADDRESS or an earlier cluster on this machine would be found otherwise.
                # Its workers run this interpreter and inherit this environment, so they
                # import the same iamsim without a runtime_env.
                ray.init(
                    address="local",
                    num_cpus=os.cpu_count() or 1,
                    include_dashboard=False,
                    **quiet,
                )
            else:
                ray.init(address=address, **quiet)
        except Exception as exc:
            # ray.init leaves partial state behind on failure; reset it so the process can
            # report the error (and retry) cleanly.
            ray.shutdown()
            what = "start a local Ray cluster" if address == "auto" else f"join {address!r}"
            raise RayRunnerError(f"--ray: could not {what}: {type(exc).__name__}: {exc}") from exc
        self._connected = True
        # A cluster joined is shut down by whoever started it; close() only disconnects.
        self.started_cluster = address == "auto"

    def cluster_cpus(self) -> int:
        """The CPUs the cluster offers now (at least 1)."""
        return max(1, int(self._ray.cluster_resources().get("CPU", 1)))

    def _remote_for(self, fn: Callable[[T], R]) -> tuple[Any, tuple[Any, ...]]:
        """The Ray remote function for ``fn`` and the leading arguments it takes, made once."""
        made = self._remote.get(fn)
        if made is None:
            if inspect.isfunction(fn):
                # A plain function is exported to the cluster once; each task ships its argument.
                made = (self._ray.remote(fn), ())
            else:
                # A partial, a bound method or a callable object: stored once in the object
                # store and called through _apply, which Ray can wrap.
                made = (self._ray.remote(_apply), (self._ray.put(fn),))
            self._remote[fn] = made
        return made

    def map_unordered(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[R]:
        """Yield ``fn(task)`` for every task, in the order the tasks finish.

        Tasks are taken from ``tasks`` only as room frees up (at most ``in_flight_per_cpu`` x
        the cluster's CPUs outstanding), so ``tasks`` may be a long lazy iterable. A task's
        exception is raised here as the same exception (the task named in a note); a task the
        cluster lost (its worker or node died) raises :class:`RayRunnerError`. When the caller
        stops early or a task fails, the tasks still outstanding are cancelled.
        """
        if not self._connected:
            raise RayRunnerError("the Ray runner is closed")
        ray = self._ray
        remote, leading = self._remote_for(fn)
        limit = self.in_flight_per_cpu * self.cluster_cpus()
        pending: dict[Any, T] = {}
        source = iter(tasks)
        exhausted = False
        try:
            while True:
                while not exhausted and len(pending) < limit:
                    try:
                        task = next(source)
                    except StopIteration:
                        exhausted = True
                        break
                    pending[remote.remote(*leading, task)] = task
                if not pending:
                    return
                refs = list(pending)
                ready, _ = ray.wait(refs, num_returns=1)
                if len(refs) > 1:
                    # Collect every other finished task too without waiting: one round trip
                    # per batch rather than per task.
                    ready, _ = ray.wait(refs, num_returns=len(refs), timeout=0)
                for ref in ready:
                    task = pending.pop(ref)
                    yield self._result(fn, ref, task)
        finally:
            # Stopped early (a failed task, the caller broke off, the generator was dropped):
            # cancel what is still queued or running, unless the runner is closed already.
            if pending and self._connected:
                for ref in pending:
                    ray.cancel(ref)

    def _result(self, fn: Callable[[T], R], ref: Any, task: T) -> R:
        ray = self._ray
        try:
            result: R = ray.get(ref)
        except ray.exceptions.RayTaskError as exc:
            cause = exc.cause
            if isinstance(cause, BaseException) and not isinstance(cause, ray.exceptions.RayError):
                # The task's own exception, unpickled: raise it as itself so callers handle
                # an InputError from a worker exactly as one raised in this process.
                cause.add_note(f"raised by Ray task {_fn_name(fn)}({_describe_task(task)})")
                raise cause from exc
            raise RayRunnerError(
                f"Ray task {_fn_name(fn)}({_describe_task(task)}) failed: {_first_line(exc)}"
            ) from exc
        except ray.exceptions.RayError as exc:
            raise RayRunnerError(
                f"Ray task {_fn_name(fn)}({_describe_task(task)}) was lost: "
                f"{type(exc).__name__}: {_first_line(exc)}"
            ) from exc
        return result

    def close(self) -> None:
        """Disconnect; a cluster this runner started is shut down with it. Idempotent."""
        if self._connected:
            self._connected = False
            self._remote.clear()
            # For a joined cluster this only disconnects the driver: the cluster keeps running.
            self._ray.shutdown()

    def __enter__(self) -> RayRunner:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
