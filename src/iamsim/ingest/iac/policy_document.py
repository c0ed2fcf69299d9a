"""The ``aws_iam_policy_document`` data source, rendered as the AWS provider renders it.

This module owns :func:`render_policy_document` (statement blocks, ``&{...}`` policy variables,
source/override documents merged by Sid) and :func:`tf_string`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from iamsim.errors import InputError
from iamsim.ingest.documents import load_json
from iamsim.ingest.iac.unknown import find_unknown

# -- aws_iam_policy_document ----------------------------------------------------------------------


def _replace_vars(value: str) -> str:
    # The provider rewrites &{...} to ${...} so that IAM policy variables survive Terraform's
    # own interpolation (policy_document_data_source.go, dataSourcePolicyDocumentVarReplacer).
    return value.replace("&{", "${")


def tf_string(value: Any) -> str | None:
    """Terraform's conversion of a primitive to a string (``true`` -> ``"true"``, ``3600`` ->
    ``"3600"``, ``0.5`` -> ``"0.5"``, never an exponent); None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        text = format(Decimal(repr(value)), "f")
        return text
    return None


def _string_list(value: Any, what: str) -> list[str]:
    # The provider's list(string)/set(string) arguments: Terraform converts bools and numbers
    # to strings before the provider sees them (values = [false, 3600] -> "false", "3600").
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        out = []
        for item in value:
            text = tf_string(item)
            if text is None:
                raise ValueError(f"{what} must be a list of strings")
            out.append(text)
        return out
    raise ValueError(f"{what} must be a list of strings")


def _scalar_or_list(items: list[str]) -> str | list[str]:
    # Like the provider: one element renders as a plain string.
    return items[0] if len(items) == 1 else items


def _set_list(items: list[str]) -> str | list[str]:
    # Actions, resources and principal identifiers are sets in the provider's schema, rendered
    # in reverse lexical order (iamPolicyDecodeConfigStringList); duplicates collapse.
    unique = sorted(set(items), reverse=True)
    return _scalar_or_list(unique)


def _principals(blocks: Any, version: str, notes: list[str]) -> Any:
    if not blocks:
        return None
    entries: dict[str, list[str]] = {}
    pairs: list[tuple[str, list[str]]] = []
    for block in blocks:
        ptype = block.get("type")
        if not isinstance(ptype, str):
            raise ValueError("principals.type must be a string")
        ids = _string_list(block.get("identifiers"), "principals.identifiers")
        if version == "2008-10-17" and any("&{" in i for i in ids):
            raise ValueError("&{...} policy variables need version 2012-10-17")
        ids = [_replace_vars(i) for i in ids]
        ids = sorted(set(ids), reverse=True)
        pairs.append((ptype, ids))
        entries.setdefault(ptype, []).extend(ids)
    # The provider renders a lone {type "*", identifiers ["*"]} as the bare "*" principal.
    if len(pairs) == 1 and pairs[0][0] == "*" and pairs[0][1] == ["*"]:
        return "*"
    return {k: _scalar_or_list(v) for k, v in entries.items()}


def _conditions(blocks: Any, version: str, notes: list[str]) -> Any:
    if not blocks:
        return None
    out: dict[str, dict[str, list[str]]] = {}
    for block in blocks:
        test, variable = block.get("test"), block.get("variable")
        if not isinstance(test, str) or not isinstance(variable, str):
            raise ValueError("condition.test and condition.variable must be strings")
        values = _string_list(block.get("values"), "condition.values")
        if version == "2008-10-17" and any("&{" in v for v in values):
            raise ValueError("&{...} policy variables need version 2012-10-17")
        values = [_replace_vars(v) for v in values]
        existing = out.setdefault(test, {}).get(variable)
        if existing is not None:
            # The provider keeps condition blocks in a set, so which of two blocks with the same
            # test and variable wins is not defined by the configuration; we keep all values.
            notes.append(
                f"two condition blocks test {test} on {variable}; their values were merged"
            )
            existing.extend(v for v in values if v not in existing)
        else:
            out[test][variable] = values
    return {t: {k: _scalar_or_list(v) for k, v in kv.items()} for t, kv in out.items()}


