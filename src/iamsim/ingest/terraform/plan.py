"""Terraform plan JSON (``terraform show -json PLANFILE``) into the world model.

This module owns reading the plan format: the planned resource values
(``planned_values.root_module`` and its ``child_modules``), the ``after_unknown`` markers of
``resource_changes``, the data sources read during planning (``prior_state``), and the
``configuration`` section, which is consulted to resolve an attribute that is unknown until
apply. The mapping of resources onto the model is :mod:`iamsim.ingest.terraform.resources`.

A state file printed by ``terraform show -json`` (``values.root_module``) is read the same way.

Resolving unknown attributes: the plan records, for a non-constant expression, only the list of
things it references, not the expression itself. When an unknown attribute references exactly
one attribute of one object (``role = aws_iam_role.app.id``), it is taken to be that attribute,
which is derived from the referenced resource's planned values (a role's ``id`` is its name).
Anything else (string templates, several references, ``count.index``) stays unknown and is
reported; loading the Terraform directory instead evaluates the expressions themselves.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from typing import Any

from iamsim.errors import InputError
from iamsim.ingest.documents import load_json
from iamsim.ingest.files import InputFile, read_text
from iamsim.ingest.iac.computed import computed_attributes
from iamsim.ingest.iac.placeholders import (
    PLACEHOLDER_ACCOUNT,
    PLACEHOLDER_REGION,
    Env,
    partition_of_region,
)
from iamsim.ingest.iac.standins import standin_attributes, standin_note
from iamsim.ingest.iac.unknown import Unknown, Warnings
from iamsim.ingest.terraform.arguments import POLICY_ATTRIBUTES

# Detection lives in .detection (the format registry imports it without this module).
from iamsim.ingest.terraform.detection import detect_plan as detect
from iamsim.ingest.terraform.detection import looks_like_plan
from iamsim.ingest.terraform.resources import TfResource, build_world
from iamsim.model import World
from iamsim.vocabulary.arn import is_account_id

__all__ = ["detect", "load", "load_terraform_plan", "read_terraform_plan"]


def load(file: InputFile) -> World:
    """The format registry's entry point (see :func:`load_terraform_plan`)."""
    return load_terraform_plan(file.path, source=file.source)


# -- references ------------------------------------------------------------------------------------

_INDEX = re.compile(r"\[[^\]]*\]")
# Arguments of the mapped resource types that take lists (see _resolve).
_LIST_ATTRIBUTES = frozenset(
    {"users", "groups", "roles", "policy_arns", "managed_policy_arns", "enabled_policy_types"}
)


def _split_reference(ref: str) -> tuple[str, str] | None:
    """``aws_iam_role.app.arn`` -> (``aws_iam_role.app``, ``arn``); data and indexed forms too.

    Returns None when the reference is not an attribute of a resource or data source.
    """
    parts = ref.split(".")
    if parts[0] == "data":
        if len(parts) < 4:
            return None
        return ".".join(parts[:3]), parts[3].split("[", 1)[0]
    if parts[0] in ("var", "local", "module", "count", "each", "path", "terraform", "self"):
        return None
    if len(parts) < 3:
        return None
    return ".".join(parts[:2]), parts[2].split("[", 1)[0]


class _Module:
    """One module's configuration (``configuration.root_module`` or a module call's)."""

    def __init__(self, config: Mapping[str, Any], prefix: str) -> None:
        self.config = config
        self.prefix = prefix  # "" or "module.a.module.b."
        self.resources: dict[str, Mapping[str, Any]] = {}
        for res in config.get("resources", []) or []:
            if isinstance(res, Mapping) and isinstance(res.get("address"), str):
                self.resources[res["address"]] = res
        self.calls: dict[str, _Module] = {}
        for name, call in (config.get("module_calls") or {}).items():
            if isinstance(call, Mapping) and isinstance(call.get("module"), Mapping):
                self.calls[name] = _Module(call["module"], f"{prefix}module.{name}.")


