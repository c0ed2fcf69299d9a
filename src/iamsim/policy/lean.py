"""The lean path of policy parsing: a clean document to the model in one pass, no locations.

This module owns one function, :func:`build`, that :func:`iamsim.policy.parser.parse_policy`
tries first. It validates a decoded document with exactly the rules of the located parser
(:class:`iamsim.policy.parser._Parser`, which remains the single definition of the grammar)
but builds no JSON pointer for the elements it merely checks (an Action entry, a Principal
value, ...), only the few the model itself stores (a statement's and a condition clause's
path). It never reports anything: at the first sign of *any* finding the located parser would
make -- an error, and also a warning or suggestion, or anything unusual -- it gives up and
returns None, and the caller re-runs the located parser, whose message (and pointer) the user
then sees. So the lean path only ever answers for documents the located parser accepts without
a single finding, and for those it builds the identical :class:`Policy`
(tests/policy/test_policy_lean.py holds both properties over real and broken documents).

Why: a batch of scenarios that each carry their own policy text parsed every document with a
pointer string for every element visited (issue 10: 1.15 million strings for 5,000 scenarios).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from iamsim.patterns import action as _action
from iamsim.patterns import arn as _arn
from iamsim.patterns import variables as _variables
from iamsim.policy import operators as _operators
from iamsim.policy import parser as _p
from iamsim.policy.jsondoc import JsonObject, pointer
from iamsim.policy.model import (
    ConditionClause,
    ConditionOperator,
    ConditionScalar,
    Effect,
    Policy,
    PolicyType,
    PrincipalSpec,
    Statement,
)
from iamsim.policy.rules import Presence, TypeRules, rules_for

_TOP = frozenset(_p.TOP_ELEMENTS)
_STATEMENT = frozenset(_p.STATEMENT_ELEMENTS)
_PRINCIPAL_KEYS = frozenset(_p.PRINCIPAL_KEYS)
_EFFECTS = {"Allow": Effect.ALLOW, "Deny": Effect.DENY}


class _GiveUp(Exception):
    """The located parser would report something here: let it."""


def _clean_object(value: Any) -> Mapping[str, Any]:
    """``value`` if it is an object the located parser's ``check_object`` finds nothing in."""
    if type(value) is not dict:  # a plain dict (what orjson and json decode) skips the ABC check
        if not isinstance(value, Mapping):
            raise _GiveUp
        if isinstance(value, JsonObject) and value.duplicates:
            raise _GiveUp
    checked: Mapping[str, Any] = value
    for key in checked:
        if type(key) is not str:
            raise _GiveUp
    return checked


def _strings(value: Any) -> tuple[tuple[str, ...], bool]:
    """A string or a non-empty array of strings: ``(entries, written_as_scalar)``."""
    kind = type(value)
    if kind is str:
        return (value,), True
    if kind is not list and kind is not tuple:
        if isinstance(value, str):
            return (value,), True
        if not isinstance(value, list | tuple):
            raise _GiveUp
    if not value:
        raise _GiveUp
    for item in value:
        if type(item) is not str and not isinstance(item, str):
            raise _GiveUp
    return tuple(value), False


# Condition operators by their text as written: parsing one is a pure function of the text
# and a ConditionOperator is immutable (a name AWS refuses raises and is not remembered).
_OPERATORS: dict[str, ConditionOperator] = {}
_OPERATORS_LIMIT = 1024
_NO_SCALARS: frozenset[str] = frozenset()
# The pointers of the first statements of a list and of their Condition elements, made once.
_PATHS_COUNT = 64
_PATHS = tuple(f"/Statement/{i}" for i in range(_PATHS_COUNT))
_CONDITION_PATHS = {path: f"{path}/Condition" for path in (*_PATHS, "/Statement")}