def _statement(block: Mapping[str, Any], version: str, notes: list[str]) -> dict[str, Any]:
    stmt: dict[str, Any] = {}
    # Provider 4.x wrote "Sid": "" for a statement without one; 5.x omits it (same meaning).
    if block.get("sid"):
        stmt["Sid"] = block["sid"]
    effect = block.get("effect")
    stmt["Effect"] = effect if effect is not None else "Allow"
    for key, element, replace in (
        ("actions", "Action", False),
        ("not_actions", "NotAction", False),
        ("resources", "Resource", True),
        ("not_resources", "NotResource", True),
    ):
        items = _string_list(block.get(key), key)
        if not items:
            continue
        if replace:
            if version == "2008-10-17" and any("&{" in i for i in items):
                raise ValueError("&{...} policy variables need version 2012-10-17")
            items = [_replace_vars(i) for i in items]
        stmt[element] = _set_list(items)
    principal = _principals(block.get("principals"), version, notes)
    if principal is not None:
        stmt["Principal"] = principal
    not_principal = _principals(block.get("not_principals"), version, notes)
    if not_principal is not None:
        stmt["NotPrincipal"] = not_principal
    condition = _conditions(block.get("condition"), version, notes)
    if condition is not None:
        stmt["Condition"] = condition
    return stmt


def _merge_statements(into: list[dict[str, Any]], new: Iterable[Mapping[str, Any]]) -> None:
    # IAMPolicyDoc.Merge: a statement with a Sid replaces the earlier one with that Sid in
    # place; statements without a Sid (or with a new one) are appended.
    for stmt in new:
        sid = stmt.get("Sid")
        if sid:
            for i, existing in enumerate(into):
                if existing.get("Sid") == sid:
                    into[i] = dict(stmt)
                    break
            else:
                into.append(dict(stmt))
        else:
            into.append(dict(stmt))


def _decode_json_document(text: Any, what: str) -> dict[str, Any]:
    if not isinstance(text, str):
        raise ValueError(f"{what} must be a JSON string")
    try:
        doc = load_json(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{what} is not valid JSON ({exc.msg}, line {exc.lineno})") from None
    except InputError as exc:
        raise ValueError(f"{what}: {exc.reason} (at {exc.path or '/'})") from None
    if not isinstance(doc, dict):
        raise ValueError(f"{what} must be a JSON object")
    stmts = doc.get("Statement", [])
    if isinstance(stmts, dict):
        stmts = [stmts]
    if not isinstance(stmts, list) or not all(isinstance(s, dict) for s in stmts):
        raise ValueError(f"{what} has a malformed Statement")
    return {**doc, "Statement": stmts}


def render_policy_document(values: Mapping[str, Any]) -> tuple[Any, list[str]]:
    """The JSON text of an ``aws_iam_policy_document`` with these (evaluated) arguments.

    Follows the provider: ``source_policy_documents`` first (their Sids must be unique), then
    the ``statement`` blocks, then each of ``override_policy_documents``, each later statement
    replacing an earlier one with the same non-empty Sid. Returns ``(json or Unknown, notes)``;
    raises ValueError for a document the provider would reject.
    """
    notes: list[str] = []
    unknown = find_unknown(values)
    if unknown is not None:
        return unknown, notes
    version = values.get("version") or "2012-10-17"
    if version not in ("2012-10-17", "2008-10-17"):
        raise ValueError(f"version must be 2012-10-17 or 2008-10-17, not {version!r}")
    merged: list[dict[str, Any]] = []
    merged_version = ""
    merged_id = ""
    sources = values.get("source_policy_documents") or []
    seen_sids: set[str] = set()
    for i, text in enumerate(sources):
        if text is None:
            continue
        doc = _decode_json_document(text, f"source_policy_documents[{i}]")
        for stmt in doc["Statement"]:
            sid = stmt.get("Sid")
            if sid:
                if sid in seen_sids:
                    raise ValueError(
                        f"duplicate Sid {sid!r} in source_policy_documents (document {i})"
                    )
                seen_sids.add(sid)
        merged_version = max(merged_version, str(doc.get("Version", "")))
        merged_id = str(doc.get("Id") or merged_id)
        _merge_statements(merged, doc["Statement"])
    own: list[dict[str, Any]] = []
    own_sids: set[str] = set()
    for block in values.get("statement") or []:
        stmt = _statement(block, version, notes)
        sid = stmt.get("Sid")
        if sid:
            if sid in own_sids:
                raise ValueError(f"duplicate Sid {sid!r} in statement blocks")
            own_sids.add(sid)
        own.append(stmt)
    merged_version = max(merged_version, version)
    if values.get("policy_id"):
        merged_id = str(values["policy_id"])
    _merge_statements(merged, own)
    for i, text in enumerate(values.get("override_policy_documents") or []):
        if text is None:
            continue
        doc = _decode_json_document(text, f"override_policy_documents[{i}]")
        merged_version = max(merged_version, str(doc.get("Version", "")))
        merged_id = str(doc.get("Id") or merged_id)
        _merge_statements(merged, doc["Statement"])
    out: dict[str, Any] = {}
    if merged_version:
        out["Version"] = merged_version
    if merged_id:
        out["Id"] = merged_id
    out["Statement"] = merged
    return json.dumps(out, indent=2), notes
