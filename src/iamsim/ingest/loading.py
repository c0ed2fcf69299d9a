"""Loading inputs: one file or folder in any registered format, or several merged into one
World with AWS managed policies resolved (:func:`load_input`, :func:`load_inputs`; the front is
:mod:`iamsim.ingest`)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from iamsim.errors import InputError
from iamsim.ingest.files import InputFile
from iamsim.ingest.read_scope import ReadRefused, ReadScope
from iamsim.ingest.registry import detect_format, formats
from iamsim.model import World, merge_worlds
from iamsim.model.managed import resolve_managed_policies

if TYPE_CHECKING:
    from iamsim.ingest.iac.options import IacOptions

# Files a directory of inputs contributes when no format reads the directory as a whole.
_INPUT_SUFFIXES = (".json", ".yaml", ".yml")


def load_input(
    path: Path | str,
    *,
    allow_read: Iterable[Path | str] = (),
    scope: ReadScope | None = None,
    options: IacOptions | None = None,
) -> World:
    """Load one file or directory, whatever its (detected) format, without resolution.

    A directory that no format reads as a whole (a Terraform configuration is one) stands for
    the JSON and YAML files directly inside it, each of which must be a recognised input.
    What the input may read besides itself is its folder and ``allow_read`` (see
    :mod:`iamsim.ingest.read_scope`); ``scope`` is that, already built (a directory's members
    share the directory's). ``options`` go to Terraform configurations and CloudFormation
    templates (see :class:`~iamsim.ingest.iac.options.IacOptions`).
    """
    source = str(path)
    if not os.path.lexists(path):
        raise InputError("no such file or directory", source=source)
    # Only regular files and folders are inputs: /dev/zero or a FIFO would be read forever.
    if not ReadScope.is_input_path(path):
        raise ReadRefused(
            "not a regular file or directory (a device, FIFO, socket or system pseudo-file "
            "cannot be an input)",
            source=source,
        )
    if scope is None:
        scope = ReadScope.for_input(path, allow_read)
    else:
        scope.resolve(path, "this member of the folder", source)
    file = InputFile(path, scope=scope)
    if file.is_dir and not any(f.detect(file) for f in formats()):
        members = [
            p
            for p in scope.files(file.path, "*")
            if p.suffix.lower() in _INPUT_SUFFIXES and not p.name.startswith(".")
        ]
        if members:
            return merge_worlds(
                load_input(member, scope=scope, options=options) for member in members
            )
    fmt = detect_format(file)
    if options is not None and not options.empty:
        # Imported here: the HCL parser and the template machinery only for those inputs.
        from iamsim.ingest.cloudformation.loader import load_cloudformation
        from iamsim.ingest.terraform.loader import load_terraform_dir
        from iamsim.ingest.terraform.plan import load_terraform_plan

        if fmt.name == "terraform":
            return load_terraform_dir(
                file.path,
                variables=options.variables,
                var_files=options.var_files,
                account=options.default_account,
                region=options.default_region,
                accounts=options.accounts,
                source=file.source,
                scope=file.scope,
            )
        if fmt.name == "terraform-plan":
            # A plan that does not say its account or region (no caller identity read, no
            # provider region) deploys there.
            return load_terraform_plan(
                file.path,
                account=options.default_account,
                region=options.default_region,
                source=file.source,
            )
        if fmt.name == "cloudformation":
            return load_cloudformation(
                file.path,
                parameters=options.parameters,
                account=options.default_account,
                region=options.default_region,
                source=file.source,
            )
    return fmt.load(file)


def load_inputs(
    paths: Iterable[Path | str],
    *,
    resolve_managed: bool = True,
    allow_read: Iterable[Path | str] = (),
    options: IacOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> World:
    """Load and merge every input into one World.

    ``resolve_managed`` fills AWS managed policies referenced by ARN (and absent from the
    inputs) from the packaged snapshot. Each input reads only inside its own folder and
    ``allow_read`` (see :mod:`iamsim.ingest.read_scope`). ``options`` are the values given
    to Terraform configurations and CloudFormation templates (``--var``, ``--param``,
    ``--default-account``, ...). ``progress`` hears ``(inputs loaded, inputs in all)``
    before the first input and after each (the command line draws it as a bar).
    """
    extra = list(allow_read)
    listed = list(paths)
    worlds = []
    for done, path in enumerate(listed):
        if progress is not None:
            progress(done, len(listed))
        worlds.append(load_input(path, allow_read=extra, options=options))
    if progress is not None:
        progress(len(listed), len(listed))
    world = merge_worlds(worlds)
    if len(worlds) > 1:
        world = _note_shared_placeholder(world, worlds)
    return resolve_managed_policies(world) if resolve_managed else world


def _note_shared_placeholder(world: World, worlds: list[World]) -> World:
    # Imported here: only a merge of several inputs can share the placeholder account, and
    # the module (hashlib, uuid) is not needed by a single-input command (start-up time).
    from iamsim.ingest.iac.placeholders import PLACEHOLDER_ACCOUNT

    sharing = [w for w in worlds if PLACEHOLDER_ACCOUNT in w.accounts]
    if len(sharing) > 1:
        # Each input without a known account falls back to the same placeholder: their
        # principals and resources are answered as if in one account, which may hide that a
        # request crosses accounts (and so needs the resource's policy too).
        note = (
            f"{len(sharing)} inputs have no known account and share the placeholder account "
            f"{PLACEHOLDER_ACCOUNT}: requests between them are answered as same-account; "
            "declare each account (Terraform allowed_account_ids, or --default-account ID / "
            "account=...) if they differ"
        )
        world = dataclasses.replace(world, notes=(*world.notes, note))
    return world
