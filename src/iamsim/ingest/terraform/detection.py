"""Recognising Terraform inputs, and their entries in the format registry, without the loaders.

Owns :func:`detect` (a configuration: a directory of ``*.tf`` files, or one ``.tf`` file),
:func:`detect_plan` / :func:`looks_like_plan` (plan or state JSON) and :data:`FORMATS`. It
imports neither the HCL parser (lark) nor the evaluator: every ``iamsim`` command that reads an
input asks each format whether it claims the file, and a GAAD export should not pay for
loading Terraform's machinery to hear "no". A format's loader module is imported the first time
the format claims a file (:func:`_load_config`, :func:`_load_plan`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from iamsim.errors import InputError
from iamsim.ingest.documents import load_json
from iamsim.ingest.files import InputFile, text_to_detect
from iamsim.ingest.input_format import InputFormat
from iamsim.model import World

__all__ = ["FORMATS", "detect", "detect_plan", "looks_like_plan", "tf_files"]

_STATE_KEYS = ("planned_values", "resource_changes")


def tf_files(directory: Path) -> list[Path]:
    """The ``*.tf`` files directly inside ``directory``, sorted."""
    return sorted(p for p in directory.glob("*.tf") if p.is_file())


def detect(source: InputFile | str | os.PathLike[str]) -> bool:
    """True for a directory holding ``*.tf`` files, or a single ``.tf`` file.

    ``source`` is an :class:`~iamsim.ingest.InputFile` (as the format registry passes it) or a
    path.
    """
    path = source.path if isinstance(source, InputFile) else Path(source)
    try:
        if path.is_dir():
            return bool(tf_files(path))
        return path.is_file() and path.suffix == ".tf"
    except OSError:
        return False


def looks_like_plan(doc: Any) -> bool:
    """A decoded document is plan JSON (``format_version`` with planned values or resource
    changes) or state JSON (``format_version`` with ``values.root_module``)."""
    if not isinstance(doc, Mapping) or "format_version" not in doc:
        return False
    if any(k in doc for k in _STATE_KEYS):
        return True
    values = doc.get("values")
    return isinstance(values, Mapping) and "root_module" in values


def detect_plan(source: InputFile | str | os.PathLike[str]) -> bool:
    """True when ``source`` is Terraform plan (or state) JSON: an object with
    ``format_version`` and ``planned_values``/``resource_changes`` (a state: ``values``).

    ``source`` is an :class:`~iamsim.ingest.InputFile` (as the format registry passes it), a
    path, or the JSON text itself.
    """
    if isinstance(source, InputFile):
        if source.is_dir:
            return False
        head = source.text.lstrip()[:1]
        return head == "{" and looks_like_plan(source.document)
    text = text_to_detect(source)
    if text is None:
        return False
    if "format_version" not in text:
        return False
    try:
        return looks_like_plan(load_json(text))
    except (json.JSONDecodeError, InputError):
        return False


def _load_config(file: InputFile) -> World:
    from iamsim.ingest.terraform.loader import load  # the HCL parser: only when claimed

    return load(file)


def _load_plan(file: InputFile) -> World:
    from iamsim.ingest.terraform.plan import load  # only when claimed

    return load(file)


# The Terraform input formats: configurations and plan or state JSON.
FORMATS = (
    InputFormat(
        name="terraform",
        description="a Terraform configuration: a directory of .tf files, or one .tf file",
        detect=detect,
        load=_load_config,
    ),
    InputFormat(
        name="terraform-plan",
        description="Terraform plan JSON (terraform show -json PLANFILE; a state file too)",
        detect=detect_plan,
        load=_load_plan,
    ),
)