class _Plan:
    def __init__(
        self,
        doc: Mapping[str, Any],
        source: str,
        warnings: Warnings,
        *,
        account: str | None,
        region: str | None,
        partition: str | None,
    ) -> None:
        self.doc = doc
        self.source = source
        self.warnings = warnings
        config = doc.get("configuration") if isinstance(doc.get("configuration"), Mapping) else {}
        assert isinstance(config, Mapping)
        root_config = config.get("root_module")
        self.root = _Module(root_config if isinstance(root_config, Mapping) else {}, "")
        providers = config.get("provider_config") or {}
        if not isinstance(providers, Mapping):
            raise InputError(
                "provider_config must be an object",
                path="/configuration/provider_config",
                source=source,
            )
        self.providers: Mapping[str, Any] = providers
        self.after_unknown: dict[str, Mapping[str, Any]] = {}
        # Data sources Terraform reads only at apply time (their arguments are not known
        # during planning): resource_changes entries with the action "read".
        self.deferred_reads: set[str] = set()
        changes = doc.get("resource_changes")
        if changes is not None and not isinstance(changes, list):
            raise InputError(
                "resource_changes must be an array", path="/resource_changes", source=source
            )
        for change in changes or []:
            if isinstance(change, Mapping) and isinstance(change.get("change"), Mapping):
                unknown = change["change"].get("after_unknown")
                if isinstance(unknown, Mapping):
                    self.after_unknown[str(change.get("address"))] = unknown
                actions = change["change"].get("actions")
                if change.get("mode") == "data" and isinstance(actions, list) and "read" in actions:
                    self.deferred_reads.add(str(change.get("address")))
        self.instances: dict[str, Mapping[str, Any]] = {}
        key = "planned_values" if doc.get("planned_values") is not None else "values"
        planned = doc.get(key)  # "values": a state file
        if planned is not None and not isinstance(planned, Mapping):
            raise InputError(f"{key} must be an object", path=f"/{key}", source=source)
        if isinstance(planned, Mapping) and planned.get("root_module") is not None:
            root = planned["root_module"]
            if not isinstance(root, Mapping):
                raise InputError(
                    "root_module must be an object", path=f"/{key}/root_module", source=source
                )
            self._collect(root, f"/{key}/root_module")
        prior = doc.get("prior_state")
        if isinstance(prior, Mapping) and isinstance(prior.get("values"), Mapping):
            prior_root = prior["values"].get("root_module")
            if isinstance(prior_root, Mapping):
                # Data sources read during planning live only in the prior state.
                self._collect(prior_root, "/prior_state/values/root_module", data_only=True)
        variables = doc.get("variables")
        self.variables: Mapping[str, Any] = variables if isinstance(variables, Mapping) else {}
        self.option_account, self.option_region, self.option_partition = account, region, partition
        self._envs: dict[str, Env] = {}

    # -- reading planned values

    def _collect(self, module: Mapping[str, Any], where: str, *, data_only: bool = False) -> None:
        resources = module.get("resources")
        if resources is None:
            resources = []
        if not isinstance(resources, list):
            raise InputError(
                "resources must be an array", path=f"{where}/resources", source=self.source
            )
        for i, res in enumerate(resources):
            here = f"{where}/resources/{i}"
            if not isinstance(res, Mapping):
                raise InputError("a resource must be an object", path=here, source=self.source)
            for key in ("address", "type", "name"):
                if not isinstance(res.get(key), str):
                    raise InputError(f"missing {key!r}", path=here, source=self.source)
            if data_only and res.get("mode") != "data":
                continue
            if not isinstance(res.get("values", {}), Mapping):
                raise InputError(
                    "values must be an object", path=f"{here}/values", source=self.source
                )
            self.instances.setdefault(res["address"], res)
        children = module.get("child_modules")
        if children is None:
            children = []
        if not isinstance(children, list):
            raise InputError(
                "child_modules must be an array", path=f"{where}/child_modules", source=self.source
            )
        for i, child in enumerate(children):
            if not isinstance(child, Mapping):
                raise InputError(
                    "a module must be an object",
                    path=f"{where}/child_modules/{i}",
                    source=self.source,
                )
            self._collect(child, f"{where}/child_modules/{i}", data_only=data_only)

    # -- configuration lookups

    @staticmethod
    def _module_path(address: str) -> tuple[list[str], str]:
        """``module.a[0].module.b.aws_x.y["k"]`` -> (["a", "b"], ``aws_x.y``)."""
        names: list[str] = []
        rest = address
        while rest.startswith("module."):
            head, _, rest = rest[len("module.") :].partition(".")
            names.append(_INDEX.sub("", head))
        return names, _INDEX.sub("", rest)

    def _config_module(self, names: list[str]) -> _Module | None:
        module: _Module | None = self.root
        for name in names:
            module = module.calls.get(name) if module else None
        return module

    def _config_for(self, address: str) -> tuple[_Module | None, Mapping[str, Any] | None]:
        names, local = self._module_path(address)
        module = self._config_module(names)
        return module, (module.resources.get(local) if module else None)

    @staticmethod
    def _prefix(address: str) -> str:
        names: list[str] = []
        rest = address
        while rest.startswith("module."):
            head, _, rest = rest[len("module.") :].partition(".")
            names.append(f"module.{head}.")
        return "".join(names)

    # -- environments

    def _provider_constant(self, key: str, attr: str) -> Any:
        provider = self.providers.get(key)
        if not isinstance(provider, Mapping):
            return None
        expressions = provider.get("expressions")
        if not isinstance(expressions, Mapping):
            return None
        expr = expressions.get(attr)
        if isinstance(expr, list) and expr:
            expr = expr[0]
        if isinstance(expr, Mapping):
            return expr.get("constant_value", expr)
        return None

    def _data_values(self, rtype: str) -> list[Mapping[str, Any]]:
        return [
            inst.get("values") or {}
            for inst in self.instances.values()
            if inst.get("mode") == "data" and inst.get("type") == rtype
        ]

    def env(self, provider_key: str) -> Env:
        if provider_key not in self.providers and ":" in provider_key:
            # "team:aws": a module's provider; a module without its own provider block uses
            # the root module's configuration.
            provider_key = provider_key.rsplit(":", 1)[1]
        if provider_key in self._envs:
            return self._envs[provider_key]
        region = self.option_region
        if region is None:
            value = self._provider_constant(provider_key, "region")
            if isinstance(value, str):
                region = value
        if region is None:
            found = {v.get("name") or v.get("region") for v in self._data_values("aws_region")}
            found.discard(None)
            if len(found) == 1:
                region = str(found.pop())
        account = self.option_account
        if account is None:
            allowed = self._provider_constant(provider_key, "allowed_account_ids")
            if isinstance(allowed, list) and len(allowed) == 1 and is_account_id(str(allowed[0])):
                account = str(allowed[0])
        if account is None:
            assume = self._provider_constant(provider_key, "assume_role")
            role_arn = assume.get("role_arn") if isinstance(assume, Mapping) else None
            if isinstance(role_arn, Mapping):
                role_arn = role_arn.get("constant_value")
            if isinstance(role_arn, str) and role_arn.count(":") >= 5:
                account = role_arn.split(":")[4] or None
        if account is None:
            found = {v.get("account_id") for v in self._data_values("aws_caller_identity")}
            found.discard(None)
            if len(found) == 1:
                account = str(found.pop())
        tags: dict[str, Any] = {}
        default_tags = self._provider_constant(provider_key, "default_tags")
        if isinstance(default_tags, Mapping):
            value = default_tags.get("tags")
            if isinstance(value, Mapping):
                value = value.get("constant_value", value)
            if isinstance(value, Mapping):
                tags = dict(value)
        env = Env(
            account=account or PLACEHOLDER_ACCOUNT,
            partition=self.option_partition or partition_of_region(region),
            region=region or PLACEHOLDER_REGION,
            default_tags=tags,
            account_is_placeholder=account is None,
            region_is_placeholder=region is None,
        )
        self._envs[provider_key] = env
        return env

    def env_for(self, address: str) -> Env:
        _, config = self._config_for(address)
        key = "aws"
        if config is not None and isinstance(config.get("provider_config_key"), str):
            key = config["provider_config_key"]
        return self.env(key)

    # -- values

    def values_of(self, address: str) -> dict[str, Any]:
        """The planned values of an instance, with unknown attributes resolved or Unknown."""
        inst = self.instances[address]
        values: dict[str, Any] = dict(inst.get("values") or {})
        unknown = self.after_unknown.get(address, {})
        _, config = self._config_for(address)
        expressions = config.get("expressions") if config else None
        computed: dict[str, Any] | None = None
        for key, flag in unknown.items():
            if flag is True and values.get(key) is None:
                expr = expressions.get(key) if isinstance(expressions, Mapping) else None
                if key in POLICY_ATTRIBUTES and (expr is not None or expressions is None):
                    # A configured policy document is never one referenced attribute taken
                    # whole: an unknown one is built from what it references (jsonencode, a
                    # template, a policy document read at apply time), which the plan does
                    # not show. (Without the resource's configuration, it may be configured.)
                    values[key] = self._unknown_policy(address, key, expr)
                    continue
                if expr is not None:
                    values[key] = self._resolve(address, key, expr, set())
                    continue
                if key == "unique_id":
                    # AWS assigns it; a placeholder is recorded only where the input refers
                    # to it (the plan's policies referring to it are unknown themselves).
                    continue
                # Not configured: an attribute the provider computes. Derive it where the
                # provider's rule is known (an ARN from a name); otherwise it is state AWS
                # reports back (managed_policy_arns of a role that does not set them), which
                # the configuration does not decide, so it is left out.
                if computed is None:
                    computed = computed_attributes(
                        str(inst["type"]),
                        address,
                        _KnownOnly(values),
                        self.env_for(address),
                        data=False,
                    )
                if key in computed:
                    values[key] = computed[key]
                    continue
                # An identifier AWS assigns (an instance ID and its ARN): the same
                # deterministic stand-in as for the configuration, noted.
                standin = self._standin(address, inst, values, key)
                if standin is not None:
                    values[key] = standin
            elif isinstance(flag, list) and isinstance(values.get(key), list):
                # Unknown parts of nested blocks: mark the unknown leaves.
                values[key] = [
                    _mark_unknown(item, f, f"{address}.{key}")
                    for item, f in zip(values[key], flag, strict=False)
                ]
        return values

    def _deferred(self, ref: str, prefix: str = "") -> str | None:
        """The address of the data source a reference names when Terraform reads it only at
        apply time (listed in ``resource_changes`` with the action ``read``), else None."""
        split = _split_reference(ref)
        if split is None or not ref.startswith("data."):
            return None
        index = ""
        head = ref.split(".")[2]
        if "[" in head:
            index = head[head.index("[") : head.index("]") + 1]
        address = f"{prefix}{split[0]}{index}"
        if address in self.deferred_reads:
            return address
        plain = f"{prefix}{split[0]}"
        return plain if plain in self.deferred_reads else None

    def _unknown_policy(self, address: str, key: str, expr: Any) -> Unknown:
        refs = []
        if isinstance(expr, Mapping):
            refs = [r for r in expr.get("references") or [] if isinstance(r, str)]
        prefix = self._prefix(address)
        deferred = sorted({d for d in (self._deferred(r, prefix) for r in refs) if d})
        if deferred:
            return Unknown(
                f"known only after apply: {', '.join(deferred)} "
                f"{'is' if len(deferred) == 1 else 'are'} read only at apply time (it "
                "depends on values known after apply)"
            )
        # The plan lists each referenced object and its attribute: name the attributes.
        shown = [r for r in refs if _split_reference(r) is not None or "." in r]
        shown = [r for r in shown if not any(o != r and o.startswith(r + ".") for o in shown)]
        built = (
            f"; it is built from {', '.join(shown)} by an expression the plan does not show"
            if shown
            else ""
        )
        return Unknown(
            f"known only after apply{built}; load the Terraform directory to evaluate it"
        )

    def _resolve(self, address: str, key: str, expr: Any, seen: set[str]) -> Any:
        value = self._resolve_expression(address, key, expr, seen)
        if key in _LIST_ATTRIBUTES and isinstance(value, str | int | float | bool):
            # `users = [var.user]` and `users = var.users` record the same reference; a
            # single value for a list argument means the expression built a list around it.
            return Unknown(
                f"{address}.{key} is built from a value the plan does not show "
                "whole; load the Terraform directory to evaluate it"
            )
        return value

    def _resolve_expression(self, address: str, key: str, expr: Any, seen: set[str]) -> Any:
        after_apply = Unknown(f"{address}.{key} is known only after apply")
        if not isinstance(expr, Mapping):
            return after_apply
        if "constant_value" in expr:
            return expr["constant_value"]
        refs = [r for r in expr.get("references") or [] if isinstance(r, str)]
        attr_refs = [r for r in refs if _split_reference(r) is not None]
        others = [r for r in refs if r.split(".")[0] in ("var", "local", "module", "count", "each")]
        if len(attr_refs) == 1 and not others:
            return self.reference(self._prefix(address), attr_refs[0], seen)
        if len(attr_refs) == 0 and len(others) == 1 and others[0].startswith("var."):
            return self.variable(self._prefix(address), others[0][4:], seen)
        if refs:
            return Unknown(
                f"{address}.{key} depends on {', '.join(refs)}, which the plan does "
                "not resolve; load the Terraform directory to evaluate it"
            )
        return after_apply

    def variable(self, prefix: str, name: str, seen: set[str]) -> Any:
        if prefix == "":
            var = self.variables.get(name)
            if isinstance(var, Mapping) and "value" in var:
                return var["value"]
            return Unknown(f"var.{name} has no value in the plan")
        # A module variable: the caller's argument expression.
        parts = prefix.rstrip(".").split(".")
        names = [_INDEX.sub("", parts[i]) for i in range(1, len(parts), 2)]
        parent = self._config_module(names[:-1])
        call = parent.config.get("module_calls", {}).get(names[-1]) if parent else None
        expr = call.get("expressions", {}).get(name) if isinstance(call, Mapping) else None
        parent_prefix = (
            prefix[: prefix[:-1].rfind("module.")] if prefix.count("module.") > 1 else ""
        )
        if isinstance(expr, Mapping):
            if "constant_value" in expr:
                return expr["constant_value"]
            refs = [r for r in expr.get("references") or [] if isinstance(r, str)]
            attr_refs = [r for r in refs if _split_reference(r) is not None]
            if len(attr_refs) == 1:
                return self.reference(parent_prefix, attr_refs[0], seen)
            if len(refs) == 1 and refs[0].startswith("var."):
                return self.variable(parent_prefix, refs[0][4:], seen)
        module = self._config_module(names)
        default = (module.config.get("variables") or {}).get(name) if module else None
        if isinstance(default, Mapping) and "default" in default:
            return default["default"]
        return Unknown(f"{prefix}var.{name} is not resolvable from the plan")

    def reference(self, prefix: str, ref: str, seen: set[str]) -> Any:
        split = _split_reference(ref)
        if split is None:
            return Unknown(f"{ref} is not resolvable from the plan")
        target, attr = split
        index = ""
        if "[" in ref.split(".")[2 if ref.startswith("data.") else 1]:
            index = ref[ref.index("[") : ref.index("]") + 1]
        address = f"{prefix}{target}{index}"
        key = f"{address}.{attr}"
        if key in seen:
            return Unknown(f"{key} refers to itself")
        seen = seen | {key}
        if address not in self.instances:
            if address in self.deferred_reads:
                return Unknown(
                    f"{address} is read only at apply time (it depends on values known after apply)"
                )
            return Unknown(f"{address} is not in the plan")
        inst = self.instances[address]
        values = (
            self.values_of(address)
            if inst.get("mode") != "data"
            else dict(inst.get("values") or {})
        )
        value = values.get(attr)
        if value is not None and not isinstance(value, Unknown):
            return value
        computed = computed_attributes(
            str(inst["type"]),
            address,
            _KnownOnly(values),
            self.env_for(address),
            data=inst.get("mode") == "data",
        ).get(attr)
        if computed is not None and not isinstance(computed, Unknown):
            return computed
        if value is None and inst.get("mode") != "data":
            standin = self._standin(address, inst, values, attr)
            if standin is not None:
                return standin
        if value is None and address in self.deferred_reads:
            return Unknown(
                f"{key} is unknown: {address} is read only at apply time (it depends on values "
                "known after apply)"
            )
        return value if value is not None else (computed or Unknown(f"{key} is unknown"))

    def _standin(
        self, address: str, inst: Mapping[str, Any], values: Mapping[str, Any], attr: str
    ) -> Any:
        """The stand-in for after-apply attribute ``attr`` of managed resource ``address``
        (see :mod:`iamsim.ingest.iac.standins`), noted; None when its type has none."""
        found = standin_attributes(
            str(inst["type"]), address, _KnownOnly(values), self.env_for(address)
        ).get(attr)
        if found is None or isinstance(found, Unknown):
            return None
        self.warnings.add(self.source, address, standin_note(f"{address}.{attr}", found))
        return found

    def resources(self) -> Iterator[TfResource]:
        for address, inst in self.instances.items():
            mode = str(inst.get("mode") or "managed")
            values = (
                self.values_of(address) if mode == "managed" else dict(inst.get("values") or {})
            )
            yield TfResource(
                address=address,
                type=str(inst["type"]),
                name=str(inst["name"]),
                values=values,
                env=self.env_for(address),
                source=self.source,
                mode=mode,
            )


class _KnownOnly(Mapping[str, Any]):
    """A resource's values for deriving computed attributes: Unknowns read as absent, so a
    role whose ``arn`` is unknown still derives it from its known ``name`` and ``path``."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = {k: v for k, v in values.items() if not isinstance(v, Unknown)}

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def _mark_unknown(value: Any, flag: Any, where: str) -> Any:
    if flag is True:
        return value if value is not None else Unknown(f"{where} is known only after apply")
    if isinstance(flag, Mapping) and isinstance(value, Mapping):
        out = dict(value)
        for key, sub in flag.items():
            out[key] = _mark_unknown(value.get(key), sub, f"{where}.{key}")
        return out
    if isinstance(flag, list) and isinstance(value, list):
        return [_mark_unknown(v, f, where) for v, f in zip(value, flag, strict=False)]
    return value


def read_terraform_plan(
    path: str | os.PathLike[str],
    *,
    account: str | None = None,
    region: str | None = None,
    partition: str | None = None,
    source: str | None = None,
) -> tuple[World, Warnings]:
    """Load a plan and also return the structured warnings (they are in ``World.notes`` too).

    ``source`` names the file in messages (default: the path as given).
    """
    source = source if source is not None else str(path)
    text = read_text(path, source)
    try:
        doc = load_json(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON: {exc.msg}", path=f"line {exc.lineno}, column {exc.colno}", source=source
        ) from None
    except InputError as exc:
        raise exc.located(source=source) from None
    if not looks_like_plan(doc):
        raise InputError(
            "not Terraform plan JSON (expected format_version and planned_values; produce it "
            "with `terraform show -json PLANFILE`)",
            source=source,
        )
    if account is not None and not is_account_id(account):
        raise InputError(f"account must be a 12-digit account ID, not {account!r}", source=source)
    warnings = Warnings()
    plan = _Plan(doc, source, warnings, account=account, region=region, partition=partition)
    try:
        resources = list(plan.resources())
    except RecursionError:
        raise InputError(
            "references between resources are nested too deeply to resolve", source=source
        ) from None
    notes = []
    envs = [plan.env_for(r.address) for r in resources if r.mode == "managed"]
    if any(e.account_is_placeholder for e in envs):
        notes.append(
            f"{source}: the plan does not say which account it deploys to; the placeholder "
            f"account {PLACEHOLDER_ACCOUNT} is used (pass account=... to set it)"
        )
    if any(e.region_is_placeholder for e in envs):
        notes.append(
            f"{source}: the plan does not say which region it deploys to; the placeholder "
            f"region {PLACEHOLDER_REGION} is used in regional ARNs (pass region=... to set it)"
        )
    world = build_world(resources, warnings, label=source, notes=notes)
    return world, warnings


def load_terraform_plan(
    path: str | os.PathLike[str],
    *,
    account: str | None = None,
    region: str | None = None,
    partition: str | None = None,
    source: str | None = None,
) -> World:
    """The world a Terraform plan would create.

    ``account``/``region``/``partition`` say where it deploys when the plan does not (see the
    placeholders in :mod:`iamsim.ingest.iac.placeholders`). Unresolvable parts are left out and
    reported in ``World.notes``; malformed input raises :class:`~iamsim.errors.InputError`.
    AWS managed policies referenced by ARN are resolved later, by
    :func:`iamsim.ingest.resolve_managed_policies` (``load_inputs`` does it).
    """
    world, _ = read_terraform_plan(
        path, account=account, region=region, partition=partition, source=source
    )
    return world
