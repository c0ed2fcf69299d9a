"""Instances of Terraform resource and data blocks (``count``/``for_each`` give several).

This module owns :class:`Instance`: an instance's configured values evaluated on access, and the
attributes the provider computes (see :mod:`iamsim.ingest.iac.computed`).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from iamsim.errors import InputError
from iamsim.ingest.iac.computed import computed_attributes
from iamsim.ingest.iac.placeholders import (
    Env,
    placeholder_alnum,
    placeholder_digits,
    placeholder_hex,
    placeholder_uuid,
)
from iamsim.ingest.iac.policy_document import render_policy_document
from iamsim.ingest.iac.standins import standin_attributes, standin_note
from iamsim.ingest.iac.unknown import Unknown
from iamsim.ingest.terraform.context import META_ARGUMENTS, Ctx
from iamsim.ingest.terraform.syntax import Block
from iamsim.ingest.terraform.values import Lazy, plain

if TYPE_CHECKING:
    from iamsim.ingest.terraform.modules import ModuleInstance

# -- modules, resources and instances ----------------------------------------------------------------


class Instance(Lazy):
    """One instance of a resource or data block (``count``/``for_each`` give several)."""

    def __init__(
        self,
        module: ModuleInstance,
        block: Block,
        mode: str,
        address: str,
        scope: dict[str, Any],
    ) -> None:
        self.module = module
        self.block = block
        self.mode = mode
        self.rtype = block.labels[0]
        self.address = address
        self.scope = scope
        self._cache: dict[str, Any] = {}
        self._env: Env | None = None

    def __str__(self) -> str:
        return self.address

    @property
    def ctx(self) -> Ctx:
        return Ctx(self.module, dict(self.scope), self.block.file)

    @property
    def env(self) -> Env:
        if self._env is None:
            self._env = self.module.env_for(self.block)
        return self._env

    def configured(self, name: str) -> bool:
        return (name in self.block.attrs and name not in META_ARGUMENTS) or any(
            block_name(b) == name for b in self.block.blocks
        )

    def get(self, name: str) -> Any:
        if name in self._cache:
            value = self._cache[name]
            if value is IN_PROGRESS:
                return Unknown(f"{self.block.where}: {self.address}.{name} refers to itself")
            return value
        self._cache[name] = IN_PROGRESS
        try:
            value = self._compute(name)
        finally:
            self._cache.pop(name, None)
        self._cache[name] = value
        return value

    @property
    def imported_id(self) -> Any:
        """The ID an ``import`` block gives this instance (None when it is not imported)."""
        return self.module.loader.imports.get(self.address) if self.mode == "managed" else None

    def _compute(self, name: str) -> Any:
        loader = self.module.loader
        if name == "id" and self.imported_id is not None:
            return self.imported_id
        if name in self.block.attrs and name not in META_ARGUMENTS:
            return loader.evaluator.ev(self.block.attrs[name], self.ctx)
        if any(block_name(b) == name for b in self.block.blocks):
            return self.module.nested(self.block.blocks, name, self.ctx)
        if (
            self.mode == "data"
            and self.rtype == "aws_iam_policy_document"
            and name in ("json", "minified_json")
        ):
            return self.policy_json(minified=name == "minified_json")
        if self.rtype.startswith("random_") and self.mode == "managed":
            return _random_attribute(self, name)
        computed = computed_attributes(
            self.rtype, self.address, _LazyValues(self), self.env, data=self.mode == "data"
        )
        if name in computed:
            if name == "unique_id":
                self._note_unique_id(computed[name])
            return computed[name]
        if self.mode == "managed":
            standins = standin_attributes(self.rtype, self.address, _LazyValues(self), self.env)
            if name in standins:
                value = standins[name]
                if not isinstance(value, Unknown) and self.imported_id is None:
                    self.module.loader.warnings.add(
                        self.block.where,
                        self.address,
                        standin_note(f"{self.address}.{name}", value),
                    )
                return value
        if name == "tags_all":
            tags = self.get("tags") if self.configured("tags") else {}
            if isinstance(tags, Unknown):
                return tags
            return {**self.env.default_tags, **(tags or {})}
        return Unknown(
            f"{self.block.where}: {self.address}.{name} is not set in the configuration and is "
            "known only after apply"
        )

    def policy_json(self, *, minified: bool) -> Any:
        values = self.values()
        try:
            text, notes = render_policy_document(values)
        except ValueError as exc:
            raise InputError(str(exc), path=self.address, source=self.block.where) from None
        for note in notes:
            self.module.loader.warnings.add(self.block.where, self.address, note)
        if minified and isinstance(text, str):
            return json.dumps(json.loads(text), separators=(",", ":"))
        return text

    def values(self) -> dict[str, Any]:
        """Every configured argument and nested block, evaluated."""
        out: dict[str, Any] = {}
        for name in self.block.attrs:
            if name not in META_ARGUMENTS:
                out[name] = plain(self.get(name))
        for b in self.block.blocks:
            name = block_name(b)
            if name not in out and name not in META_ARGUMENTS:
                out[name] = plain(self.get(name))
        if self.imported_id is not None and "id" not in out:
            out["id"] = self.imported_id
        return out

    def materialize(self) -> Any:
        values = self.values()
        computed = computed_attributes(
            self.rtype, self.address, values, self.env, data=self.mode == "data"
        )
        if "unique_id" in computed and "unique_id" not in values:
            self._note_unique_id(computed["unique_id"])
        if self.mode == "managed":
            # The object taken whole (``aws_instance.web``): its stand-ins are read lazily
            # through get(), which notes each one used.
            standins = standin_attributes(self.rtype, self.address, values, self.env)
            computed = {**{k: self.get(k) for k in standins if k not in computed}, **computed}
        if self.mode == "data" and self.rtype == "aws_iam_policy_document":
            # Taken whole (``each.value.json`` over a for_each'd document, ``[for d in
            # data.aws_iam_policy_document.x : d.json]``): its rendered JSON is an attribute too.
            computed = {
                **computed,
                "json": self.get("json"),
                "minified_json": self.get("minified_json"),
            }
        return {**computed, **values}

    def _note_unique_id(self, value: Any) -> None:
        """The placeholder unique ID of a user, group or role was read: it becomes the
        entity's ID, so that aws:userid matches what the policies compare it to."""
        if self.mode == "managed" and isinstance(value, str):
            self.module.loader.unique_ids[self.address] = value


