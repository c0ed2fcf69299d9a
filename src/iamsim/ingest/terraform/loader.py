"""Terraform configurations (a directory of ``*.tf`` files, or one file) into the world model.

This module owns the entry points :func:`load_terraform_dir` and :func:`read_terraform_dir`,
the configuration loader (files, variables, ``terraform.tfvars``, module sources, imports,
providers) and the registration of the Terraform input formats (configurations and plan JSON).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from lark import Token, Tree

from iamsim.errors import InputError
from iamsim.ingest.documents import load_json
from iamsim.ingest.files import InputFile, read_text
from iamsim.ingest.iac.placeholders import (
    PLACEHOLDER_ACCOUNT,
    PLACEHOLDER_REGION,
    Env,
    partition_of_region,
    placeholder_account_id,
)
from iamsim.ingest.iac.unknown import Unknown, Warnings, find_unknown
from iamsim.ingest.read_scope import ReadScope
from iamsim.ingest.terraform.budget import BUDGET, Budget, LimitError
from iamsim.ingest.terraform.context import META_ARGUMENTS, Ctx
from iamsim.ingest.terraform.detection import FORMATS, detect, tf_files
from iamsim.ingest.terraform.evaluator import Evaluator
from iamsim.ingest.terraform.instances import Instance
from iamsim.ingest.terraform.modules import ModuleInstance, Provider, index_text
from iamsim.ingest.terraform.resources import TfResource, build_world
from iamsim.ingest.terraform.syntax import (
    Block,
    block_body,
    children,
    line_of,
    parse_file,
    parse_hcl_text,
    traversal,
)
from iamsim.ingest.terraform.values import Namespace, parse_type, plain, to_str
from iamsim.model import World
from iamsim.vocabulary.arn import is_account_id

__all__ = ["FORMATS", "detect", "load", "load_terraform_dir", "read_terraform_dir"]

# Detection and the format entries live in .detection (no lark), re-exported here.


def load(file: InputFile) -> World:
    """The format registry's entry point (see :func:`load_terraform_dir`)."""
    return load_terraform_dir(file.path, source=file.source, scope=file.scope)


# -- the loader ---------------------------------------------------------------------------------------


