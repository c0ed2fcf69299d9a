"""The ``iamsim serve`` command: load the ``-i`` inputs once, then serve the playground.

Registered with the CLI through the ``iamsim.commands`` entry point (the CLI does not import
front ends). Starlette and uvicorn come with the ``serve`` extra; they are imported when the
command runs, so ``iamsim --help`` works without them and a missing extra is a clear message.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from iamsim import limits
from iamsim.errors import IamsimError, InputError
from iamsim.report.inert import echo

EXIT_INVALID = 2
DEFAULT_PORT = 8765


@click.command("serve")
@click.option(
    "--input",
    "-i",
    "inputs",
    multiple=True,
    type=click.Path(exists=True, dir_okay=True, path_type=Path),
    help="A file or directory describing the world (as for check); repeat for several. "
    "Without it the page offers the scenario editor alone.",
)
@click.option(
    "--allow-read",
    "allow_read",
    multiple=True,
    type=click.Path(exists=True, dir_okay=True, path_type=Path),
    metavar="PATH",
    help="Let the inputs read files under PATH too (as for check).",
)
@click.option(
    "--limit",
    "limit",
    multiple=True,
    metavar="NAME=VALUE",
    help="Raise or lower a cap on untrusted input (repeatable); holds for every question asked.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to bind.")
@click.option(
    "--port", "-p", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535)
)
@click.option(
    "--time-limit",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    metavar="SECONDS",
    help="Answer 503 to a question still running after this long.",
)
def serve_command(
    inputs: tuple[Path, ...],
    allow_read: tuple[Path, ...],
    limit: tuple[str, ...],
    host: str,
    port: int,
    time_limit: float,
) -> None:
    """A local web playground: edit a scenario and watch the decision, with AWS's evaluation
    flowchart and the overlap of the policy types drawn; with -i, ask check, who-can,
    permissions and escalation of the loaded world (escalation drawn as a graph).

    It binds 127.0.0.1 by default and reads no file the browser names. Needs the serve extra
    (pip install 'iamsim[serve]'). Exit status 2 on invalid inputs or options.

    \b
    Examples:
      iamsim serve
      iamsim serve -i examples/organization/model --port 8080
    """
    try:
        # The optional extra, imported only by the command that needs it.
        import uvicorn

        from iamsim.server.app import LOOPBACK_HOSTS, create_app
    except ModuleNotFoundError as exc:
        _fail(
            f"iamsim serve needs the serve extra ({exc.name} is missing): "
            "pip install 'iamsim[serve]'"
        )
    try:
        run_limits = limits.current().replace(**limits.parse_limit_options(list(limit)))
    except ValueError as exc:
        _fail(f"--limit: {exc}")
    world = None
    if inputs:
        # Imported here: the loaders pull in every parser, which the editor alone never needs.
        from iamsim.ingest import load_inputs

        try:
            with limits.override(run_limits):
                world = load_inputs(inputs, allow_read=allow_read)
        except IamsimError as exc:
            _fail(exc.describe() if isinstance(exc, InputError) else str(exc))
        except OSError as exc:
            _fail(f"{exc.filename or ''}: {exc.strerror or exc}")
        for note in world.notes:
            echo(f"note: {note}", err=True)
    loopback = host in LOOPBACK_HOSTS
    if not loopback:
        echo(
            f"warning: binding {host}: anyone who can reach it can read the loaded world",
            err=True,
        )
    app = create_app(
        world,
        run_limits=run_limits,
        time_limit=time_limit,
        allowed_hosts=LOOPBACK_HOSTS if loopback else ("*",),
    )
    shown = f"[{host}]" if ":" in host else host
    echo(f"iamsim playground on http://{shown}:{port}/ (Ctrl-C to stop)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)


def _fail(message: str) -> NoReturn:
    echo(f"error: {message}", err=True)
    sys.exit(EXIT_INVALID)
