"""The shortcuts of scenario reading answer as the long way does (``checks/scenarios.py``)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from iamsim.checks import scenarios
from iamsim.errors import InputError

_PIECES = st.sampled_from(
    [
        "arn",
        "aws",
        "aws-cn",
        "aws-iso-b",
        "s3",
        "",
        ":",
        "*",
        "?",
        " ",
        "\t",
        "${",
        "}",
        "aws:username",
        "/",
        "b",
        "111122223333",
        "eu-west-1",
        "\u00a0",
        "\x1c",
        "arn:aws:s3:::",
    ]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_a_plain_arn_is_one_the_long_way_accepts(text: str) -> None:
    if scenarios._plain_arn(text):
        assert scenarios._resource_problem_of(text) is None
    assert scenarios._resource_problem(text) == scenarios._resource_problem_of(text)


def test_plain_arns_are_recognised() -> None:
    for text in (
        "arn:aws:s3:::data-1/object-2",
        "arn:aws:iam::111122223333:role/app",
        "arn:aws-cn:ec2:cn-north-1:111122223333:instance/i-1",
        "arn:aws:s3:::b/ key with spaces/*?",
    ):
        assert scenarios._plain_arn(text)
    for text in (
        "arn:aws:s3:::",
        "arn:aws::::x",
        "arn:aws:s3:eu-*:111122223333:x",
        "arn:aws:s3:::b/${aws:username}",
        "arn:aws-iso:s3:::b",  # accepted, the long way
        " arn:aws:s3:::b",
    ):
        assert not scenarios._plain_arn(text)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=6), st.integers(), st.none(), st.booleans()))
def test_required_text_answers_as_before(value: object) -> None:
    item = {"principal": value}
    try:
        found: object = scenarios._required_text(item, "principal", "", "s")
    except InputError as exc:
        found = type(exc)
    if isinstance(value, str | int) and str(value).strip():
        assert found == str(value).strip()
    else:
        assert found is InputError
