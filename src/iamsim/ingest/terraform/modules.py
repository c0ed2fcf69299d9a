"""Terraform modules: the root module and each instance of a module call.

This module owns :class:`ModuleInstance`: its variables, locals, outputs, providers, resources
and nested module calls.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lark import Token, Tree

from iamsim import limits
from iamsim.errors import InputError
from iamsim.ingest.documents import close_match
from iamsim.ingest.iac.placeholders import Env
from iamsim.ingest.iac.unknown import Unknown
from iamsim.ingest.terraform.arguments import known_arguments
from iamsim.ingest.terraform.context import Ctx
from iamsim.ingest.terraform.instances import IN_PROGRESS, Instance, block_name
from iamsim.ingest.terraform.syntax import Block, line_of, traversal
from iamsim.ingest.terraform.values import (
    TypeConstraint,
    convert,
    hcl_type_name,
    parse_type,
    plain,
    to_bool,
    to_num,
    to_str,
)

if TYPE_CHECKING:
    from iamsim.ingest.terraform.loader import ConfigLoader


@dataclass
class Provider:
    block: Block | None
    module: ModuleInstance
    _env: Env | None = None


class ModuleInstance:
    """One instance of a module: the root module, or a module call (per count/for_each key)."""

    def __init__(
        self,
        loader: ConfigLoader,
        directory: Path,
        blocks: list[Block],
        prefix: str,
        inputs: Mapping[str, Callable[[], Any]],
        providers: dict[str, Provider],
        key_path: str,
        parent: ModuleInstance | None = None,
    ) -> None:
        self.loader = loader
        self.parent = parent  # the calling module (None for the root module)
        self.dir = directory
        self.prefix = prefix  # "" or "module.a." or 'module.a["k"].'
        self.inputs = inputs
        self.key_path = key_path  # for .terraform/modules/modules.json ("a.b")
        self.variables: dict[str, Block] = {}
        self.locals: dict[str, tuple[Tree[Token], Block]] = {}
        self.outputs: dict[str, Block] = {}
        self.calls: dict[str, Block] = {}
        self.blocks: dict[tuple[str, str, str], Block] = {}
        self.providers = dict(providers)
        self._locals_cache: dict[str, Any] = {}
        self._resource_cache: dict[tuple[str, str, str], Any] = {}
        self._call_cache: dict[str, Any] = {}
        self._var_types: dict[str, TypeConstraint | None] = {}
        for block in blocks:
            self._add(block)

    def _add(self, block: Block) -> None:
        kind = block.type
        if kind == "variable" and len(block.labels) == 1:
            self.variables[block.labels[0]] = block
        elif kind == "locals":
            for name, expr in block.attrs.items():
                if name in self.locals:
                    raise InputError(
                        f"local.{name} is defined twice",
                        path=f"line {block.line}",
                        source=block.file,
                    )
                self.locals[name] = (expr, block)
        elif kind == "output" and len(block.labels) == 1:
            self.outputs[block.labels[0]] = block
        elif kind == "module" and len(block.labels) == 1:
            self.calls[block.labels[0]] = block
        elif kind in ("resource", "data"):
            if len(block.labels) != 2:
                raise InputError(
                    f"a {kind} block needs a type and a name",
                    path=f"line {block.line}",
                    source=block.file,
                )
            mode = "managed" if kind == "resource" else "data"
            self._check_arguments(block, mode)
            res_key = (mode, block.labels[0], block.labels[1])
            if res_key in self.blocks:
                raise InputError(
                    f"{kind} {block.labels[0]}.{block.labels[1]} is declared twice",
                    path=f"line {block.line}",
                    source=block.file,
                )
            self.blocks[res_key] = block
        elif kind == "provider" and len(block.labels) == 1:
            alias_tree = block.attrs.get("alias")
            alias = None
            if alias_tree is not None:
                value = self.loader.evaluator.ev(alias_tree, Ctx(self, {}, block.file))
                alias = value if isinstance(value, str) else None
            key = block.labels[0] + (f".{alias}" if alias else "")
            self.providers[key] = Provider(block, self)

    def _check_arguments(
        self, block: Block, mode: str, nested: str | None = None, top: Block | None = None
    ) -> None:
        """Arguments and nested blocks of a mapped aws_iam_* block: a misspelling of a known
        one is an error (its value would be silently dropped), another unknown one a note."""
        top = top or block
        rtype = top.labels[0]
        known = known_arguments(mode, rtype, nested)
        if known is None:
            return
        address = f"{self.prefix}{'data.' if mode == 'data' else ''}{rtype}.{top.labels[1]}"
        names: list[tuple[str, int | None]] = [
            (name, line_of(expr)) for name, expr in block.attrs.items()
        ]
        for sub in block.blocks:
            name = block_name(sub)
            names.append((name, sub.line))
            contents = (
                [c for c in sub.blocks if c.type == "content"] if sub.type == "dynamic" else [sub]
            )
            for content in contents:
                self._check_arguments(content, mode, name, top)
        for name, line in names:
            if name in known:
                continue
            where = f"{block.file}:{line}" if line else block.file
            suggestion = close_match(name, known)
            if suggestion is not None:
                raise InputError(
                    f"unknown argument {name!r} (did you mean {suggestion!r}?)",
                    path=f"{address}.{name}",
                    source=where,
                )
            self.loader.warnings.add(
                where,
                address,
                f"{name!r} is not an argument of {rtype}{f' {nested}' if nested else ''} "
                "that iamsim knows; it is ignored",
            )

    def ctx(self, block: Block | None = None, scope: dict[str, Any] | None = None) -> Ctx:
        return Ctx(self, dict(scope or {}), block.file if block else "")

    # -- names

    def variable(self, name: str) -> Any:
        """The value of ``var.<name>``: the module call's argument (the root module: the
        caller's ``variables``, var files, tfvars), else the default; ``null`` gives the
        default when the variable has ``nullable = false``; the value is then converted to
        the variable's ``type``, as Terraform does."""
        block = self.variables.get(name)
        if block is None:
            if name in self.inputs:
                return self.inputs[name]()
            return Unknown(f"{self.prefix}var.{name} is not declared")
        ev, ctx = self.loader.evaluator, self.ctx(block)
        if name in self.inputs:
            value = self.inputs[name]()
        elif self.prefix == "" and name in self.loader.variable_values:
            value = self.loader.variable_values[name]
        elif "default" in block.attrs:
            value = plain(ev.ev(block.attrs["default"], ctx))
        else:
            how = (
                f"pass it with --var {name}=VALUE, --var-file FILE or a terraform.tfvars file"
                if self.prefix == ""
                else "the module call passes none"
            )
            return Unknown(
                f"{block.where}: {self.prefix}var.{name} has no value (no default; {how})"
            )
        if value is None and "nullable" in block.attrs:
            nullable = to_bool(plain(ev.ev(block.attrs["nullable"], ctx)))
            if nullable is False:
                if "default" not in block.attrs:
                    return Unknown(
                        f"{block.where}: {self.prefix}var.{name} is null, but it is not "
                        "nullable and has no default",
                        error=True,
                    )
                value = plain(ev.ev(block.attrs["default"], ctx))
            elif isinstance(nullable, Unknown):
                return nullable
        if name not in self._var_types:
            type_tree = block.attrs.get("type")
            self._var_types[name] = (
                None
                if type_tree is None
                else parse_type(type_tree, lambda tree: plain(ev.ev(tree, ctx)))
            )
        return convert(value, self._var_types[name], f"{block.where}: {self.prefix}var.{name}")

    def local(self, name: str) -> Any:
        if name in self._locals_cache:
            value = self._locals_cache[name]
            if value is IN_PROGRESS:
                return Unknown(f"{self.prefix}local.{name} refers to itself")
            return value
        if name not in self.locals:
            return Unknown(f"{self.prefix}local.{name} is not defined")
        expr, block = self.locals[name]
        self._locals_cache[name] = IN_PROGRESS
        try:
            value = self.loader.evaluator.ev(expr, self.ctx(block))
        finally:
            self._locals_cache.pop(name, None)
        self._locals_cache[name] = value
        return value

    def resource(self, mode: str, rtype: str, name: str) -> Any:
        key = (mode, rtype, name)
        if key in self._resource_cache:
            return self._resource_cache[key]
        block = self.blocks.get(key)
        label = f"{'data.' if mode == 'data' else ''}{rtype}.{name}"
        if block is None:
            return Unknown(f"{self.prefix}{label} is not declared")
        value: Any
        expansion = self.expand(block)
        if isinstance(expansion, Unknown):
            value = expansion
        elif expansion is None:
            value = Instance(self, block, mode, f"{self.prefix}{label}", {})
        else:
            kind, keys = expansion
            instances = {
                k: Instance(self, block, mode, f"{self.prefix}{label}{index_text(k)}", scope)
                for k, scope in keys
            }
            value = list(instances.values()) if kind == "count" else instances
        self._resource_cache[key] = value
        return value

    def expand(self, block: Block) -> Any:
        """None for a single instance; ("count"|"for_each", [(key, scope)]) for several."""
        ctx = self.ctx(block)
        if "count" in block.attrs:
            count = plain(self.loader.evaluator.ev(block.attrs["count"], ctx))
            if isinstance(count, Unknown):
                return count
            number = to_num(count)
            if isinstance(number, Unknown) or isinstance(count, bool):
                raise InputError(
                    f"count must be a number, not {count!r}",
                    path=f"line {block.line}",
                    source=block.file,
                )
            if int(number) > limits.current().max_instances:
                raise InputError(
                    f"count = {int(number):,} exceeds the limit max_instances="
                    f"{limits.current().max_instances:,} (raise it with --limit max_instances=N)",
                    path=f"line {block.line}",
                    source=block.file,
                )
            return ("count", [(i, {"count": {"index": i}}) for i in range(int(number))])
        if "for_each" in block.attrs:
            each = plain(self.loader.evaluator.ev(block.attrs["for_each"], ctx))
            if isinstance(each, Unknown):
                return each
            if isinstance(each, dict):
                items = [(k, {"each": {"key": k, "value": each[k]}}) for k in sorted(each)]
            elif isinstance(each, list):
                keys = [to_str(v) for v in each]
                bad = next((k for k in keys if isinstance(k, Unknown)), None)
                if bad is not None:
                    return bad
                names = sorted({k for k in keys if not isinstance(k, Unknown)})
                items = [(k, {"each": {"key": k, "value": k}}) for k in names]
            else:
                raise InputError(
                    f"for_each must be a map or a set, not {hcl_type_name(each)}",
                    path=f"line {block.line}",
                    source=block.file,
                )
            if len(items) > limits.current().max_instances:
                raise InputError(
                    f"for_each with {len(items):,} elements exceeds the limit max_instances="
                    f"{limits.current().max_instances:,} (raise it with --limit max_instances=N)",
                    path=f"line {block.line}",
                    source=block.file,
                )
            return ("for_each", items)
        return None

    def call(self, name: str) -> Any:
        if name in self._call_cache:
            return self._call_cache[name]
        block = self.calls.get(name)
        if block is None:
            return Unknown(f"{self.prefix}module.{name} is not declared")
        value = self.loader.module_call(self, name, block)
        self._call_cache[name] = value
        return value

    def output(self, name: str) -> Any:
        block = self.outputs.get(name)
        if block is None or "value" not in block.attrs:
            return Unknown(f"{self.prefix.rstrip('.')} has no output {name!r}")
        return self.loader.evaluator.ev(block.attrs["value"], self.ctx(block))

    def nested(self, blocks: list[Block], name: str, ctx: Ctx) -> Any:
        """The nested blocks called ``name`` as a list of evaluated objects (dynamic expanded)."""
        out: list[Any] = []
        for b in blocks:
            if block_name(b) != name:
                continue
            if b.type != "dynamic":
                out.append(self.block_values(b, ctx))
                continue
            each = (
                plain(self.loader.evaluator.ev(b.attrs["for_each"], ctx))
                if "for_each" in b.attrs
                else []
            )
            if isinstance(each, Unknown):
                out.append(each)
                continue
            iterator = name
            if "iterator" in b.attrs:
                iterator = traversal(b.attrs["iterator"]) or name
            content = next((c for c in b.blocks if c.type == "content"), None)
            if content is None:
                raise InputError(
                    f"dynamic {name!r} has no content block", path=f"line {b.line}", source=b.file
                )
            items = self.loader.evaluator._iterate(each) if isinstance(each, dict | list) else []
            for key, val in items:
                inner = ctx.with_vars(**{iterator: {"key": key, "value": val}})
                out.append(self.block_values(content, inner))
        return out

    def block_values(self, block: Block, ctx: Ctx) -> dict[str, Any]:
        out: dict[str, Any] = {}
        inner = Ctx(ctx.module, ctx.scope, block.file)
        for name, expr in block.attrs.items():
            out[name] = plain(self.loader.evaluator.ev(expr, inner))
        for b in block.blocks:
            name = block_name(b)
            if name not in out:
                out[name] = self.nested(block.blocks, name, inner)
        return out

    # -- providers

    def env_for(self, block: Block) -> Env:
        key = "aws"
        if "provider" in block.attrs:
            key = traversal(block.attrs["provider"]) or "aws"
        provider = self.providers.get(key) or self.providers.get("aws")
        if provider is None:
            env = self.loader.default_env(None)
        else:
            if provider._env is None:
                provider._env = self.loader.provider_env(provider)
            env = provider._env
        if self.prefix and self.loader.alias_accounts:
            # --account module.PATH=ID: the account of this module's resources whose provider
            # block does not name one (it inherits the default provider, or its own is silent)
            given = self.loader.account_of_module(self.prefix)
            if given is not None and (
                env.account_is_placeholder or env.account == self.loader.account
            ):
                env = replace(env, account=given, account_is_placeholder=False)
        return env


def index_text(key: Any) -> str:
    return f"[{key}]" if isinstance(key, int) else f"[{json.dumps(key)}]"
