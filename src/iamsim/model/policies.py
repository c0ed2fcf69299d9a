"""Managed policies of the world model: customer managed and AWS managed, with versions.

A managed policy's documents are stored as identity policies; :meth:`ManagedPolicy.as_type`
gives the same document retyped for the place it is used (a permissions boundary, a managed
session policy), so the engine and its trace see the right policy type.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from iamsim.policy.model import Policy, PolicyType
from iamsim.vocabulary.arn import parse_entity_arn


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    """One stored version of a managed policy (IAM keeps up to five)."""

    version_id: str
    document: Policy
    is_default: bool = False
    create_date: str | None = None


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    """A managed policy. ``versions`` is sorted by version number; exactly one is default.

    ``is_aws_managed`` is true for ARNs in the ``aws`` pseudo-account
    (``arn:aws:iam::aws:policy/...``); those are the same in every account.

    ``versions_known`` is false when the input holds only the current document (Terraform,
    CloudFormation): the account may keep up to four older versions nobody can see here.
    """

    arn: str
    name: str
    versions: tuple[PolicyVersion, ...]
    path: str = "/"
    id: str | None = None
    attachment_count: int | None = None
    boundary_usage_count: int | None = None
    update_date: str | None = None
    versions_known: bool = True
    _by_type: dict[PolicyType, Policy] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        defaults = [v for v in self.versions if v.is_default]
        if len(defaults) != 1:
            raise ValueError(
                f"managed policy {self.arn} needs exactly one default version, has {len(defaults)}"
            )

    @property
    def default_version(self) -> PolicyVersion:
        return next(v for v in self.versions if v.is_default)

    @property
    def version_id(self) -> str:
        return self.default_version.version_id

    @property
    def document(self) -> Policy:
        """The default version's document (an identity policy)."""
        return self.default_version.document

    @property
    def account(self) -> str:
        """The owning account ID, or ``aws`` for AWS managed policies."""
        parsed = parse_entity_arn(self.arn)
        return parsed.account if parsed else ""

    @property
    def is_aws_managed(self) -> bool:
        return self.account == "aws"

    def as_type(self, policy_type: PolicyType) -> Policy:
        """The default document retyped (e.g. as a boundary); cached, same statements."""
        doc = self.document
        if doc.policy_type is policy_type:
            return doc
        cached = self._by_type.get(policy_type)
        if cached is None:
            cached = dataclasses.replace(doc, policy_type=policy_type)
            self._by_type[policy_type] = cached
        return cached


def version_number(version_id: str) -> int:
    """``v12`` -> 12, for ordering versions; unknown shapes sort first."""
    digits = version_id[1:] if version_id[:1] in ("v", "V") else version_id
    return int(digits) if digits.isdigit() else -1
