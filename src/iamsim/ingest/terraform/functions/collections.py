"""Terraform's collection functions (sets, lists, maps) and ``range``/``join``/``concat``."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

from iamsim.ingest.terraform.budget import check_limit, spend
from iamsim.ingest.terraform.functions.call import Call, FunctionError, need, num_arg, str_arg
from iamsim.ingest.terraform.values import tf_equal


def fn_tolist(call: Call, value: Any) -> list[Any]:
    if isinstance(value, dict):
        raise FunctionError("cannot convert an object to a list")
    return list(value)


def _set_key(value: Any) -> tuple[str, Any] | None:
    """A hashable key equal for values Terraform finds equal (a bool is not a number), or
    None for a collection (compared one by one)."""
    if value is None:
        return ("null", None)
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", value)
    if isinstance(value, str):
        return ("string", value)
    return None


def fn_unique(items: list[Any]) -> list[Any]:
    """The first of each group of equal items, in order: linear for primitives (a quadratic
    scan of a long list would never finish), element by element for collections."""
    seen: set[tuple[str, Any]] = set()
    others: list[Any] = []
    unique: list[Any] = []
    for item in items:
        key = _set_key(item)
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        elif any(tf_equal(item, u) for u in others):
            continue
        else:
            others.append(item)
        unique.append(item)
    return unique


def _member(collection: list[Any]) -> Callable[[Any], bool]:
    """A test of membership in ``collection`` (Terraform equality), linear to build."""
    keys = {_set_key(x) for x in collection}
    others = [x for x in collection if _set_key(x) is None]

    def test(item: Any) -> bool:
        key = _set_key(item)
        return key in keys if key is not None else any(tf_equal(item, o) for o in others)

    return test


def fn_setintersection(call: Call, first: list[Any], *rest: list[Any]) -> list[Any]:
    tests = [_member(s) for s in rest]
    return fn_toset(call, [x for x in first if all(test(x) for test in tests)])


def fn_setsubtract(call: Call, a: list[Any], b: list[Any]) -> list[Any]:
    test = _member(b)
    return fn_toset(call, [x for x in a if not test(x)])


def fn_toset(call: Call, value: Any) -> list[Any]:
    need(isinstance(value, list), "toset() needs a list")
    unique = fn_unique(value)
    # Terraform orders a set of strings lexically.
    if all(isinstance(u, str) for u in unique):
        unique.sort()
    return unique


def fn_flatten(call: Call, value: Any) -> list[Any]:
    out: list[Any] = []
    stack = [iter(value)]
    while stack:
        item = next(stack[-1], _END)
        if item is _END:
            stack.pop()
        elif isinstance(item, list):
            # A list holding the same list many times over is small; its flattening is not.
            spend(len(item))
            stack.append(iter(item))
        else:
            out.append(item)
            check_limit(len(out), "max_collection_elements", "the flattened list")
    return out


_END = object()


def fn_merge(call: Call, *maps: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in maps:
        if m is None:
            continue
        need(isinstance(m, dict), "merge() needs objects")
        out.update(m)
    return out


def fn_lookup(call: Call, mapping: Any, key: Any, *default: Any) -> Any:
    need(isinstance(mapping, dict), "lookup() needs an object")
    key = str_arg(key)
    if key in mapping:
        return mapping[key]
    need(bool(default), f"no key {key!r} and no default")
    return default[0]


def fn_element(call: Call, items: list[Any], index: Any) -> Any:
    need(isinstance(items, list) and bool(items), "element() needs a non-empty list")
    number = num_arg(index)
    need(float(number).is_integer() and number >= 0, f"invalid index {index!r}")
    return items[int(number) % len(items)]


def fn_coalesce(call: Call, *values: Any) -> Any:
    for v in values:
        if v is not None and v != "":
            return v
    raise FunctionError("no non-null, non-empty argument")


def fn_one(call: Call, value: list[Any]) -> Any:
    need(len(value) <= 1, "one() needs at most one element")
    return value[0] if value else None


def fn_index(call: Call, items: Any, value: Any) -> int:
    need(isinstance(items, list), "index() needs a list")
    for i, item in enumerate(items):
        if tf_equal(item, value):
            return i
    raise FunctionError("the item is not in the list")


def fn_range(call: Call, *args: Any) -> list[Any]:
    """Terraform's range(): at most 1,024 elements (a limit of Terraform itself), counted
    before the list is built."""
    need(1 <= len(args) <= 3, "range() takes one to three arguments")
    numbers = [num_arg(a) for a in args]
    start, stop, step = 0, 0, 1
    if len(numbers) == 1:
        stop = numbers[0]
    else:
        start, stop = numbers[0], numbers[1]
        step = numbers[2] if len(numbers) == 3 else (1 if start <= stop else -1)
    need(step != 0 or start == stop, "step must not be zero")
    if (step > 0 and start > stop) or (step < 0 and start < stop):
        raise FunctionError("the step must move from start towards limit")
    count = 0 if start == stop else math.ceil((stop - start) / step)
    check_limit(count, "max_range_elements", "the result")
    values: list[Any] = [start + i * step for i in range(count)]
    return [int(v) if isinstance(v, float) and v.is_integer() else v for v in values]


def fn_join(call: Call, sep: Any, *lists: Any) -> str:
    separator = str_arg(sep)
    parts = [str_arg(x) for lst in lists for x in lst]
    # The size is known before the string is built (the parts may all be one long string).
    size = sum(len(p) for p in parts) + len(separator) * max(len(parts) - 1, 0)
    check_limit(size, "max_string_chars", "the joined string")
    return separator.join(parts)


def fn_concat(call: Call, *lists: Any) -> list[Any]:
    check_limit(sum(len(lst) for lst in lists), "max_collection_elements", "the concatenated list")
    return [x for lst in lists for x in lst]


def fn_setproduct(call: Call, *collections: Any) -> list[Any]:
    """Every combination of one element from each collection, the first varying slowest
    (as Terraform's ``setproduct``); the result's size is bounded before it is built."""
    if not collections:
        raise FunctionError("setproduct needs at least one collection")
    lists: list[list[Any]] = []
    for collection in collections:
        if isinstance(collection, dict):
            raise FunctionError("setproduct takes lists or sets, not an object")
        lists.append(list(collection))
    size = math.prod(len(items) for items in lists)
    check_limit(size, "max_collection_elements", "the product")
    spend(size * len(lists))
    return [list(combination) for combination in itertools.product(*lists)]
