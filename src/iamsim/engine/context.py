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
from iamsim.vocabulary.arn import parse_arn
from iamsim.vocabulary.request import (
    SESSION_KINDS,
    Caller,
    CallerKind,
    Context,
    ContextValue,
    Request,
)

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
    principal_arn = caller.principal_arn
    if principal_arn:
        values["aws:PrincipalArn"] = principal_arn
    values["aws:PrincipalIsAWSService"] = "false"
    if kind is CallerKind.USER and caller.arn:
        values["aws:username"] = caller.arn.rsplit("/", 1)[-1]
    elif kind is CallerKind.ROOT and caller.account:
        values["aws:userid"] = caller.account
    elif kind is CallerKind.FEDERATED_USER and caller.account and caller.session_name:
        values["aws:userid"] = f"{caller.account}:{caller.session_name}"
    return values


# Services whose requests carry no aws:ViaAWSService key ("This key is always included in the
# request context for most services", with these named as the exceptions).
_NO_VIA_AWS_SERVICE_KEY = frozenset({"ec2", "glue", "lakeformation", "opsworks"})


# Services whose API is global: their requests go to one endpoint Region, which is what
# aws:RequestedRegion holds ("For global services such as IAM ... us-east-1").
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-requestedregion
GLOBAL_SERVICES = frozenset({"iam", "organizations", "cloudfront", "route53", "support"})
_GLOBAL_ENDPOINT_REGION = {
    "aws": "us-east-1",
    "aws-cn": "cn-north-1",
    "aws-us-gov": "us-gov-west-1",
}


def requested_region(
    action: str, resource: str, partition: str = "aws", default: str | None = None
) -> str | None:
    """``aws:RequestedRegion``: the resource ARN's Region, the global endpoint's Region for a
    global service, else ``default`` (None when nothing says)."""
    parsed = parse_arn(resource) if resource != "*" else None
    if parsed is not None and parsed.region and "*" not in parsed.region:
        return parsed.region
    if action.partition(":")[0].lower() in GLOBAL_SERVICES:
        return _GLOBAL_ENDPOINT_REGION.get(partition, "us-east-1")
    return default


def _timestamp(now: datetime | None) -> datetime:
    moment = now or datetime.now(UTC)
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def time_context(now: datetime | None = None) -> dict[str, ContextValue]:
    """``aws:CurrentTime`` (ISO 8601, UTC, ``Z``) and ``aws:EpochTime`` (seconds)."""
    moment = _timestamp(now)
    return {
        "aws:CurrentTime": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(moment.timestamp())),
    }


def credential_context(
    kind: CallerKind, action: str, now: datetime | None = None
) -> dict[str, ContextValue]:
    """The keys that follow from how a caller of ``kind`` signs a direct call to ``action``.

    Temporary credentials (role and federated-user sessions) carry ``aws:TokenIssueTime`` and
    ``aws:MultiFactorAuthPresent`` (``false`` unless MFA was used; pass ``true`` and
    ``aws:MultiFactorAuthAge`` in the context when it was); long-term keys carry neither.
    A signed request made by the caller itself carries ``aws:ViaAWSService`` = ``false``
    except for the services documented to omit the key. Sources:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-tokenissuetime
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-viaawsservice
    """
    values: dict[str, ContextValue] = {}
    if kind in SESSION_KINDS:
        values["aws:TokenIssueTime"] = _timestamp(now).strftime("%Y-%m-%dT%H:%M:%SZ")
        values["aws:MultiFactorAuthPresent"] = "false"
    service = action.partition(":")[0].lower()
    if kind is not CallerKind.SERVICE and service not in _NO_VIA_AWS_SERVICE_KEY:
        values["aws:ViaAWSService"] = "false"
    return values


def resource_account_of(resource: str, caller: Caller) -> str | None:
    """The account owning ``resource``: from its ARN, else (S3, ``*``) the caller's."""
    arn = parse_arn(resource) if resource != "*" else None
    if arn is not None and arn.account and arn.account.isdigit():
        return arn.account
    return caller.account


def authorized_resource(action: str, resource: str) -> str:
    """The resource AWS authorizes ``action`` against: ``"*"`` for an action the service
    reference knows and lists with no resource type (s3:ListAllMyBuckets, kms:ListKeys...),
    whatever ARN was named; ``resource`` otherwise (unknown actions keep it).
    https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
    """
    if resource == "*" or asked_on_resources(action):
        return resource
    return "*"


def asked_on_resources(action: str) -> bool:
    """Whether AWS authorizes ``action`` against the resource named (see
    :func:`authorized_resource`): False only for an action the service reference lists with no
    resource type."""
    from iamsim.catalog import service_reference  # loaded only when an ARN is named

    catalog = service_reference()
    canonical = catalog.canonical_action(action)
    return canonical is None or catalog.supports_resource_level_permissions(canonical)


def make_request(
    principal: str | Caller,
    action: str,
    resource: str = "*",
    *,
    resource_account: str | None = None,
    context: Mapping[str, ContextValue] | Context | None = None,
    now: datetime | None = None,
) -> Request:
    """A request with the keys AWS derives filled in (values in ``context`` override them).

    An action without resource-level permissions is asked on ``"*"`` whatever ``resource``
    names (:func:`authorized_resource`): a policy naming that ARN never allows it."""
    caller = parse_caller(principal) if isinstance(principal, str) else principal
    resource = authorized_resource(action, resource)
    account = resource_account or resource_account_of(resource, caller)
    moment = _timestamp(now)  # one clock reading for every time key of the request
    derived: dict[str, ContextValue] = {
        **time_context(moment),
        **credential_context(caller.kind, action, moment),
        **caller_context(caller),
    }
    region = requested_region(action, resource, caller.partition)
    if region is not None:
        derived["aws:RequestedRegion"] = region
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
