"""ARN-format and condition-key-template matching rules (iamsim.catalog._templates)."""

from __future__ import annotations

import time

import pytest

from iamsim.catalog import service_reference
from iamsim.catalog._templates import ArnFormat, KeyTemplate, parse_template

OBJECT = "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
BUCKET = "arn:${Partition}:s3:::${BucketName}"
ROLE = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"
LOG_STREAM = "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}"
STAGE_SETTINGS = (
    "arn:${Partition}:apigateway:${Region}::/apis/${ApiId}/stages/${StageName}/accesslogsettings"
)
ACCOUNT = "arn:${Partition}:account::${Account}:account"


@pytest.mark.parametrize(
    ("fmt", "arn", "fits"),
    [
        (OBJECT, "arn:aws:s3:::b/k", True),
        (OBJECT, "arn:aws:s3:::b/a/b/c:d", True),
        (OBJECT, "arn:aws:s3:::b", False),
        (OBJECT, "arn:aws:s3:::/k", False),  # placeholders in the resource part are non-empty
        (OBJECT, "arn:aws:s3:::b/", False),
        (OBJECT, "arn:aws:s3:us-east-1::b/k", False),  # literal empty region
        (BUCKET, "arn:aws:s3:::b", True),
        (BUCKET, "arn:aws:s3:::b/k", True),  # the final placeholder may hold anything...
        (BUCKET, "arn:aws:s3:::", False),
        (BUCKET, "arn:aws:sqs:::b", False),
        (ROLE, "arn:aws:iam::123456789012:role/r", True),
        (ROLE, "arn:aws:iam::123456789012:role/a/b/r", True),
        (ROLE, "arn:aws:iam::123456789012:user/r", False),
        (ROLE, "arn:aws:iam:us-east-1:123456789012:role/r", False),
        (ROLE, "arn:aws-us-gov:iam::123456789012:role/r", True),
        (LOG_STREAM, "arn:aws:logs:us-east-1:1:log-group:/aws/x:log-stream:s", True),
        (LOG_STREAM, "arn:aws:logs:us-east-1:1:log-group:/aws/x:log-stream:s:t", True),
        # a non-final placeholder never crosses a colon
        (LOG_STREAM, "arn:aws:logs:us-east-1:1:log-group:a:b:log-stream:s", False),
        (LOG_STREAM, "arn:aws:logs:us-east-1:1:log-group:/aws/x", False),
        (
            STAGE_SETTINGS,
            "arn:aws:apigateway:us-east-1::/apis/a1/stages/prod/accesslogsettings",
            True,
        ),
        (
            STAGE_SETTINGS,
            "arn:aws:apigateway:us-east-1::/apis/a1/stages/p:q/accesslogsettings",
            True,
        ),
        (STAGE_SETTINGS, "arn:aws:apigateway:us-east-1::/apis/a1/stages/prod/other", False),
        (ACCOUNT, "arn:aws:account::123456789012:account", True),
        (ACCOUNT, "arn:aws:account:::account", True),  # a whole header field may be empty
        (ACCOUNT, "arn:aws:account::1:2:account", False),  # header placeholders never absorb ':'
        ("arn:${Partition}:s3:::*", "arn:aws:s3:::anything/at:all", True),
    ],
)
def test_arn_format(fmt: str, arn: str, fits: bool) -> None:
    assert ArnFormat(fmt).matches(arn) is fits


def test_specificity_prefers_spelled_out_separators() -> None:
    assert ArnFormat(OBJECT).specificity > ArnFormat(BUCKET).specificity


def test_arn_format_service_field() -> None:
    assert ArnFormat(OBJECT).service == "s3"
    assert ArnFormat("arn:${Partition}:${Vendor}:${Region}:${Account}:x/${Id}").service == ""


def test_arn_matching_is_linear() -> None:
    # adversarial ARNs against many-placeholder formats stay fast (no backtracking)
    fmt = ArnFormat("arn:${Partition}:x:${Region}:${Account}:a/${A}/b/${B}/c/${C}/d/${D}")
    arn = "arn:aws:x:r:1:a/" + "a/b/" * 20_000 + "c"
    start = time.perf_counter()
    assert not fmt.matches(arn)
    assert time.perf_counter() - start < 1.0


def test_every_reference_format_compiles_and_matches_an_instance() -> None:
    formats = {
        text
        for info in service_reference().all_action_infos()
        for rt in info.resource_types
        for text in rt.arn_formats
    }
    assert len(formats) > 1000
    for text in formats:
        instance = "".join("x1" if tok is None else tok for tok in parse_template(text))
        assert ArnFormat(text).matches(instance), text


def test_parse_template() -> None:
    assert parse_template("a${B}c") == ["a", None, "c"]
    assert parse_template("a<b>c", angle=True) == ["a", None, "c"]
    assert parse_template("a<b>c") == list("a<b>c")
    assert parse_template("x${unclosed") == list("x${unclosed")
    assert parse_template("a*") == ["a", None]


@pytest.mark.parametrize(
    ("template", "key", "fits"),
    [
        ("aws:RequestTag/${TagKey}", "aws:RequestTag/Env", True),
        ("aws:RequestTag/${TagKey}", "AWS:requesttag/env", True),
        ("aws:RequestTag/${TagKey}", "aws:RequestTag/a/b:c", True),
        ("aws:RequestTag/${TagKey}", "aws:RequestTag/", False),
        ("aws:RequestTag/${TagKey}", "aws:RequestTags/x", False),
        ("s3:ExistingObjectTag/<key>", "s3:ExistingObjectTag/k", True),
        (
            "codebuild:secondarySources/${id}.location",
            "codebuild:secondarySources/s1.location",
            True,
        ),
        ("codebuild:secondarySources/${id}.location", "codebuild:secondarySources/s1.type", False),
    ],
)
def test_key_template(template: str, key: str, fits: bool) -> None:
    assert KeyTemplate(template).matches(key) is fits


def test_key_template_prefix() -> None:
    assert KeyTemplate("aws:RequestTag/${TagKey}").prefix == "aws"
    assert KeyTemplate("agent.${Domain}.buildkite.dev:build_branch").prefix == ""
