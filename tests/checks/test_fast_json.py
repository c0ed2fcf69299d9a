"""The fast JSON reader of the batch path refuses exactly what the located reader refuses, with
the same located messages, and accepts the same documents."""

from __future__ import annotations

import json
import random

import pytest

from iamsim.checks import policy_cache
from iamsim.errors import InputError
from iamsim.ingest import fast_json, parse_text
from iamsim.policy.model import PolicyType
from iamsim.policy.parser import parse_policy
from iamsim.report.inert import compact_json, compact_json_bytes


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "b": [1, 2.5, true, null, "x"], "c": {"d": "e"}}',
        '{"a":1,"b":{"c":[{"d":"\\": not a key"}]}}',
        '{"s": "quote and colon \\":", "t": "\\u0022:"}',
        '[{"a": 1}, {"a": 2}]',
        "[" * 100 + "]" * 100,
        '{"big": 123456789012345678901234567890}',
        '{"big": [-1234567890123456789, 1234567890123456789.5e3]}',
        # Digits apart in the text, together once its whitespace is deleted: read alike.
        '{"s": "1234567890 123456789", "n": [123456789, 1234567890]}',
        '{"n": 1234567890\n, "m": 123456789}',
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

    def cached(document: dict[str, object]):  # type: ignore[no-untyped-def]
        copy = json.loads(json.dumps(document))  # equal content, another object
        return policy_cache.cached_policy(
            copy, PolicyType.IDENTITY, "p", "s", parser(document), from_json=True
        )

    # Kept from the second sighting on (the first is parsed for its scenario alone).
    first, kept, again = cached(one), cached(one), cached(one)
    assert kept is not first and again is kept
    other, other_kept = cached(one_float), cached(one_float)
    assert cached(one_float) is other_kept and other is not other_kept is not kept
    assert len(calls) == 4
    policy_cache.clear()


_ALPHABET = ['"', ":", "\\", "{", "[", "]", "}", " ", "a", "b", "é", "\x01", "/"]


def _random_text(rng: random.Random, depth: int = 0) -> str:
    """A JSON text written by hand (so keys can repeat and strings can hold ``":``), with
    random spacing, quotes and colons in strings, some written as \\u escapes."""

    def string() -> str:
        body = json.dumps("".join(rng.choice(_ALPHABET) for _ in range(rng.randrange(4))))
        if rng.random() < 0.2:  # the quote escaped as \u0022 instead of \"
            body = body[0] + body[1:-1].replace('\\"', "\\u0022") + body[-1]
        return body

    def space() -> str:
        return rng.choice(["", "", " ", "\n", "\t "])

    kind = rng.random()
    if depth > 4 or kind < 0.3:
        return rng.choice([string(), "1", "2.5", "true", "null"])
    if kind < 0.5:
        items = [_random_text(rng, depth + 1) for _ in range(rng.randrange(4))]
        return "[" + ",".join(space() + item + space() for item in items) + "]"
    keys = [string() for _ in range(rng.randrange(4))]
    if keys and rng.random() < 0.3:  # a key given twice
        keys.append(rng.choice(keys))
    members = [k + space() + ":" + space() + _random_text(rng, depth + 1) for k in keys]
    return "{" + ",".join(members) + "}"


def _outcome(read, text):  # type: ignore[no-untyped-def]
    try:
        return ("ok", read(text))
    except InputError as exc:
        return ("error", exc.describe())


def test_random_documents_read_as_the_located_reader_reads_them() -> None:
    """The quick duplicate-key proof (orjson's own writing counted) never accepts what the
    located reader refuses, and the answers (documents or located errors) are the same."""
    rng = random.Random(20261207)
    refused = 0
    for _ in range(3000):
        text = "{" + '"k":' + _random_text(rng) + "}"
        expected = _outcome(lambda t: parse_text(t, "f.json"), text)
        refused += expected[0] == "error"
        assert _outcome(lambda t: fast_json.loads(t, "f.json"), text) == expected, text
        assert _outcome(lambda t: fast_json.loads(t.encode(), "f.json"), text) == expected, text
    assert refused > 100  # duplicates were generated and refused


@pytest.mark.parametrize(
    "text",
    [
        # A duplicate hidden by a string whose quote-colon is written \u0022: (the quick count
        # of the rewritten text would see one more ": than the input shows).
        '{"a": 1, "a": 2, "s": "\\u0022:"}',
        '{"s": "\\u0022:", "t": {"x": 1, "x": 1}}',
        # Within the nesting limit but more containers than the limit: the walk decides.
        '{"a": [' + ",".join(["[]"] * 120) + '], "a": 1}',
        # A duplicate next to a string holding \\": (an escaped backslash, then a quote).
        '{"s": "\\\\\\":", "b": 1, "b": 2}',
    ],
)
def test_escaped_and_crowded_duplicates_are_refused(text: str) -> None:
    for given in (text, text.encode()):
        with pytest.raises(InputError, match="duplicate key"):
            fast_json.loads(given, "f.json")


