"""``--context``: single-valued keys, key spellings, empty and malformed values.

A single-valued key given as a list is read by the engine as multivalued, where plain
operators never match, so a Deny on ``StringNotEquals`` silently stops applying. These tests
pin that such input is refused, on the command line and through the shared check.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iamsim.cli.main import cli
from iamsim.errors import InputError
from iamsim.vocabulary.context_keys import (
    MULTIVALUED_GLOBAL_KEYS,
    check_context,
    context_key_multivalued,
    parse_context,
)

MODEL = Path(__file__).resolve().parents[2] / "examples" / "organization" / "model"
INPUTS = [arg for path in sorted(MODEL.glob("*.*")) for arg in ("-i", str(path))]
# The workloads OU's SCP denies everything outside eu-west-1/eu-central-1 with
# StringNotEquals on aws:RequestedRegion.
QUESTION = ["check", "role/developer", "s3:GetObject", "arn:aws:s3:::first-data/x", *INPUTS]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def test_one_region_outside_the_approved_ones_is_denied() -> None:
    code, out, _ = run(*QUESTION, "-c", "aws:RequestedRegion=ap-south-1", "--json")
    assert code == 0
    assert json.loads(out)["decision"] == "ExplicitDeny"


@pytest.mark.parametrize(
    "values",
    [
        ["aws:RequestedRegion=ap-south-1", "aws:RequestedRegion=ap-south-1"],
        ["aws:RequestedRegion=ap-south-1", "aws:RequestedRegion=eu-west-1"],
        ['aws:RequestedRegion=["ap-south-1"]'],
        ["aws:RequestedRegion=[]"],
    ],
)
def test_a_single_valued_key_as_a_list_is_refused_not_allowed(values: list[str]) -> None:
    args = [arg for value in values for arg in ("-c", value)]
    code, out, err = run(*QUESTION, *args)
    assert code == 2
    assert "aws:RequestedRegion is single-valued" in err
    assert "Allow" not in out


def test_two_spellings_of_one_key_are_refused() -> None:
    code, _, err = run(
        *QUESTION, "-c", "aws:RequestedRegion=ap-south-1", "-c", "aws:requestedregion=eu-west-1"
    )
    assert code == 2
    assert "aws:RequestedRegion and aws:requestedregion are the same condition key" in err


def test_context_errors_stay_json_with_json() -> None:
    code, out, _ = run(*QUESTION, "-c", 'aws:SourceIp=["10.0.0.1"]', "--json")
    assert code == 2
    assert "aws:SourceIp is single-valued" in json.loads(out)["error"]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("aws:SourceIp=", "the value is empty"),
        ("aws:SourceIp=  ", "the value is empty"),
        ("aws:SourceIp=[1,2", "not valid JSON"),
        ('aws:SourceIp="10.0.0.1', "not valid JSON"),
        ("s3:prefix=a", None),
    ],
)
def test_empty_and_unterminated_values(item: str, message: str | None) -> None:
    if message is None:
        assert parse_context([item]) == {"s3:prefix": "a"}
        return
    with pytest.raises(InputError, match=message):
        parse_context([item])


def test_json_string_values_allow_empty_and_bracketed_text() -> None:
    assert parse_context(['s3:prefix=""', 'aws:UserAgent="[1,2"']) == {
        "s3:prefix": "",
        "aws:UserAgent": "[1,2",
    }


def test_service_keys_follow_the_reference_type() -> None:
    with pytest.raises(InputError, match="s3:prefix is single-valued"):
        parse_context(["s3:prefix=a", "s3:prefix=b"])
    with pytest.raises(InputError, match="ec2:ResourceTag/team is single-valued"):
        parse_context(['ec2:ResourceTag/team=["a"]'])
    assert parse_context(["kms:EncryptionContextKeys=a,b"]) == {
        "kms:EncryptionContextKeys": ["a", "b"]
    }


# -- the shared check --------------------------------------------------------------------------


def test_multivalued_keys() -> None:
    for key in (
        "aws:TagKeys",
        "aws:PrincipalOrgPaths",
        "aws:ResourceOrgPaths",
        "aws:CalledVia",
        "aws:PrincipalServiceNamesList",
    ):
        assert key.lower() in MULTIVALUED_GLOBAL_KEYS
        assert context_key_multivalued(key) is True
        assert context_key_multivalued(key.upper()) is True
    for key in ("aws:RequestedRegion", "aws:SourceIp", "aws:PrincipalTag/team", "aws:NoSuchKey"):
        assert context_key_multivalued(key) is False
    assert context_key_multivalued("s3:prefix") is False
    assert context_key_multivalued("kms:EncryptionContextKeys") is True
    assert context_key_multivalued("custom:thing") is None


def test_the_catalogue_agrees_on_the_multivalued_global_keys() -> None:
    from iamsim.catalog import service_reference

    catalogued = {
        k.key.lower() for k in service_reference().global_condition_keys() if k.multivalued
    }
    assert catalogued == set(MULTIVALUED_GLOBAL_KEYS)


@pytest.mark.parametrize(
    ("context", "path", "message"),
    [
        ({"aws:RequestedRegion": ["x"]}, "/aws:RequestedRegion", "single-valued"),
        ({"aws:SourceIp": []}, "/aws:SourceIp", "single-valued"),
        ({"aws:SourceIp": {"a": 1}}, "/aws:SourceIp", "not a mapping"),
        ({"aws:SourceIp": None}, "/aws:SourceIp", r"no value \(null\)"),
        ({"aws:TagKeys": [["a"]]}, "/aws:TagKeys/0", "not a list"),
        ({"aws:ResourceTag/team": ["a"]}, "/aws:ResourceTag~1team", "single-valued"),
        ({"aws:SourceIp": "1", "AWS:SOURCEIP": "2"}, "/AWS:SOURCEIP", "same condition key"),
        ({"SourceIp": "1"}, "/SourceIp", "not a condition key"),
    ],
)
def test_check_context_locates_each_error(
    context: dict[str, object], path: str, message: str
) -> None:
    with pytest.raises(InputError, match=message) as info:
        check_context(context)
    assert info.value.path == path


def test_check_context_normalizes_yaml_dates() -> None:
    from datetime import UTC, date, datetime

    assert check_context(
        {"aws:CurrentTime": datetime(2025, 1, 31, 12, tzinfo=UTC), "x:day": date(2025, 1, 31)}
    ) == {"aws:CurrentTime": "2025-01-31T12:00:00Z", "x:day": "2025-01-31"}
