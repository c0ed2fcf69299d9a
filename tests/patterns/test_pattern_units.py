"""Unit tests for the public API details the tables do not cover."""

from __future__ import annotations

import pytest

from iamsim.patterns import (
    WILD_ONE,
    WILD_STAR,
    compile_action,
    compile_arn_condition,
    compile_resource,
    parse_template,
    split_outside_variables,
)
from iamsim.vocabulary.arn import (
    Arn,
    parse_arn,
)
from iamsim.vocabulary.request import Context


def test_parse_arn_splits_at_first_five_colons() -> None:
    arn = parse_arn("arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:s1")
    assert arn == Arn("aws", "logs", "us-east-1", "111122223333", "log-group:app:log-stream:s1")
    assert str(arn) == "arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:s1"
    assert parse_arn("arn:aws:s3:::bucket/a/b") == Arn("aws", "s3", "", "", "bucket/a/b")


@pytest.mark.parametrize("text", ["*", "arn:aws:s3", "ARN:aws:s3:::b", "x:aws:s3:::b", ""])
def test_parse_arn_rejects_non_arns(text: str) -> None:
    assert parse_arn(text) is None


def test_static_template_glob_is_compiled_once() -> None:
    template = parse_template("arn:aws:s3:::b/*", enabled=True)
    first = template.glob(Context())
    assert first is template.glob(Context({"aws:username": "x"}))
    assert template.glob(Context(), ignore_case=True) is template.glob(Context(), ignore_case=True)
    assert template.glob(Context(), ignore_case=True) is not first


def test_variable_template_reuses_glob_for_same_value() -> None:
    template = parse_template("home/${aws:username}/*", enabled=True)
    alice = Context({"aws:username": "alice"})
    assert template.glob(alice) is template.glob(Context({"AWS:UserName": "alice"}))
    assert template.glob(alice) is not template.glob(Context({"aws:username": "bob"}))


def test_template_tokens_distinguish_literal_and_wildcard() -> None:
    template = parse_template("${*}*${?}?", enabled=True)
    assert template.tokens(Context()) == ["*", WILD_STAR, "?", WILD_ONE]
    assert template.literal == "**??"


def test_split_outside_variables() -> None:
    text = "arn:aws:iam::${aws:PrincipalAccount}:role/${aws:username, 'a:b'}:x"
    assert split_outside_variables(text, ":", 5, enabled=True) == [
        "arn",
        "aws",
        "iam",
        "",
        "${aws:PrincipalAccount}",
        "role/${aws:username, 'a:b'}:x",
    ]
    assert split_outside_variables("a:${b:c}", ":", 5, enabled=False) == ["a", "${b", "c}"]


def test_compile_resource_rejects_bad_variable_syntax() -> None:
    with pytest.raises(ValueError, match="closing"):
        compile_resource("arn:aws:s3:::b/${aws:username", variables_enabled=True)
    # Not an error when variables are disabled: it is literal text.
    literal = compile_resource("arn:aws:s3:::b/${aws:username", variables_enabled=False)
    assert literal.matches("arn:aws:s3:::b/${aws:username", Context())


def test_resource_pattern_attributes() -> None:
    every = compile_resource("*", variables_enabled=True)
    assert every.matches_all and every.service is None
    s3 = compile_resource("arn:aws:S3:::b/${aws:username}", variables_enabled=True)
    assert not s3.matches_all and s3.service == "s3" and s3.has_variables
    assert compile_resource("arn:aws:s3*:::b", variables_enabled=True).service is None


def test_resource_variables_before_the_resource_part() -> None:
    # The variables page places variables after the fifth colon, but AWS's own managed policy
    # AmazonTimestreamInfluxDBServiceRolePolicy uses arn:*:kms:*:${aws:PrincipalAccount}:key/*,
    # so they are substituted in every segment.
    pattern = compile_resource(
        "arn:aws:iam::${aws:PrincipalAccount}:user/x", variables_enabled=True
    )
    assert pattern.has_variables
    context = Context({"aws:PrincipalAccount": "111122223333"})
    assert pattern.matches("arn:aws:iam::111122223333:user/x", context) is True
    assert pattern.matches("arn:aws:iam::444455556666:user/x", context) is False
    assert pattern.matches("arn:aws:iam::111122223333:user/x", Context()) is False


def test_matches_arn_accepts_parsed_arn() -> None:
    pattern = compile_resource("arn:aws:s3:::b/*", variables_enabled=True)
    arn = parse_arn("arn:aws:s3:::b/k")
    assert arn is not None
    assert pattern.matches_arn(arn, Context())


def test_non_arn_resources() -> None:
    assert compile_resource("*", variables_enabled=True).matches("not-an-arn", Context())
    arn_pattern = compile_resource("arn:aws:s3:::*", variables_enabled=True)
    assert not arn_pattern.matches("not-an-arn", Context())
    other = compile_resource("bucket/*", variables_enabled=True)
    assert other.matches("bucket/key", Context())
    assert not other.matches("*", Context())


def test_action_pattern_service_index() -> None:
    assert compile_action("IAM:ListUsers").service == "iam"
    assert compile_action("iam:*").service == "iam"
    assert compile_action("*").service is None
    assert compile_action("*").matches_all
    assert compile_action("i?m:ListUsers").service is None


def test_arn_condition_variable_supplies_whole_arn() -> None:
    pattern = compile_arn_condition("${aws:PrincipalArn}", variables_enabled=True)
    context = Context({"aws:PrincipalArn": "arn:aws:iam::111122223333:role/r"})
    assert pattern.matches("arn:aws:iam::111122223333:role/r", context) is True
    assert pattern.matches("arn:aws:iam::111122223333:role/other", context) is False


def test_arn_condition_substituted_wildcards_are_literal() -> None:
    pattern = compile_arn_condition("arn:aws:iam::*:role/${aws:username}", variables_enabled=True)
    context = Context({"aws:username": "*"})
    assert pattern.matches("arn:aws:iam::111122223333:role/admin", context) is False
    assert pattern.matches("arn:aws:iam::111122223333:role/*", context) is True


def test_arn_condition_version_2008_is_literal() -> None:
    pattern = compile_arn_condition("arn:aws:iam::*:role/${aws:username}", variables_enabled=False)
    assert pattern.matches("arn:aws:iam::1:role/${aws:username}", Context()) is True
    assert not pattern.has_variables
