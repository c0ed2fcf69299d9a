"""The immutable, typed model of an IAM policy document, shared by every stage.

The model keeps everything the document said (including whether an element was written as a
single string or as a list, and the original JSON type of condition values) so that a parsed
policy renders back to an equivalent canonical JSON document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# A condition value as written in JSON: AWS accepts strings, numbers and booleans.
ConditionScalar = str | int | float | bool


class PolicyType(StrEnum):
    """Where a policy is attached; each type has its own grammar rules and quota."""

    IDENTITY = "identity"  # managed or inline policy of a user, group or role
    RESOURCE = "resource"  # resource-based policy (bucket, key, queue, topic, ...)
    TRUST = "trust"  # role trust policy (the role's resource-based policy)
    BOUNDARY = "boundary"  # permissions boundary (a managed policy used as a ceiling)
    SESSION = "session"  # session policy passed to AssumeRole* / GetFederationToken
    SCP = "scp"  # service control policy
    RCP = "rcp"  # resource control policy
    ENDPOINT = "endpoint"  # VPC endpoint policy


class Effect(StrEnum):
    ALLOW = "Allow"
    DENY = "Deny"


class SetOperator(StrEnum):
    FOR_ANY_VALUE = "ForAnyValue"
    FOR_ALL_VALUES = "ForAllValues"


# The web identity providers a trust policy names by host in ``Principal: {"Federated": …}``
# rather than by an IAM provider ARN; a caller given as one of these is their user.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-federated-web-identity
WEB_IDENTITY_PROVIDERS = frozenset(
    {
        "cognito-identity.amazonaws.com",
        "accounts.google.com",
        "graph.facebook.com",
        "www.amazon.com",
    }
)


@dataclass(frozen=True, slots=True)
class PrincipalSpec:
    """A ``Principal`` or ``NotPrincipal`` element.

    ``wildcard`` is True for the bare string ``"*"``. Otherwise ``entries`` maps each principal
    type (``AWS``, ``Service``, ``Federated``, ``CanonicalUser``) to its values, in document
    order; ``scalar_keys`` names the types whose value was written as a single string.
    """

    wildcard: bool = False
    entries: tuple[tuple[str, tuple[str, ...]], ...] = ()
    scalar_keys: frozenset[str] = frozenset()

    def values(self, principal_type: str) -> tuple[str, ...]:
        for key, vals in self.entries:
            if key == principal_type:
                return vals
        return ()


@dataclass(frozen=True, slots=True)
class ConditionOperator:
    """A parsed condition operator name such as ``ForAnyValue:StringLikeIfExists``."""

    text: str  # as written in the policy
    base: str  # canonical base operator name, e.g. ``StringLike``
    set_operator: SetOperator | None = None
    if_exists: bool = False


@dataclass(frozen=True, slots=True)
class ConditionClause:
    """One (operator, key) pair of a ``Condition`` block with its policy values."""

    operator: ConditionOperator
    key: str  # as written; matched case-insensitively
    values: tuple[ConditionScalar, ...]
    value_was_list: bool
    path: str  # JSON pointer of the key inside the policy


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement. Exactly one of each pair (Action/NotAction, ...) is set, or neither."""

    index: int
    effect: Effect
    sid: str | None = None
    actions: tuple[str, ...] | None = None
    not_actions: tuple[str, ...] | None = None
    resources: tuple[str, ...] | None = None
    not_resources: tuple[str, ...] | None = None
    principal: PrincipalSpec | None = None
    not_principal: PrincipalSpec | None = None
    conditions: tuple[ConditionClause, ...] = ()
    # Elements (``Action``, ``Resource``, ...) written as a single string rather than a list.
    scalar_elements: frozenset[str] = frozenset()
    # True when the document had a ``Condition`` element (even an empty one).
    has_condition_element: bool = False
    path: str = ""
    # Operators written with an empty key map (``{"StringEquals": {}}``): they hold no clause,
    # so they are kept here only to render the document back unchanged. Vacuously true.
    empty_condition_operators: tuple[ConditionOperator, ...] = ()

    @property
    def label(self) -> str:
        """How people refer to this statement: its Sid, else its position."""
        return self.sid if self.sid else f"#{self.index}"


@dataclass(frozen=True, slots=True)
class Policy:
    """A whole policy document of a known type, optionally named and traced to its source."""

    policy_type: PolicyType
    statements: tuple[Statement, ...]
    version: str | None = None
    id: str | None = None
    statement_was_list: bool = True
    name: str | None = None
    source: str | None = None
    # The document as written, kept only when it holds statements the policy leaves out (a
    # statement whose Effect is a lower-case "allow" grants nothing): AWS stores those, so
    # validation checks this text rather than the statements evaluated. Not part of equality.
    written: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    # Policy variables are substituted only with Version 2012-10-17.
    variables_enabled: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "variables_enabled", self.version == "2012-10-17")

    @property
    def label(self) -> str:
        return self.name or self.source or self.policy_type.value
