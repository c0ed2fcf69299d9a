"""Pattern matching for policy text: globs, policy variables, actions and ARNs.

Everything here is pure, linear-time string matching with no knowledge of policy types or
the decision procedure: ``glob`` (``*``/``?`` wildcards), ``variables`` (``${...}``
templates), ``action`` (``Action``/``NotAction`` entries) and ``arn`` (ARN parsing,
``Resource``/``NotResource`` entries and ARN condition values).
"""

from iamsim.patterns.action import ActionPattern, action_problem, compile_action
from iamsim.patterns.arn import (
    ArnConditionPattern,
    ResourcePattern,
    arn_problem,
    compile_arn_condition,
    compile_resource,
)
from iamsim.patterns.glob import WILD_ONE, WILD_STAR, Glob, tokenize
from iamsim.patterns.variables import Template, parse_template, split_outside_variables

__all__ = [
    "WILD_ONE",
    "WILD_STAR",
    "ActionPattern",
    "ArnConditionPattern",
    "Glob",
    "ResourcePattern",
    "Template",
    "action_problem",
    "arn_problem",
    "compile_action",
    "compile_arn_condition",
    "compile_resource",
    "parse_template",
    "split_outside_variables",
    "tokenize",
]
