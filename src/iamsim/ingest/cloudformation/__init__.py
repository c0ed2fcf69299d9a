"""CloudFormation templates (JSON, or YAML with the short-form ``!Ref``/``!Sub``/... tags) into
the world model.

This package owns the template language: reading (the YAML short forms become their
``Fn::``-mapping equivalents; YAML integers with a leading zero stay strings, so account IDs
survive), parameters (their ``Default`` or the caller's ``parameters=``), ``Mappings``,
``Conditions`` (resources whose condition is false are skipped), the intrinsic functions
(``Ref``, ``Fn::GetAtt``, ``Fn::Sub``, ``Fn::Join``, ``Fn::Select``, ``Fn::Split``, ``Fn::If``,
``Fn::FindInMap``, ``Fn::Equals``/``And``/``Or``/``Not``, ``Fn::Base64``, ``Fn::ToJsonString``,
``Fn::Length``), pseudo parameters, and the resource types that carry IAM state:
``AWS::IAM::User``/``Group``/``Role``/``Policy``/``ManagedPolicy``/``UserToGroupAddition``/
``RolePolicy``/``UserPolicy``/``GroupPolicy``/``InstanceProfile``, ``AWS::S3::Bucket``/
``BucketPolicy``, ``AWS::KMS::Key``, ``AWS::SQS::QueuePolicy`` and ``AWS::SNS::TopicPolicy``.
The model itself is filled through :class:`~iamsim.ingest.iac.world.WorldBuilder`.

Physical names CloudFormation generates (a resource without ``RoleName``, ``BucketName``, ...)
follow CloudFormation's pattern ``{stack name}-{logical ID}-{suffix}``; the suffix is 12
characters derived from the stack name and logical ID (CloudFormation's is random), so loads
are reproducible. The stack name is the ``stack_name=`` argument, else the template's file
name without extension. S3 bucket names are lower-cased, as CloudFormation does.

What cannot be resolved offline (``Fn::ImportValue``, ``Fn::GetAZs``, a parameter without a
default, an attribute CloudFormation only knows after creation) is an
:class:`~iamsim.ingest.iac.unknown.Unknown`; whatever depends on it is reported in
``World.notes``, not guessed, and a policy it leaves unknown (or a ``Transform``, which is not
expanded) makes the principals and resources the policy applies to unresolved
(``World.unresolved``), so that the request builder refuses the requests that need them.

The package is split by concern: :mod:`.tags` (YAML short forms, reading template text),
:mod:`.intrinsics` (parameters, conditions, pseudo parameters, intrinsic functions),
:mod:`.schema` (known resource types and properties), :mod:`.resources` (resources onto the
world model), :mod:`.detection` (recognising a template, the input format; no loader
imports) and :mod:`.loader` (the entry points).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from iamsim.ingest.cloudformation.detection import FORMATS, detect
from iamsim.ingest.cloudformation.tags import parse_template

if TYPE_CHECKING:
    from iamsim.ingest.cloudformation.loader import (
        load,
        load_cloudformation,
        read_cloudformation,
    )

__all__ = [
    "FORMATS",
    "detect",
    "load",
    "load_cloudformation",
    "parse_template",
    "read_cloudformation",
]

# The loader (intrinsics, schema, world builder) is imported on first use, not with the
# package: the format registry imports .detection, and every input is asked "is this a
# template?" (PEP 562 module __getattr__).
_LAZY = frozenset({"load", "load_cloudformation", "read_cloudformation"})


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from iamsim.ingest.cloudformation import loader

        return getattr(loader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