class ConfigLoader:
    def __init__(
        self,
        root: Path,
        source: str,
        warnings: Warnings,
        *,
        account: str | None,
        region: str | None,
        partition: str | None,
        variables: Mapping[str, Any],
        var_files: Sequence[str | os.PathLike[str]],
        scope: ReadScope | None = None,
        accounts: Mapping[str, str] | None = None,
    ) -> None:
        self.root_path = root
        self.root_dir = root if root.is_dir() else root.parent
        self.source = source
        self.warnings = warnings
        self.account, self.region, self.partition = account, region, partition
        # provider alias ("aws.ALIAS", or "ALIAS" for the aws provider) -> account, for
        # providers whose block does not name one (the user's --account ALIAS=ID)
        self.alias_accounts = dict(accounts or {})
        self.evaluator = Evaluator(self)
        self.variable_values: dict[str, Any] = {}
        self.modules: list[ModuleInstance] = []
        self.imports: dict[str, Any] = {}
        self.workspace_noted = False
        # address -> the placeholder unique_id that an expression of the input read
        self.unique_ids: dict[str, str] = {}
        self._var_files = list(var_files)
        # What the configuration may read (file(), templatefile(), module sources...): the
        # root module's tree and --allow-read paths; var files were named by the caller.
        self.scope = (scope or ReadScope.for_input(root)).widened(self._var_files)
        self._variables = dict(variables)
        self._modules_json: dict[str, str] | None = None
        self._parsed: dict[tuple[Path, Path | None], list[Block]] = {}

    # -- files

    def label(self, path: Path) -> str:
        """How a file is named in messages: relative to the input as given."""
        try:
            rel = path.relative_to(self.root_dir)
        except ValueError:
            return str(path)
        base = self.source if self.root_path.is_dir() else str(Path(self.source).parent)
        return str(Path(base) / rel)

    def read_dir(self, directory: Path, only: Path | None = None) -> list[Block]:
        """The blocks of a module folder (or of the one file ``only``), parsed once per load:
        a module called from many places (or with count/for_each) shares them, since
        parsing dominates the load time and blocks are never changed after parsing."""
        key = (directory, only)
        cached = self._parsed.get(key)
        if cached is None:
            cached = self._parsed[key] = self._read_dir(directory, only)
        return cached

    def _read_dir(self, directory: Path, only: Path | None) -> list[Block]:
        files = [only] if only is not None else tf_files(directory)
        blocks: list[Block] = []
        if only is None:
            for extra in sorted(directory.glob("*.tf.json")):
                self.warnings.add(
                    self.label(extra),
                    "",
                    "Terraform JSON syntax (.tf.json) is not supported; this file is ignored",
                )
        for path in files:
            if path.name == "override.tf" or path.name.endswith("_override.tf"):
                self.warnings.add(
                    self.label(path),
                    "",
                    "override files are not merged into the configuration; this file is ignored",
                )
                continue
            blocks.extend(parse_file(path, self.label(path), self.scope))
        return blocks

    def read_tfvars(self, path: Path) -> dict[str, Any]:
        label = self.label(path)
        text = read_text(path, label, self.scope)
        return self.tfvars_values(text, label, path)

    def tfvars_values(self, text: str, label: str, path: Path) -> dict[str, Any]:
        """The assignments of tfvars text ``text`` (JSON when ``path`` ends in ``.json``)."""
        if path.name.endswith(".json"):
            try:
                data = load_json(text)
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"invalid JSON: {exc.msg}",
                    path=f"line {exc.lineno}, column {exc.colno}",
                    source=label,
                ) from None
            except InputError as exc:
                raise exc.located(source=label) from None
            if not isinstance(data, dict):
                raise InputError("a .tfvars.json file holds an object", source=label)
            return data
        tree = parse_hcl_text(text, label)
        body = next(c for c in tree.children if isinstance(c, Tree) and c.data == "body")
        attrs, blocks = block_body(body, label, path.parent)
        if blocks:
            raise InputError(
                "a .tfvars file holds only assignments", path=f"line {blocks[0].line}", source=label
            )
        values: dict[str, Any] = {}
        empty = ModuleInstance(self, path.parent, [], "", {}, {}, "")
        for name, expr in attrs.items():
            value = plain(self.evaluator.ev(expr, Ctx(empty, {}, label)))
            if find_unknown(value) is not None:
                raise InputError(
                    f"{name}: a .tfvars value must be a constant",
                    path=f"line {line_of(expr)}",
                    source=label,
                )
            values[name] = value
        return values

    def collect_variables(self, blocks: Sequence[Block] = ()) -> None:
        # Terraform's precedence: terraform.tfvars, then *.auto.tfvars in lexical order, then
        # explicit var files, then values given directly.
        files: list[Path] = []
        for name in ("terraform.tfvars", "terraform.tfvars.json"):
            if (self.root_dir / name).is_file():
                files.append(self.root_dir / name)
        files.extend(self.scope.files(self.root_dir, "*.auto.tfvars"))
        files.extend(self.scope.files(self.root_dir, "*.auto.tfvars.json"))
        files.extend(Path(f) for f in self._var_files)
        for path in files:
            self.variable_values.update(self.read_tfvars(path))
        self.variable_values.update(
            {name: self._command_line_value(name, v, blocks) for name, v in self._variables.items()}
        )

    def _command_line_value(self, name: str, value: Any, blocks: Sequence[Block]) -> Any:
        """A ``--var NAME=VALUE`` value as Terraform reads ``-var``: literal text for a
        variable of a primitive type (or none), an HCL expression for any other type
        (``--var 'ous={prod = "ou-1"}'``), which must be a constant.
        https://developer.hashicorp.com/terraform/language/values/variables#variables-on-the-command-line
        """
        if not isinstance(value, str):
            return value  # given from Python already typed
        block = next((b for b in blocks if b.type == "variable" and b.labels == [name]), None)
        type_tree = block.attrs.get("type") if block is not None else None
        if type_tree is None:
            return value
        kind = parse_type(type_tree, lambda tree: None)
        if kind is not None and kind.kind in ("string", "number", "bool"):
            return value
        label = f"--var {name}"
        values = self.tfvars_values(f"{name} = {value}\n", label, self.root_dir / "cli.tfvars")
        return values[name]

    def collect_imports(self, root: ModuleInstance, blocks: list[Block]) -> None:
        """``import { to = ADDRESS, id = ID }`` blocks of the root module: the real ID of a
        resource that already exists (an organization account, a KMS key), used instead of a
        placeholder."""
        for block in blocks:
            if block.type != "import":
                continue
            target = traversal(block.attrs["to"]) if "to" in block.attrs else None
            if target is None or "for_each" in block.attrs or "id" not in block.attrs:
                self.warnings.add(
                    block.where,
                    "import",
                    "only import blocks with a literal `to` "
                    "address, an `id` and no for_each are read; this one is ignored",
                )
                continue
            value = plain(self.evaluator.ev(block.attrs["id"], root.ctx(block)))
            if isinstance(value, Unknown):
                self.warnings.add(
                    block.where, target, f"the imported ID is unknown ({value.reason})"
                )
                continue
            self.imports[target] = to_str(value)

    # -- environments

    def default_env(self, region: str | None) -> Env:
        account = self.account
        region = region or self.region
        return Env(
            account=account or PLACEHOLDER_ACCOUNT,
            partition=self.partition or partition_of_region(region),
            region=region or PLACEHOLDER_REGION,
            account_is_placeholder=account is None,
            region_is_placeholder=region is None,
        )

    def provider_env(self, provider: Provider) -> Env:
        block = provider.block
        if block is None:
            return self.default_env(None)
        ctx = provider.module.ctx(block)
        ev = self.evaluator

        def text(tree: Tree[Token] | None, what: str) -> str | None:
            if tree is None:
                return None
            value = plain(ev.ev(tree, ctx))
            if isinstance(value, Unknown):
                self.warnings.add(
                    block.where,
                    f"provider.{block.labels[0]}",
                    f"{what} is unknown ({value.reason})",
                )
                return None
            return value if isinstance(value, str) else None

        region = text(block.attrs.get("region"), "region") or self.region
        account = None
        allowed = block.attrs.get("allowed_account_ids")
        if allowed is not None:
            ids = plain(ev.ev(allowed, ctx))
            if isinstance(ids, list) and len(ids) == 1 and is_account_id(str(ids[0])):
                account = str(ids[0])
        for sub in block.blocks:
            if sub.type == "assume_role" and account is None:
                role_arn = text(sub.attrs.get("role_arn"), "assume_role.role_arn")
                if role_arn and role_arn.count(":") >= 5 and is_account_id(role_arn.split(":")[4]):
                    account = role_arn.split(":")[4]
        tags: dict[str, Any] = {}
        for sub in block.blocks:
            if sub.type == "default_tags" and "tags" in sub.attrs:
                value = plain(ev.ev(sub.attrs["tags"], ctx))
                if isinstance(value, dict):
                    tags = value
        account = account or self._alias_account(provider) or self.module_account(provider)
        placeholder = PLACEHOLDER_ACCOUNT
        if account is None and self._own_credentials(block):
            # An aliased provider with credentials of its own (assume_role, a profile, allowed
            # account IDs) whose account is not known: most often another account. Its
            # resources get a placeholder account of their own, so the same role name under two
            # aliases is two roles, and requests between them are cross-account (stricter than
            # same-account, never wider). An alias that only changes the region keeps the
            # default account: Terraform uses the same credentials.
            name = self._provider_name(provider)
            placeholder = placeholder_account_id(f"provider:{name}")
            self.warnings.add(
                block.where,
                f"provider.{name}",
                f"the account of this provider is not known; the placeholder account "
                f"{placeholder} stands for it (set it with --account "
                f"{name.removeprefix('aws.')}=ID)",
            )
        else:
            account = account or self.account
        return Env(
            account=account or placeholder,
            partition=self.partition or partition_of_region(region),
            region=region or PLACEHOLDER_REGION,
            default_tags=tags,
            account_is_placeholder=account is None and placeholder == PLACEHOLDER_ACCOUNT,
            region_is_placeholder=region is None,
        )

    def _provider_name(self, provider: Provider) -> str:
        """``aws.ALIAS``, prefixed by the module path of a provider a child module defines."""
        block = provider.block
        assert block is not None
        alias = plain(self.evaluator.ev(block.attrs["alias"], provider.module.ctx(block)))
        return f"{provider.module.prefix}{block.labels[0]}.{alias}"

    def _own_credentials(self, block: Block) -> bool:
        """Whether an aliased provider block says anything about whose credentials it uses."""
        if "alias" not in block.attrs:
            return False
        return any(name in block.attrs for name in _CREDENTIAL_ARGUMENTS) or any(
            sub.type in ("assume_role", "assume_role_with_web_identity") for sub in block.blocks
        )

    def module_account(self, provider: Provider) -> str | None:
        """The account given with ``--account module.PATH=ID`` for the module (or the closest
        enclosing module) that defines or inherits this provider configuration, when the
        provider block itself does not say."""
        if not self.alias_accounts:
            return None
        return self.account_of_module(provider.module.prefix)

    def account_of_module(self, prefix: str) -> str | None:
        """The ``--account module.PATH=ID`` account for a module prefix (``module.a.``,
        ``module.a["k"].module.b.``): the longest given path that encloses it; instance keys
        may be left out (``module.a`` covers ``module.a["k"]``)."""
        path = prefix.rstrip(".")
        while path:
            if path in self.alias_accounts:
                return self.alias_accounts[path]
            bare = _without_keys(path)
            if bare != path and bare in self.alias_accounts:
                return self.alias_accounts[bare]
            path = path.rsplit(".module.", 1)[0] if ".module." in path else ""
        return None

    def _alias_account(self, provider: Provider) -> str | None:
        """The account the user gave for this provider's alias (``aws.ALIAS`` or ``ALIAS``)."""
        block = provider.block
        if block is None or not self.alias_accounts or "alias" not in block.attrs:
            return None
        alias = plain(self.evaluator.ev(block.attrs["alias"], provider.module.ctx(block)))
        if not isinstance(alias, str):
            return None
        full = f"{block.labels[0]}.{alias}"
        if full in self.alias_accounts:
            return self.alias_accounts[full]
        return self.alias_accounts.get(alias) if block.labels[0] == "aws" else None

    # -- modules

    def modules_json(self) -> dict[str, str]:
        """``.terraform/modules/modules.json`` (written by ``terraform init``/``get``): module
        key (``vpc``, ``vpc.subnets``) -> the folder holding its downloaded copy, relative to
        the root module. A manifest that cannot be read is a note: its modules stay unloaded."""
        if self._modules_json is None:
            self._modules_json = {}
            manifest = self.root_dir / ".terraform" / "modules" / "modules.json"
            if manifest.is_file():
                label = self.label(manifest)
                try:
                    data = load_json(read_text(manifest, label, self.scope))
                    entries = data.get("Modules", []) if isinstance(data, dict) else None
                    if not isinstance(entries, list):
                        raise InputError("it has no Modules list", source=label)
                    for entry in entries:
                        if not isinstance(entry, dict):
                            continue
                        key, folder = entry.get("Key"), entry.get("Dir")
                        if isinstance(key, str) and key and isinstance(folder, str) and folder:
                            self._modules_json[key] = folder
                except (OSError, json.JSONDecodeError, InputError) as exc:
                    reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
                    self.warnings.add(
                        label,
                        "",
                        f"the module manifest cannot be read ({reason}); downloaded modules "
                        "are not loaded (run `terraform init` again)",
                    )
        return self._modules_json

    def module_call(self, parent: ModuleInstance, name: str, block: Block) -> Any:
        ctx = parent.ctx(block)
        source_value = (
            plain(self.evaluator.ev(block.attrs["source"], ctx))
            if "source" in block.attrs
            else None
        )
        address = f"{parent.prefix}module.{name}"
        if not isinstance(source_value, str):
            raise InputError(
                "a module block needs a source string", path=f"line {block.line}", source=block.file
            )
        key_path = f"{parent.key_path}.{name}" if parent.key_path else name
        if source_value.startswith(("./", "../")):
            directory = (parent.dir / source_value).resolve()
        elif key_path in self.modules_json():
            directory = (self.root_dir / self.modules_json()[key_path]).resolve()
        else:
            directory = None
        if directory is not None and not self.scope.allows(directory):
            # A module outside the root module's tree (``../shared``, or a manifest entry
            # pointing anywhere) is not read: its resources stay unknown, said in a note.
            self.warnings.add(
                block.where,
                address,
                f"module source {source_value!r} is outside the input; the module is not "
                "loaded (pass --allow-read PATH to allow it)",
            )
            return Unknown(f"{block.where}: {address} ({source_value}) is outside the input")
        if directory is None:
            self.warnings.add(
                block.where,
                address,
                f"module source {source_value!r} is not a local path and is not "
                "downloaded (no entry in .terraform/modules/modules.json); the module is not "
                "loaded (run `terraform init` or `terraform get` in the root module first)",
            )
            return Unknown(f"{block.where}: {address} ({source_value}) is not loaded")
        if not directory.is_dir():
            raise InputError(
                f"module directory {source_value!r} does not exist",
                path=f"line {block.line}",
                source=block.file,
            )
        ancestor: ModuleInstance | None = parent
        while ancestor is not None:
            # A module that (directly or through others) calls itself would be expanded
            # forever; Terraform refuses it too.
            if ancestor.dir.resolve() == directory:
                caller = ancestor.prefix.rstrip(".") or "the root module"
                raise InputError(
                    f"module recursion: {address} loads {source_value!r}, which is the "
                    f"directory of {caller}",
                    path=f"line {block.line}",
                    source=block.file,
                )
            ancestor = ancestor.parent
        blocks = self.read_dir(directory)
        providers = {k: v for k, v in parent.providers.items() if k == "aws" or "." not in k}
        if "providers" in block.attrs:
            mapping = block.attrs["providers"]
            for elem in children(children(mapping)[0]) if mapping.data == "expr_term" else []:
                key_tree, value_tree = children(elem)
                child_key = traversal(children(key_tree)[0]) or ""
                parent_key = traversal(value_tree) or ""
                if parent_key in parent.providers:
                    providers[child_key] = parent.providers[parent_key]
        expansion = parent.expand(block)
        if isinstance(expansion, Unknown):
            self.warnings.add(
                block.where,
                address,
                f"count/for_each is unknown ({expansion.reason}); the module is not loaded",
            )
            return expansion
        keys: list[tuple[Any, dict[str, Any]]] = [(None, {})] if expansion is None else expansion[1]
        instances: dict[Any, ModuleInstance] = {}
        for key, scope in keys:
            prefix = f"{address}{'' if key is None else index_text(key)}."

            def thunk(expr: Tree[Token], scope: dict[str, Any] = scope) -> Callable[[], Any]:
                return lambda: plain(self.evaluator.ev(expr, parent.ctx(block, scope)))

            inputs = {k: thunk(v) for k, v in block.attrs.items() if k not in META_ARGUMENTS}
            child = ModuleInstance(
                self, directory, blocks, prefix, inputs, providers, key_path, parent
            )
            for k in inputs:
                if k not in child.variables:
                    raise InputError(
                        f"module {name!r} has no variable {k!r}",
                        path=f"line {block.line}",
                        source=block.file,
                    )
            self.modules.append(child)
            instances[key] = child
        outputs = {k: Namespace(f"module.{name}", m.output) for k, m in instances.items()}
        if expansion is None:
            return outputs[None]
        return list(outputs.values()) if expansion[0] == "count" else outputs


