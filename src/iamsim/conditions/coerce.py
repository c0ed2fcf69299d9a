"""Coercion of condition values (policy side and request side) into comparable types.

This module owns the textual formats each operator family accepts. Every function returns
``None`` when the text cannot be coerced; it never raises, so a malformed value can only make
one comparison fail (and be reported by the caller), never abort an evaluation.

Formats, with the documentation they follow:

* Numbers -- "integer or decimal value"
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric):
  an optional sign, ASCII digits, an optional fraction. Exponents, whitespace, hexadecimal,
  ``NaN`` and infinities are rejected because the documentation names only integer and decimal
  forms. Values are exact :class:`~decimal.Decimal` so ``0.1 + 0.2``-style rounding never
  changes a comparison.
* Dates -- "one of the W3C implementations of the ISO 8601 date formats or in epoch (UNIX)
  time" (same page, #Conditions_Date; https://www.w3.org/TR/NOTE-datetime). Two documented
  forms collide: the W3C ``YYYY`` form and an epoch value are both all digits. **Rule: a value
  made only of ASCII digits is epoch seconds** (so ``"2024"`` is 1970-01-01T00:33:44Z, not
  the year 2024), the same reading as the cloud-copilot/iam-simulate engine; write
  ``"2024-01-01"`` for a year. A date-only value means midnight UTC. A time without a zone
  designator is accepted and read as UTC (the W3C profile requires ``TZD``; rejecting it
  would silently turn a plausible value into "no match"). Instants are exact
  :class:`~fractions.Fraction` seconds since the epoch, so fractional seconds of any length
  compare exactly.
* Booleans -- ``true``/``false``. The documentation does not say whether case matters; both
  sides are compared case-insensitively (``"True"`` is true), as cloud-copilot does.
* IP addresses -- "standard CIDR format (for example, 203.0.113.0/24 or
  2001:DB8:1234:5678::/64). If you specify an IP address without the associated routing
  prefix, IAM uses the default prefix value of /32" (#Conditions_IPAddress). A bare IPv6
  address is a /128 (undocumented; the only prefix that names one address). Host bits are
  ignored (``ip_network(strict=False)``). Netmask forms (``/255.255.255.0``) and zone
  indexes (``fe80::1%eth0``) are not CIDR and are rejected.
* Binary -- the policy value is "a base-64 encoded representation of the binary value"
  (#Conditions_BinaryEquals). Standard alphabet with padding, no whitespace.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import math
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache

from iamsim.policy.model import ConditionScalar

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
_EPOCH = re.compile(r"[0-9]+", re.ASCII)
# W3C profile of ISO 8601 from YYYY-MM on (bare YYYY is all digits, hence epoch seconds).
_DATE = re.compile(
    r"(?P<y>[0-9]{4})-(?P<mo>[0-9]{2})"
    r"(?:-(?P<d>[0-9]{2})"
    r"(?:T(?P<h>[0-9]{2}):(?P<mi>[0-9]{2})"
    r"(?::(?P<s>[0-9]{2})(?:\.(?P<f>[0-9]+))?)?"
    r"(?P<tz>Z|[+-][0-9]{2}:[0-9]{2})?)?)?",
    re.ASCII,
)
_CIDR_PREFIX = re.compile(r"[0-9]{1,3}", re.ASCII)
_EPOCH_START = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_SECOND = timedelta(seconds=1)


def scalar_text(value: ConditionScalar) -> str:
    """The text of a JSON policy value, the way a request carries the same value.

    Matches :class:`iamsim.vocabulary.request.Context`: JSON ``true`` is ``"true"``, numbers are
    their Python ``str`` (``10`` -> ``"10"``, ``1.5`` -> ``"1.5"``).
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_bool(text: str) -> bool | None:
    lowered = text.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    return None


