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

from importlib import import_module
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
    "IacOptions": "iamsim.ingest.iac.options",
    "InputFile": "iamsim.ingest.files",
    "InputFormat": "iamsim.ingest.input_format",
    "ReadRefused": "iamsim.ingest.read_scope",
    "ReadScope": "iamsim.ingest.read_scope",
    "aws_managed_policy": "iamsim.model.managed",
    "detect_format": "iamsim.ingest.registry",
    "formats": "iamsim.ingest.registry",
    "load_input": "iamsim.ingest.loading",
    "load_inputs": "iamsim.ingest.loading",
    "parse_text": "iamsim.ingest.documents",
    "register_format": "iamsim.ingest.registry",
    "resolve_managed_policies": "iamsim.model.managed",
    "unregister_format": "iamsim.ingest.registry",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value  # found once; later look-ups are plain attributes
    return value


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
