"""The ``iamsim`` command: a thin click group; each sub-command lives in its own module.

It also owns what happens when the reader of the output goes away (``iamsim demo | head -1``):
the run ends quietly, without a traceback or an "Exception ignored" line, and without the
statuses 1 and 2, which mean "an expectation failed" and "invalid input".
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from iamsim.cli.eval_cmd import eval_command

# The status when the output was closed before the command finished: 128 + SIGPIPE, what a
# shell reports for any program a closed pipe stops. Not 0: the run did not finish, so its
# verdict (a failed expectation further down, say) is unknown and must not read as a pass.
EXIT_OUTPUT_CLOSED = 141


class _OutputClosed(Exception):
    """The output pipe was closed while the command was still writing."""


class _Group(click.Group):
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


cli.add_command(eval_command)


def _register_optional_commands() -> None:
    """Sub-commands in modules of their own, added when present."""
    import importlib

    for module_name, attribute in (
        ("iamsim.cli.check_cmd", "check_command"),
        ("iamsim.cli.check_cmd", "explain_command"),
        ("iamsim.cli.test_cmd", "test_command"),
        ("iamsim.cli.validate_cmd", "validate_command"),
        ("iamsim.cli.demo_cmd", "demo_command"),
        ("iamsim.cli.analysis_cmds", "permissions_command"),
        ("iamsim.cli.analysis_cmds", "who_can_command"),
        ("iamsim.cli.analysis_cmds", "escalation_command"),
        ("iamsim.cli.analysis_cmds", "audit_command"),
        ("iamsim.cli.symbolic_cmds", "compare_command"),
        ("iamsim.cli.symbolic_cmds", "not_granted_command"),
        ("iamsim.cli.symbolic_cmds", "no_public_access_command"),
    ):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        command = getattr(module, attribute, None)
        if command is not None:
            cli.add_command(command)


_register_optional_commands()


def _register_front_ends() -> None:
    """Commands of front ends beside the CLI (``serve``, the web playground), which the CLI
    may not import: iamsim's own ``iamsim.commands`` entry points (pyproject.toml)."""
    from importlib.metadata import entry_points

    for entry in entry_points(group="iamsim.commands"):
        if entry.dist is not None and entry.dist.name != "iamsim":
            continue  # only iamsim's own; another package's code is not run on start-up
        if entry.name not in cli.commands:
            cli.add_command(entry.load(), entry.name)


_register_front_ends()


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
