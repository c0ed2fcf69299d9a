"""The request vocabulary every layer shares: who calls, what, on which ARN, with which context.

It sits below the engine with the rest of the foundation (patterns, policy, conditions,
catalog): the engine decides :class:`Request` objects, the builder makes them from a world,
the analyses and checks ask about them, and none of those needs to import another for the words.

The package root names only what needs no data; :mod:`iamsim.vocabulary.context_keys` (which
asks the service reference whether a key holds a list) is imported by name, so that the
patterns, which the catalogue itself uses, never pull the catalogue in through this package.
"""

from iamsim.vocabulary.arn import Arn, is_account_id, parse_arn, parse_entity_arn
from iamsim.vocabulary.request import (
    SESSION_KINDS,
    Caller,
    CallerKind,
    Context,
    ContextScalar,
    ContextValue,
    Request,
    identity_key,
    iter_context_keys,
)
from iamsim.vocabulary.targets import (
    TRUST_ACTIONS,
    ResourcePolicyKind,
    is_trust_action,
    resource_policy_kind,
)

__all__ = [
    "SESSION_KINDS",
    "TRUST_ACTIONS",
    "Arn",
    "Caller",
    "CallerKind",
    "Context",
    "ContextScalar",
    "ContextValue",
    "Request",
    "ResourcePolicyKind",
    "identity_key",
    "is_account_id",
    "is_trust_action",
    "iter_context_keys",
    "parse_arn",
    "parse_entity_arn",
    "resource_policy_kind",
]
