"""Terraform's string and conversion functions (``substr``, ``tostring``, ``tonumber``, ``tobool``)."""

from __future__ import annotations

from typing import Any

from iamsim.ingest.iac.unknown import Unknown
from iamsim.ingest.terraform.functions.call import Call, FunctionError, need, num_arg, str_arg
from iamsim.ingest.terraform.values import to_num, to_str


def fn_substr(call: Call, text: Any, offset: Any, length: Any) -> str:
    string, start, count = str_arg(text), int(num_arg(offset)), int(num_arg(length))
    if start < 0:
        start += len(string)
    return string[start:] if count < 0 else string[start : start + count]


def fn_tostring(call: Call, value: Any) -> Any:
    if value is None:
        return None
    text = to_str(value)
    if isinstance(text, Unknown):
        raise FunctionError(text.reason)
    return text


def fn_tonumber(call: Call, value: Any) -> Any:
    number = to_num(value)
    if isinstance(number, Unknown):
        raise FunctionError(number.reason)
    return number


def fn_tobool(call: Call, value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    need(value in ("true", "false"), f"{value!r} is not a bool")
    return bool(value == "true")
