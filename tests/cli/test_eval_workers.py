"""``iamsim eval`` in worker processes: the same bytes, summary and exit status as one process.

The workers (iamsim.cli.eval_workers) cut a scenario file (JSON Lines, or one JSON or YAML
document) into blocks; these tests make the blocks a few scenarios long so that every kind of
line or item falls in several blocks and on block edges, and compare the whole output with
``--workers 1`` (the single process).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from iamsim.cli import eval_workers
from iamsim.cli.eval_workers import AUTO_BYTES, AUTO_MAX, WorkerPlan, can_fork, worker_plan
from iamsim.cli.main import cli

ALLOW_GET_PUT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"}],
}
DENY_REGION = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}},
        },
    ],
}


def _scenario(i: int) -> dict[str, object]:
    """Recurring policies for most scenarios, a document of its own for every fifth; every
    seventh expectation fails (its record carries the whole trace)."""
    identity = dict(ALLOW_GET_PUT)
    if i % 5 == 0:
        identity = {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": f"Own{i}", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
            ],
        }
    region = "eu-west-1" if i % 3 else "us-east-1"
    decision = "ExplicitDeny" if region == "us-east-1" else "Allow"
    if i % 5 == 0 and i % 2 and region == "eu-west-1":
        decision = "ImplicitDeny"  # its own policy allows GetObject only
    if i % 7 == 0:
        decision = "Allow" if decision != "Allow" else "ImplicitDeny"
    return {
        "name": f"s{i}",
        "principal": f"arn:aws:iam::111122223333:user/u{i}",
        "action": "s3:PutObject" if i % 2 else "s3:GetObject",
        "resource": f"arn:aws:s3:::bucket/object-{i}",
        "context": {"aws:RequestedRegion": region},
        "policies": {"identity": [identity], "scp": [[DENY_REGION]]},
        "expect": decision,
    }


def _mixed_lines(count: int) -> list[bytes]:
    """Scenarios with every other kind of line among them: blank, not JSON, not an object,
    an unknown field, a bad action, a policy the parser refuses."""
    lines: list[bytes] = []
    for i in range(count):
        if i % 11 == 4:
            lines.append(b"\n")
        elif i % 13 == 6:
            lines.append(b'{"name": "broken", "principal": \n')
        elif i % 17 == 8:
            lines.append(b"[1, 2, 3]\n")
        elif i % 19 == 2:
            lines.append(json.dumps({**_scenario(i), "colour": "red"}).encode() + b"\n")
        elif i % 23 == 12:
            lines.append(json.dumps({**_scenario(i), "action": "s3:*"}).encode() + b"\n")
        elif i % 29 == 14:
            bad = {"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "*"}]}
            item = {**_scenario(i), "policies": {"identity": [bad]}}
            lines.append(json.dumps(item).encode() + b"\n")
        else:
            lines.append(json.dumps(_scenario(i)).encode() + b"\n")
    return lines


def _eval(args: list[str]) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(cli, ["eval", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout_bytes, result.stderr


@pytest.fixture()
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Blocks of five lines, and the worker counts of every pool started."""
    assert can_fork(), "these tests need to fork workers (Linux, one thread)"
    monkeypatch.setattr(eval_workers, "BLOCK_LINES", 5)
    started: list[int] = []
    original = eval_workers.EvalWorkers.__init__

    def counting(
        self: eval_workers.EvalWorkers, count: int, mode: object, items: object = None
    ) -> None:
        started.append(count)
        original(self, count, mode, items)  # type: ignore[arg-type]

    monkeypatch.setattr(eval_workers.EvalWorkers, "__init__", counting)
    return started


@pytest.mark.parametrize("output", ["--jsonl", "--json"])
@pytest.mark.parametrize("workers", [2, 3])
def test_workers_write_what_one_process_writes(
    tmp_path: Path, small_blocks: list[int], output: str, workers: int
) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + b"".join(_mixed_lines(120)))
    alone = _eval([output, "--workers", "1", str(path)])
    assert small_blocks == []
    together = _eval([output, "--workers", str(workers), str(path)])
    assert small_blocks == [workers]
    assert together == alone
    status, records, summary = alone
    assert status == 2  # invalid lines win over failed expectations
    kinds = [json.loads(line)["schema_version"].split("/")[0] for line in records.splitlines()]
    assert kinds.count("eval-error") >= 20 and kinds.count("eval-record") >= 80
    assert "expectations" in summary and "failed" in summary and "invalid" in summary


def test_a_line_too_long_ends_the_file_after_the_lines_before_it(
    tmp_path: Path, small_blocks: list[int]
) -> None:
    lines = _mixed_lines(60)
    lines[41] = b'{"name": "long", "principal": "' + b"x" * 5000 + b'"}\n'
    path = tmp_path / "batch.jsonl"
    path.write_bytes(b"".join(lines))
    other = tmp_path / "after.jsonl"
    other.write_bytes(b"".join(_mixed_lines(12)))
    args = ["--jsonl", "--limit", "max_file_bytes=4000", str(path), str(other)]
    alone = _eval(["--workers", "1", *args])
    together = _eval(["--workers", "2", *args])
    assert small_blocks == [2, 2]  # workers forked for each file
    assert together == alone
    errors = [json.loads(line) for line in alone[1].splitlines() if b'"eval-error' in line]
    assert any("line 42 is longer than 4000 bytes" in str(e["error"]) for e in errors)
    names = [json.loads(line).get("name") for line in alone[1].splitlines()]
    assert "s40" in names and "s43" not in names and "s11" in names  # after.jsonl still read


