"""Loaders: one module per input format, each producing (part of) the world model.

``load_inputs(paths)`` reads every path, detects each one's format from its content, loads it,
merges everything into one World (several accounts and one organization), and resolves AWS
managed policies referenced by ARN from the packaged snapshot. New formats plug in with
:func:`register_format`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from iamsim.errors import InputError
from iamsim.ingest import gaad, organization, resources_file
from iamsim.ingest._io import InputFile, parse_text
from iamsim.ingest.detect import InputFormat, detect_format, formats, register_format
from iamsim.ingest.managed import aws_managed_policy, resolve_managed_policies
from iamsim.model import World, merge_worlds

register_format(
    InputFormat(
        name="gaad",
        description="aws iam get-account-authorization-details output",
        detect=gaad.detect,
        load=gaad.load,
    )
)
register_format(
    InputFormat(
        name="organization",
        description='organization tree ({"organization": {"id", "root", ...}})',
        detect=organization.detect_tree,
        load=organization.load_tree,
    )
)
register_format(
    InputFormat(
        name="organization-cli",
        description="assembled aws organizations CLI output (DescribeOrganization, Roots, ...)",
        detect=organization.detect_bundle,
        load=organization.load_bundle,
    )
)
register_format(
    InputFormat(
        name="resources",
        description='resources file ({"resources": [{"arn", "account", "policy", "tags"}]})',
        detect=resources_file.detect,
        load=resources_file.load,
    )
)


def load_input(path: Path | str) -> World:
    """Load one file or directory, whatever its (detected) format, without resolution."""
    file = InputFile(path)
    if not file.path.exists():
        raise InputError("no such file or directory", source=file.source)
    return detect_format(file).load(file)


def load_inputs(paths: Iterable[Path | str], *, resolve_managed: bool = True) -> World:
    """Load and merge every input into one World.

    ``resolve_managed`` fills AWS managed policies referenced by ARN (and absent from the
    inputs) from the packaged snapshot.
    """
    world = merge_worlds(load_input(p) for p in paths)
    return resolve_managed_policies(world) if resolve_managed else world


__all__ = [
    "InputFile",
    "InputFormat",
    "aws_managed_policy",
    "detect_format",
    "formats",
    "load_input",
    "load_inputs",
    "parse_text",
    "register_format",
    "resolve_managed_policies",
]
