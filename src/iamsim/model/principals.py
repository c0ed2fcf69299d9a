"""The principals of the world model: IAM users, groups, roles, sessions, and the principals
that have no IAM entity behind them (the account root user, AWS services, anonymous callers).

These are plain immutable records of what an account holds. Which of their policies apply to a
request, and which context keys they produce, is decided by ``builder/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from iamsim.model.tags import EMPTY_TAGS, Tags
from iamsim.policy.model import Policy
from iamsim.vocabulary.arn import parse_entity_arn

# Roles under this path are service-linked: SCPs and RCPs do not restrict them, they cannot
# carry a boundary, and their trust policy cannot be edited.
SERVICE_LINKED_ROLE_PATH = "/aws-service-role/"


def _partition_of(arn: str) -> str:
    parsed = parse_entity_arn(arn)
    return parsed.partition if parsed else "aws"


@dataclass(frozen=True, slots=True)
class User:
    """An IAM user. ``group_names`` name groups of the same account."""

    arn: str
    name: str
    account: str
    path: str = "/"
    id: str | None = None
    inline_policies: tuple[Policy, ...] = ()
    managed_policy_arns: tuple[str, ...] = ()
    group_names: tuple[str, ...] = ()
    boundary_arn: str | None = None
    tags: Tags = EMPTY_TAGS

    @property
    def partition(self) -> str:
        return _partition_of(self.arn)

    @property
    def short_name(self) -> str:
        return f"user{self.path}{self.name}"


@dataclass(frozen=True, slots=True)
class Group:
    """An IAM group; its policies apply to each member user."""

    arn: str
    name: str
    account: str
    path: str = "/"
    id: str | None = None
    inline_policies: tuple[Policy, ...] = ()
    managed_policy_arns: tuple[str, ...] = ()

    @property
    def partition(self) -> str:
        return _partition_of(self.arn)


@dataclass(frozen=True, slots=True)
class Role:
    """An IAM role. ``trust_policy`` is the role's resource-based policy (typed TRUST)."""

    arn: str
    name: str
    account: str
    path: str = "/"
    id: str | None = None
    trust_policy: Policy | None = None
    inline_policies: tuple[Policy, ...] = ()
    managed_policy_arns: tuple[str, ...] = ()
    boundary_arn: str | None = None
    tags: Tags = EMPTY_TAGS
    instance_profile_arns: tuple[str, ...] = ()

    @property
    def service_linked(self) -> bool:
        return self.path.startswith(SERVICE_LINKED_ROLE_PATH)

    @property
    def partition(self) -> str:
        return _partition_of(self.arn)

    @property
    def short_name(self) -> str:
        return f"role{self.path}{self.name}"


class SessionKind(StrEnum):
    ASSUMED_ROLE = "assumed-role"  # AssumeRole / AssumeRoleWithSAML / WithWebIdentity
    FEDERATED_USER = "federated-user"  # GetFederationToken


@dataclass(frozen=True, slots=True)
class Session:
    """Temporary credentials: a role session or a federated-user session.

    ``name`` is the role session name or the federated user's name; None means "some session
    whose name is unknown" (then ``arn`` is None too). ``session_policies`` is None when no
    session policy was passed, which AWS treats differently from an empty set: a role session
    without session policies keeps the role's permissions, a federated-user session has none.
    ``session_policy_arns`` are managed session policies (``PolicyArns``), resolved by the
    builder. ``tags`` are the session tags; they override the role's tags of the same key.
    """

    kind: SessionKind
    account: str
    name: str | None = None
    role_arn: str | None = None
    user_arn: str | None = None
    session_policies: tuple[Policy, ...] | None = None
    session_policy_arns: tuple[str, ...] = ()
    tags: Tags = EMPTY_TAGS
    source_identity: str | None = None
    partition: str = "aws"

    @property
    def arn(self) -> str | None:
        """``arn:aws:sts::A:assumed-role/R/S`` or ``arn:aws:sts::A:federated-user/N``."""
        if self.name is None:
            return None
        prefix = f"arn:{self.partition}:sts::{self.account}"
        if self.kind is SessionKind.ASSUMED_ROLE:
            role_name = (self.role_arn or "").rsplit("/", 1)[-1]
            return f"{prefix}:assumed-role/{role_name}/{self.name}"
        return f"{prefix}:federated-user/{self.name}"

    @property
    def has_session_policy(self) -> bool:
        return self.session_policies is not None or bool(self.session_policy_arns)


@dataclass(frozen=True, slots=True)
class Root:
    """The root user of an account (``arn:aws:iam::A:root``)."""

    account: str
    partition: str = "aws"

    @property
    def arn(self) -> str:
        return f"arn:{self.partition}:iam::{self.account}:root"


@dataclass(frozen=True, slots=True)
class ServicePrincipal:
    """An AWS service acting as itself, e.g. ``lambda.amazonaws.com``."""

    name: str


@dataclass(frozen=True, slots=True)
class FederatedIdentity:
    """A user of an identity provider calling ``AssumeRoleWithWebIdentity`` or
    ``AssumeRoleWithSAML``, named as trust policies name it in ``Principal: {"Federated": …}``:
    an ``oidc-provider``/``saml-provider`` ARN or a public provider's host
    (``cognito-identity.amazonaws.com``, ``accounts.google.com``)."""

    provider: str

    @property
    def name(self) -> str:
        return self.provider

    @property
    def account(self) -> str | None:
        parts = self.provider.split(":", 5)
        return parts[4] if len(parts) == 6 and parts[4] else None

    @property
    def partition(self) -> str:
        parts = self.provider.split(":", 5)
        return parts[1] if len(parts) == 6 and parts[1] else "aws"


@dataclass(frozen=True, slots=True)
class Anonymous:
    """An unsigned request."""

    name: str = field(default="anonymous")


# Everything that can sign (or not sign) a request.
Principal = User | Role | Session | Root | ServicePrincipal | FederatedIdentity | Anonymous
