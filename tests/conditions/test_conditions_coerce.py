"""Value formats accepted by each operator family (see conditions/coerce.py for sources)."""

from __future__ import annotations

import ipaddress
from decimal import Decimal
from fractions import Fraction

import pytest

from iamsim.conditions import coerce


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10", Decimal(10)),
        ("-1.50", Decimal("-1.5")),
        ("+3", Decimal(3)),
        (".5", Decimal("0.5")),
        ("5.", Decimal(5)),
        ("NaN", None),
        ("Infinity", None),
        ("1e3", None),
        ("0x10", None),
        (" 1", None),
        ("", None),
        ("١٢", None),  # non-ASCII digits
    ],
)
def test_parse_number(text: str, expected: Decimal | None) -> None:
    assert coerce.parse_number(text) == expected


def test_number_from_policy_json_types() -> None:
    assert coerce.number_from_policy(10) == Decimal(10)
    assert coerce.number_from_policy(0.1) == Decimal("0.1")
    assert coerce.number_from_policy(True) is None
    assert coerce.number_from_policy(float("nan")) is None
    assert coerce.number_from_policy(float("inf")) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", Fraction(0)),
        ("2024", Fraction(2024)),
        ("1970-01", Fraction(0)),
        ("1970-01-02", Fraction(86400)),
        ("1970-01-01T01:00Z", Fraction(3600)),
        ("1970-01-01T01:00:00+01:00", Fraction(0)),
        ("1970-01-01T00:00:00-00:30", Fraction(1800)),
        ("1970-01-01T00:00:01.25Z", Fraction(5, 4)),
        ("1970-01-01T00:00:01", Fraction(1)),
        ("1970-13-01", None),
        ("1970-01-01T24:00:00Z", None),
        ("1970-01-01T00:00:60Z", None),
        ("1970-01-01T00:00:00+25:00", None),
        ("1970-01-01 00:00:00Z", None),
        ("-1", None),
        ("1.5", None),
        ("", None),
    ],
)
def test_parse_date(text: str, expected: Fraction | None) -> None:
    assert coerce.parse_date(text) == expected


def test_date_from_policy_json_types() -> None:
    assert coerce.date_from_policy(86400) == Fraction(86400)
    assert coerce.date_from_policy(-1) is None
    assert coerce.date_from_policy(1.5) is None
    assert coerce.date_from_policy(True) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("true", True), ("FALSE", False), ("True", True), ("yes", None), ("1", None), ("", None)],
)
def test_parse_bool(text: str, expected: bool | None) -> None:
    assert coerce.parse_bool(text) is expected


def test_ip_networks_and_addresses() -> None:
    assert coerce.parse_ip_network("10.0.0.1") == ipaddress.ip_network("10.0.0.1/32")
    assert coerce.parse_ip_network("2001:db8::1") == ipaddress.ip_network("2001:db8::1/128")
    assert coerce.parse_ip_network("10.1.2.3/8") == ipaddress.ip_network("10.0.0.0/8")
    assert coerce.parse_ip_network("10.0.0.0/255.0.0.0") is None
    assert coerce.parse_ip_network("10.0.0.0/33") is None
    assert coerce.parse_ip_network("10.0.0.0/") is None
    assert coerce.parse_ip_network("167772161") is None
    assert coerce.parse_ip_address("10.0.0.0/8") is None
    v4 = coerce.parse_ip_address("10.0.0.1")
    assert v4 is not None
    v6_net = coerce.parse_ip_network("::/0")
    assert v6_net is not None
    assert not coerce.ip_in_network(v4, v6_net)


def test_base64() -> None:
    assert coerce.parse_base64("QmluYXJ5VmFsdWVJbkJhc2U2NA==") == b"BinaryValueInBase64"
    assert coerce.parse_base64("") == b""
    assert coerce.parse_base64("QmluYXJ5VmFsdWVJbkJhc2U2NA") is None
    assert coerce.parse_base64("Qmlu YXJ5") is None
    assert coerce.parse_base64("ü") is None


def test_scalar_text_matches_context_rendering() -> None:
    assert coerce.scalar_text(True) == "true"
    assert coerce.scalar_text(10) == "10"
    assert coerce.scalar_text(1.5) == "1.5"
    assert coerce.scalar_text("x") == "x"
