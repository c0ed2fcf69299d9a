"""One policy document: its type (given or inferred) and every finding about it.

Grammar and lint findings come from :func:`iamsim.policy.check_policy` (per policy type,
with the size quota of the type), the rest from the service reference
(:mod:`iamsim.checks.validation.catalog_checks`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from iamsim.checks.validation.catalog_checks import catalog_findings
from iamsim.checks.validation.results import RANK
from iamsim.policy import Finding, check_policy
from iamsim.policy.model import PolicyType
from iamsim.policy.parser import analyze
from iamsim.policy.quotas import QUOTAS, QuotaKind, policy_size
from iamsim.vocabulary.targets import TRUST_ACTIONS


def infer_policy_type(document: Mapping[str, Any]) -> PolicyType:
    """The most likely type of a bare policy document.

    A statement with ``Principal``/``NotPrincipal`` makes it resource-side: a role trust policy
    when it has no ``Resource`` and allows only ``sts:AssumeRole*``-family actions, else a
    resource-based policy. Otherwise it is an identity policy. SCPs, RCPs, boundaries, session
    and endpoint policies cannot be told apart from those by their content: name the type.
    """
    statements = document.get("Statement")
    raw_items = statements if isinstance(statements, list) else [statements]
    items: list[Mapping[str, Any]] = [s for s in raw_items if isinstance(s, Mapping)]
    if not any("Principal" in s or "NotPrincipal" in s for s in items):
        return PolicyType.IDENTITY
    if any("Resource" in s or "NotResource" in s for s in items):
        return PolicyType.RESOURCE
    actions: list[str] = []
    for statement in items:
        value = statement.get("Action")
        actions += (
            [value] if isinstance(value, str) else [v for v in value or () if isinstance(v, str)]
        )
    if actions and all(
        a.lower() in TRUST_ACTIONS or a.lower() == "sts:assumerole*" for a in actions
    ):
        return PolicyType.TRUST
    return PolicyType.RESOURCE


def _identity_quota(document: Any) -> list[Finding]:
    """Identity policies may be managed (6,144) or inline (per-entity sums up to 10,240)."""
    size = policy_size(document, "non-whitespace")
    largest = QUOTAS[QuotaKind.ROLE_INLINE]
    managed = QUOTAS[QuotaKind.MANAGED]
    if size > largest.limit:
        return [
            Finding(
                "error",
                "policy-too-large",
                f"the policy is {size} characters, not counting whitespace; no identity policy "
                f"may exceed {largest.limit} (the role inline quota; managed policies: "
                f"{managed.limit}) ({largest.source})",
                "",
            )
        ]
    if size > managed.limit:
        return [
            Finding(
                "warning",
                "policy-too-large",
                f"the policy is {size} characters, not counting whitespace: more than a managed "
                f"policy may hold ({managed.limit}); only a role's inline policies can be this "
                f"large ({largest.limit} in total) ({managed.source})",
                "",
                aws_rejects=False,  # a role's inline policy of this size is stored
            )
        ]
    return []


def check_document(
    document: str | bytes | Mapping[str, Any],
    policy_type: PolicyType | str | None = None,
    *,
    source: str | None = None,
    quota_kind: QuotaKind | str | None = None,
    catalog: Any = None,
) -> tuple[PolicyType, list[Finding]]:
    """Grammar, lint, quota and catalog findings of one document: (its type, findings).

    ``policy_type`` None infers it (:func:`infer_policy_type`). For identity policies without a
    ``quota_kind`` the size is checked against the largest identity quota (error) and the
    managed-policy quota (warning).
    """
    ptype: PolicyType
    if policy_type is None:
        analysis = analyze(document, PolicyType.IDENTITY)
        decoded = analysis.decoded
        ptype = infer_policy_type(decoded) if isinstance(decoded, Mapping) else PolicyType.IDENTITY
    else:
        ptype = PolicyType(policy_type)
    findings = check_policy(document, ptype, source=source, quota_kind=quota_kind)
    if (
        ptype is PolicyType.IDENTITY
        and quota_kind is None
        and not any(f.code in ("json-syntax", "not-an-object") for f in findings)
    ):
        findings += _identity_quota(document)
    # The parser builds the statements that have no error; check those against the catalog.
    policy = analyze(document, ptype, source=source).policy
    if policy is not None:
        findings += catalog_findings(policy, catalog=catalog)
    findings.sort(key=lambda f: RANK[f.severity])
    return ptype, findings
