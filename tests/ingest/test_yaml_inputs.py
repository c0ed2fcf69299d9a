"""YAML inputs read like the JSON they stand for: unquoted dates and timestamps stay the text
written, and Booleans among policy condition values read as ``true``/``false``."""

from __future__ import annotations

from pathlib import Path

import pytest

from iamsim.errors import InputError
from iamsim.ingest import load_input, parse_text
from iamsim.ingest.documents import load_yaml

RESOURCES = """\
resources:
  - arn: arn:aws:s3:::project-x
    account: "111122223333"
    policy:
      Version: 2012-10-17
      Statement:
        - Effect: Deny
          Principal: "*"
          Action: s3:*
          Resource: arn:aws:s3:::project-x/*
          Condition:
            Bool: {aws:SecureTransport: false}
            DateGreaterThan: {aws:CurrentTime: 2025-06-30T23:59:59Z}
"""


def test_unquoted_dates_and_timestamps_stay_text() -> None:
    doc = parse_text(
        "Version: 2012-10-17\nwhen: 2025-06-30T23:59:59Z\nday: 2025-06-30 10:00:00\n"
        "explicit: !!timestamp 2001-12-14\naccount: 011122223333\ncount: 12\n",
        "f.yaml",
    )
    assert doc == {
        "Version": "2012-10-17",
        "when": "2025-06-30T23:59:59Z",
        "day": "2025-06-30 10:00:00",
        "explicit": "2001-12-14",
        "account": "011122223333",
        "count": 12,
    }


def test_condition_booleans_read_as_text_and_nothing_else_changes() -> None:
    doc = load_yaml(
        "enabled: true\n"
        "Statement:\n"
        "  - Effect: Deny\n"
        "    Condition:\n"
        "      Bool: {aws:SecureTransport: false, aws:ViaAWSService: [True, 'x']}\n"
        "      NumericLessThan: {s3:max-keys: 10}\n"
        "    Other: {Bool: {k: false}}\n"
        "Condition: IsProd\n"
    )
    assert doc["enabled"] is True
    statement = doc["Statement"][0]
    assert statement["Condition"] == {
        "Bool": {"aws:SecureTransport": "false", "aws:ViaAWSService": ["true", "x"]},
        "NumericLessThan": {"s3:max-keys": 10},
    }
    assert statement["Other"] == {"Bool": {"k": False}}
    assert doc["Condition"] == "IsProd"


def test_resources_file_with_unquoted_version_and_dates(tmp_path: Path) -> None:
    path = tmp_path / "resources.yaml"
    path.write_text(RESOURCES)
    world = load_input(path)
    policy = world.resources["arn:aws:s3:::project-x"].policy
    assert policy is not None and policy.version == "2012-10-17"
    bool_condition, date_condition = policy.statements[0].conditions
    assert bool_condition.values == ("false",)
    assert date_condition.values == ("2025-06-30T23:59:59Z",)


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("x:\n  y: !!binary aGVsbG8=\n", "binary"),
        ("Action: !!set {s3:GetObject, s3:PutObject}\n", "set"),
    ],
)
def test_yaml_values_with_no_json_form_are_located_errors(text: str, tag: str) -> None:
    # Found by the fuzzer: bytes from !!binary reached json.dumps in the policy size quota.
    with pytest.raises(InputError) as info:
        parse_text(text, "f.yaml")
    message = info.value.describe()
    assert message.startswith("f.yaml: invalid YAML at line "), message
    assert f"{tag} values have no JSON equivalent" in message
