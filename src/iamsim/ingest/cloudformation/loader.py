"""The CloudFormation loading entry points.

Owns :func:`load_cloudformation` and :func:`read_cloudformation` (the walk over ``Resources``:
transforms, conditions, unknown types, unmodeled policies). :func:`detect` and :data:`FORMATS`
(the :class:`InputFormat` the registry lists) live in :mod:`.detection` and are re-exported.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from iamsim.errors import InputError
from iamsim.ingest.cloudformation.detection import FORMATS, detect  # re-exported
from iamsim.ingest.cloudformation.intrinsics import Template
from iamsim.ingest.cloudformation.nested import NESTED_STACK, nested_stack
from iamsim.ingest.cloudformation.resources import Mapper, with_role_ids
from iamsim.ingest.cloudformation.runs_as import cloudformation_runs_as
from iamsim.ingest.cloudformation.sam import SAM_TRANSFORM, expand_sam
from iamsim.ingest.cloudformation.schema import (
    AFFECTS,
    POLICY_PROPERTIES,
    UNMODELED_HINTS,
    UNMODELED_POLICY_PROPERTIES,
    check_properties,
    check_type,
)
from iamsim.ingest.cloudformation.tags import parse_template
from iamsim.ingest.files import InputFile, read_text
from iamsim.ingest.iac.placeholders import (
    DEFAULT_PARTITION,
    PLACEHOLDER_ACCOUNT,
    PLACEHOLDER_REGION,
)
from iamsim.ingest.iac.unknown import Unknown, Warnings
from iamsim.ingest.iac.world import WorldBuilder
from iamsim.model import World, merge_worlds
from iamsim.vocabulary.arn import is_account_id

__all__ = ["FORMATS", "detect", "load", "load_cloudformation", "read_cloudformation"]


def load(file: InputFile) -> World:
    """The format registry's entry point (see :func:`load_cloudformation`)."""
    return load_cloudformation(file.path, source=file.source)


