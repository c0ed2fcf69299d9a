"""The command table of ``iamsim``: every entry resolves to the command of that name."""

from __future__ import annotations

import click
from click.testing import CliRunner

from iamsim.cli.main import COMMANDS, cli


def test_every_registered_command_resolves_to_a_command_of_that_name() -> None:
    ctx = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert isinstance(command, click.Command)
        assert command.name == name


def test_help_lists_every_command_and_an_unknown_one_is_an_error() -> None:
    runner = CliRunner()
    listed = runner.invoke(cli, ["--help"])
    assert listed.exit_code == 0
    for name in COMMANDS:
        assert f"  {name} " in listed.output
    unknown = runner.invoke(cli, ["no-such-command"])
    assert unknown.exit_code == 2
    assert "No such command" in unknown.output
