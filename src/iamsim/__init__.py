"""iamsim: decide AWS IAM requests exactly as AWS does, offline, and explain why.

The front door: load a world from your inputs, then ask it questions::

    import iamsim

    world = iamsim.load(["exports/", "org.yaml", "terraform/"], variables={"env": "prod"})
    r = iamsim.authorize(world, "role/developer", "iam:CreateRole",
                         "arn:aws:iam::111122223333:role/x")
    r.decision, r.reason, r.decisive        # and r.explanation, r.warnings

or evaluate policies you hold yourself::

    r = iamsim.authorize({"identity": document}, "arn:aws:iam::111122223333:user/alice",
                         "s3:GetObject", "arn:aws:s3:::first-bucket/report.csv")

The engine is there too (``parse_policy``, ``make_request``, ``evaluate``, ``PolicySet``;
``CompiledPolicySet`` to decide many requests), and the analyses: ``who_can``,
``effective_permissions``, ``analyze_escalation``, ``audit_boundaries``. See docs/library.md.

Every name is imported on first use (:func:`__getattr__`), so ``import iamsim`` stays cheap:
a command or a program pays only for the parts it uses.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from iamsim import formats
    from iamsim.analysis.boundary_audit import audit_boundaries
    from iamsim.analysis.effective import effective_permissions
    from iamsim.analysis.escalation import analyze_escalation
    from iamsim.analysis.who_can import who_can
    from iamsim.api import Response, authorize, load, policy_set
    from iamsim.builder import BuiltRequest, RequestBuilder
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
    from iamsim.engine.explanation import Step
    from iamsim.errors import IamsimError, InputError, PolicyError, RequestError
    from iamsim.formats import InputFormat
    from iamsim.model import World
    from iamsim.policy.model import Policy, PolicyType
    from iamsim.policy.parser import parse_policy

# Public name -> the module that defines it. Fixed: nothing is discovered at run time.
_LAZY: dict[str, str] = {
    # the front door
    "load": "iamsim.api",
    "authorize": "iamsim.api",
    "Response": "iamsim.api",
    "policy_set": "iamsim.api",
    "Step": "iamsim.engine.explanation",
    # the world, the request builder and the registry of input formats
    "World": "iamsim.model",
    "RequestBuilder": "iamsim.builder",
    "BuiltRequest": "iamsim.builder",
    "InputFormat": "iamsim.formats",
    # the analyses
    "who_can": "iamsim.analysis.who_can",
    "effective_permissions": "iamsim.analysis.effective",
    "analyze_escalation": "iamsim.analysis.escalation",
    "audit_boundaries": "iamsim.analysis.boundary_audit",
    # the engine
    "Caller": "iamsim.engine",
    "CallerKind": "iamsim.engine",
    "CompiledPolicySet": "iamsim.engine",
    "Context": "iamsim.engine",
    "Decision": "iamsim.engine",
    "DecisionValue": "iamsim.engine",
    "EngineOptions": "iamsim.engine",
    "PolicySet": "iamsim.engine",
    "Request": "iamsim.engine",
    "decide": "iamsim.engine",
    "evaluate": "iamsim.engine",
    "make_request": "iamsim.engine",
    "parse_caller": "iamsim.engine",
    "Policy": "iamsim.policy.model",
    "PolicyType": "iamsim.policy.model",
    "parse_policy": "iamsim.policy.parser",
    # errors
    "IamsimError": "iamsim.errors",
    "InputError": "iamsim.errors",
    "PolicyError": "iamsim.errors",
    "RequestError": "iamsim.errors",
}

# Public submodules, imported on first use like the names above.
_SUBMODULES = frozenset({"formats"})

# Spelled out (not sorted(_LAZY)) so that linters and type checkers see it; a test keeps the
# two equal.
__all__ = [
    "BuiltRequest",
    "Caller",
    "CallerKind",
    "CompiledPolicySet",
    "Context",
    "Decision",
    "DecisionValue",
    "EngineOptions",
    "IamsimError",
    "InputError",
    "InputFormat",
    "Policy",
    "PolicyError",
    "PolicySet",
    "PolicyType",
    "Request",
    "RequestBuilder",
    "RequestError",
    "Response",
    "Step",
    "World",
    "analyze_escalation",
    "audit_boundaries",
    "authorize",
    "decide",
    "effective_permissions",
    "evaluate",
    "formats",
    "load",
    "make_request",
    "parse_caller",
    "parse_policy",
    "policy_set",
    "who_can",
]


def __getattr__(name: str) -> Any:
    """Import a public name the first time it is used (PEP 562), and keep it."""
    if name in _SUBMODULES:
        value: Any = importlib.import_module(f"iamsim.{name}")
        globals()[name] = value
        return value
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'iamsim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
