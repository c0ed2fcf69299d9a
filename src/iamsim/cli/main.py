"""The ``iamsim`` command: a thin click group; each sub-command lives in its own module."""

from __future__ import annotations

import sys

import click

from iamsim.cli.eval_cmd import eval_command


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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


def main() -> None:
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        sys.exit(130)
