"""The IAM policy language: parse, render, check.

``parse_policy`` turns a JSON document into the immutable :class:`Policy` model (raising
:class:`PolicyError` with a JSON pointer at the first grammar error), ``policy_to_json`` /
``policy_to_dict`` render it back losslessly, and ``check_policy`` lists every error, warning
and suggestion (including size quotas)::

    >>> from iamsim.policy import parse_policy, PolicyType
    >>> p = parse_policy('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", '
    ...                  '"Action": "s3:GetObject", "Resource": "*"}}', PolicyType.IDENTITY)
    >>> p.statements[0].actions
    ('s3:GetObject',)
"""

from typing import TYPE_CHECKING, Any

from iamsim.errors import PolicyError
from iamsim.policy.model import Effect, Policy, PolicyType, Statement
from iamsim.policy.parser import parse_policy
from iamsim.policy.render import policy_to_dict, policy_to_json

if TYPE_CHECKING:
    from iamsim.policy.findings import Finding, check_policy

__all__ = [
    "Effect",
    "Finding",
    "Policy",
    "PolicyError",
    "PolicyType",
    "Statement",
    "check_policy",
    "parse_policy",
    "policy_to_dict",
    "policy_to_json",
]


def __getattr__(name: str) -> Any:
    # The policy checks (``check_policy``, its rules and quotas) are imported on first use:
    # deciding a request only parses policies, and ``iamsim check`` starts faster without them.
    if name in ("Finding", "check_policy"):
        from iamsim.policy import findings

        return getattr(findings, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
