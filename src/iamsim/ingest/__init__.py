"""Loaders: one module per input format, each producing (part of) the world model.

``load_inputs(paths)`` reads every path, detects each one's format from its content, loads it,
merges everything into one World (several accounts and one organization), and resolves AWS
managed policies referenced by ARN from the packaged snapshot (:mod:`iamsim.ingest.loading`).

The formats are listed in :mod:`iamsim.ingest.registry` (public front: :mod:`iamsim.formats`);
:func:`register_format` adds one.

The names below are imported on first use: a command that needs one module of the package
(``eval`` reads JSON Lines through :mod:`iamsim.ingest.fast_json` alone) does not import every
loader, the registry and the world model with it (start-up time).
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from iamsim.ingest.documents import parse_text
    from iamsim.ingest.files import InputFile
    from iamsim.ingest.iac.options import IacOptions
    from iamsim.ingest.input_format import InputFormat
    from iamsim.ingest.loading import load_input, load_inputs
    from iamsim.ingest.read_scope import ReadRefused, ReadScope
    from iamsim.ingest.registry import (
        detect_format,
        formats,
        register_format,
        unregister_format,
    )
    from iamsim.model.managed import aws_managed_policy, resolve_managed_policies

# Each public name and the module that defines it.
_HOMES = {
    "IacOptions": "iac.options",
    "InputFile": "files",
    "InputFormat": "input_format",
    "ReadRefused": "read_scope",
    "ReadScope": "read_scope",
    "aws_managed_policy": "managed",
    "detect_format": "registry",
    "formats": "registry",
    "load_input": "loading",
    "load_inputs": "loading",
    "parse_text": "documents",
    "register_format": "registry",
    "resolve_managed_policies": "managed",
    "unregister_format": "registry",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_module(home), name)
    globals()[name] = value  # found once; later look-ups are plain attributes
    return value


def _module(home: str) -> ModuleType:
    """The module ``home`` names, imported statically (no import by computed name)."""
    if home == "loading":
        from iamsim.ingest import loading

        return loading
    if home == "registry":
        from iamsim.ingest import registry

        return registry
    if home == "documents":
        from iamsim.ingest import documents

        return documents
    if home == "files":
        from iamsim.ingest import files

        return files
    if home == "read_scope":
        from iamsim.ingest import read_scope

        return read_scope
    if home == "input_format":
        from iamsim.ingest import input_format

        return input_format
    if home == "managed":
        from iamsim.model import managed

        return managed
    from iamsim.ingest.iac import options

    return options


__all__ = [
    "IacOptions",
    "InputFile",
    "InputFormat",
    "ReadRefused",
    "ReadScope",
    "aws_managed_policy",
    "detect_format",
    "formats",
    "load_input",
    "load_inputs",
    "parse_text",
    "register_format",
    "resolve_managed_policies",
    "unregister_format",
]