def bool_from_policy(value: ConditionScalar) -> bool | None:
    """A policy value for ``Bool``/``Null``: a JSON boolean or the text true/false."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return parse_bool(value)
    return None


# Request values repeat across many evaluations; parsing is pure, so results are cached.
@lru_cache(maxsize=4096)
def parse_number(text: str) -> Decimal | None:
    if _NUMBER.fullmatch(text) is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern only admits valid decimals
        return None


def number_from_policy(value: ConditionScalar) -> Decimal | None:
    """A policy value for Numeric operators: a JSON number or numeric text ("quotes optional")."""
    if isinstance(value, bool):
        return None  # JSON true is not a number, even though Python says bool is an int
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        # repr() is the shortest text that round-trips, i.e. the number as written in JSON.
        return Decimal(repr(value))
    return parse_number(value)


# Request values repeat across many evaluations; parsing is pure, so results are cached.
@lru_cache(maxsize=4096)
def parse_date(text: str) -> Fraction | None:
    """Seconds since the epoch (exact), or None. All-digit text is epoch seconds."""
    if _EPOCH.fullmatch(text):
        return Fraction(int(text))
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    parts = match.groupdict()
    try:
        moment = datetime(
            int(parts["y"]),
            int(parts["mo"]),
            int(parts["d"] or 1),
            int(parts["h"] or 0),
            int(parts["mi"] or 0),
            int(parts["s"] or 0),
            tzinfo=UTC,
        )
    except ValueError:  # month 13, February 30, hour 24, ...
        return None
    seconds = Fraction((moment - _EPOCH_START) // _ONE_SECOND)
    tz = parts["tz"]
    if tz and tz != "Z":
        hours, minutes = int(tz[1:3]), int(tz[4:6])
        if hours > 23 or minutes > 59:
            return None
        offset = hours * 3600 + minutes * 60
        # Local time = UTC + offset, so UTC = local - offset.
        seconds -= offset if tz[0] == "+" else -offset
    fraction = parts["f"]
    if fraction:
        seconds += Fraction(int(fraction), 10 ** len(fraction))
    return seconds


def date_from_policy(value: ConditionScalar) -> Fraction | None:
    """A policy value for Date operators; a JSON integer is epoch seconds."""
    if isinstance(value, bool | float):
        return None  # the documented forms are ISO 8601 text and (integer) epoch seconds
    if isinstance(value, int):
        return Fraction(value) if value >= 0 else None
    return parse_date(value)


# Request values repeat across many evaluations; parsing is pure, so results are cached.
@lru_cache(maxsize=4096)
def parse_ip_address(text: str) -> IpAddress | None:
    if "%" in text:
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


# Request values repeat across many evaluations; parsing is pure, so results are cached.
@lru_cache(maxsize=4096)
def parse_ip_network(text: str) -> IpNetwork | None:
    """A CIDR block; a bare address is a one-address block (/32 or /128)."""
    if "%" in text:
        return None
    address, slash, prefix = text.partition("/")
    if slash and _CIDR_PREFIX.fullmatch(prefix) is None:
        return None  # netmask/hostmask forms are not CIDR
    if parse_ip_address(address) is None:
        return None
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:  # prefix longer than the address
        return None


def ip_in_network(address: IpAddress, network: IpNetwork) -> bool:
    """Containment; an IPv4 address never matches an IPv6 block, nor the reverse.

    IPv4-mapped IPv6 addresses (``::ffff:203.0.113.5``) are IPv6 and so do not match IPv4
    blocks: AWS documents no mapping between the families.
    """
    if address.version != network.version:
        return False
    return address in network


def parse_base64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


# -- Integer forms for the compiled IP operators ------------------------------------------------
# ``IpAddress``/``NotIpAddress`` compiled once compare integers: a block is the closed interval
# [first address, last address] of its family, an address is (version, integer). The parse is
# exactly :func:`parse_ip_address`: the dotted-quad fast path below accepts only what
# ``ipaddress.IPv4Address`` accepts (four ASCII decimal octets, no leading zero, each <= 255),
# the hex-group path only what ``IPv6Address`` accepts (its algorithm, without exceptions or
# objects), and every other text is deferred to ``ipaddress``. No regular expression is involved.

_DECIMAL = frozenset("0123456789")


def _dotted_quad(text: str) -> int | None:
    parts = text.split(".")
    if len(parts) != 4:
        return None
    number = 0
    for part in parts:
        if not part or len(part) > 3 or not _DECIMAL.issuperset(part):
            return None
        if len(part) > 1 and part[0] == "0":
            return None  # ipaddress rejects leading zeros (ambiguous octal)
        octet = int(part)
        if octet > 255:
            return None
        number = (number << 8) | octet
    return number


_HEX_OR_COLON = frozenset("0123456789abcdefABCDEF:")
_HEXTETS = 8


def _hextets(text: str) -> int | None:
    """An IPv6 address written in hex groups only (no dotted suffix, no zone), as
    ``ipaddress.IPv6Address`` reads it step for step; None for anything else (the caller
    then asks ``ipaddress`` itself)."""
    if not text or not _HEX_OR_COLON.issuperset(text):
        return None
    parts = text.split(":")
    count = len(parts)
    if count < 3 or count > _HEXTETS + 1:
        return None
    skip = None
    for index in range(1, count - 1):
        if not parts[index]:
            if skip is not None:
                return None  # at most one "::"
            skip = index
    if skip is not None:
        high, low = skip, count - skip - 1
        if not parts[0]:
            high -= 1
            if high:
                return None  # a leading ":" only as part of "::"
        if not parts[-1]:
            low -= 1
            if low:
                return None  # a trailing ":" only as part of "::"
        skipped = _HEXTETS - (high + low)
        if skipped < 1:
            return None
    else:
        if count != _HEXTETS or not parts[0] or not parts[-1]:
            return None
        high, low, skipped = count, 0, 0
    number = 0
    for part in parts[:high]:
        if not part or len(part) > 4:
            return None
        number = (number << 16) | int(part, 16)
    number <<= 16 * skipped
    for part in parts[count - low :]:
        if not part or len(part) > 4:
            return None
        number = (number << 16) | int(part, 16)
    return number


# Request values repeat across many evaluations; parsing is pure, so results are cached.
@lru_cache(maxsize=4096)
def ip_number(text: str) -> tuple[int, int] | None:
    """``(4 or 6, integer)`` for an address :func:`parse_ip_address` accepts, else None."""
    quad = _dotted_quad(text)
    if quad is not None:
        return 4, quad
    groups = _hextets(text)
    if groups is not None:
        return 6, groups
    address = parse_ip_address(text)
    if address is None:
        return None
    return address.version, int(address)


def ip_interval(network: IpNetwork) -> tuple[int, int, int]:
    """``(version, first, last)``: the addresses ``network`` contains, as integers."""
    return network.version, int(network.network_address), int(network.broadcast_address)
