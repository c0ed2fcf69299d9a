"""Condition operators and their evaluation against a request context.

* :mod:`.operators` -- the operator table and operator-name parsing;
* :mod:`.coerce` -- value formats (numbers, dates, booleans, IPs, base64);
* :mod:`.evaluate` -- compiling clauses and deciding them per request.
"""

from iamsim.conditions.evaluate import (
    CompiledCondition,
    CompiledConditionBlock,
    ConditionOutcome,
    absent_keys,
    compile_condition,
    compile_conditions,
)
from iamsim.policy.operators import (
    OPERATORS,
    OperatorFamily,
    OperatorInfo,
    operator_info,
    parse_operator,
)

__all__ = [
    "OPERATORS",
    "CompiledCondition",
    "CompiledConditionBlock",
    "ConditionOutcome",
    "OperatorFamily",
    "OperatorInfo",
    "absent_keys",
    "compile_condition",
    "compile_conditions",
    "operator_info",
    "parse_operator",
]
