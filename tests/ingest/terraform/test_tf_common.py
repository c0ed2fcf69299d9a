"""The shared Terraform mapping: aws_iam_policy_document rendering as the provider does it,
computed attributes, placeholders."""

from __future__ import annotations

import json
from typing import Any

import pytest

from iamsim.ingest.iac.computed import computed_attributes
from iamsim.ingest.iac.placeholders import (
    Env,
    partition_of_region,
    placeholder_name,
    placeholder_uuid,
)
from iamsim.ingest.iac.policy_document import render_policy_document
from iamsim.ingest.iac.unknown import Unknown


def render(**values: Any) -> dict[str, Any]:
    text, _ = render_policy_document(values)
    assert isinstance(text, str)
    doc: dict[str, Any] = json.loads(text)
    return doc


def test_statement_defaults_and_list_rendering() -> None:
    doc = render(statement=[{"actions": ["s3:GetObject", "s3:ListBucket"], "resources": ["*"]}])
    assert doc == {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"], "Resource": "*"}
        ],
    }


def test_policy_variables_only_where_the_provider_replaces_them() -> None:
    stmt = render(
        statement=[
            {
                "actions": ["s3:GetObject"],
                "resources": ["arn:aws:s3:::b/&{aws:username}/*"],
                "principals": [{"type": "AWS", "identifiers": ["&{aws:PrincipalTag/x}"]}],
                "condition": [
                    {"test": "StringLike", "variable": "s3:prefix", "values": ["&{aws:userid}"]}
                ],
            }
        ]
    )["Statement"][0]
    assert stmt["Resource"] == "arn:aws:s3:::b/${aws:username}/*"
    assert stmt["Principal"] == {"AWS": "${aws:PrincipalTag/x}"}
    assert stmt["Condition"] == {"StringLike": {"s3:prefix": "${aws:userid}"}}


def test_policy_variables_need_version_2012() -> None:
    with pytest.raises(ValueError, match="2012-10-17"):
        render_policy_document(
            {"version": "2008-10-17", "statement": [{"resources": ["&{aws:username}"]}]}
        )


def test_wildcard_principal_normalization() -> None:
    lone = render(statement=[{"principals": [{"type": "*", "identifiers": ["*"]}]}])
    assert lone["Statement"][0]["Principal"] == "*"
    aws_star = render(statement=[{"principals": [{"type": "AWS", "identifiers": ["*"]}]}])
    assert aws_star["Statement"][0]["Principal"] == {"AWS": "*"}
    merged = render(
        statement=[
            {
                "principals": [
                    {"type": "AWS", "identifiers": ["arn:aws:iam::111122223333:root"]},
                    {"type": "AWS", "identifiers": ["arn:aws:iam::444455556666:root"]},
                ]
            }
        ]
    )
    assert merged["Statement"][0]["Principal"] == {
        "AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"]
    }


def test_source_override_and_own_statements_merge_by_sid() -> None:
    source = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow", "Action": "a:*"}]}
    )
    override = json.dumps(
        {
            "Id": "from-override",
            "Statement": {"Sid": "B", "Effect": "Deny", "Action": "b:*"},
        }
    )
    doc = render(
        source_policy_documents=[source],
        override_policy_documents=[override],
        statement=[{"sid": "B", "actions": ["b:Get"]}, {"sid": "A", "actions": ["a:Get"]}],
    )
    assert doc["Id"] == "from-override"
    assert [(s["Sid"], s["Effect"]) for s in doc["Statement"]] == [("A", "Allow"), ("B", "Deny")]
    assert doc["Statement"][0]["Action"] == "a:Get"


def test_rejections_mirror_the_provider() -> None:
    dup = json.dumps({"Statement": [{"Sid": "X"}]})
    with pytest.raises(ValueError, match="duplicate Sid"):
        render_policy_document({"source_policy_documents": [dup, dup]})
    with pytest.raises(ValueError, match="duplicate Sid"):
        render_policy_document({"statement": [{"sid": "S"}, {"sid": "S"}]})
    with pytest.raises(ValueError, match="not valid JSON"):
        render_policy_document({"override_policy_documents": ["{"]})
    with pytest.raises(ValueError, match="version"):
        render_policy_document({"version": "2020-01-01"})


def test_unknown_inputs_make_the_document_unknown() -> None:
    text, _ = render_policy_document({"statement": [{"resources": [Unknown("later")]}]})
    assert text == Unknown("later")


def test_computed_attributes() -> None:
    env = Env(account="111122223333", region="eu-west-1", account_is_placeholder=False)
    role = computed_attributes("aws_iam_role", "aws_iam_role.r", {"name": "r", "path": "/x/"}, env,
                               data=False)  # fmt: skip
    assert role["arn"] == "arn:aws:iam::111122223333:role/x/r" and role["id"] == "r"
    policy = computed_attributes(
        "aws_iam_policy", "aws_iam_policy.p", {"name": "p"}, env, data=False
    )
    assert policy["arn"] == policy["id"] == "arn:aws:iam::111122223333:policy/p"
    bucket = computed_attributes("aws_s3_bucket", "b", {"bucket": "bk"}, env, data=False)
    assert bucket["arn"] == "arn:aws:s3:::bk"
    queue = computed_attributes("aws_sqs_queue", "q", {"name": "q"}, env, data=False)
    assert queue["url"] == "https://sqs.eu-west-1.amazonaws.com/111122223333/q"
    missing = computed_attributes("aws_iam_user", "u", {}, env, data=False)
    assert isinstance(missing["arn"], Unknown)
    caller = computed_attributes("aws_caller_identity", "c", {}, env, data=True)
    assert caller["account_id"] == "111122223333" and isinstance(caller["arn"], Unknown)
    assert computed_attributes("aws_partition", "p", {}, env, data=True)["partition"] == "aws"


def test_placeholders_are_stable_and_distinct() -> None:
    assert placeholder_uuid("a") == placeholder_uuid("a") != placeholder_uuid("b")
    name = placeholder_name("aws_iam_role.r", None)
    assert name.startswith("terraform-") and name == placeholder_name("aws_iam_role.r", None)
    assert placeholder_name("x", "app-").startswith("app-")


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("us-east-1", "aws"),
        ("cn-north-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        (None, "aws"),
    ],
)
def test_partition_of_region(region: str | None, partition: str) -> None:
    assert partition_of_region(region) == partition
