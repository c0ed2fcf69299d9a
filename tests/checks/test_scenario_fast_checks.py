"""The scenario reader's shortcuts answer as the general checks do: the context check's common
case (:func:`iamsim.checks.scenarios._checked_context` against ``check_context``) and the
remembered action check, on valid and malformed input alike."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from iamsim.checks import scenarios
from iamsim.errors import InputError
from iamsim.vocabulary.context_keys import check_context

CONTEXTS: list[Any] = [
    {"aws:RequestedRegion": "eu-west-1"},
    {"aws:PrincipalTag/team": "a", "aws:SourceIp": "10.0.0.1"},
    {"s3:prefix": ""},
    {"aws:RequestedRegion": "eu-west-1", "AWS:REQUESTEDREGION": "us-east-1"},  # same key twice
    {"nocolon": "x"},
    {":name": "x"},
    {"aws: ": "x"},
    {" :x": "x"},
    {1: "x"},
    {"aws:x": None},
    {"aws:x": 1},
    {"aws:x": True},
    {"aws:x": 1.5},
    {"aws:x": ["a", "b"]},
    {"aws:RequestedRegion": ["a"]},  # single-valued key given a list
    {"aws:x": {"a": 1}},
    {"aws:x": [None]},
    {"aws:CurrentTime": date(2020, 1, 2)},  # YAML made a date
]


def outcome(check: Any, value: Any) -> tuple[str, Any]:
    try:
        result = check(value)
    except InputError as exc:
        return "error", (str(exc), exc.path)
    return "ok", list(result.items())


@pytest.mark.parametrize("context", CONTEXTS)
def test_context_check_same_answer(context: Any) -> None:
    assert outcome(scenarios._checked_context, context) == outcome(check_context, context)


@pytest.mark.parametrize(
    "action",
    ["s3:GetObject", "s3:Get*", "s3 :GetObject", "GetObject", ":x", "s3:a:b", "s3:Get/Object"],
)
def test_action_check_remembered(action: str) -> None:
    expected = scenarios._find_action_problem(action)
    assert scenarios._action_problem(action) == expected
    assert scenarios._action_problem(action) == expected  # from the memo


def test_action_memo_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scenarios, "_ACTION_PROBLEMS_LIMIT", 4)
    for i in range(20):
        assert scenarios._action_problem(f"s3:Get{i}") is None
        assert len(scenarios._ACTION_PROBLEMS) <= 4


@pytest.mark.parametrize(
    ("resource", "refused"),
    [
        ("arn:aw*:s3:::bucket/key", True),
        ("arn:aws:s?:::bucket/key", True),
        ("arn:aws:ec2:eu-*:111122223333:instance/i-1", True),
        ("arn:aws:ec2:eu-west-1:1111222233?3:instance/i-1", True),
        ("arn:aws:s3:::bucket/*", False),  # a wildcard in the resource part is only text
        ("arn:aws:s3:::bucket/key?", False),
        ("arn:aws:ec2:eu-west-1:111122223333:instance/i-1", False),
    ],
)
def test_wildcard_in_an_arn_head_refused(resource: str, refused: bool) -> None:
    problem = scenarios._resource_problem(resource)
    assert (problem is not None and "has a wildcard in its partition" in problem) is refused


def test_context_check_same_answer_with_the_keys_remembered() -> None:
    # The second time round every tuple of keys found plain is remembered: the values are
    # still checked, and a context whose values are not plain still gets check_context's
    # answer.
    for _ in range(2):
        for context in CONTEXTS:
            assert outcome(scenarios._checked_context, context) == outcome(check_context, context)
