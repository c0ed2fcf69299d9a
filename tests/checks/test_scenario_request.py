"""The scenario request builder (:mod:`iamsim.checks.scenario_request`) builds what
``make_request`` builds: same caller, resource, account and context (keys, order, values,
multi-valued keys), and the same errors, whatever its memos hold."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from iamsim.checks import scenario_request as module
from iamsim.checks.scenario_request import scenario_request
from iamsim.engine.context import make_request
from iamsim.vocabulary.request import Request

PRINCIPALS = [
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:iam::111122223333:user/path/to/bob",
    "arn:aws:iam::111122223333:role/app",
    "arn:aws:iam::111122223333:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX",
    "arn:aws:sts::111122223333:assumed-role/app/session-1",
    "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForX/s",
    "arn:aws:sts::111122223333:federated-user/carol",
    "arn:aws:iam::111122223333:root",
    "444455556666",
    "arn:aws-cn:iam::111122223333:user/dave",
    "anonymous",
    "lambda.amazonaws.com",
    "accounts.google.com",
    "arn:aws:iam::111122223333:oidc-provider/example.com",
]
REQUESTS = [
    ("s3:GetObject", "arn:aws:s3:::bucket/key"),
    ("s3:ListAllMyBuckets", "arn:aws:s3:::bucket"),  # no resource-level permissions
    ("s3:GetObject", "*"),
    ("iam:CreateUser", "arn:aws:iam::444455556666:user/new"),  # a global service
    ("ec2:RunInstances", "arn:aws:ec2:eu-west-1:444455556666:instance/i-1"),  # no via key
    ("dynamodb:GetItem", "arn:aws:dynamodb:us-east-2:111122223333:table/t"),
    ("unknown:DoThing", "arn:aws:unknown:eu-west-1:111122223333:thing/x"),
]
CONTEXTS: list[dict[str, Any]] = [
    {},
    {"aws:RequestedRegion": "eu-west-1", "aws:PrincipalTag/team": "a"},
    {"AWS:CurrentTime": "2020-01-01T00:00:00Z", "aws:sourceip": "10.0.0.1"},  # overrides
    {"aws:MultiFactorAuthPresent": True, "aws:MultiFactorAuthAge": 30},
    {"aws:PrincipalTag/x": ["a", "b"], "AWS:PRINCIPALARN": "arn:aws:iam::1:user/x"},
    {"aws:ResourceAccount": "999999999999", "aws:TokenIssueTime": "2019-01-01T00:00:00Z"},
]
MOMENTS = [
    datetime(2026, 12, 7, 19, 0, 0, 999999, tzinfo=UTC),
    datetime(2026, 12, 7, 19, 0, 1, 1),  # naive: read as UTC
    datetime(2026, 12, 7, 21, 0, 1, tzinfo=timezone(timedelta(hours=2))),
    datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC),  # before the epoch
]


def same(built: Request, expected: Request) -> None:
    assert built == expected  # caller, action, resource, account (and context as a mapping)
    assert built.context.sameness_key() == expected.context.sameness_key()  # order, spelling
    assert list(built.context.as_dict().items()) == list(expected.context.as_dict().items())


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_same_request_as_make_request(principal: str) -> None:
    for (action, resource), context, now, account in itertools.product(
        REQUESTS, CONTEXTS, MOMENTS, [None, "444455556666"]
    ):
        arguments: dict[str, Any] = {"resource_account": account, "context": context, "now": now}
        expected = make_request(principal, action, resource, **arguments)
        # Twice: the second answer comes from the memos.
        same(scenario_request(principal, action, resource, **arguments), expected)
        same(scenario_request(principal, action, resource, **arguments), expected)


def test_clock_read_per_request_when_no_moment_is_given() -> None:
    """Without ``now`` every request reads the clock (the time keys of that moment), as
    ``make_request`` does; only the values of the time keys can differ between the two."""
    before = datetime.now(UTC).replace(microsecond=0)
    built = scenario_request("arn:aws:sts::111122223333:assumed-role/r/s", "s3:GetObject", "*")
    after = datetime.now(UTC)
    expected = make_request("arn:aws:sts::111122223333:assumed-role/r/s", "s3:GetObject", "*")
    assert list(built.context) == list(expected.context)
    current = datetime.fromisoformat(built.context["aws:CurrentTime"][0].replace("Z", "+00:00"))
    assert before <= current <= after
    assert built.context["aws:TokenIssueTime"] == built.context["aws:CurrentTime"]
    assert int(built.context["aws:EpochTime"][0]) == int(current.timestamp())
    for key in expected.context:
        if key not in ("aws:CurrentTime", "aws:EpochTime", "aws:TokenIssueTime"):
            assert built.context[key] == expected.context[key]


@pytest.mark.parametrize(
    "principal",
    [
        "",
        "arn:aws:iam::111122223333:group/admins",
        "arn:aws:sts::111122223333:assumed-role/app",
        "not a principal",
        "arn:aws:s3:::bucket",
    ],
)
def test_same_error_as_make_request(principal: str) -> None:
    with pytest.raises(Exception) as expected:
        make_request(principal, "s3:GetObject", "*")
    for _ in range(2):  # an error is not remembered as an answer
        with pytest.raises(type(expected.value)) as built:
            scenario_request(principal, "s3:GetObject", "*")
        assert str(built.value) == str(expected.value)


def test_memos_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(module, "_LIMIT", 8)
    # Filled by earlier tests with the same principals, a memo would answer without growing.
    module._callers.clear()
    module._resource_level.clear()
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(40):
        principal = f"arn:aws:iam::111122223333:user/u{i}"
        action = f"s3:GetObject{'' if i % 2 else 'Acl'}"
        same(
            scenario_request(principal, action, "arn:aws:s3:::b/k", now=moment),
            make_request(principal, action, "arn:aws:s3:::b/k", now=moment),
        )
        assert len(module._callers) <= 8
        assert len(module._resource_level) <= 8


_KEYS = ["aws:a", "AWS:A", "aws:b", "s3:prefix", "", 7]
_VALUES: list[Any] = ["x", "", ["a", "b"], ("c",), 1, True, None]


def _state(context: Any) -> tuple[Any, ...]:
    return (list(context._values.items()), list(context._names.items()), context._multi)


@pytest.mark.parametrize("size", [0, 1, 2, 3])
def test_with_derived_is_the_constructor_then_the_defaults(size: int) -> None:
    # Every combination of keys (case-folded duplicates, an empty key, a non-string key) and
    # values (strings, lists, tuples, numbers, booleans, None): the same context, or the same
    # error, as the constructor followed by the derived keys that are missing.
    from iamsim.vocabulary.request import Context

    derived = [("aws:a", "aws:A", "derived"), ("aws:c", "aws:C", "c")]
    for keys in itertools.product(_KEYS, repeat=size):
        for values in itertools.product(_VALUES[:4] if size > 2 else _VALUES, repeat=size):
            given = dict(zip(keys, values, strict=True))
            try:
                expected = Context(given)
            except Exception as exc:  # the same refusal either way
                with pytest.raises(type(exc)):
                    Context.with_derived(given, derived)
                continue
            for folded, name, value in derived:
                if folded not in expected._values:
                    expected._values[folded] = (value,)
                    expected._names[folded] = name
            assert _state(Context.with_derived(given, derived)) == _state(expected)
