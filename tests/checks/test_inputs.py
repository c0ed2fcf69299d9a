"""checks.inputs: the one reader of policy, scenario and expectations files."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from iamsim import limits
from iamsim.checks.inputs import read_document, read_texts
from iamsim.errors import InputError


def test_read_texts_reads_each_file_and_reports_the_unreadable_in_place(tmp_path: Path) -> None:
    good = tmp_path / "a.yaml"
    good.write_text("principal: alice\n", encoding="utf-8")
    binary = tmp_path / "b.json"
    binary.write_bytes(b"\xff\xfe{}")
    missing = tmp_path / "missing.yaml"
    results = read_texts(
        [str(good), str(tmp_path), str(missing), str(binary)], kind="scenario file"
    )
    assert [source for source, _ in results] == [
        str(good),
        str(tmp_path),
        str(missing),
        str(binary),
    ]
    assert results[0][1] == "principal: alice\n"
    errors = [text for _, text in results[1:]]
    assert all(isinstance(e, InputError) for e in errors)
    assert [e.reason for e in errors if isinstance(e, InputError)] == [
        "is a directory, not a scenario file",
        "no such file or directory",
        "file is not UTF-8 text",
    ]


def test_read_texts_without_names_reads_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\xef\xbb\xbfname: x\n")))
    assert read_texts([], kind="scenario file") == [("<stdin>", "name: x\n")]


def test_standard_input_is_bounded_like_a_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"x" * 64)))
    with limits.override(limits.current().replace(max_file_bytes=16)):
        ((source, error),) = read_texts(["-"], kind="scenario file")
    assert source == "<stdin>"
    assert isinstance(error, InputError)


def test_read_document_locates_a_syntax_error(tmp_path: Path) -> None:
    bad = tmp_path / "e.yaml"
    bad.write_text("expectations: [a\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_document(bad)
    assert caught.value.source == str(bad)
    assert caught.value.reason.startswith("invalid YAML at line")
