"""``iamsim serve`` as a user runs it: registered with the CLI, bad inputs refused with status 2,
and a real server on the port asked for answering the page and ``POST /api/eval``."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import yaml
from click.testing import CliRunner

from iamsim.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "src" / "iamsim" / "examples" / "scenarios" / "developer-boundary.yaml"


def test_serve_is_a_command_of_iamsim() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert "127.0.0.1" in result.output


def test_an_invalid_input_is_refused_before_serving(tmp_path: Path) -> None:
    bad = tmp_path / "gaad.json"
    bad.write_text('{"UserDetailList": [}')
    result = CliRunner().invoke(cli, ["serve", "-i", str(bad), "--port", "1"])
    assert result.exit_code == 2
    assert str(bad) in result.output and "Traceback" not in result.output


def test_a_bad_limit_is_refused() -> None:
    result = CliRunner().invoke(cli, ["serve", "--limit", "max_nesting=0"])
    assert result.exit_code == 2
    assert "max_nesting" in result.output


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_serve_answers_the_page_and_eval_on_the_port_asked() -> None:
    port = _free_port()
    command = "from iamsim.cli.main import main; main()"
    server = subprocess.Popen(
        [sys.executable, "-c", command, "serve", "--port", str(port)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(600):  # until the socket accepts, or the process ended
            if server.poll() is not None:
                break
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                threading.Event().wait(0.05)
        assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{base}/", timeout=30) as page:
            assert 'data-testid="decision"' in page.read().decode()
        scenario = yaml.safe_load(SCENARIO.read_text())[0]
        request = urllib.request.Request(
            f"{base}/api/eval",
            data=json.dumps(scenario).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            record = json.loads(answer.read())
        expected = CliRunner().invoke(cli, ["eval", "--json", str(SCENARIO)]).output
        assert record == json.loads(expected.splitlines()[0])
    finally:
        server.terminate()
        server.wait(timeout=30)
