"""The registry of input formats, and detecting a file's format from its content.

The built-in formats are listed here explicitly (:data:`BUILTIN_FORMATS`, each format module's
``FORMATS``; Terraform's and CloudFormation's come from their small ``detection`` modules, which
import the heavy loaders only when the format claims a file, and so do the organization formats'
from :mod:`iamsim.ingest.organization_detection`); a library user adds one with
:func:`register_format` (through the public front :mod:`iamsim.formats`). Exactly one format must claim an input: two claiming the same content
is an error, as is none.
"""

from __future__ import annotations

import os
from pathlib import Path

from iamsim.errors import InputError
from iamsim.ingest import (
    gaad,
    org_folder,
    resources_file,
)
from iamsim.ingest import organization_detection as organization
from iamsim.ingest.cloudformation import detection as cloudformation
from iamsim.ingest.files import InputFile
from iamsim.ingest.input_format import InputFormat
from iamsim.ingest.terraform import detection as terraform

__all__ = [
    "BUILTIN_FORMATS",
    "InputFormat",
    "detect_format",
    "formats",
    "register_format",
    "unregister_format",
]

# Every format iamsim reads out of the box (detection order is by priority, then name).
BUILTIN_FORMATS: tuple[InputFormat, ...] = (
    *gaad.FORMATS,
    *organization.FORMATS,
    *org_folder.FORMATS,
    *resources_file.FORMATS,
    *terraform.FORMATS,
    *cloudformation.FORMATS,
)

_FORMATS: dict[str, InputFormat] = {f.name: f for f in BUILTIN_FORMATS}


def register_format(fmt: InputFormat, *, replace: bool = False) -> None:
    """Add an input format (``replace`` to override one with the same name, built-ins too)."""
    if fmt.name in _FORMATS and not replace:
        raise ValueError(f"input format {fmt.name!r} is already registered")
    _FORMATS[fmt.name] = fmt


def unregister_format(name: str) -> InputFormat:
    """Remove the format ``name`` (KeyError when there is none) and return it."""
    return _FORMATS.pop(name)


def formats() -> list[InputFormat]:
    """Registered formats in the order detection asks them."""
    return sorted(_FORMATS.values(), key=lambda f: (f.priority, f.name))


def detect_format(file: InputFile | str | os.PathLike[str]) -> InputFormat:
    """The format of ``file`` (an :class:`InputFile`, or a path), decided from its content.

    Raises InputError when no format (or more than one) claims the file; for a file that is
    neither JSON nor YAML and claimed by nobody, the parse error is the most useful message.
    """
    if not isinstance(file, InputFile):
        file = InputFile(Path(file))
    claimed = [f for f in formats() if f.detect(file)]
    if len(claimed) == 1:
        return claimed[0]
    if claimed:
        names = ", ".join(f.name for f in claimed)
        raise InputError(f"the content matches several input formats ({names})", source=file.source)
    if not file.is_dir and file.document_error is not None:
        raise file.document_error
    known = "; ".join(f"{f.name}: {f.description}" for f in formats())
    what = "directory" if file.is_dir else "file"
    raise InputError(
        f"this {what} is not a recognised input (expected one of — {known})", source=file.source
    )
