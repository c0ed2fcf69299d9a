"""Principals: reading a caller from its textual form, and matching Principal elements.

Matching a ``Principal`` entry against a caller yields a *match class*, which the decision
procedure needs because AWS treats a resource-policy grant differently depending on how the
caller was named (table "Resource-based policies and implicit denies in other policy types"):
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html

* DIRECT  - the caller itself: ``*``, its IAM user ARN, its assumed-role session ARN, its
  federated-user ARN. Same-account grants are not limited by implicit denies elsewhere.
* ENTITY  - the entity behind a session: the role ARN (any session of the role) or the IAM user
  ARN behind a federated-user session. Capped by the boundary and session policies.
* ACCOUNT - the account (``123456789012`` or ``arn:aws:iam::123456789012:root``): delegation to
  the account, whose own identity policies must still allow.
* SERVICE - a ``Service`` principal naming the calling AWS service.
* FEDERATED - a ``Federated`` principal naming the caller's identity provider (trust policies).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum

from iamsim.errors import RequestError
from iamsim.policy.model import WEB_IDENTITY_PROVIDERS, PrincipalSpec
from iamsim.vocabulary.request import Caller, CallerKind, identity_key


class MatchClass(IntEnum):
    """How a Principal entry matched the caller; a higher value is a more specific grant."""

    ACCOUNT = 1
    ENTITY = 2
    FEDERATED = 3
    SERVICE = 4
    DIRECT = 5


_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
# Fixed, trusted patterns over a single line: no user text is ever compiled into a regex.
_DNS_LABELS = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+")
_IAM_ARN = re.compile(r"^arn:([a-z-]+):(iam|sts)::([0-9]{12}):(.+)$")


def parse_caller(text: str, *, service_linked: bool | None = None) -> Caller:
    """A caller from the forms a scenario may use.

    ``arn:aws:iam::A:user/path/name``, ``arn:aws:iam::A:role/path/name`` (a session of the role
    whose name is unknown), ``arn:aws:sts::A:assumed-role/name/session``,
    ``arn:aws:sts::A:federated-user/name``, ``arn:aws:iam::A:root`` or a bare account ID (the
    root user), ``anonymous``, a service principal such as ``lambda.amazonaws.com``, or the
    identity provider behind an ``AssumeRoleWithWebIdentity``/``AssumeRoleWithSAML`` call:
    ``arn:aws:iam::A:oidc-provider/HOST``, ``arn:aws:iam::A:saml-provider/NAME`` or one of
    :data:`WEB_IDENTITY_PROVIDERS` (``cognito-identity.amazonaws.com``, ``accounts.google.com``).
    """
    value = text.strip()
    if not value:
        raise RequestError("the principal is empty")
    # An ARN (the common form) is none of the names below: straight to its reading.
    match = _IAM_ARN.match(value) if value.startswith("arn:") else None
    if match is not None:
        return _caller_of_arn(text, value, match, service_linked)
    if value.lower() == "anonymous" or value == "*":
        return Caller(kind=CallerKind.ANONYMOUS)
    if _ACCOUNT_ID.match(value):
        return Caller(kind=CallerKind.ROOT, account=value, arn=f"arn:aws:iam::{value}:root")
    if value in WEB_IDENTITY_PROVIDERS:
        return Caller(kind=CallerKind.WEB_IDENTITY, federated_provider=value)
    if not value.startswith("arn:"):
        # Service principals are named SERVICE.amazonaws.com (.amazonaws.com.cn in China).
        if value.endswith((".amazonaws.com", ".amazonaws.com.cn")) and _DNS_LABELS.fullmatch(value):
            return Caller(kind=CallerKind.SERVICE, service=value)
        raise RequestError(
            f"cannot read principal {text!r}: expected an IAM/STS ARN, an account ID, "
            "'anonymous' or a service principal such as lambda.amazonaws.com"
        )
    match = _IAM_ARN.match(value)
    if match is None:
        raise RequestError(f"principal {text!r} is not an IAM or STS principal ARN")
    return _caller_of_arn(text, value, match, service_linked)


def _caller_of_arn(
    text: str, value: str, match: re.Match[str], service_linked: bool | None
) -> Caller:
    """The caller an IAM or STS principal ARN names (``match``: its :data:`_IAM_ARN` match)."""
    partition, service, account, resource = match.groups()
    kind, _, rest = resource.partition("/")
    if service == "iam" and resource == "root":
        return Caller(kind=CallerKind.ROOT, account=account, partition=partition, arn=value)
    if service == "iam" and kind in ("oidc-provider", "saml-provider") and rest:
        return Caller(
            kind=CallerKind.WEB_IDENTITY,
            account=account,
            partition=partition,
            federated_provider=value,
        )
    if service == "iam" and kind == "user" and rest:
        return Caller(kind=CallerKind.USER, account=account, partition=partition, arn=value)
    if service == "iam" and kind == "role" and rest:
        slr = rest.startswith("aws-service-role/") if service_linked is None else service_linked
        return Caller(
            kind=CallerKind.ROLE_SESSION,
            account=account,
            partition=partition,
            role_arn=value,
            service_linked=slr,
        )
    if service == "sts" and kind == "assumed-role":
        role_name, _, session = rest.partition("/")
        if not role_name or not session or "/" in session:
            raise RequestError(f"assumed-role ARN {text!r} must be assumed-role/ROLE/SESSION")
        return Caller(
            kind=CallerKind.ROLE_SESSION,
            account=account,
            partition=partition,
            arn=value,
            role_arn=f"arn:{partition}:iam::{account}:role/{role_name}",
            session_name=session,
            service_linked=_is_service_linked_name(role_name)
            if service_linked is None
            else service_linked,
        )
    if service == "sts" and kind == "federated-user" and rest:
        return Caller(
            kind=CallerKind.FEDERATED_USER,
            account=account,
            partition=partition,
            arn=value,
            session_name=rest,
        )
    raise RequestError(
        f"principal {text!r} is not a caller: groups, policies and other IAM resources "
        "cannot sign requests"
    )


def _is_service_linked_name(role_name: str) -> bool:
    """Service-linked roles are named AWSServiceRoleFor...; a session ARN carries no path.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html
    """
    return role_name.startswith("AWSServiceRoleFor")


# Callers the Principal element names by service or provider, or not at all.
_NOT_IAM = frozenset({CallerKind.SERVICE, CallerKind.WEB_IDENTITY, CallerKind.ANONYMOUS})


def _match_direct(caller: Caller) -> MatchClass | None:
    return MatchClass.DIRECT


@dataclass(frozen=True, slots=True)
class CompiledPrincipal:
    """A ``Principal``/``NotPrincipal`` element prepared for matching callers."""

    wildcard: bool
    accounts: frozenset[str]
    arns: frozenset[str]  # principal ARNs that name no IAM identity (compared exactly)
    identities: frozenset[tuple[str, ...]]  # users, roles, sessions by path-free identity
    services: frozenset[str]
    federated: frozenset[str]

    @classmethod
    def compile(cls, spec: PrincipalSpec) -> CompiledPrincipal:
        accounts: set[str] = set()
        arns: set[str] = set()
        identities: set[tuple[str, ...]] = set()
        wildcard = spec.wildcard
        for value in spec.values("AWS"):
            if value == "*":
                wildcard = True
            elif _ACCOUNT_ID.match(value):
                accounts.add(value)
            else:
                match = _IAM_ARN.match(value)
                key = identity_key(value)
                if match is not None and match.group(2) == "iam" and match.group(4) == "root":
                    accounts.add(match.group(3))
                elif key is not None:
                    identities.add(key)
                else:
                    arns.add(value)
        services = frozenset(v.lower() for v in spec.values("Service"))
        if "*" in services:
            wildcard = True
        federated = frozenset(spec.values("Federated"))
        return cls(
            wildcard,
            frozenset(accounts),
            frozenset(arns),
            frozenset(identities),
            services,
            federated,
        )

    def match(self, caller: Caller) -> MatchClass | None:
        """The most specific way this element names ``caller``, or None."""
        if self.wildcard:
            return MatchClass.DIRECT
        kind = caller.kind
        if kind is CallerKind.SERVICE:
            return MatchClass.SERVICE if (caller.service or "").lower() in self.services else None
        if kind is CallerKind.WEB_IDENTITY:
            provider = caller.federated_provider
            return MatchClass.FEDERATED if provider in self.federated else None
        if kind is CallerKind.ANONYMOUS:
            return None
        identities = self.identities
        if caller.self_key in identities or (caller.arn is not None and caller.arn in self.arns):
            return MatchClass.DIRECT
        if kind is CallerKind.ROLE_SESSION and caller.role_key in identities:
            return MatchClass.ENTITY
        if kind is CallerKind.FEDERATED_USER and caller.user_key in identities:
            return MatchClass.ENTITY
        if caller.account is not None and caller.account in self.accounts:
            return MatchClass.ACCOUNT
        return None

    def matcher(self) -> Callable[[Caller], MatchClass | None]:
        """:meth:`match` shaped for this element: IAM callers (users, role and federated
        sessions, root) are tested only against the sets the element has; other callers
        take :meth:`match` itself. ``tests/engine/test_principal_matcher.py`` checks both."""
        if self.wildcard:
            return _match_direct
        general = self.match
        identities = self.identities
        arns = self.arns
        accounts = self.accounts
        direct = MatchClass.DIRECT
        entity = MatchClass.ENTITY
        account_class = MatchClass.ACCOUNT
        role_session = CallerKind.ROLE_SESSION
        federated_user = CallerKind.FEDERATED_USER

        def match_iam(caller: Caller) -> MatchClass | None:
            kind = caller.kind
            if kind in _NOT_IAM:
                return general(caller)
            if identities and caller.self_key in identities:
                return direct
            if arns and caller.arn is not None and caller.arn in arns:
                return direct
            if identities:
                if kind is role_session:
                    if caller.role_key in identities:
                        return entity
                elif kind is federated_user and caller.user_key in identities:
                    return entity
            if accounts and caller.account is not None and caller.account in accounts:
                return account_class
            return None

        return match_iam

    def covers_every_layer(self, caller: Caller) -> bool:
        """True when every identity layer of ``caller`` is listed (for ``NotPrincipal``).

        AWS may check the account, then the role, then the session, so a ``Deny`` with
        ``NotPrincipal`` exempts a caller only when each layer is named:
        https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
        """
        if self.wildcard:
            return True
        kind = caller.kind
        if kind is CallerKind.SERVICE:
            return (caller.service or "").lower() in self.services
        if kind is CallerKind.WEB_IDENTITY:
            return caller.federated_provider in self.federated
        if kind is CallerKind.ANONYMOUS or caller.account not in self.accounts:
            return False
        if kind is CallerKind.ROOT:
            return True
        identities = self.identities
        if kind is CallerKind.ROLE_SESSION:
            return caller.role_key in identities and caller.self_key in identities
        return caller.self_key in identities
