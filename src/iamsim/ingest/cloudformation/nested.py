"""Nested stacks (``AWS::CloudFormation::Stack``): the child template is loaded when it is a
file next to the parent, as ``aws cloudformation package`` and ``sam package`` take it.

This module owns :func:`nested_stack`. The child gets only the parameters its parent passes in
``Parameters`` (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudformation-stack.html),
the parent's account, region and partition, and the stack name ``<parent>-<LogicalId>``. A
``TemplateURL`` that is remote (``https://``, ``s3://``) or unknown is not fetched: the child may
define policies of any principal or resource of the parent (names passed as parameters), so
they are all marked unresolved, as for a transform that is not expanded. Nesting is bounded.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from iamsim.errors import InputError
from iamsim.ingest.iac.unknown import Unknown, find_unknown
from iamsim.ingest.read_scope import ReadScope
from iamsim.model import World

if TYPE_CHECKING:
    from iamsim.ingest.cloudformation.intrinsics import Template
    from iamsim.ingest.cloudformation.resources import Mapper

NESTED_STACK = "AWS::CloudFormation::Stack"
# CloudFormation allows deeper nesting, but a real project rarely goes past a few levels; this
# bounds the work a hostile chain of templates can cause.
MAX_NESTING = 8


def nested_stack(
    t: Template, mapper: Mapper, logical: str, parent: Path, nesting: int
) -> list[World]:
    """The world of the nested stack ``logical`` of template ``t`` (file ``parent``), or none
    after reporting why it is not loaded."""
    from iamsim.ingest.cloudformation.loader import read_cloudformation  # cycle: loader uses us

    where = f"/Resources/{logical}/Properties"
    props = t.resources[logical].get("Properties")
    if not isinstance(props, Mapping) or "TemplateURL" not in props:
        raise InputError("a nested stack needs TemplateURL", path=where, source=t.source)
    url = t.ev(props["TemplateURL"], f"{where}/TemplateURL")
    if isinstance(url, Unknown) or not isinstance(url, str) or "://" in url:
        why = (
            url.reason if isinstance(url, Unknown) else f"its template {url!r} is not a local file"
        )
        reason = f"nested stack {logical} is not loaded ({why})"
        t.warnings.add(
            t.source,
            logical,
            f"{reason}; what it defines is unknown (package it locally: give the template "
            "file path as TemplateURL)",
        )
        mapper.some_unknown("principal", reason, logical)
        mapper.some_unknown("*", reason, logical)
        return []
    if nesting >= MAX_NESTING:
        raise InputError(
            f"nested stacks are nested more than {MAX_NESTING} deep",
            path=f"{where}/TemplateURL",
            source=t.source,
        )
    child = ReadScope.for_input(parent).resolve(
        parent.parent / url, f"nested stack {logical}", t.source
    )
    raw = props.get("Parameters") or {}
    params = t.ev(raw, f"{where}/Parameters") if isinstance(raw, Mapping) else {}
    given = {
        str(k): v
        for k, v in (params.items() if isinstance(params, Mapping) else ())
        if find_unknown(v) is None
    }
    world, _ = read_cloudformation(
        child,
        account=None if t.account_is_placeholder else t.account,
        region=None if t.region_is_placeholder else t.region,
        partition=None if t.partition_is_placeholder else t.partition,
        stack_name=f"{t.stack_name}-{logical}",
        parameters=given,
        source=str(Path(t.source).parent / url),
        nesting=nesting + 1,
    )
    return [world]
