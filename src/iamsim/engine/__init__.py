"""The decision engine: requests, policy sets, the AWS decision procedure and its trace."""

from iamsim.engine.context import caller_context, credential_context, make_request, time_context
from iamsim.engine.decision import (
    CompiledPolicySet,
    EngineOptions,
    compile_policy_set,
    decide,
    evaluate,
)
from iamsim.engine.policies import PolicySet
from iamsim.engine.principals import MatchClass, parse_caller
from iamsim.engine.trace import Decision, DecisionValue, StatementRef
from iamsim.vocabulary.request import Caller, CallerKind, Context, Request

__all__ = [
    "Caller",
    "CallerKind",
    "CompiledPolicySet",
    "Context",
    "Decision",
    "DecisionValue",
    "EngineOptions",
    "MatchClass",
    "PolicySet",
    "Request",
    "StatementRef",
    "caller_context",
    "compile_policy_set",
    "credential_context",
    "decide",
    "evaluate",
    "make_request",
    "parse_caller",
    "time_context",
]