def test_several_files_and_standard_input_in_order(tmp_path: Path, small_blocks: list[int]) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_bytes(b"".join(_mixed_lines(31)))
    second.write_bytes(b"".join(_mixed_lines(17)))
    yaml_file = tmp_path / "one.json"
    yaml_file.write_text(json.dumps(_scenario(1)))
    args = ["--jsonl", str(first), str(yaml_file), str(second)]
    assert _eval(["--workers", "3", *args]) == _eval(["--workers", "1", *args])
    assert small_blocks == [3, 3]  # one.json holds one scenario: decided here


def _items(count: int) -> list[object]:
    """The items of a scenario list: scenarios, and items that are not (a string, a list,
    an unknown field, a bad action, a refused policy)."""
    items: list[object] = []
    for line in _mixed_lines(count):
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError:
            items.append("not a scenario")
    return items


@pytest.mark.parametrize("kind", ["json", "yaml"])
@pytest.mark.parametrize("output", ["--jsonl", "--json"])
def test_a_json_or_yaml_document_is_decided_by_workers_alike(
    tmp_path: Path, small_blocks: list[int], kind: str, output: str
) -> None:
    path = tmp_path / f"batch.{kind}"
    items = _items(90)
    path.write_text(json.dumps(items) if kind == "json" else yaml.safe_dump(items))
    alone = _eval([output, "--workers", "1", str(path)])
    together = _eval([output, "--workers", "2", str(path)])
    assert small_blocks == [2]
    assert together == alone
    assert alone[0] == 2 and alone[1].count(b"eval-record") >= 60


def test_a_worker_that_dies_is_an_error_not_a_short_answer(
    tmp_path: Path, small_blocks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def dying(connection: object, mode: object, items: object, reader: object) -> None:
        os._exit(3)

    monkeypatch.setattr(eval_workers, "_serve", dying)
    path = tmp_path / "batch.jsonl"
    path.write_bytes(b"".join(_mixed_lines(30)))
    status, records, errors = _eval(["--jsonl", "--workers", "2", str(path)])
    assert status == 2
    assert b"eval-record" not in records
    assert "error: an eval worker process ended abruptly" in errors
    assert "scenarios:" not in errors  # no summary of a run that has no whole answer


def test_worker_plan() -> None:
    cpus = min(len(os.sched_getaffinity(0)), AUTO_MAX)
    auto = worker_plan(None, machine=True)
    assert auto == (WorkerPlan(cpus, AUTO_BYTES) if cpus > 1 else None)
    if auto is not None:
        assert not auto.applies(AUTO_BYTES - 1) and auto.applies(AUTO_BYTES)
    assert worker_plan(None, machine=False) is None  # text output: one process
    assert worker_plan(4, machine=False) is None
    assert worker_plan(4, machine=True) == WorkerPlan(4, 0)
    assert worker_plan(1, machine=True) is None


def test_the_command_line_uses_workers_on_a_big_file(tmp_path: Path) -> None:
    """The installed command, as a user runs it: a file over AUTO_BYTES decided by workers
    (the default) gives the records of ``--workers 1``."""
    path = tmp_path / "big.jsonl"
    lines = _mixed_lines(300)
    with path.open("wb") as out:
        written = 0
        while written < AUTO_BYTES:
            out.write(b"".join(lines))
            written += sum(len(line) for line in lines)
    command = [sys.executable, "-c", "from iamsim.cli.main import main; main()"]
    command += ["eval", "--jsonl", str(path)]
    default = subprocess.run(command, capture_output=True, check=False)
    alone = subprocess.run([*command, "--workers", "1"], capture_output=True, check=False)
    assert default.returncode == alone.returncode == 2
    assert default.stdout == alone.stdout
    assert default.stderr == alone.stderr
    assert len(default.stdout.splitlines()) > 2000


def test_output_closed_early_ends_the_workers_quietly(tmp_path: Path) -> None:
    """``iamsim eval --jsonl big.jsonl | head -1``: status 141, no word from any worker."""
    path = tmp_path / "big.jsonl"
    path.write_bytes(b"".join(_mixed_lines(600)) * 8)
    command = [sys.executable, "-c", "from iamsim.cli.main import main; main()"]
    command += ["eval", "--jsonl", "--workers", "2", str(path)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    assert child.stdout.readline().startswith(b"{")
    child.stdout.close()
    errors = child.stderr.read()
    assert child.wait(timeout=60) == 141
    assert errors == b""


def test_workers_read_the_file_the_run_opened(
    tmp_path: Path, small_blocks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another file put in place of the named one once the run has opened it changes nothing:
    the workers read the open file, never the path again."""
    path = tmp_path / "batch.jsonl"
    path.write_bytes(b"".join(_mixed_lines(40)))
    alone = _eval(["--jsonl", "--workers", "1", str(path)])
    other = tmp_path / "other.jsonl"
    other.write_bytes(b'{"name": "impostor"}\n' * 40)
    decide = eval_workers.EvalWorkers.eval_lines

    def after_a_swap(
        self: eval_workers.EvalWorkers, stream: object, name: str, run: object
    ) -> None:
        os.replace(other, path)
        decide(self, stream, name, run)  # type: ignore[arg-type]

    monkeypatch.setattr(eval_workers.EvalWorkers, "eval_lines", after_a_swap)
    assert _eval(["--jsonl", "--workers", "2", str(path)]) == alone
    assert small_blocks == [2]


def test_crlf_lines_and_no_final_newline(tmp_path: Path, small_blocks: list[int]) -> None:
    path = tmp_path / "batch.jsonl"
    text = b"".join(line.rstrip(b"\n") + b"\r\n" for line in _mixed_lines(33))
    path.write_bytes(text.rstrip(b"\r\n"))
    alone = _eval(["--jsonl", "--workers", "1", str(path)])
    assert _eval(["--jsonl", "--workers", "2", str(path)]) == alone
    assert small_blocks == [2]
    assert alone[1].count(b"\n") >= 30
