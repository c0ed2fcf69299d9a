"""``iamsim.ingest.locations``: JSON pointers mapped to the line and column of the element in
JSON, YAML and Terraform text."""

from __future__ import annotations

from pathlib import Path

import pytest

from iamsim.ingest.locations import (
    Position,
    SourceRef,
    locate_in_file,
    locate_json,
    locate_json_member,
    locate_terraform,
    locate_yaml,
    parse_source,
)

POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
    {
      "Sid": "with \\"quotes\\" and ] brackets {",
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:GetObjekt"],
      "Resource": "*",
      "Condition": {"StringEquals": {"a/b~c": "x"}}
    }
  ]
}
"""


@pytest.mark.parametrize(
    ("pointer", "expected"),
    [
        ("", Position(1, 1)),
        ("/Version", Position(2, 3)),
        ("/Statement/0", Position(4, 5)),
        ("/Statement/0/Action", Position(4, 37)),
        ("/Statement/1/Action/1", Position(8, 34)),
        ("/Statement/1/Resource", Position(9, 7)),
        # RFC 6901 escapes: ~1 is "/", ~0 is "~".
        ("/Statement/1/Condition/StringEquals/a~1b~0c", Position(10, 38)),
    ],
)
def test_json_pointer_lands_on_the_key_or_element(pointer: str, expected: Position) -> None:
    assert locate_json(POLICY, pointer) == expected


@pytest.mark.parametrize(
    "pointer", ["/Statement/2", "/Nope", "/Version/0", "Statement", "/Statement/x"]
)
def test_json_pointer_that_names_nothing_has_no_position(pointer: str) -> None:
    assert locate_json(POLICY, pointer) is None


def test_json_scan_survives_truncated_text() -> None:
    assert locate_json('{"Statement": [{"Action": "s3:Get', "/Statement/1") is None
    assert locate_json('{"a": "unterminated\n', "/b") is None


YAML = """\
Version: "2012-10-17"
Statement:
  - Sid: First
    Effect: Allow
    Action:
      - s3:GetObject
      - s3:GetObjekt
    Resource: "*"
shared: &anchor {a: 1}
again: *anchor
"""


def test_yaml_pointer_positions() -> None:
    assert locate_yaml(YAML, "/Statement/0/Action/1") == Position(7, 9)
    assert locate_yaml(YAML, "/Statement/0/Resource") == Position(8, 5)
    assert locate_yaml(YAML, "/again/a") == Position(9, 18)  # the anchor's own key
    assert locate_yaml(YAML, "/Statement/3") is None
    assert locate_yaml("a: [unclosed", "/a") is None


TERRAFORM = """\
resource "aws_iam_policy" "inline" {
  name = "inline" # policy = not this one
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["s3:GetObject"], Resource = "*" },
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:GetObjekt"]
        Resource = "*"
      },
    ]
  })
}

resource "aws_iam_policy" "heredoc" {
  policy = <<EOF
{
  "Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]
}
EOF
}

resource "aws_iam_policy" "document" {
  name   = "document"
  policy = data.aws_iam_policy_document.x.json
}
"""


def test_terraform_follows_the_pointer_inside_jsonencode_and_heredocs() -> None:
    at = locate_terraform(TERRAFORM, "/Statement/1/Action/1", line=1, attribute="policy")
    assert at == Position(9, 37)
    at = locate_terraform(TERRAFORM, "/Statement/0/Action", line=16, attribute="policy")
    assert at == Position(19, 37)


def test_terraform_falls_back_to_the_attribute_then_the_block() -> None:
    # A policy built by a data source: the attribute's line is the best place there is.
    at = locate_terraform(TERRAFORM, "/Statement/0", line=24, attribute="policy")
    assert at == Position(26, 3)
    assert locate_terraform(TERRAFORM, "", line=24, attribute="missing") == Position(24, 1)
    assert locate_terraform(TERRAFORM, "", line=999, attribute="policy").line == 999


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("policy.json", SourceRef("policy.json")),
        ("dir/main.tf:24", SourceRef("dir/main.tf", 24)),
        (
            "dir/main.tf:24 (aws_iam_policy.developer_access.policy)",
            SourceRef("dir/main.tf", 24, "policy"),
        ),
        (
            "m.tf:3 (module.a.aws_iam_role.r.inline_policy[0].policy)",
            SourceRef("m.tf", 3, "policy"),
        ),
    ],
)
def test_parse_source(source: str, expected: SourceRef) -> None:
    assert parse_source(source) == expected


def test_locate_in_file_reads_the_named_file(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(POLICY)
    ref, at = locate_in_file(str(path), "/Statement/1/Action/1")
    assert ref.file == str(path) and at == Position(8, 34)
    # A file that cannot be read again gives no position, never an exception.
    assert locate_in_file(str(tmp_path / "gone.json"), "/Statement")[1] is None
    assert locate_in_file(str(tmp_path), "/Statement")[1] is None


def test_json_member_finds_an_exact_literal_pair() -> None:
    text = '{"A": [{"Arn": "arn:x/a.b"}, {"Arn" :  "arn:x/a*b"}, {"Arn": "arn:x/ab"}]}'
    assert locate_json_member(text, "Arn", "arn:x/a*b") == Position(1, 31)
    assert locate_json_member(text, "Arn", "arn:x/a") is None
