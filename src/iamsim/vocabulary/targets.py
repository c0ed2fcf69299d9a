"""What a request targets, as far as the decision procedure cares: one home for the rule.

Role assumption is authorized by the role's trust policy, and a KMS key's key policy must
allow every use of the key; both must allow even within one account. Every layer that asks
"is this a trust-policy request?" (the engine, the builder, the explanation, scenario
checks) asks here.
"""

from __future__ import annotations

from typing import Literal

# Actions authorized by the role's trust policy.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html
TRUST_ACTIONS = frozenset(
    {
        "sts:assumerole",
        "sts:assumerolewithsaml",
        "sts:assumerolewithwebidentity",
        "sts:tagsession",
        "sts:setsourceidentity",
        "sts:setcontext",
    }
)

ResourcePolicyKind = Literal["trust", "kms", "resource"]


def is_trust_action(action: str) -> bool:
    """True for the actions a role's trust policy authorizes (case-insensitive)."""
    return action.lower() in TRUST_ACTIONS


def resource_policy_kind(action: str, resource: str) -> ResourcePolicyKind:
    """Which resource-based policy governs ``action`` on ``resource``.

    ``trust``: a trust action on a role; ``kms``: any KMS action on a key (the key policy);
    ``resource``: any other resource-based policy (bucket policy, queue policy...).
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
    https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
    """
    if is_trust_action(action) and ":role/" in resource:
        return "trust"
    if action.split(":", 1)[0].lower() == "kms" and ":key/" in resource:
        return "kms"
    return "resource"
