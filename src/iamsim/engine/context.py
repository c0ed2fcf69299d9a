"""Context keys AWS derives from the request itself, and building a Request from plain values.

Values follow the global condition keys reference:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
Keys that need knowledge the request alone does not carry (unique IDs, tags, organization IDs)
are filled by the request builder from the world model; values given by the user always win.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from iamsim.engine.principals import parse_caller
from iamsim.engine.request import Caller, CallerKind, Context, ContextValue, Request
from iamsim.patterns.arn import parse_arn

_PRINCIPAL_TYPE = {
    CallerKind.USER: "User",
    CallerKind.ROLE_SESSION: "AssumedRole",
    CallerKind.FEDERATED_USER: "FederatedUser",
    CallerKind.ROOT: "Account",
    CallerKind.ANONYMOUS: "Anonymous",
}


def caller_context(caller: Caller) -> dict[str, ContextValue]:
    """The principal keys AWS supplies for ``caller`` that can be known from its ARN alone."""
    values: dict[str, ContextValue] = {}
    kind = caller.kind
    if kind is CallerKind.SERVICE:
        values["aws:PrincipalIsAWSService"] = "true"
        if caller.service:
            values["aws:PrincipalServiceName"] = caller.service
        return values
    if kind is CallerKind.ANONYMOUS:
        values["aws:PrincipalType"] = "Anonymous"
        values["aws:userid"] = "anonymous"
        values["aws:PrincipalAccount"] = "anonymous"
        return values
    if kind is CallerKind.WEB_IDENTITY:
        return values
    principal_type = _PRINCIPAL_TYPE.get(kind)
    if principal_type:
        values["aws:PrincipalType"] = principal_type
    if caller.account:
        values["aws:PrincipalAccount"] = caller.account
    if caller.principal_arn:
        values["aws:PrincipalArn"] = caller.principal_arn
    values["aws:PrincipalIsAWSService"] = "false"
    if kind is CallerKind.USER and caller.arn:
        values["aws:username"] = caller.arn.rsplit("/", 1)[-1]
    elif kind is CallerKind.ROOT and caller.account:
        values["aws:userid"] = caller.account
    elif kind is CallerKind.FEDERATED_USER and caller.account and caller.session_name:
        values["aws:userid"] = f"{caller.account}:{caller.session_name}"
    return values


def time_context(now: datetime | None = None) -> dict[str, ContextValue]:
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return {
        "aws:CurrentTime": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(moment.timestamp())),
    }


def resource_account_of(resource: str, caller: Caller) -> str | None:
    """The account owning ``resource``: from its ARN, else (S3, ``*``) the caller's."""
    arn = parse_arn(resource) if resource != "*" else None
    if arn is not None and arn.account and arn.account.isdigit():
        return arn.account
    return caller.account


def make_request(
    principal: str | Caller,
    action: str,
    resource: str = "*",
    *,
    resource_account: str | None = None,
    context: Mapping[str, ContextValue] | Context | None = None,
    now: datetime | None = None,
) -> Request:
    """A request with the keys AWS derives filled in (values in ``context`` override them)."""
    caller = parse_caller(principal) if isinstance(principal, str) else principal
    account = resource_account or resource_account_of(resource, caller)
    derived: dict[str, ContextValue] = {**time_context(now), **caller_context(caller)}
    if account:
        derived["aws:ResourceAccount"] = account
    given = context if isinstance(context, Context) else Context(context or {})
    return Request(
        caller=caller,
        action=action,
        resource=resource,
        resource_account=account,
        context=given.with_defaults(derived),
    )
