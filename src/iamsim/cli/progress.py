"""The command line's progress bars: the one owner of ``rich.progress`` in iamsim.

A slow command (a batch of scenarios or expectations, who-can, escalation, the permissions
over the catalogue, loading many inputs) shows a bar on standard error while it works, and
nothing at all when standard error is not a terminal or the output is machine-read
(``--json``) or silenced (``--quiet``): a pipe, a CI log or a test runner never sees one.

Library code never imports this module (the analyses sit below the report layer): it takes
a plain callback, :data:`ProgressCallback` ``(done, total)``, and the command line passes the
one :func:`progress_bar` yields. The bar is transient (erased when the work ends) and its
label goes through :class:`~iamsim.report.inert.InertConsole` with markup off, so a label
holding input text (a file name) prints as text.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from iamsim.report.inert import inert

ProgressCallback = Callable[[int, int], None]
"""``(done, total)``: called by library code as work advances (``total`` may grow)."""


def silent(done: int, total: int) -> None:
    """The callback when no bar is shown: costs one call per step, prints nothing."""


def shows_progress(
    *, machine: bool = False, quiet: bool = False, stream: TextIO | None = None
) -> bool:
    """Whether a bar would be drawn: ``stream`` (standard error) is a terminal and the output is
    neither machine-read nor silenced."""
    target = sys.stderr if stream is None else stream
    if machine or quiet:
        return False
    isatty = getattr(target, "isatty", None)
    return bool(isatty and isatty())


@contextmanager
def progress_bar(
    label: str,
    *,
    machine: bool = False,
    quiet: bool = False,
    stream: TextIO | None = None,
) -> Iterator[ProgressCallback]:
    """Yield a :data:`ProgressCallback` drawing a bar labelled ``label`` on ``stream``
    (standard error), or a silent one when :func:`shows_progress` says no."""
    target = sys.stderr if stream is None else stream
    if not shows_progress(machine=machine, quiet=quiet, stream=target):
        yield silent
        return
    # Imported only when a bar is drawn: commands run off a terminal never pay for rich.
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from iamsim.report.inert_console import InertConsole

    console = InertConsole(file=target, force_terminal=True)
    columns = (
        # markup=False: the label may hold input text; it must never be parsed as rich markup.
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    # Standard output goes through the bar's console (printed above the bar) only when it is a
    # terminal too; redirected to a file or a pipe, it must not end up on standard error.
    stdout_isatty = getattr(sys.stdout, "isatty", None)
    redirect = bool(stdout_isatty and stdout_isatty())
    with Progress(
        *columns,
        console=console,
        transient=True,
        redirect_stdout=redirect,
        redirect_stderr=False,
    ) as bar:
        task = bar.add_task(inert(label), total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance
