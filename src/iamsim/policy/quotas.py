"""Policy size quotas, as a data table, and how AWS counts a policy's size.

Sources:

* IAM and AWS STS quotas, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
  ("IAM does not count white space when calculating the size of a policy against these
  limits"): managed policy 6,144 characters; inline policies of one user 2,048, of one group
  5,120, of one role 10,240 (sums over all inline policies of the entity); role trust policy
  2,048 by default (adjustable through Service Quotas).
* STS AssumeRole / GetFederationToken "Policy" parameter: "The plaintext that you use for both
  inline and managed session policies can't exceed 2,048 characters" (plaintext: every
  character counts).
* AWS Organizations quotas,
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html , and the
  SCP/RCP syntax pages ("All characters in your SCP count against its maximum size"): SCP and RCP
  documents 5,120 characters.

Decision where the IAM page is silent: "white space" is taken to mean whitespace *outside*
JSON strings (the formatting a minifier removes); whitespace inside a string is content and
counts. AWS policies never need whitespace inside strings except in condition values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from iamsim.policy.finding import Finding

Counting = Literal["non-whitespace", "all"]

_IAM_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
_ORG_QUOTAS = (
    "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html"
)
_STS = "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html"


class QuotaKind(StrEnum):
    MANAGED = "managed"  # one customer managed policy (also a permissions boundary)
    USER_INLINE = "user-inline"  # all inline policies of one IAM user, together
    GROUP_INLINE = "group-inline"  # all inline policies of one IAM group, together
    ROLE_INLINE = "role-inline"  # all inline policies of one IAM role, together
    TRUST = "trust"  # a role trust policy
    SESSION = "session"  # inline + managed session policies of one session
    SCP = "scp"
    RCP = "rcp"


@dataclass(frozen=True, slots=True)
class Quota:
    kind: QuotaKind
    limit: int
    counting: Counting
    adjustable: bool
    source: str
    note: str = ""


QUOTAS: dict[QuotaKind, Quota] = {
    q.kind: q
    for q in (
        Quota(QuotaKind.MANAGED, 6144, "non-whitespace", False, _IAM_QUOTAS),
        Quota(QuotaKind.USER_INLINE, 2048, "non-whitespace", False, _IAM_QUOTAS, "sum of all"),
        Quota(QuotaKind.GROUP_INLINE, 5120, "non-whitespace", False, _IAM_QUOTAS, "sum of all"),
        Quota(QuotaKind.ROLE_INLINE, 10240, "non-whitespace", False, _IAM_QUOTAS, "sum of all"),
        Quota(
            QuotaKind.TRUST,
            2048,
            "non-whitespace",
            True,
            _IAM_QUOTAS,
            "default; can be raised through Service Quotas",
        ),
        Quota(QuotaKind.SESSION, 2048, "all", False, _STS, "inline and managed together"),
        Quota(QuotaKind.SCP, 5120, "all", False, _ORG_QUOTAS),
        Quota(QuotaKind.RCP, 5120, "all", False, _ORG_QUOTAS),
    )
}


Document = str | bytes | Mapping[str, Any]


def policy_size(document: Document, counting: Counting = "non-whitespace") -> int:
    """The size AWS measures: characters of the text, optionally without formatting whitespace.

    A mapping is measured as its compact JSON rendering (what a minifier would send).
    """
    if isinstance(document, bytes):
        text = document.decode("utf-8")
    elif isinstance(document, str):
        text = document
    else:
        text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    if counting == "all":
        return len(text)
    return _count_outside_whitespace(text)


def _count_outside_whitespace(text: str) -> int:
    """Characters of ``text`` minus whitespace that is outside JSON string literals."""
    count = 0
    in_string = False
    escaped = False
    for ch in text:
        if in_string:
            count += 1
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch in " \t\n\r":
            continue
        else:
            count += 1
            if ch == '"':
                in_string = True
    return count


def check_quota(
    documents: Document | Sequence[Document],
    kind: QuotaKind | str,
    *,
    limit: int | None = None,
) -> Finding | None:
    """An error finding if the document is larger than the quota, else None.

    For the per-entity inline quotas (user, group, role) pass every inline policy of the
    entity as a list: the quota bounds their sum. ``limit`` overrides the default for
    adjustable quotas (a raised trust-policy quota).
    """
    quota = QUOTAS[QuotaKind(kind)]
    maximum = quota.limit if limit is None else limit
    if isinstance(documents, str | bytes | Mapping):
        size = policy_size(documents, quota.counting)
    else:
        size = sum(policy_size(d, quota.counting) for d in documents)
    if size <= maximum:
        return None
    how = "characters" if quota.counting == "all" else "characters, not counting whitespace"
    return Finding(
        "error",
        "policy-too-large",
        f"the policy is {size} {how}; the {quota.kind.value} quota is {maximum} ({quota.source})",
        "",
    )