def read_cloudformation(
    path: str | os.PathLike[str],
    *,
    account: str | None = None,
    region: str | None = None,
    partition: str | None = None,
    stack_name: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    source: str | None = None,
    nesting: int = 0,
) -> tuple[World, Warnings]:
    """Load a template and also return the structured warnings (also in ``World.notes``).

    ``nesting`` is how deep this template is in a tree of nested stacks (see
    :mod:`iamsim.ingest.cloudformation.nested`)."""
    label = source if source is not None else str(path)
    file = Path(path)
    text = read_text(file, label)
    doc = parse_template(text, label)
    if not isinstance(doc, Mapping):
        raise InputError("a CloudFormation template is a mapping", source=label)
    if account is not None and not is_account_id(account):
        raise InputError(f"account must be a 12-digit account ID, not {account!r}", source=label)
    stack = stack_name or re.sub(r"[^A-Za-z0-9-]", "-", file.stem) or "stack"
    warnings = Warnings()
    transform = doc.get("Transform")
    transforms = transform if isinstance(transform, list) else [transform] if transform else []
    # SAM's functions are expanded (their execution roles and policies); any other serverless
    # type with IAM in it keeps the transform unexpanded.
    sam_left: list[str] = []
    sam_pushed: dict[str, str] = {}
    if SAM_TRANSFORM in transforms:
        doc, sam_left, sam_pushed = expand_sam(doc, label)
    t = Template(
        doc,
        label,
        warnings,
        account=account,
        region=region,
        partition=partition,
        stack_name=stack,
        parameters=parameters or {},
    )
    builder = WorldBuilder(warnings, label=label)
    mapper = Mapper(t, builder)
    # AWS::LanguageExtensions adds Fn::Length, Fn::ToJsonString and Fn::FindInMap defaults,
    # which are evaluated here, and Fn::ForEach, which is reported below.
    unexpanded = [
        str(name)
        for name in transforms
        if name != "AWS::LanguageExtensions" and (name != SAM_TRANSFORM or sam_left)
    ]
    if unexpanded:
        names = ", ".join(unexpanded)
        if sam_left:
            names += f" (its {', '.join(sam_left)} resources)"
        message = (
            f"the template uses the transform {names}, which is not expanded: what it "
            "generates or changes is unknown (load the processed template of a deployed "
            "stack or change set: aws cloudformation get-template --template-stage Processed)"
        )
        warnings.add(label, "Transform", message)
        # A macro may rewrite any resource, SAM adds policies (connectors, ...): each
        # principal and resource of the template may have policies that are not modeled.
        reason = f"the template's transform {names} is not expanded"
        mapper.some_unknown("principal", reason, "Transform")
        mapper.some_unknown("*", reason, "Transform")
    current = ""
    nested: list[World] = []
    try:
        for logical in t.resources:
            current = logical
            res = t.resources[logical]
            where = f"/Resources/{logical}"
            if str(logical).startswith("Fn::ForEach::"):
                # AWS::LanguageExtensions' loop: the resources it generates are not modeled,
                # and may carry policies for any principal or resource of the template.
                reason = f"{logical} is not expanded"
                warnings.add(label, logical, f"{reason}; the resources it generates are unknown")
                mapper.some_unknown("principal", reason, logical)
                mapper.some_unknown("*", reason, logical)
                continue
            if not isinstance(res, Mapping) or not isinstance(res.get("Type"), str):
                raise InputError("a resource needs a Type", path=where, source=label)
            check_type(res["Type"], f"{where}/Type", label)
            check_properties(res, logical, label, warnings)
            condition = res.get("Condition")
            if condition is not None:
                if not isinstance(condition, str):
                    raise InputError(
                        "Condition must be a condition name",
                        path=f"{where}/Condition",
                        source=label,
                    )
                value = t.condition(condition, f"{where}/Condition")
                if isinstance(value, Unknown):
                    unknown = f"condition {condition} is unknown ({value.reason})"
                    if res["Type"] in AFFECTS:
                        # It may exist or not: what its policy would decide is refused.
                        warnings.add(
                            label,
                            logical,
                            f"{unknown}; whether the resource exists is unknown, so requests "
                            "its policy would decide are refused",
                        )
                        forced = Unknown(f"{unknown}: the policy may or may not exist")
                        mapper.map(logical, res["Type"], forced)
                    else:
                        warnings.add(label, logical, f"{unknown}; the resource is not modeled")
                    continue
                if not value:
                    continue
            rtype = res["Type"]
            if rtype == NESTED_STACK:
                nested += nested_stack(t, mapper, logical, file, nesting)
                continue
            if hasattr(mapper, rtype.replace("::", "__")):
                mapper.map(logical, rtype)
                continue
            props = res.get("Properties")
            policy_keys = UNMODELED_POLICY_PROPERTIES.get(rtype, POLICY_PROPERTIES)
            carried = [k for k in policy_keys if isinstance(props, Mapping) and k in props]
            if carried:
                warnings.add(
                    label,
                    logical,
                    f"{rtype} carries a policy ({', '.join(carried)}) that is not modeled; "
                    f"it is ignored{UNMODELED_HINTS.get(rtype, '')}",
                )
        for logical, reason in sam_pushed.items():
            # A permission SAM adds to the function: its resource-based policy is unknown.
            arn = t.get_att(logical, "Arn", f"/Resources/{logical}")
            if isinstance(arn, str):
                warnings.add(label, logical, f"{reason}; its resource-based policy is unknown")
                mapper.resource_unknown(arn, reason, logical)
        mapper.finish()
    except RecursionError:
        # A long chain of resources naming each other (A's name from B's ARN, B's from C's...)
        raise InputError(
            "references between resources are nested too deeply to evaluate",
            path=f"/Resources/{current}",
            source=label,
        ) from None

    notes = []
    if t.account_is_placeholder:
        notes.append(
            f"{label}: the stack's account is not known; the placeholder account "
            f"{PLACEHOLDER_ACCOUNT} stands for AWS::AccountId (set it with --default-account ID)"
        )
    if t.region_is_placeholder and t.region_used:
        notes.append(
            f"{label}: the stack's region is not known; the placeholder region "
            f"{PLACEHOLDER_REGION} stands for AWS::Region (set it with --default-region REGION; region=... in Python)"
        )
    builder.notes[:0] = notes
    builder.account(t.account, t.partition or DEFAULT_PARTITION)
    links = cloudformation_runs_as(t, warnings)
    world = with_role_ids(builder.build(), t, mapper)
    if nested:
        world = merge_worlds([world, *nested])
    return (
        dataclasses.replace(world, runs_as=(*world.runs_as, *links)) if links else world
    ), warnings


def load_cloudformation(
    path: str | os.PathLike[str],
    *,
    account: str | None = None,
    region: str | None = None,
    partition: str | None = None,
    stack_name: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    source: str | None = None,
) -> World:
    """The world a CloudFormation stack from this template would create.

    ``account``/``region``/``partition`` give the pseudo parameters (placeholders otherwise),
    ``stack_name`` the stack's name (default: the file name without extension), ``parameters``
    the template parameters (over their defaults). Unresolvable parts are left out and
    reported in ``World.notes``; a malformed template raises
    :class:`~iamsim.errors.InputError` naming the file and the JSON pointer (or line).
    """
    world, _ = read_cloudformation(
        path,
        account=account,
        region=region,
        partition=partition,
        stack_name=stack_name,
        parameters=parameters,
        source=source,
    )
    return world
