"""Recognising AWS Organizations descriptions, and their entries in the format registry,
without the loaders.

Owns :func:`detect_tree` (our tree format), :func:`detect_bundle` (assembled ``aws
organizations`` CLI output) and :data:`FORMATS`. Every command that reads an input asks each
format whether it claims the file, and a GAAD export should not pay for loading (or compiling)
the organization loaders to hear "no": :mod:`iamsim.ingest.organization` is imported the first
time one of these formats claims a file.
"""

from __future__ import annotations

from collections.abc import Mapping

from iamsim.ingest.files import InputFile
from iamsim.ingest.input_format import InputFormat
from iamsim.model import World

__all__ = ["FORMATS", "detect_bundle", "detect_tree"]


def detect_tree(file: InputFile) -> bool:
    doc = file.document
    return (
        isinstance(doc, Mapping)
        and isinstance(doc.get("organization"), Mapping)
        and "root" in doc["organization"]
    )


def detect_bundle(file: InputFile) -> bool:
    doc = file.document
    return isinstance(doc, Mapping) and "DescribeOrganization" in doc and "Roots" in doc


def _load_tree(file: InputFile) -> World:
    from iamsim.ingest.organization import load_tree  # only when claimed

    return load_tree(file)


def _load_bundle(file: InputFile) -> World:
    from iamsim.ingest.organization import load_bundle  # only when claimed

    return load_bundle(file)


# The organization input formats: our tree and the CLI bundle.
FORMATS = (
    InputFormat(
        name="organization",
        description='organization tree ({"organization": {"id", "root", ...}})',
        detect=detect_tree,
        load=_load_tree,
    ),
    InputFormat(
        name="organization-cli",
        description="assembled aws organizations CLI output (DescribeOrganization, Roots, ...)",
        detect=detect_bundle,
        load=_load_bundle,
    ),
)
