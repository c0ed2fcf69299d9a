"""The set of policies that apply to one request, grouped by policy type.

Collecting them is the request builder's job (or the scenario author's); the engine only
decides. ``None`` and empty differ where AWS distinguishes them: ``session=None`` means no
session policy was passed, ``scp=None`` means SCPs do not govern the caller's account
(no organization, or the management account), ``rcp=None`` likewise for the resource's account.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from iamsim.policy.model import Policy, PolicyType


# weakref_slot: a batch remembers the sets it met once without keeping them alive
# (iamsim.cli.eval_cmd._SeenSets).
@dataclass(frozen=True, slots=True, weakref_slot=True)
class PolicySet:
    """Identity policies (user + groups, or the role), at most one boundary, session
    policies, the resource-based policy (the trust policy for role assumption), and one tuple
    of SCPs / RCPs per organization level from the root down to the account."""

    identity: tuple[Policy, ...] = ()
    boundary: Policy | None = None
    session: tuple[Policy, ...] | None = None
    resource: Policy | None = None
    scp: tuple[tuple[Policy, ...], ...] | None = None
    rcp: tuple[tuple[Policy, ...], ...] | None = None
    endpoint: tuple[Policy, ...] | None = None

    def all_policies(self) -> Iterator[Policy]:
        yield from self.identity
        if self.boundary is not None:
            yield self.boundary
        yield from self.session or ()
        if self.resource is not None:
            yield self.resource
        for level in self.scp or ():
            yield from level
        for level in self.rcp or ():
            yield from level
        yield from self.endpoint or ()

    @property
    def has_trust_policy(self) -> bool:
        return self.resource is not None and self.resource.policy_type is PolicyType.TRUST
