"""Per-policy-type grammar rules, as data: what each policy type requires, forbids or limits.

Everything that differs between policy types lives in :data:`RULES`, one row per
:class:`~iamsim.policy.model.PolicyType`, so the parser has a single code path and the
differences read like the tables in the AWS documentation. Sources per row are in
``TypeRules.source``; where AWS pages disagree, the choice and its reason are noted beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from iamsim.policy.model import PolicyType


class Presence(StrEnum):
    REQUIRED = "required"
    FORBIDDEN = "forbidden"


@dataclass(frozen=True, slots=True)
class TypeRules:
    """The grammar differences of one policy type."""

    # Principal element: REQUIRED (resource-side policies) or FORBIDDEN (principal-side).
    principal: Presence
    # NotPrincipal may stand in for Principal (always Deny-only, see the NotPrincipal page).
    not_principal: bool
    # Resource/NotResource: REQUIRED, or FORBIDDEN (role trust policies).
    resource: Presence
    # NotAction allowed.
    not_action: bool = True
    # Effect Allow allowed (RCPs: only in the AWS-managed RCPFullAWSAccess).
    allow: bool = True
    # The bare string Principal "*" is allowed without a security warning.
    bare_star_principal: bool = True
    # The Principal must be exactly "*" (RCPs).
    principal_star_only: bool = False
    # A Version that must be present with this value (RCPs), else the IAM rule (absent allowed).
    required_version: str | None = None
    # IAM's Sid rules: only [A-Za-z0-9], unique within the policy.
    iam_sid: bool = False
    # IAM's character set: TAB, LF, CR and U+0020-U+00FF only.
    iam_charset: bool = False
    # The grammar notes say Id is "allowed in resource-based policies, but not in
    # identity-based policies"; reported as a warning (see findings), never an error.
    id_discouraged: bool = False
    source: str = ""


_IAM_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
_PRINCIPAL = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"
)
_NOTPRINCIPAL = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html"
)
_CHECKS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"
)
_SCP = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html"
_RCP = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html"

_IDENTITY_LIKE = TypeRules(
    principal=Presence.FORBIDDEN,
    not_principal=False,
    resource=Presence.REQUIRED,
    iam_sid=True,
    iam_charset=True,
    id_discouraged=True,
    source=f"{_PRINCIPAL} ; {_CHECKS} ; {_IAM_QUOTAS}",
)

RULES: dict[PolicyType, TypeRules] = {
    PolicyType.IDENTITY: _IDENTITY_LIKE,
    # A permissions boundary is a managed policy: identity grammar.
    PolicyType.BOUNDARY: _IDENTITY_LIKE,
    # Session policies use identity grammar; STS applies the same character set
    # (AssumeRole "Policy" parameter: \u0009, \u000A, \u000D, \u0020-\u00FF).
    PolicyType.SESSION: _IDENTITY_LIKE,
    # Role trust policy: Principal required; no Resource/NotResource/NotPrincipal. The bare
    # string "*" is stored by IAM (the Principal page recommends against a wildcard in a trust
    # policy "unless you otherwise restrict access through a Condition element"), so it loads
    # and means everyone; validate reports it as a security warning.
    PolicyType.TRUST: TypeRules(
        principal=Presence.REQUIRED,
        not_principal=False,
        resource=Presence.FORBIDDEN,
        bare_star_principal=False,
        iam_sid=True,
        iam_charset=True,
        source=f"{_CHECKS} ; {_NOTPRINCIPAL} ; {_IAM_QUOTAS}",
    ),
    # Service resource-based policies: Principal or NotPrincipal required. Sid and character
    # rules are service-specific (SQS and SNS accept other Sid characters), so none are applied.
    PolicyType.RESOURCE: TypeRules(
        principal=Presence.REQUIRED,
        not_principal=True,
        resource=Presence.REQUIRED,
        source=f"{_PRINCIPAL} ; {_NOTPRINCIPAL}",
    ),
    # VPC endpoint policies are resource-based policies; the NotPrincipal page names VPC
    # endpoints among the services that support NotPrincipal.
    PolicyType.ENDPOINT: TypeRules(
        principal=Presence.REQUIRED,
        not_principal=True,
        resource=Presence.REQUIRED,
        source=f"{_PRINCIPAL} ; {_NOTPRINCIPAL}",
    ),
    # SCPs: the current SCP syntax page lists Action, NotAction, Resource, NotResource and
    # Condition as supported with both Allow and Deny (full IAM language); Principal and
    # NotPrincipal are not supported. The older Deny-only restrictions are warnings
    # ("scp-legacy-syntax") so users of older validators are told.
    PolicyType.SCP: TypeRules(
        principal=Presence.FORBIDDEN,
        not_principal=False,
        resource=Presence.REQUIRED,
        source=_SCP,
    ),
    # RCPs: Principal required and must be "*"; no NotAction, no NotPrincipal; Allow only in
    # the AWS-managed RCPFullAWSAccess; Version must be 2012-10-17.
    PolicyType.RCP: TypeRules(
        principal=Presence.REQUIRED,
        not_principal=False,
        resource=Presence.REQUIRED,
        not_action=False,
        allow=False,
        principal_star_only=True,
        required_version="2012-10-17",
        source=_RCP,
    ),
}


def rules_for(policy_type: PolicyType) -> TypeRules:
    return RULES[policy_type]
