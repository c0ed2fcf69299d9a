"""Rendering a parsed policy back to canonical JSON, losslessly.

This module owns the inverse of the parser. "Canonical" fixes only the key order (``Version``,
``Id``, ``Statement``; in a statement ``Sid``, ``Effect``, ``Principal``/``NotPrincipal``,
``Action``/``NotAction``, ``Resource``/``NotResource``, ``Condition``); everything the author
chose is kept: single string versus array, a single statement object versus an array, the JSON
type of each condition value, empty arrays and objects. So for every valid document ``x``,
``json.loads(policy_to_json(parse_policy(x))) == json.loads(x)`` and parsing the rendering gives
an equal :class:`~iamsim.policy.model.Policy`.
"""

from __future__ import annotations

import json
from typing import Any

from iamsim.policy.model import ConditionScalar, Policy, PrincipalSpec, Statement


def policy_to_dict(policy: Policy) -> dict[str, Any]:
    """The policy as plain JSON-ready Python values, keys in canonical order."""
    out: dict[str, Any] = {}
    if policy.version is not None:
        out["Version"] = policy.version
    if policy.id is not None:
        out["Id"] = policy.id
    statements = [_statement_to_dict(s) for s in policy.statements]
    if policy.statement_was_list or len(statements) != 1:
        out["Statement"] = statements
    else:
        out["Statement"] = statements[0]
    return out


def policy_to_json(policy: Policy, *, indent: int | None = None) -> str:
    """Canonical JSON text of the policy (compact unless ``indent`` is given).

    Non-ASCII characters are written as themselves: IAM counts characters, and an escape such
    as ``\\u00e9`` would inflate the size of the document.
    """
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(
        policy_to_dict(policy), indent=indent, separators=separators, ensure_ascii=False
    )


def _strings(values: tuple[str, ...], scalar: bool) -> str | list[str]:
    if scalar and len(values) == 1:
        return values[0]
    return list(values)


def _principal(spec: PrincipalSpec) -> str | dict[str, Any]:
    if spec.wildcard:
        return "*"
    return {key: _strings(values, key in spec.scalar_keys) for key, values in spec.entries}


def _value(values: tuple[ConditionScalar, ...], was_list: bool) -> Any:
    if not was_list and len(values) == 1:
        return values[0]
    return list(values)


def _statement_to_dict(statement: Statement) -> dict[str, Any]:
    out: dict[str, Any] = {}
    scalars = statement.scalar_elements
    if statement.sid is not None:
        out["Sid"] = statement.sid
    out["Effect"] = statement.effect.value
    if statement.principal is not None:
        out["Principal"] = _principal(statement.principal)
    if statement.not_principal is not None:
        out["NotPrincipal"] = _principal(statement.not_principal)
    if statement.actions is not None:
        out["Action"] = _strings(statement.actions, "Action" in scalars)
    if statement.not_actions is not None:
        out["NotAction"] = _strings(statement.not_actions, "NotAction" in scalars)
    if statement.resources is not None:
        out["Resource"] = _strings(statement.resources, "Resource" in scalars)
    if statement.not_resources is not None:
        out["NotResource"] = _strings(statement.not_resources, "NotResource" in scalars)
    if statement.has_condition_element or statement.conditions:
        block: dict[str, dict[str, Any]] = {}
        # Grouped by the operator name as written: "StringEquals" and "stringequals" are two
        # distinct JSON keys of the Condition object.
        for clause in statement.conditions:
            keys = block.setdefault(clause.operator.text, {})
            keys[clause.key] = _value(clause.values, clause.value_was_list)
        for operator in statement.empty_condition_operators:
            block.setdefault(operator.text, {})
        out["Condition"] = block
    return out