IN_PROGRESS = object()


def block_name(block: Block) -> str:
    return block.labels[0] if block.type == "dynamic" and block.labels else block.type


class _LazyValues(Mapping[str, Any]):
    """An instance's configured values, evaluated when the provider rules read them."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance

    def __getitem__(self, key: str) -> Any:
        if key == "id" and self.instance.imported_id is not None:
            return self.instance.imported_id
        if not self.instance.configured(key):
            raise KeyError(key)
        return plain(self.instance.get(key))

    def __iter__(self) -> Iterator[str]:
        return iter(k for k in self.instance.block.attrs if k not in META_ARGUMENTS)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _random_attribute(inst: Instance, name: str) -> Any:
    """Stable placeholders for the ``random`` provider's values, which exist only after apply."""
    seed = inst.address
    length_value = inst.get("length") if inst.configured("length") else 16
    length = int(length_value) if isinstance(length_value, int) else 16
    if inst.rtype == "random_id":
        size_value = inst.get("byte_length") if inst.configured("byte_length") else 8
        size = int(size_value) if isinstance(size_value, int) else 8
        hex_value = placeholder_hex(seed, size * 2)
        prefix = inst.get("prefix") if inst.configured("prefix") else ""
        raw = bytes.fromhex(hex_value)
        return {
            "hex": f"{prefix}{hex_value}",
            "dec": f"{prefix}{int(hex_value, 16)}",
            "b64_url": base64.urlsafe_b64encode(raw).decode().rstrip("="),
            "b64_std": base64.b64encode(raw).decode(),
            "id": base64.urlsafe_b64encode(raw).decode().rstrip("="),
        }.get(name, Unknown(f"random_id has no attribute {name}"))
    if inst.rtype in ("random_string", "random_password"):
        upper = inst.get("upper") if inst.configured("upper") else True
        text = placeholder_alnum(seed, length, upper=False)
        if upper is not False:
            text = text[: length // 2] + text[length // 2 :].upper()
        return text if name in ("result", "id") else Unknown(f"{inst.rtype}.{name} is unknown")
    if inst.rtype == "random_uuid":
        return placeholder_uuid(seed) if name in ("result", "id") else Unknown("unknown attribute")
    if inst.rtype == "random_integer":
        low = inst.get("min") if inst.configured("min") else 0
        return low if name in ("result", "id") else Unknown("unknown attribute")
    if inst.rtype == "random_pet":
        prefix = inst.get("prefix") if inst.configured("prefix") else None
        sep = inst.get("separator") if inst.configured("separator") else "-"
        pet = f"placeholder{sep}{placeholder_digits(seed, 6)}"
        return (f"{prefix}{sep}{pet}" if prefix else pet) if name == "id" else Unknown("unknown")
    return Unknown(f"{inst.address}.{name} is chosen at apply time")
