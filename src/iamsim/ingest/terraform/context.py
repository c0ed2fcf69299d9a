"""Where a Terraform expression is evaluated: its module, the names in scope, its file.

This module owns :class:`Ctx` and the meta-arguments (``count``, ``for_each``, ...) that are not
a block's configured values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from iamsim.ingest.terraform.values import HclValue

if TYPE_CHECKING:
    from iamsim.ingest.terraform.modules import ModuleInstance


# Arguments Terraform itself reads; a resource's or module's values are the other ones.
META_ARGUMENTS = frozenset(
    {"count", "for_each", "provider", "depends_on", "lifecycle", "providers", "source", "version"}
)


@dataclass
class Ctx:
    """Where an expression is evaluated: its module, the names in scope, its file."""

    module: ModuleInstance
    scope: dict[str, HclValue] = field(default_factory=dict)
    file: str = ""

    def with_vars(self, **names: HclValue) -> Ctx:
        return Ctx(self.module, {**self.scope, **names}, self.file)