# Texts found clean by a check that is a pure function of the text (and of whether policy
# variables are on): a Resource entry (``_Lean.resource``), a condition value's variable
# syntax (``parse_template``). A batch of documents repeats them (an organization's buckets,
# its ``${aws:PrincipalTag/team}`` conditions) although each document as a whole is new.
# Only texts that passed are kept; a bounded set each, emptied when full.
_CLEAN_RESOURCES: tuple[set[str], set[str]] = (set(), set())  # variables off, on
_CLEAN_TEMPLATES: set[str] = set()
_CLEAN_LIMIT = 8192


def _remember_clean(found: set[str], text: str) -> None:
    if len(found) >= _CLEAN_LIMIT:
        found.clear()
    found.add(text)


def _template_is_clean(text: str) -> bool:
    """Whether ``text`` (holding ``${``) parses as a template with variables on."""
    plain = type(text) is str  # a str subclass is neither looked up nor remembered
    if plain and text in _CLEAN_TEMPLATES:
        return True
    try:
        _variables.parse_template(text, enabled=True)
    except ValueError:
        return False
    if plain:
        _remember_clean(_CLEAN_TEMPLATES, text)
    return True


def _operator(text: str) -> ConditionOperator:
    found = _OPERATORS.get(text)
    if found is None:
        found = _operators.parse_operator(text)  # ValueError for a name AWS refuses
        if len(_OPERATORS) >= _OPERATORS_LIMIT:
            _OPERATORS.clear()
        _OPERATORS[text] = found
    return found


def build(
    doc: Any, policy_type: PolicyType, *, name: str | None, source: str | None
) -> Policy | None:
    """The Policy the located parser builds from the decoded ``doc``, when that parser would
    report no finding at all; None otherwise (the caller then runs the located parser)."""
    try:
        return _Lean(rules_for(policy_type)).document(doc, policy_type, name, source)
    except _GiveUp:
        return None


