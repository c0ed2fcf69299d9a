"""Recognising a CloudFormation template, and its entry in the format registry, without the
loader.

Owns :func:`detect` and :data:`FORMATS`. It needs only the template reader
(:mod:`.tags`: YAML with the short-form tags), and that only for a text holding ``Resources``;
the intrinsic functions, the resource schema and the world builder are imported the first time
the format claims a file (:func:`_load`), so that every other input is detected without them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from iamsim.errors import InputError
from iamsim.ingest.cloudformation.tags import parse_template
from iamsim.ingest.files import InputFile, text_to_detect
from iamsim.ingest.input_format import InputFormat
from iamsim.model import World

__all__ = ["FORMATS", "detect", "looks_like_template"]


def looks_like_template(doc: Any) -> bool:
    if not isinstance(doc, Mapping):
        return False
    resources = doc.get("Resources")
    if not isinstance(resources, Mapping):
        return False
    if "AWSTemplateFormatVersion" in doc:
        return True
    return any(
        isinstance(r, Mapping)
        and isinstance(r.get("Type"), str)
        and r["Type"].startswith(("AWS::", "Custom::", "Alexa::"))
        for r in resources.values()
    )


def detect(source: InputFile | str | os.PathLike[str]) -> bool:
    """True when ``source`` is a CloudFormation template: a mapping with ``Resources`` whose
    entries have ``Type: AWS::...`` (or with ``AWSTemplateFormatVersion``).

    ``source`` is an :class:`~iamsim.ingest.InputFile` (as the format registry passes it), a
    path, or the template text.
    """
    if isinstance(source, InputFile):
        if source.is_dir:
            return False
        try:
            text = source.text
        except InputError:
            return False
        label = source.source
    else:
        read = text_to_detect(source)
        if read is None:
            return False
        text = read
        label = "template" if read == str(source) else str(source)
    if "Resources" not in text:
        return False
    try:
        return looks_like_template(parse_template(text, label))
    except InputError as exc:
        # A template with a misspelled short form (``!ValueOff``) is still a template: the
        # template loader reports that tag and its line; the generic YAML reader would name
        # the first CloudFormation tag it meets instead.
        return "constructor for the tag" in str(exc) and bool(_TEMPLATE_TYPE.search(text))


# A resource entry's ``Type: AWS::Service::Thing`` line, as a template writes it.
_TEMPLATE_TYPE = re.compile(r"^[ \t]+Type:[ \t]*['\"]?AWS::[A-Za-z0-9]+::", re.MULTILINE)


def _load(file: InputFile) -> World:
    from iamsim.ingest.cloudformation.loader import load  # only when a template is claimed

    return load(file)


FORMATS = (
    InputFormat(
        name="cloudformation",
        description="a CloudFormation template (JSON, or YAML with !Ref-style short forms)",
        detect=detect,
        load=_load,
    ),
)
