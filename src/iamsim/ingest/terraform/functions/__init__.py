"""Terraform's built-in functions, by name.

This package owns the function table the evaluator calls: one module per family (encoding,
files, format, regex, collections, strings); :mod:`.call` holds the call frame and errors.
"""

from __future__ import annotations

import base64
import math
import os
from collections.abc import Callable

from iamsim.ingest.terraform.functions.call import not_offline, num_arg, str_arg, str_fn
from iamsim.ingest.terraform.functions.collections import (
    fn_coalesce,
    fn_concat,
    fn_element,
    fn_flatten,
    fn_index,
    fn_join,
    fn_lookup,
    fn_merge,
    fn_one,
    fn_range,
    fn_setintersection,
    fn_setproduct,
    fn_setsubtract,
    fn_tolist,
    fn_toset,
    fn_unique,
)
from iamsim.ingest.terraform.functions.encoding import fn_jsondecode, fn_jsonencode
from iamsim.ingest.terraform.functions.files import (
    fn_file,
    fn_file_digest,
    fn_filebase64,
    fn_fileexists,
    fn_fileset,
    fn_templatefile,
)
from iamsim.ingest.terraform.functions.format import fn_format, fn_formatlist
from iamsim.ingest.terraform.functions.regex import fn_regex, fn_regexall, fn_replace
from iamsim.ingest.terraform.functions.strings import fn_substr, fn_tobool, fn_tonumber, fn_tostring
from iamsim.ingest.terraform.values import HclValue, tf_equal, to_str

FUNCTIONS: dict[str, Callable[..., HclValue]] = {
    "jsonencode": fn_jsonencode,
    "jsondecode": fn_jsondecode,
    "file": fn_file,
    "templatefile": fn_templatefile,
    "fileexists": fn_fileexists,
    "fileset": fn_fileset,
    "filebase64": fn_filebase64,
    "filemd5": fn_file_digest("filemd5", "md5", as_base64=False),
    "filesha1": fn_file_digest("filesha1", "sha1", as_base64=False),
    "filesha256": fn_file_digest("filesha256", "sha256", as_base64=False),
    "filesha512": fn_file_digest("filesha512", "sha512", as_base64=False),
    "filebase64sha256": fn_file_digest("filebase64sha256", "sha256", as_base64=True),
    "filebase64sha512": fn_file_digest("filebase64sha512", "sha512", as_base64=True),
    "format": fn_format,
    "formatlist": fn_formatlist,
    "join": fn_join,
    "split": str_fn(lambda sep, text: text.split(sep)),
    "concat": fn_concat,
    "merge": fn_merge,
    "lookup": fn_lookup,
    "element": fn_element,
    "length": lambda c, v: len(v),
    "lower": str_fn(str.lower),
    "upper": str_fn(str.upper),
    "title": str_fn(str.title),
    "replace": lambda c, *a: fn_replace(c, *(str_arg(x) for x in a)),
    "trimspace": str_fn(str.strip),
    "trim": str_fn(lambda text, chars: text.strip(chars)),
    "trimprefix": str_fn(lambda text, p: text.removeprefix(p)),
    "trimsuffix": str_fn(lambda text, s: text.removesuffix(s)),
    "chomp": str_fn(lambda t: t.rstrip("\r\n")),
    "substr": fn_substr,
    "startswith": str_fn(lambda text, p: text.startswith(p)),
    "endswith": str_fn(lambda text, s: text.endswith(s)),
    "strcontains": str_fn(lambda text, s: s in text),
    "coalesce": fn_coalesce,
    "coalescelist": lambda c, *lists: next((lst for lst in lists if lst), []),
    "compact": lambda c, items: [x for x in items if x not in (None, "")],
    "distinct": lambda c, items: fn_unique(items),
    "flatten": fn_flatten,
    "keys": lambda c, m: sorted(m),
    "values": lambda c, m: [m[k] for k in sorted(m)],
    "contains": lambda c, items, v: any(tf_equal(x, v) for x in items),
    "index": fn_index,
    "tolist": fn_tolist,
    "toset": fn_toset,
    "tomap": lambda c, m: dict(m),
    "tostring": fn_tostring,
    "tonumber": fn_tonumber,
    "tobool": fn_tobool,
    "one": fn_one,
    "sort": lambda c, items: [*sorted(str(to_str(x)) for x in items)],
    "reverse": lambda c, items: list(reversed(items)),
    "slice": lambda c, items, a, b: items[int(num_arg(a)) : int(num_arg(b))],
    "zipmap": lambda c, ks, vs: dict(zip(ks, vs, strict=True)),
    "range": fn_range,
    "min": lambda c, *a: min(num_arg(x) for x in a),
    "max": lambda c, *a: max(num_arg(x) for x in a),
    "sum": lambda c, items: sum(items),
    "abs": lambda c, n: abs(num_arg(n)),
    "ceil": lambda c, n: math.ceil(num_arg(n)),
    "floor": lambda c, n: math.floor(num_arg(n)),
    "alltrue": lambda c, items: all(x is True or x == "true" for x in items),
    "anytrue": lambda c, items: any(x is True or x == "true" for x in items),
    "setunion": lambda c, *sets: fn_toset(c, [x for s in sets for x in s]),
    "setintersection": fn_setintersection,
    "setsubtract": fn_setsubtract,
    "setproduct": fn_setproduct,
    "base64encode": lambda c, t: base64.b64encode(str_arg(t).encode()).decode(),
    "base64decode": lambda c, t: base64.b64decode(t).decode(),
    "abspath": lambda c, p: str(c.path(p).resolve()),
    "dirname": lambda c, p: os.path.dirname(p),
    "basename": lambda c, p: os.path.basename(p),
    "regex": fn_regex,
    "regexall": fn_regexall,
    "timestamp": not_offline("timestamp()"),
    "uuid": not_offline("uuid()"),
    "bcrypt": not_offline("bcrypt()"),
    "plantimestamp": not_offline("plantimestamp()"),
}
