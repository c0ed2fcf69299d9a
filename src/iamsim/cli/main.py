"""The ``iamsim`` command: a thin click group; each sub-command lives in its own module.

It also owns what happens when the reader of the output goes away (``iamsim demo | head -1``):
the run ends quietly, without a traceback or an "Exception ignored" line, and without the
statuses 1 and 2, which mean "an expectation failed" and "invalid input".
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

# The status when the output was closed before the command finished: 128 + SIGPIPE, what a
# shell reports for any program a closed pipe stops. Not 0: the run did not finish, so its
# verdict (a failed expectation further down, say) is unknown and must not read as a pass.
EXIT_OUTPUT_CLOSED = 141


class _OutputClosed(Exception):
    """The output pipe was closed while the command was still writing."""


# Every sub-command: its name -> (module, attribute). Fixed and explicit: a command is
# imported only when it is run (or listed by --help), which keeps start-up short; nothing is
# probed or skipped, so a missing module is an error, never a silently absent command.
COMMANDS: dict[str, tuple[str, str]] = {
    "eval": ("iamsim.cli.eval_cmd", "eval_command"),
    "check": ("iamsim.cli.check_cmd", "check_command"),
    "explain": ("iamsim.cli.check_cmd", "explain_command"),
    "test": ("iamsim.cli.test_cmd", "test_command"),
    "validate": ("iamsim.cli.validate_cmd", "validate_command"),
    "demo": ("iamsim.cli.demo_cmd", "demo_command"),
    "permissions": ("iamsim.cli.analysis_cmds", "permissions_command"),
    "who-can": ("iamsim.cli.analysis_cmds", "who_can_command"),
    "escalation": ("iamsim.cli.analysis_cmds", "escalation_command"),
    "audit": ("iamsim.cli.analysis_cmds", "audit_command"),
    "compare": ("iamsim.cli.symbolic_cmds", "compare_command"),
    "not-granted": ("iamsim.cli.symbolic_cmds", "not_granted_command"),
    "no-public-access": ("iamsim.cli.symbolic_cmds", "no_public_access_command"),
    "diff": ("iamsim.cli.diff_cmd", "diff_command"),
}


def _front_ends() -> dict[str, EntryPoint]:
    """Commands of front ends beside the CLI (``serve``, the web playground), which the CLI may
    not import: iamsim's own ``iamsim.commands`` entry points (pyproject.toml). Another
    package's entry points are never loaded, so no foreign code runs on start-up. Imported
    here: a command of :data:`COMMANDS` never needs the package metadata (start-up time)."""
    from importlib.metadata import entry_points

    return {
        entry.name: entry
        for entry in entry_points(group="iamsim.commands")
        if entry.dist is None or entry.dist.name == "iamsim"
    }


class _Group(click.Group):
    """The command group: sub-commands from :data:`COMMANDS`, imported when first needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *_front_ends()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            front_end = _front_ends().get(cmd_name)
            loaded = front_end.load() if front_end is not None else None
            return loaded if isinstance(loaded, click.Command) else None
        module_name, attribute = entry
        # Imported here, not at the top, only for start-up time: `iamsim eval` need not load
        # the analyses, Terraform or CloudFormation.
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):  # pragma: no cover - a wrong table entry
            raise TypeError(f"{module_name}.{attribute} is not a click command")
        return command

    def invoke(self, ctx: click.Context) -> Any:
        # Caught here, before click's own handling turns a broken pipe into status 1.
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise _OutputClosed from None


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=(
        "Exit statuses: 0 success; 1 an expectation failed (test, eval, demo) or a finding at "
        "--fail-on (validate); 2 invalid input; 141 the output was closed before the command "
        "finished (iamsim ... | head), whatever the run would have found."
    ),
)
@click.version_option(package_name="iamsim")
def cli() -> None:
    """Decide AWS IAM requests exactly as AWS does, offline, and explain why."""


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that the interpreter's last flush of what is
    still buffered cannot fail again (and print "Exception ignored ... BrokenPipeError")."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)


def main() -> None:
    """The ``iamsim`` entry point.

    When the output is closed early the run ends quietly: with status 141 if the command was
    still writing, with the command's own status if it had finished and only the last buffered
    output could not be delivered.
    """
    try:
        try:
            cli(standalone_mode=True)
        finally:
            # Deliver what is buffered now, while a broken pipe can still be handled here.
            sys.stdout.flush()
    except _OutputClosed:
        _silence_stdout()
        sys.exit(EXIT_OUTPUT_CLOSED)
    except BrokenPipeError as exc:
        _silence_stdout()
        finished = exc.__context__
        sys.exit(finished.code if isinstance(finished, SystemExit) else EXIT_OUTPUT_CLOSED)
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)
