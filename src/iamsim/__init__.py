"""iamsim: decide AWS IAM requests exactly as AWS does, offline, and explain why.

The public API is small; everything else is an implementation detail::

    import iamsim

    policy = iamsim.parse_policy(document, iamsim.PolicyType.IDENTITY, name="app")
    request = iamsim.make_request("arn:aws:iam::111122223333:user/alice", "s3:GetObject",
                                  "arn:aws:s3:::first-bucket/report.csv")
    decision = iamsim.evaluate(request, iamsim.PolicySet(identity=(policy,)))
    print(decision.value, decision.reason)

Compile a policy set once (``iamsim.CompiledPolicySet(policies)``) to decide many requests;
``iamsim.decide`` returns only the decision value, without building the trace.
"""

from iamsim.engine import (
    Caller,
    CallerKind,
    CompiledPolicySet,
    Context,
    Decision,
    DecisionValue,
    EngineOptions,
    PolicySet,
    Request,
    decide,
    evaluate,
    make_request,
    parse_caller,
)
from iamsim.errors import IamsimError, InputError, PolicyError, RequestError
from iamsim.policy.model import Policy, PolicyType
from iamsim.policy.parser import parse_policy

__all__ = [
    "Caller",
    "CallerKind",
    "CompiledPolicySet",
    "Context",
    "Decision",
    "DecisionValue",
    "EngineOptions",
    "IamsimError",
    "InputError",
    "Policy",
    "PolicyError",
    "PolicySet",
    "PolicyType",
    "Request",
    "RequestError",
    "decide",
    "evaluate",
    "make_request",
    "parse_caller",
    "parse_policy",
]
