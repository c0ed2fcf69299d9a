"""The condition keys AWS supplies with a request, computed from the world model.

Values follow the global condition keys reference
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html) and
the table of principal key values
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable).
Keys whose value the model cannot know (a role session's name when only the role was given,
the caller's IP address, whether MFA was used) are left absent, so policies see them as missing; the user can
pass them explicitly.
"""

from __future__ import annotations

from collections.abc import Mapping

from iamsim.model import (
    Anonymous,
    FederatedIdentity,
    Organization,
    Principal,
    Role,
    Root,
    ServicePrincipal,
    Session,
    SessionKind,
    Tags,
    User,
)
from iamsim.vocabulary.request import ContextValue


def principal_keys(
    principal: Principal,
    *,
    role: Role | None = None,
    user: User | None = None,
    session_tags: Mapping[str, str] | None = None,
) -> dict[str, ContextValue]:
    """The ``aws:Principal*``, ``aws:userid`` and ``aws:username`` keys of a caller.

    ``role`` is the role behind a session (for its unique ID and tags); ``user`` the IAM user
    behind a federated-user session. ``session_tags`` are laid over the role's (or that user's)
    tags.
    """
    keys: dict[str, ContextValue] = {}
    if isinstance(principal, Anonymous):
        # Documented: anonymous requests carry these three keys and no other principal key.
        keys["aws:PrincipalType"] = "Anonymous"
        keys["aws:userid"] = "anonymous"
        keys["aws:PrincipalAccount"] = "anonymous"
        return keys
    if isinstance(principal, FederatedIdentity):
        # The provider's own keys (aud, sub, amr…) come from the token: the user passes them.
        return keys
    if isinstance(principal, ServicePrincipal):
        keys["aws:PrincipalIsAWSService"] = "true"
        keys["aws:PrincipalServiceName"] = principal.name
        keys["aws:PrincipalServiceNamesList"] = [principal.name]
        return keys
    keys["aws:PrincipalIsAWSService"] = "false"
    tags: Tags | None = None
    if isinstance(principal, User):
        keys["aws:PrincipalType"] = "User"
        keys["aws:PrincipalArn"] = principal.arn
        keys["aws:PrincipalAccount"] = principal.account
        keys["aws:username"] = principal.name
        if principal.id:
            keys["aws:userid"] = principal.id
        tags = principal.tags
    elif isinstance(principal, Root):
        keys["aws:PrincipalType"] = "Account"
        keys["aws:PrincipalArn"] = principal.arn
        keys["aws:PrincipalAccount"] = principal.account
        keys["aws:userid"] = principal.account
    elif isinstance(principal, Role):
        # A session of this role whose name is unknown: aws:userid (ROLEID:session) is unknown.
        keys["aws:PrincipalType"] = "AssumedRole"
        keys["aws:PrincipalArn"] = principal.arn
        keys["aws:PrincipalAccount"] = principal.account
        tags = principal.tags.overridden_by(session_tags or {})
    elif isinstance(principal, Session):
        keys["aws:PrincipalAccount"] = principal.account
        overlay = principal.tags.overridden_by(session_tags or {})
        if principal.kind is SessionKind.ASSUMED_ROLE:
            keys["aws:PrincipalType"] = "AssumedRole"
            if principal.role_arn:
                # aws:PrincipalArn of a role session is the role's ARN, not the session's.
                keys["aws:PrincipalArn"] = principal.role_arn
            if role is not None and role.id and principal.name:
                keys["aws:userid"] = f"{role.id}:{principal.name}"
            base = role.tags if role is not None else Tags()
            tags = base.overridden_by(overlay)
        else:
            keys["aws:PrincipalType"] = "FederatedUser"
            if principal.arn:
                keys["aws:PrincipalArn"] = principal.arn
            if principal.name:
                keys["aws:userid"] = f"{principal.account}:{principal.name}"
            # The IAM user's tags carry over; the tags passed to GetFederationToken override
            # those of the same key: "You can pass a session tag with the same key as a tag
            # that is already attached to the user you are federating. When you do, session
            # tags override a user tag with the same key."
            # https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html
            base = user.tags if user is not None else Tags()
            tags = base.overridden_by(overlay)
        if principal.source_identity:
            keys["aws:SourceIdentity"] = principal.source_identity
    for key, value in (tags or {}).items():
        keys[f"aws:PrincipalTag/{key}"] = value
    return keys


def org_keys(prefix: str, org: Organization | None, account: str | None) -> dict[str, ContextValue]:
    """``aws:{prefix}OrgID`` and ``aws:{prefix}OrgPaths`` (multi-valued) for ``account``."""
    if org is None or not org.contains(account):
        return {}
    assert account is not None
    return {
        f"aws:{prefix}OrgID": org.id,
        f"aws:{prefix}OrgPaths": [org.org_path_string(account)],
    }


def resource_tag_keys(tags: Mapping[str, str]) -> dict[str, ContextValue]:
    return {f"aws:ResourceTag/{key}": value for key, value in tags.items()}
