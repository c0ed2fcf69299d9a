"""InputFile reads JSON with orjson first; documents and errors are the located reader's."""

from __future__ import annotations

from pathlib import Path

import pytest

from iamsim.ingest.documents import parse_text
from iamsim.ingest.files import InputFile

GOOD = '\ufeff\n  {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*",\n "Resource": "*", "N": 12345678901234567890123}]}\n'


def _file(tmp_path: Path, text: str) -> InputFile:
    path = tmp_path / "doc.json"
    path.write_text(text, encoding="utf-8")
    return InputFile(path)


def test_the_document_is_the_located_readers(tmp_path: Path) -> None:
    file = _file(tmp_path, GOOD)
    assert file.document_error is None
    assert file.document == parse_text(GOOD, "x")
    # an integer beyond 64 bits stays exact (orjson would read a float)
    assert file.document["Statement"][0]["N"] == 12345678901234567890123


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"Effect": "Deny",\n "Effect": "Allow"}', "duplicate key 'Effect'"),
        ('{"a": 1,\n "b": }', "invalid JSON at line 2 column"),
        ('{"a": NaN}', "NaN"),
    ],
)
def test_errors_are_the_located_readers(tmp_path: Path, text: str, message: str) -> None:
    file = _file(tmp_path, text)
    assert file.document is None
    error = file.document_error
    assert error is not None and message in error.describe()
    with pytest.raises(Exception) as located:
        parse_text(text, str(tmp_path / "doc.json"))
    assert error.describe() == located.value.describe()  # type: ignore[attr-defined]


def test_yaml_is_still_yaml(tmp_path: Path) -> None:
    file = _file(tmp_path, "a: 1\nb: [x]\n")
    assert file.document == {"a": 1, "b": ["x"]}
