"""The table of condition operators AWS defines, and parsing of operator names.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
An operator name is ``[ForAnyValue:|ForAllValues:]<Base>[IfExists]``. Unknown names are errors:
AWS rejects them ("Invalid condition operator") and silently ignoring one could grant access.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from iamsim.policy.model import ConditionOperator, SetOperator


class OperatorFamily(StrEnum):
    STRING = "String"
    NUMERIC = "Numeric"
    DATE = "Date"
    BOOL = "Bool"
    BINARY = "Binary"
    IP = "IpAddress"
    ARN = "Arn"
    NULL = "Null"


@dataclass(frozen=True, slots=True)
class OperatorInfo:
    name: str
    family: OperatorFamily
    negated: bool  # a ...Not... operator: true when the key is absent, NOR across values
    accepts_variables: bool  # policy variables are substituted in its values


def _op(
    name: str, family: OperatorFamily, negated: bool = False, variables: bool = False
) -> OperatorInfo:
    return OperatorInfo(name, family, negated, variables)


_S, _N, _D = OperatorFamily.STRING, OperatorFamily.NUMERIC, OperatorFamily.DATE

OPERATORS: dict[str, OperatorInfo] = {
    info.name.lower(): info
    for info in (
        _op("StringEquals", _S, variables=True),
        _op("StringNotEquals", _S, negated=True, variables=True),
        _op("StringEqualsIgnoreCase", _S, variables=True),
        _op("StringNotEqualsIgnoreCase", _S, negated=True, variables=True),
        _op("StringLike", _S, variables=True),
        _op("StringNotLike", _S, negated=True, variables=True),
        _op("NumericEquals", _N),
        _op("NumericNotEquals", _N, negated=True),
        _op("NumericLessThan", _N),
        _op("NumericLessThanEquals", _N),
        _op("NumericGreaterThan", _N),
        _op("NumericGreaterThanEquals", _N),
        _op("DateEquals", _D),
        _op("DateNotEquals", _D, negated=True),
        _op("DateLessThan", _D),
        _op("DateLessThanEquals", _D),
        _op("DateGreaterThan", _D),
        _op("DateGreaterThanEquals", _D),
        # The operators page lists Bool among operators taking variables; the variables page
        # does not. We follow the operators page (docs/semantics.md, "Bool and variables").
        _op("Bool", OperatorFamily.BOOL, variables=True),
        _op("BinaryEquals", OperatorFamily.BINARY),
        _op("IpAddress", OperatorFamily.IP),
        _op("NotIpAddress", OperatorFamily.IP, negated=True),
        _op("ArnEquals", OperatorFamily.ARN, variables=True),
        _op("ArnLike", OperatorFamily.ARN, variables=True),
        _op("ArnNotEquals", OperatorFamily.ARN, negated=True, variables=True),
        _op("ArnNotLike", OperatorFamily.ARN, negated=True, variables=True),
        _op("Null", OperatorFamily.NULL),
    )
}

_SET_PREFIXES = {s.value.lower() + ":": s for s in SetOperator}


def parse_operator(text: str) -> ConditionOperator:
    """Parse an operator name; raise ``ValueError`` with the reason when AWS would reject it.

    AWS documents no case rule for operator names; they are matched case-insensitively, which
    can never change what a recognised operator means (docs/semantics.md, "Operator names").
    """
    rest = text
    set_operator: SetOperator | None = None
    head, sep, tail = text.partition(":")
    if sep:
        set_operator = _SET_PREFIXES.get(head.lower() + ":")
        if set_operator is None:
            raise ValueError(f"invalid condition operator {text!r}: unknown prefix {head!r}")
        rest = tail
    if_exists = False
    info = OPERATORS.get(rest.lower())
    if info is None and rest.lower().endswith("ifexists"):
        info = OPERATORS.get(rest[: -len("IfExists")].lower())
        if_exists = info is not None
    if info is None:
        raise ValueError(f"invalid condition operator {text!r}")
    if info.family is OperatorFamily.NULL and if_exists:
        raise ValueError("the Null operator has no IfExists form")
    return ConditionOperator(
        text=text, base=info.name, set_operator=set_operator, if_exists=if_exists
    )


def operator_info(operator: ConditionOperator) -> OperatorInfo:
    return OPERATORS[operator.base.lower()]