_CREDENTIAL_ARGUMENTS = (
    "allowed_account_ids",
    "forbidden_account_ids",
    "profile",
    "access_key",
    "shared_credentials_files",
    "shared_config_files",
    "token",
)


def _without_keys(path: str) -> str:
    """A module path without instance keys: ``module.a["k"].module.b`` -> ``module.a.module.b``."""
    out, depth = [], 0
    for char in path:
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif depth == 0:
            out.append(char)
    return "".join(out)


# -- entry points -----------------------------------------------------------------------------------


def _instances(module: ModuleInstance, warnings: Warnings) -> Iterator[tuple[Instance, str | None]]:
    """The instances of the module's resources, each with None, or, for a managed resource
    whose count/for_each is unknown, one stand-in instance (``count.index``/``each``
    unknown) and the reason: it may or may not exist (see ``_Mapper.uncertain``)."""
    for (mode, rtype, name), block in module.blocks.items():
        value = module.resource(mode, rtype, name)
        label = f"{module.prefix}{'data.' if mode == 'data' else ''}{rtype}.{name}"
        if isinstance(value, Unknown):
            warnings.add(
                block.where,
                label,
                f"count/for_each is unknown ({value.reason}); no instance of it is modeled",
            )
            if mode == "managed":
                unknown = Unknown(f"{block.where}: the count/for_each of {label} is unknown")
                scope: dict[str, Any] = (
                    {"count": {"index": unknown}}
                    if "count" in block.attrs
                    else {"each": {"key": unknown, "value": unknown}}
                )
                yield Instance(module, block, mode, label, scope), value.reason
            continue
        if isinstance(value, Instance):
            yield value, None
        elif isinstance(value, list):
            yield from ((inst, None) for inst in value)
        else:
            yield from ((inst, None) for inst in value.values())


