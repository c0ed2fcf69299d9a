"""The AWS Organizations tree: root -> OUs -> accounts, with the SCPs and RCPs attached to
each node, and the management account (which SCPs and RCPs never restrict).

Policies are attached per node, so the SCP (or RCP) gate of an account is one tuple of
policies per level of its path from the root, as :class:`~iamsim.engine.policies.PolicySet`
expects.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from iamsim.policy.model import Policy


class NodeKind(StrEnum):
    ROOT = "root"
    OU = "ou"
    ACCOUNT = "account"


# How a level of an account's path is named in sentences ("denied by an SCP at OU Sandbox").
_LEVEL_KINDS = {NodeKind.ROOT: "the root", NodeKind.OU: "OU", NodeKind.ACCOUNT: "account"}


@dataclass(frozen=True, slots=True)
class OrgNode:
    """One node of the organization tree. ``id`` is ``r-…``, ``ou-…`` or the account ID."""

    id: str
    kind: NodeKind
    name: str | None = None
    children: tuple[OrgNode, ...] = ()
    scps: tuple[Policy, ...] = ()
    rcps: tuple[Policy, ...] = ()

    def walk(self) -> Iterator[OrgNode]:
        """This node and its descendants, depth first, in child order."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True, slots=True)
class Organization:
    """An organization. ``scp_enabled``/``rcp_enabled`` say whether each policy type is
    enabled at the root; when disabled, that gate does not exist at all.
    """

    id: str
    management_account: str | None
    root: OrgNode
    scp_enabled: bool = True
    rcp_enabled: bool = True
    _paths: dict[str, tuple[OrgNode, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if self.root.kind is not NodeKind.ROOT:
            raise ValueError("the organization root must be a node of kind root")
        seen: set[str] = set()
        stack: list[tuple[OrgNode, tuple[OrgNode, ...]]] = [(self.root, ())]
        while stack:
            node, parents = stack.pop()
            if node.id in seen:
                raise ValueError(f"node {node.id} appears twice in organization {self.id}")
            seen.add(node.id)
            here = (*parents, node)
            if node.kind is NodeKind.ACCOUNT:
                if node.children:
                    raise ValueError(f"account {node.id} cannot have children")
                self._paths[node.id] = here
            stack.extend((child, here) for child in reversed(node.children))

    @property
    def account_ids(self) -> tuple[str, ...]:
        """Every member account ID (the management account included), sorted."""
        return tuple(sorted(self._paths))

    def contains(self, account_id: str | None) -> bool:
        return account_id is not None and account_id in self._paths

    def is_management(self, account_id: str | None) -> bool:
        return account_id is not None and account_id == self.management_account

    def nodes(self) -> Iterator[OrgNode]:
        return self.root.walk()

    def node(self, node_id: str) -> OrgNode | None:
        return next((n for n in self.root.walk() if n.id == node_id), None)

    def path_to(self, account_id: str) -> list[OrgNode]:
        """Root first, then each OU, then the account node itself.

        Raises KeyError when the account is not in the organization.
        """
        return list(self._paths[account_id])

    def level_names(self, account_id: str | None) -> list[str]:
        """The name (else the ID) of each level of the account's path, root first: the levels
        of its SCP and RCP gates. Empty for an account outside the organization."""
        if account_id is None or account_id not in self._paths:
            return []
        return [node.name or node.id for node in self._paths[account_id]]

    def level_label(self, account_id: str | None, level: int) -> str | None:
        """One level of the account's path in words: ``the root``, ``OU <name>``,
        ``account <name>`` (the bare kind when the node has no name). None for an account
        outside the organization or a level past the account."""
        if account_id is None or account_id not in self._paths:
            return None
        path = self._paths[account_id]
        if level >= len(path):
            return None
        node = path[level]
        kind = _LEVEL_KINDS[node.kind]
        return f"{kind} {node.name}" if node.name and node.kind is not NodeKind.ROOT else kind

    def org_path_string(self, account_id: str) -> str:
        """The account's value for ``aws:PrincipalOrgPaths`` / ``aws:ResourceOrgPaths``:
        ``o-xxx/r-xxxx/ou-xxxx/…/`` (the account's parents; the account ID is not part of it).
        """
        parents = self._paths[account_id][:-1]
        return "/".join([self.id, *(n.id for n in parents)]) + "/"

    def scp_levels(self, account_id: str) -> tuple[tuple[Policy, ...], ...]:
        """The SCPs of each level from the root to the account (each must allow)."""
        return tuple(n.scps for n in self._paths[account_id])

    def rcp_levels(self, account_id: str) -> tuple[tuple[Policy, ...], ...]:
        """The RCPs of each level from the root to the account (each must allow)."""
        return tuple(n.rcps for n in self._paths[account_id])
