"""Terraform's ``format`` and ``formatlist``, with Go's number formatting."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from iamsim.ingest.iac.policy_document import tf_string
from iamsim.ingest.iac.unknown import Unknown
from iamsim.ingest.terraform.budget import check_limit
from iamsim.ingest.terraform.functions.call import Call, FunctionError, Unsupported, need
from iamsim.ingest.terraform.values import HclValue, hcl_type_name, to_bool, to_num, to_str

_FORMAT_SPEC = re.compile(
    r"%(?P<flags>[-+# 0]*)(?:\[(?P<index>[1-9][0-9]*)\])?(?P<width>[1-9][0-9]*|\*)?"
    r"(?:\.(?P<prec>[0-9]*|\*))?(?P<verb>[A-Za-z])?"
)


@dataclass(frozen=True)
class _Verb:
    raw: str
    verb: str
    width: int | None
    prec: int | None
    minus: bool
    plus: bool
    space: bool
    zero: bool
    sharp: bool

    def pad(self, text: str) -> str:
        """cty's formatPadWidth (strings, %v): zeros or spaces, right with '-'."""
        if self.width is None or len(text) >= self.width:
            return text
        pad = ("0" if self.zero else " ") * (self.width - len(text))
        return text + pad if self.minus else pad + text


def _go_json(value: Any) -> str:
    """JSON as Go's encoding/json writes it for cty (%#v, %q): compact, keys sorted, numbers
    without exponent, and <, >, & escaped."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(tf_string(value))
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
            text = text.replace(ch, esc)
        return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    if isinstance(value, list):
        return "[" + ",".join(_go_json(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ",".join(f"{_go_json(str(k))}:{_go_json(value[k])}" for k in sorted(value)) + "}"
        )
    raise FunctionError(f"cannot format a {hcl_type_name(value)}")


def _decimal_digits(number: int | float) -> tuple[bool, str, int]:
    """(negative, digits, exp) with the value 0.digits x 10**exp and no leading or trailing
    zero digit (Go's math/big decimal); a float's digits are its shortest representation."""
    sign, digits, exponent = (
        Decimal(number) if isinstance(number, int) else Decimal(repr(number))
    ).as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits)).lstrip("0")
    if not text:
        return bool(sign), "", 0
    return bool(sign), text.rstrip("0"), len(text) + exponent


def _round_digits(mant: str, exp: int, n: int) -> tuple[str, int]:
    """Go's decimal.round: to ``n`` digits, a last digit 5 rounding half to even."""
    if n < 0 or n >= len(mant):
        return mant, exp
    digit = mant[n]
    up = digit > "5" or (
        digit == "5" and (n + 1 < len(mant) or (n > 0 and int(mant[n - 1]) % 2 == 1))
    )
    if not up:
        kept = mant[:n].rstrip("0")
        return kept, exp if kept else 0
    i = n
    while i > 0 and mant[i - 1] == "9":
        i -= 1
    if i == 0:
        return "1", exp + 1
    return mant[: i - 1] + chr(ord(mant[i - 1]) + 1), exp


def _fmt_e(mant: str, exp: int, prec: int, letter: str) -> str:
    out = mant[0] if mant else "0"
    if prec > 0:
        frac = mant[1 : prec + 1]
        out += "." + frac + "0" * (prec - len(frac))
    e = exp - 1 if mant else 0
    return f"{out}{letter}{'-' if e < 0 else '+'}{abs(e):02d}"


def _fmt_f(mant: str, exp: int, prec: int) -> str:
    out = (mant[:exp] + "0" * max(0, exp - len(mant))) if exp > 0 else "0"
    if prec > 0:
        out += "." + "".join(
            mant[exp + i] if 0 <= exp + i < len(mant) else "0" for i in range(prec)
        )
    return out


def _go_float(number: int | float, verb: str, prec: int | None) -> tuple[bool, str]:
    """math/big Float.Text: ``%e %E %f %g %G`` (precision None: the default, 6, or for %g
    the shortest representation). Returns (negative, digits without sign)."""
    neg, mant, exp = _decimal_digits(number)
    kind = verb.lower()
    shortest = prec is None and kind == "g"
    p = 6 if prec is None else prec
    if shortest:
        p = len(mant)
    elif kind == "e":
        mant, exp = _round_digits(mant, exp, 1 + p)
    elif kind == "f":
        mant, exp = _round_digits(mant, exp, exp + p)
    else:
        p = max(p, 1)
        mant, exp = _round_digits(mant, exp, p)
    letter = "E" if verb in "EG" else "e"
    if kind == "e":
        return neg, _fmt_e(mant, exp, p, letter)
    if kind == "f":
        return neg, _fmt_f(mant, exp, p)
    eprec = p
    if eprec > len(mant) and len(mant) >= exp:
        eprec = len(mant)
    if shortest:
        eprec = 6
    if exp - 1 < -4 or exp - 1 >= eprec:
        return neg, _fmt_e(mant, exp, min(p, len(mant)) - 1, letter)
    if p > exp:
        p = len(mant)
    return neg, _fmt_f(mant, exp, max(p - exp, 0))


def _format_number(v: _Verb, value: Any) -> str:
    number = to_num(value)
    if isinstance(number, Unknown):
        raise FunctionError(f"unsupported value for {v.raw!r}: {number.reason}")
    if v.verb in "bdoxX":
        if isinstance(number, float):
            need(number.is_integer(), f"unsupported value for {v.raw!r}: an integer is required")
            number = int(number)
        # math/big Int.Format: [left pad][sign][prefix][zero pad][digits][right pad]
        digits = format(abs(number), v.verb)
        sign = "-" if number < 0 else "+" if v.plus else " " if v.space else ""
        prefix = {"b": "0b", "o": "0", "x": "0x", "X": "0X"}.get(v.verb, "") if v.sharp else ""
        zeros = 0
        if v.prec is not None:
            if len(digits) < v.prec:
                zeros = v.prec - len(digits)
            elif digits == "0" and v.prec == 0:
                return ""
        length = len(sign) + len(prefix) + zeros + len(digits)
        left = right = 0
        if v.width is not None and length < v.width:
            if v.minus:
                right = v.width - length
            elif v.zero and v.prec is None:
                zeros += v.width - length
            else:
                left = v.width - length
        return " " * left + sign + prefix + "0" * zeros + digits + " " * right
    neg, text = _go_float(number, v.verb, v.prec)
    # math/big Float.Format: sign, then zeros (flag 0) or spaces around.
    sign = "-" if neg else "+" if v.plus else " " if v.space else ""
    padding = max(0, (v.width or 0) - len(sign) - len(text))
    if v.zero and not v.minus:
        return sign + "0" * padding + text
    if v.minus:
        return sign + text + " " * padding
    return " " * padding + sign + text


def _format_one(v: _Verb, value: Any) -> str:
    if v.verb != "v" and value is None:
        raise FunctionError(f"unsupported value for {v.raw!r}: null value cannot be formatted")
    if v.verb == "v":
        if not v.sharp and isinstance(value, str):
            return v.pad(value)
        if not v.sharp and isinstance(value, int | float) and not isinstance(value, bool):
            neg, text = _go_float(value, "g", None)
            return v.pad(("-" if neg else "") + text)
        return v.pad(_go_json(value))
    if v.verb == "t":
        flag = to_bool(value)
        if isinstance(flag, Unknown):
            raise FunctionError(f"unsupported value for {v.raw!r}: {flag.reason}")
        return "true" if flag else "false"
    if v.verb in "bdoxXeEfgG":
        return _format_number(v, value)
    if v.verb in "sq":
        string = to_str(value)
        if isinstance(string, Unknown):
            raise FunctionError(f"unsupported value for {v.raw!r}: {string.reason}")
        text = string
        if v.prec is not None and v.prec > 0:
            text = text[: v.prec]
        return v.pad(text if v.verb == "s" else _go_json(text))
    raise FunctionError(f"unsupported format verb %{v.verb} in {v.raw!r}")


def fn_format(call: Call, fmt: Any, *args: Any) -> str:
    need(isinstance(fmt, str), "the format must be a string")
    out: list[str] = []
    size = 0  # characters formatted so far
    pos, next_arg = 0, 1
    while pos < len(fmt):
        start = fmt.find("%", pos)
        if start < 0:
            out.append(fmt[pos:])
            break
        out.append(fmt[pos:start])
        if fmt.startswith("%%", start):
            out.append("%")
            pos = start + 2
            continue
        match = _FORMAT_SPEC.match(fmt, start)
        assert match is not None  # every part of the pattern is optional
        if match.group("verb") is None:
            raise FunctionError(f"invalid format string starting at offset {start}")
        if "*" in (match.group("width"), match.group("prec")):
            raise Unsupported(f"{match.group(0)!r}: widths and precisions from arguments")
        flags = match.group("flags")
        prec = match.group("prec")
        verb = _Verb(
            raw=match.group(0),
            verb=match.group("verb"),
            width=int(match.group("width")) if match.group("width") else None,
            prec=None if prec is None else int(prec or "0"),
            minus="-" in flags,
            plus="+" in flags,
            space=" " in flags,
            zero="0" in flags,
            sharp="#" in flags,
        )
        # A width or precision is a size to allocate: refuse an absurd one before padding.
        check_limit(verb.width or 0, "max_string_chars", f"the width of {verb.raw!r}")
        check_limit(verb.prec or 0, "max_string_chars", f"the precision of {verb.raw!r}")
        number = int(match.group("index")) if match.group("index") else next_arg
        need(
            number <= len(args),
            f"not enough arguments for {verb.raw!r} at {start}: need index {number} but have "
            f"{len(args)} total",
        )
        out.append(_format_one(verb, args[number - 1]))
        size += len(out[-1])
        check_limit(size, "max_string_chars", "the formatted string")
        next_arg = number + 1
        pos = match.end()
    return "".join(out)


def fn_formatlist(call: Call, fmt: Any, *args: Any) -> list[HclValue]:
    lengths = {len(a) for a in args if isinstance(a, list)}
    need(len(lengths) <= 1, "the list arguments have different lengths")
    count = lengths.pop() if lengths else 1
    check_limit(count, "max_collection_elements", "the list of strings")
    out: list[str] = []
    size = 0
    for i in range(count):
        out.append(fn_format(call, fmt, *(a[i] if isinstance(a, list) else a for a in args)))
        size += len(out[-1])
        check_limit(size, "max_string_chars", "the formatted strings together")
    return [*out]
