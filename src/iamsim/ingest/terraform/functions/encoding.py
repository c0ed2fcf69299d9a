"""Terraform's JSON functions: ``jsonencode`` and ``jsondecode``."""

from __future__ import annotations

import json
from typing import Any

from iamsim import limits
from iamsim.errors import InputError
from iamsim.ingest.documents import load_json
from iamsim.ingest.terraform.budget import check_limit
from iamsim.ingest.terraform.functions.call import Call, FunctionError, encoded_size
from iamsim.ingest.terraform.syntax import line_of


def fn_jsonencode(call: Call, value: Any) -> str:
    cap = limits.current().max_string_chars
    check_limit(encoded_size(value, cap), "max_string_chars", "the JSON text")
    # Terraform renders object attributes in lexical order, compactly.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fn_jsondecode(call: Call, text: str) -> Any:
    try:
        return load_json(text)
    except json.JSONDecodeError as exc:
        raise FunctionError(f"invalid JSON ({exc.msg}, line {exc.lineno})") from None
    except InputError as exc:
        # A key given twice (Terraform's jsondecode rejects it too) or absurd nesting is
        # malformed input, not something to leave unknown.
        line = line_of(call.tree)
        where = f"{call.ctx.file}:{line}" if line and call.ctx.file else call.ctx.file
        raise InputError(f"jsondecode(): {exc.reason}", path=exc.path or "", source=where) from None
