"""The rich half of :mod:`iamsim.report.inert`: the console and styled text for reports.

Owns :class:`InertConsole` and :func:`styled`; kept apart from :mod:`iamsim.report.inert` so
that commands printing plain text do not import rich (start-up time). Both names are also
importable from :mod:`iamsim.report.inert`, which is where the rules they follow are written.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from iamsim.report.inert import _SUSPECT, inert, inert_value


def styled(text: Any, style: str | Style = "") -> Text:
    """A rich ``Text`` holding ``text`` inertly (one line), in ``style``; never parsed as markup."""
    return Text(inert_value(text), style=style)


class InertConsole(Console):
    """A rich console that prints input text as text.

    Markup, emoji codes and highlighting are off by default and cannot be switched on for a
    string (``[red]`` and ``[/]`` stay literal, so a Sid cannot restyle the report nor make rich
    raise). Every string rendered goes through :func:`inert` (line breaks kept: a renderer puts
    them there), and so does every segment written, whatever renderable made it. A closed
    output raises :class:`BrokenPipeError` (for the command line to handle) instead of rich's
    own exit with status 1.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("markup", False)
        kwargs.setdefault("emoji", False)
        kwargs.setdefault("highlight", False)
        super().__init__(**kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:
        kwargs["markup"] = False
        kwargs["emoji"] = False
        kwargs["highlight"] = False
        return super().render_str(inert(text, keep_newlines=True), **kwargs)

    def on_broken_pipe(self) -> None:
        # rich's own handling exits with status 1, which means "an expectation failed";
        # the command line decides (iamsim.cli.main).
        raise BrokenPipeError

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            if segment.control is None and _SUSPECT.search(segment.text):
                yield Segment(inert(segment.text, keep_newlines=True), segment.style)
            else:
                yield segment