class _Lean:
    __slots__ = ("rules", "texts", "variables")

    def __init__(self, rules: TypeRules) -> None:
        self.rules = rules
        self.variables = False
        # The free text of the document (every string that is not one of the grammar's fixed
        # names), checked against IAM's character set in one search at the end: a document the
        # lean path accepts has no other strings (an unknown key makes it give up).
        self.texts: list[str] = []

    def document(
        self, doc: Any, policy_type: PolicyType, name: str | None, source: str | None
    ) -> Policy:
        rules = self.rules
        doc = _clean_object(doc)
        if not _TOP.issuperset(doc):
            raise _GiveUp
        if "Version" not in doc:
            raise _GiveUp  # an error (required) or a warning (treated as 2008-10-17)
        version = doc["Version"]
        if not isinstance(version, str) or version not in _p.VERSIONS:
            raise _GiveUp
        if rules.required_version and version != rules.required_version:
            raise _GiveUp
        self.variables = version == _p.VERSION_2012
        policy_id = None
        if "Id" in doc:
            policy_id = doc["Id"]
            if not isinstance(policy_id, str) or rules.id_discouraged:
                raise _GiveUp
            if self.variables and "${" in policy_id:
                raise _GiveUp
            self.texts.append(policy_id)
        if "Statement" not in doc:
            raise _GiveUp
        value = doc["Statement"]
        if isinstance(value, list | tuple):
            if not value:
                raise _GiveUp
            statement = self.statement
            statements = tuple(
                [
                    statement(item, i, _PATHS[i] if i < _PATHS_COUNT else f"/Statement/{i}")
                    for i, item in enumerate(value)
                ]
            )
            was_list = True
        elif isinstance(value, Mapping):
            statements = (self.statement(value, 0, "/Statement"),)
            was_list = False
        else:
            raise _GiveUp
        if rules.iam_sid:
            sids = [s.sid for s in statements if s.sid]
            if len(set(sids)) != len(sids):
                raise _GiveUp
        if rules.iam_charset and _p._BAD_CHAR.search("".join(self.texts)):
            raise _GiveUp
        return Policy(
            policy_type=policy_type,
            statements=statements,
            version=version,
            id=policy_id,
            statement_was_list=was_list,
            name=name,
            source=source,
        )

    def statement(self, obj: Any, index: int, path: str) -> Statement:
        rules = self.rules
        obj = _clean_object(obj)
        if not _STATEMENT.issuperset(obj):
            raise _GiveUp
        sid = obj.get("Sid")
        if sid is not None or "Sid" in obj:
            if not isinstance(sid, str) or not sid:  # not a string, or an empty Sid (suggestion)
                raise _GiveUp
            if self.variables and "${" in sid:
                raise _GiveUp
            if rules.iam_sid and not _p._IAM_SID.fullmatch(sid):
                raise _GiveUp
            self.texts.append(sid)
        written = obj.get("Effect")
        effect = _EFFECTS.get(written) if type(written) is str else None
        if effect is None:  # missing, not a string, or not exactly "Allow"/"Deny"
            raise _GiveUp
        if effect is Effect.ALLOW and not rules.allow and not _p._is_rcp_full_access(obj):
            raise _GiveUp
        principal, not_principal = self.principals(obj, effect)
        scalars: set[str] = set()
        actions, not_actions = self.actions(obj, scalars)
        resources, not_resources = self.resources(obj, scalars)
        conditions: tuple[ConditionClause, ...] = ()
        empty_ops: tuple[ConditionOperator, ...] = ()
        has_condition = "Condition" in obj
        if has_condition:
            cond_path = _CONDITION_PATHS.get(path) or f"{path}/Condition"
            conditions, empty_ops = self.condition(obj["Condition"], cond_path)
        # Positional, in the order of Statement's fields (cheaper than keywords, per statement).
        return Statement(
            index,
            effect,
            sid,
            actions,
            not_actions,
            resources,
            not_resources,
            principal,
            not_principal,
            conditions,
            frozenset(scalars) if scalars else _NO_SCALARS,
            has_condition,
            path,
            empty_ops,
        )

    def principals(
        self, obj: Mapping[str, Any], effect: Effect
    ) -> tuple[PrincipalSpec | None, PrincipalSpec | None]:
        rules = self.rules
        has, has_not = "Principal" in obj, "NotPrincipal" in obj
        if not has and not has_not:
            if rules.principal is Presence.REQUIRED:
                raise _GiveUp
            return None, None
        if (has and has_not) or rules.principal is Presence.FORBIDDEN:
            raise _GiveUp
        if has_not and (not rules.not_principal or effect is Effect.ALLOW):
            raise _GiveUp
        value = obj["Principal" if has else "NotPrincipal"]
        if value == "*" and type(value) is str:
            if not rules.bare_star_principal:
                raise _GiveUp  # a security warning
            spec = PrincipalSpec(wildcard=True)
        else:
            if rules.principal_star_only:
                raise _GiveUp
            value = _clean_object(value)
            entries: list[tuple[str, tuple[str, ...]]] = []
            scalar_keys: set[str] = set()
            for key, raw in value.items():
                if key not in _PRINCIPAL_KEYS:
                    raise _GiveUp
                texts, scalar = _strings(raw)
                for text in texts:
                    self.principal(key, text)
                self.texts.extend(texts)
                if scalar:
                    scalar_keys.add(key)
                entries.append((key, texts))
            spec = PrincipalSpec(
                wildcard=False, entries=tuple(entries), scalar_keys=frozenset(scalar_keys)
            )
        return (spec, None) if has else (None, spec)

    def principal(self, key: str, text: str) -> None:
        if self.variables and "${" in text:
            raise _GiveUp
        if text == "*":
            if key != "AWS":
                raise _GiveUp
            return
        if "*" in text or "?" in text or _p._principal_problem(key, text) is not None:
            raise _GiveUp  # includes the unique ID of a deleted principal (a warning)

    def actions(
        self, obj: Mapping[str, Any], scalars: set[str]
    ) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
        has, has_not = "Action" in obj, "NotAction" in obj
        if has == has_not or (has_not and not self.rules.not_action):
            raise _GiveUp
        element = "Action" if has else "NotAction"
        texts, scalar = _strings(obj[element])
        variables = self.variables
        for text in texts:
            if (variables and "${" in text) or _action.action_problem(text) is not None:
                raise _GiveUp
        if scalar:
            scalars.add(element)
        self.texts.extend(texts)
        return (texts, None) if has else (None, texts)

    def resources(
        self, obj: Mapping[str, Any], scalars: set[str]
    ) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
        has, has_not = "Resource" in obj, "NotResource" in obj
        if self.rules.resource is Presence.FORBIDDEN:
            if has or has_not:
                raise _GiveUp
            return None, None
        if has == has_not:
            raise _GiveUp
        element = "Resource" if has else "NotResource"
        texts, scalar = _strings(obj[element])
        clean = _CLEAN_RESOURCES[self.variables]
        for text in texts:
            if text == "*":
                continue
            # Only plain strings are remembered or looked up: a str subclass may compare
            # equal to one and still behave otherwise.
            if type(text) is not str:
                self.resource(text)
            elif text not in clean:
                self.resource(text)
                _remember_clean(clean, text)
        if scalar:
            scalars.add(element)
        self.texts.extend(texts)
        return (texts, None) if has else (None, texts)

    def resource(self, text: str) -> None:
        """Mirrors ``_Parser.check_resource``: gives up where that would report anything."""
        checked = text
        if "${" in text:
            if not self.variables:
                checked = text.replace("${", "$_")
            else:
                if not _template_is_clean(text):
                    raise _GiveUp
                parts = _variables.split_outside_variables(text, ":", 5, enabled=True)
                if len(parts) < 6 or any("${" in part for part in parts[:5]):
                    raise _GiveUp  # the variable-outside-resource-part warning
                checked = _p._neutralize_variables(text)
        if _arn.arn_problem(checked) is not None:
            raise _GiveUp  # an error, or the empty-arn-resource warning
        # check_arn_region: IAM resources and S3 buckets/objects name no Region.
        parts = checked.split(":", 5)
        service, region, account = parts[2], parts[3], parts[4]
        fixed_region = region and "*" not in region and "?" not in region
        if fixed_region and (service == "iam" or (service == "s3" and not account)):
            raise _GiveUp

    def condition(
        self, block: Any, cond_path: str
    ) -> tuple[tuple[ConditionClause, ...], tuple[ConditionOperator, ...]]:
        block = _clean_object(block)
        clauses: list[ConditionClause] = []
        empty_ops: list[ConditionOperator] = []
        append_text = self.texts.append
        variables = self.variables
        for op_text, keys in block.items():
            try:
                operator = _operator(op_text)
            except ValueError:
                raise _GiveUp from None
            keys = _clean_object(keys)
            append_text(op_text)
            if not keys:
                empty_ops.append(operator)
                continue
            info = _operators.operator_info(operator)
            single_bool = (
                info.family is _operators.OperatorFamily.BOOL and operator.set_operator is None
            )
            op_path = pointer(cond_path, op_text)
            seen: set[str] = set()
            for key, raw in keys.items():
                lowered = key.lower()
                if not key or "${" in key or lowered in seen:
                    raise _GiveUp
                seen.add(lowered)
                append_text(key)
                values: tuple[ConditionScalar, ...]
                if type(raw) is list or isinstance(raw, list | tuple):
                    values, was_list = tuple(raw), True
                else:
                    values, was_list = (raw,), False
                for value in values:
                    if not isinstance(value, str):
                        if isinstance(value, bool | int | float):
                            continue
                        raise _GiveUp
                    append_text(value)
                    if (
                        variables
                        and "${" in value
                        and (not info.accepts_variables or not _template_is_clean(value))
                    ):
                        raise _GiveUp
                if single_bool and len(values) > 1:
                    raise _GiveUp
                clauses.append(
                    ConditionClause(operator, key, values, was_list, pointer(op_path, key))
                )
        return tuple(clauses), tuple(empty_ops)
