"""The fast JSON reader of the batch path refuses exactly what the located reader refuses, with
the same located messages, and accepts the same documents."""

from __future__ import annotations

import json

import pytest

from iamsim.checks import policy_cache
from iamsim.errors import InputError
from iamsim.ingest import fast_json, parse_text
from iamsim.policy.model import PolicyType
from iamsim.policy.parser import parse_policy
from iamsim.report.inert import compact_json


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "b": [1, 2.5, true, null, "x"], "c": {"d": "e"}}',
        '{"a":1,"b":{"c":[{"d":"\\": not a key"}]}}',
        '{"s": "quote and colon \\":", "t": "\\u0022:"}',
        '[{"a": 1}, {"a": 2}]',
        "[" * 100 + "]" * 100,
        '{"big": 123456789012345678901234567890}',
    ],
)
def test_accepts_what_the_located_reader_accepts(text: str) -> None:
    expected = parse_text(text, "f.json")
    assert fast_json.loads(text, "f.json") == expected
    assert fast_json.loads(text.encode(), "f.json") == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"Effect": "Deny", "Effect": "Allow"}', "at /Effect: duplicate key 'Effect'"),
        ('{"a" : 1, "a": 2}', "at /a: duplicate key 'a'"),
        # A string holding \": makes the count ambiguous: the located reader still decides.
        ('{"x": "\\":", "a": {"b": 1, "b": 2}}', "at /a/b: duplicate key 'b'"),
        ('{"a": NaN}', "NaN is not valid JSON"),
        ('{"a": 1,}', "invalid JSON at line 1 column"),
        ("[" * 101 + "]" * 101, "nested too deeply"),
        ("name: yaml", "not JSON"),
    ],
)
def test_refuses_with_the_located_message(text: str, message: str) -> None:
    for given in (text, text.encode()):
        with pytest.raises(InputError) as caught:
            fast_json.loads(given, "batch.jsonl line 7")
        assert "batch.jsonl line 7" in caught.value.describe()
        assert message in caught.value.describe()


def test_dumps_is_inert_and_round_trips() -> None:
    value = {"name": "bell\x07 and bidi \u202e", "n": [1, 1.5, None, True]}
    text = compact_json(value)
    assert "\x07" not in text and "\u202e" not in text
    assert json.loads(text) == value


def test_json_documents_are_cached_by_their_text_with_types_kept() -> None:
    policy_cache.clear()
    calls: list[str] = []

    def parser(document: dict[str, object]):  # type: ignore[no-untyped-def]
        def parse():  # type: ignore[no-untyped-def]
            calls.append(json.dumps(document))
            return parse_policy(document, PolicyType.IDENTITY, name="p", source="s")

        return parse

    one = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
                "Condition": {"NumericEquals": {"s3:max-keys": 1}},
            }
        ],
    }
    one_float = json.loads(json.dumps(one).replace(": 1}", ": 1.0}"))
    first = policy_cache.cached_policy(
        one, PolicyType.IDENTITY, "p", "s", parser(one), from_json=True
    )
    again = policy_cache.cached_policy(
        json.loads(json.dumps(one)), PolicyType.IDENTITY, "p", "s", parser(one), from_json=True
    )
    other = policy_cache.cached_policy(
        one_float, PolicyType.IDENTITY, "p", "s", parser(one_float), from_json=True
    )
    assert again is first
    assert other is not first
    assert len(calls) == 2
    policy_cache.clear()