def read_terraform_dir(
    path: str | os.PathLike[str],
    *,
    account: str | None = None,
    region: str | None = None,
    partition: str | None = None,
    variables: Mapping[str, Any] | None = None,
    var_files: Sequence[str | os.PathLike[str]] = (),
    source: str | None = None,
    scope: ReadScope | None = None,
    accounts: Mapping[str, str] | None = None,
) -> tuple[World, Warnings]:
    """Load a configuration and also return the structured warnings (also in ``World.notes``).

    ``scope`` is what the configuration may read (default: the root module's folder, see
    :mod:`iamsim.ingest.read_scope`)."""
    label = source if source is not None else str(path)
    token = BUDGET.set(Budget())
    try:
        return _read_terraform_dir(
            path,
            label,
            account=account,
            region=region,
            partition=partition,
            variables=variables,
            var_files=var_files,
            scope=scope,
            accounts=accounts,
        )
    except LimitError as exc:  # raised outside any located expression
        raise InputError(str(exc), source=label) from None
    finally:
        BUDGET.reset(token)


def _read_terraform_dir(
    path: str | os.PathLike[str],
    label: str,
    *,
    account: str | None,
    region: str | None,
    partition: str | None,
    variables: Mapping[str, Any] | None,
    var_files: Sequence[str | os.PathLike[str]],
    scope: ReadScope | None,
    accounts: Mapping[str, str] | None = None,
) -> tuple[World, Warnings]:
    root = Path(path)
    if not root.exists():
        raise InputError("no such file or directory", source=label)
    if root.is_dir() and not tf_files(root):
        raise InputError("the directory holds no .tf files", source=label)
    if account is not None and not is_account_id(account):
        raise InputError(f"account must be a 12-digit account ID, not {account!r}", source=label)
    warnings = Warnings()
    loader = ConfigLoader(
        root,
        label,
        warnings,
        account=account,
        region=region,
        partition=partition,
        variables=variables or {},
        var_files=var_files,
        scope=scope,
        accounts=accounts,
    )
    blocks = loader.read_dir(
        root if root.is_dir() else root.parent, None if root.is_dir() else root
    )
    loader.collect_variables(blocks)
    root_module = ModuleInstance(loader, loader.root_dir, blocks, "", {}, {}, "")
    loader.modules.append(root_module)
    loader.collect_imports(root_module, blocks)
    # Load every module call (recursively), so their resources are collected.
    pending = [root_module]
    while pending:
        module = pending.pop(0)
        for call_name in module.calls:
            before = len(loader.modules)
            module.call(call_name)
            pending.extend(loader.modules[before:])
    evaluated: list[tuple[Instance, dict[str, Any], str | None]] = []
    random_used = False
    for module in loader.modules:
        for inst, uncertain in _instances(module, warnings):
            if inst.rtype.startswith("random_"):
                random_used = True
            evaluated.append((inst, inst.values(), uncertain))
    resources: list[TfResource] = []
    for inst, values, uncertain in evaluated:
        # Every expression is evaluated by now: a principal whose unique_id was read gets it
        # as its ID (see Instance._note_unique_id).
        unique_id = loader.unique_ids.get(inst.address) if uncertain is None else None
        if unique_id is not None and "unique_id" not in values:
            values = {**values, "unique_id": unique_id}
        resources.append(
            TfResource(
                address=inst.address,
                type=inst.rtype,
                name=inst.block.labels[1],
                values=values,
                env=inst.env,
                source=inst.block.where,
                mode=inst.mode,
                uncertain=uncertain,
            )
        )
    notes: list[str] = []
    if any(r.env.account_is_placeholder for r in resources if r.mode == "managed"):
        notes.append(
            f"{label}: the configuration does not say which account it deploys to; the "
            f"placeholder account {PLACEHOLDER_ACCOUNT} is used (set it with --default-account ID, "
            "or --account ALIAS=ID for an aliased provider; account=... in Python)"
        )
    if any(r.env.region_is_placeholder for r in resources if r.mode == "managed"):
        notes.append(
            f"{label}: no provider region is configured; the placeholder region "
            f"{PLACEHOLDER_REGION} is used in regional ARNs (set it with --default-region REGION; region=... in Python)"
        )
    if random_used:
        notes.append(
            f"{label}: values of the random provider are chosen at apply time; stable "
            "placeholders stand in for them"
        )
    world = build_world(resources, warnings, label=label, notes=notes)
    return world, warnings


def load_terraform_dir(
    path: str | os.PathLike[str],
    *,
    account: str | None = None,
    region: str | None = None,
    partition: str | None = None,
    variables: Mapping[str, Any] | None = None,
    var_files: Sequence[str | os.PathLike[str]] = (),
    source: str | None = None,
    scope: ReadScope | None = None,
    accounts: Mapping[str, str] | None = None,
) -> World:
    """The world a Terraform configuration (a directory of ``.tf`` files, or one ``.tf`` file)
    would create.

    ``variables`` and ``var_files`` give root-module variables (after ``terraform.tfvars`` and
    ``*.auto.tfvars``, which are read as Terraform reads them). ``account``/``region``/
    ``partition`` apply to resources whose provider configuration does not say; ``accounts``
    maps a provider alias (``aws.ALIAS`` or ``ALIAS``) to the account of the resources that
    provider creates when its block does not say. Unresolvable
    parts are left out and reported in ``World.notes``; malformed HCL raises
    :class:`~iamsim.errors.InputError` naming the file, line and column.
    """
    world, _ = read_terraform_dir(
        path,
        account=account,
        region=region,
        partition=partition,
        variables=variables,
        var_files=var_files,
        source=source,
        scope=scope,
        accounts=accounts,
    )
    return world