@pytest.mark.parametrize(
    "value",
    [
        {"name": "plain ascii", "n": [1, 2.5, None, True, False]},
        {"name": "del \x7f and bell \x07 and newline \n"},
        {"name": "bidi \u202e and zero width \u200b, accent é, emoji 😀"},
        {"k\u2028": ["line sep \u2028", "para sep \u2029", "c1 \x85"]},
        ["\x00", "\x1f", '"quoted"', "back\\slash"],
    ],
)
def test_compact_bytes_are_the_inert_text_encoded(value: object) -> None:
    """The bytes writer's shortcut for printable ASCII gives what the text writer gives."""
    data = compact_json_bytes(value)
    assert data == compact_json(value).encode("utf-8")
    assert json.loads(data) == value
    assert all(0x20 <= byte <= 0x7E or byte >= 0x80 for byte in data)  # nothing to hide


# Numbers whose reading could differ between readers: out of range, signed zeros, exponents.
_NUMBERS = [
    "1e999",
    "-1e999",
    "-0",
    "-0.0",
    "1E2",
    "1.5e300",
    "0.1",
    "[1e-400, 2.5E+3]",
    '{"k": 12345678901234567890}',
    "123456789012345678",
]
# The members a line may hold (any other one is a doubt, settled by loads).
_LINE_FIELDS = ("name", "x", "context")


def test_shared_member_reads_every_line_as_loads_reads_it() -> None:
    """Lines whose ``policies`` text recurs (a pool of random texts, duplicates and deep ones
    among them) read by SharedMember: the same documents and the same located errors as
    :func:`fast_json.loads`, the recurring value one object."""
    rng = random.Random(20261208)
    pool = [_random_text(rng) for _ in range(30)]
    pool += [
        "[" * 99 + "]" * 99,  # at the limit once inside a line: too deep
        "[" * 98 + "]" * 98,
        '{"a": 1, "a": 2}',
        '{"s": "\\":", "t": 1}',
        '{"n": 1234567890123456789}',
        '"a scalar"',
        "7",
    ]
    reader = fast_json.SharedMember("policies", _LINE_FIELDS)
    shared: dict[str, object] = {}
    for _ in range(3000):
        policies = rng.choice(pool)
        rest = [f'"name":"n{rng.randrange(10)}"', f'"x":{_random_text(rng)}']
        if rng.random() < 0.3:
            rest.append(f'"context":{rng.choice(_NUMBERS)}')
        if rng.random() < 0.1:
            rest.append(f'"y":{_random_text(rng)}')  # a member outside the fields
        if rng.random() < 0.9:
            rest.append(f'"policies"{rng.choice(["", " "])}:{policies}')
        rng.shuffle(rest)
        sep = rng.choice([",", " , ", ",\n"])
        line = "{" + sep.join(rest) + "}"
        if rng.random() < 0.05:
            line = line[:-1]  # not JSON
        data = line.encode()
        expected = _outcome(lambda t: fast_json.loads(t, "b.jsonl line 1"), data)
        found = _outcome(lambda t: reader.loads(t, "b.jsonl line 1"), data)
        assert found == expected, line
        if found[0] == "ok" and isinstance(found[1].get("policies"), dict | list):
            value = shared.setdefault(policies, found[1]["policies"])
            assert value == found[1]["policies"]


@pytest.mark.parametrize(
    "line",
    [
        '{"policies": {"a": 1}, "policies": {"a": 1}}',
        '{"name": "a", "name": "b", "policies": {"a": 1}}',
        '{"policies": {"a": 1, "a": 2}}',
        '{"context": {"k": "\\u0022:", "k": 1}, "policies": {}}',
    ],
)
def test_shared_member_refuses_duplicates_anywhere(line: str) -> None:
    reader = fast_json.SharedMember("policies", _LINE_FIELDS)
    for _ in range(2):  # the second time the block is known
        with pytest.raises(InputError, match="duplicate key"):
            reader.loads(line.encode(), "b.jsonl line 3")


def test_shared_member_hands_out_one_object_for_a_recurring_block() -> None:
    reader = fast_json.SharedMember("policies", _LINE_FIELDS)
    first = reader.loads(b'{"name": "a", "policies": {"scp": [[{"x": 1}]]}}', "l1")
    second = reader.loads(b'{"name": "b", "policies": {"scp": [[{"x": 1}]]}}', "l2")
    other = reader.loads(b'{"name": "c", "policies": {"scp": [[{"x": 2}]]}}', "l3")
    assert first["policies"] is second["policies"]
    assert other["policies"] == {"scp": [[{"x": 2}]]}
    assert (first["name"], second["name"]) == ("a", "b")


@pytest.mark.parametrize(
    "line",
    [
        b'{"a\x01b": 1, "policies": {}}',
        b'{"a\xffb": 1, "policies": {}}',
        b'{"a\\qb": 1, "policies": {}}',
        b'{"a": 1, "policies": {}} x',
        b'{"a": 01, "policies": {}}',
        b'{"a": "\x01", "policies": {}}',
        b'{"policies": {"k\x01": 1}}',
        b'{"a": 1.0e999, "policies": {}}',
        b'{"a\\/b": 1, "policies": {}}',
        b'{"policies": {}, "a": Infinity}',
        b'[{"policies": {}}]',
        b' {"policies": [] } ',
    ],
)
def test_shared_member_answers_odd_lines_as_loads_does(line: bytes) -> None:
    reader = fast_json.SharedMember("policies", _LINE_FIELDS)
    for _ in range(2):
        expected = _outcome(lambda t: fast_json.loads(t, "b.jsonl line 2"), line)
        assert _outcome(lambda t: reader.loads(t, "b.jsonl line 2"), line) == expected
