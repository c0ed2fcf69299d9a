"""The front door: ``iamsim.load`` and ``iamsim.authorize``, and their :class:`Response`.

In the spirit of Cedar's ``is_authorized(request, policies, entities)``: load a world from
the inputs ``iamsim check -i`` takes, then ask one question of it (or of a policy set you
built yourself) and get the decision with its reason, its determining statements, the request
builder's warnings and the engine's explanation steps. A front end: the engine and everything
below it never import this module.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from iamsim.builder import RequestBuilder
from iamsim.engine.context import make_request, requested_region
from iamsim.engine.decision import evaluate
from iamsim.engine.explanation import Step, explain
from iamsim.engine.policies import PolicySet
from iamsim.engine.principals import parse_caller
from iamsim.engine.trace import Decision, DecisionValue, StatementRef
from iamsim.errors import InputError
from iamsim.ingest import (
    InputFile,
    ReadScope,
    detect_format,
    load_input,
    load_inputs,
    resolve_managed_policies,
)
from iamsim.ingest.cloudformation import load_cloudformation
from iamsim.ingest.terraform.loader import load_terraform_dir
from iamsim.model import World, merge_worlds
from iamsim.policy.model import PolicyType
from iamsim.policy.parser import parse_policy
from iamsim.vocabulary.request import Caller, ContextValue

# The input formats whose loaders take variables (Terraform) or parameters (CloudFormation)
# and an account for resources that do not name one.
_CONFIGURABLE = ("terraform", "cloudformation")


def load(
    paths: Iterable[str | Path],
    *,
    variables: Mapping[str, Any] | None = None,
    accounts: Mapping[str, str] | None = None,
    allow_read: Iterable[str | Path] = (),
    resolve_managed: bool = True,
) -> World:
    """Load and merge every input into one :class:`~iamsim.model.World`, like ``iamsim -i``.

    ``paths`` are files or directories in any supported format (GAAD exports, organization
    trees, resource files, Terraform configurations and plans, CloudFormation templates),
    detected from their content. ``variables`` are the Terraform root-module variables and
    the CloudFormation template parameters (given to every Terraform configuration and
    CloudFormation template among ``paths``). ``accounts`` maps an input, spelled as in
    ``paths``, to the account ID its resources belong to when the input does not say (the
    loaders' ``account=``; Terraform and CloudFormation inputs only). ``allow_read`` names
    folders an input may read besides its own (a Terraform module elsewhere).

    Each input's unresolvable parts are in ``World.notes``. A bad input raises
    :class:`~iamsim.errors.InputError` naming the file and the location.
    """
    inputs = [str(p) for p in paths]
    if not inputs:
        raise InputError("no inputs given")
    accounts = dict(accounts or {})
    unknown = sorted(set(accounts) - set(inputs))
    if unknown:
        raise InputError(
            f"accounts= names {', '.join(map(repr, unknown))}, which is not one of the inputs "
            "(key each account by the input path as given in paths)"
        )
    extra = list(allow_read)
    if variables is None and not accounts:
        return load_inputs(inputs, allow_read=extra, resolve_managed=resolve_managed)
    if variables and not any(_format_of(p, extra) in _CONFIGURABLE for p in inputs):
        raise InputError(
            "variables= was given, but no input is a Terraform configuration or CloudFormation "
            "template"
        )
    worlds = [_load_one(p, variables, accounts.get(p), extra) for p in inputs]
    world = merge_worlds(worlds)
    return resolve_managed_policies(world) if resolve_managed else world


def _format_of(path: str, allow_read: Sequence[str | Path]) -> str | None:
    """The format that reads ``path`` as a whole; None for a folder of inputs or a bad input
    (which :func:`~iamsim.ingest.load_input` then loads, or refuses with the located error)."""
    try:
        return detect_format(InputFile(path, scope=ReadScope.for_input(path, allow_read))).name
    except InputError:
        return None


def _load_one(
    path: str,
    variables: Mapping[str, Any] | None,
    account: str | None,
    allow_read: Sequence[str | Path],
) -> World:
    fmt = _format_of(path, allow_read)
    if fmt == "terraform":
        scope = ReadScope.for_input(path, allow_read)
        return load_terraform_dir(path, variables=variables, account=account, scope=scope)
    if fmt == "cloudformation":
        return load_cloudformation(path, parameters=variables, account=account, source=path)
    if account is not None:
        raise InputError(
            "accounts= gives an account for an input that is not a Terraform configuration "
            "or CloudFormation template (those inputs name their own accounts)",
            source=path,
        )
    return load_input(path, allow_read=allow_read)


@dataclasses.dataclass(frozen=True, slots=True)
class Response:
    """The answer to one question.

    ``decision`` compares equal to ``"Allow"``, ``"ExplicitDeny"`` and ``"ImplicitDeny"``;
    ``decisive`` are the statements that determined it; ``warnings`` what the request builder
    had to assume; ``explanation`` the engine's steps of AWS's flowchart;
    ``trace`` the full engine decision (every statement, every condition).
    """

    decision: DecisionValue
    reason: str
    decisive: tuple[StatementRef, ...]
    warnings: tuple[str, ...]
    explanation: tuple[Step, ...]
    trace: Decision

    @property
    def allowed(self) -> bool:
        return self.decision is DecisionValue.ALLOW

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision.value,
            "reason": self.reason,
            "decisive_statements": [ref.to_dict() for ref in self.decisive],
            "warnings": list(self.warnings),
            "explanation": [step.to_dict() for step in self.explanation],
        }


# What a mapping given to :func:`authorize` may hold: a policy type's name -> its documents.
PolicyDocuments = Mapping[str, Any]


def authorize(
    world_or_policies: World | PolicySet | PolicyDocuments,
    principal: str,
    action: str,
    resource: str = "*",
    context: Mapping[str, ContextValue] | None = None,
    *,
    now: datetime | None = None,
    region: str | None = None,
) -> Response:
    """Decide whether ``principal`` may perform ``action`` on ``resource``, as AWS would.

    Against a :class:`~iamsim.model.World` (from :func:`load`) the request is built as
    ``iamsim check`` builds it: the principal may be a short name (``role/developer``), and
    the policies AWS would apply and the context keys it would supply are collected from the
    world. Against a :class:`~iamsim.engine.PolicySet`, or a mapping of policy type
    (``identity``, ``boundary``, ``session``, ``resource``, ``trust``) to a policy document
    (or a list of them for ``identity`` and ``session``), the policies are evaluated as given
    and ``principal`` must be an ARN (or a service principal, ``anonymous``...).

    ``context`` values override the keys AWS derives; ``now`` is the request time (default:
    the current time); ``region`` the Region the request is sent to, for resources whose ARN
    does not name one.
    """
    warnings: tuple[str, ...] = ()
    if isinstance(world_or_policies, World):
        builder = RequestBuilder(world_or_policies, region=region)
        built = builder.build(principal, action, resource, context=context, now=now)
        request, policies, warnings = built.request, built.policies, built.warnings
    else:
        policies = (
            world_or_policies
            if isinstance(world_or_policies, PolicySet)
            else policy_set(world_or_policies)
        )
        caller: Caller = parse_caller(principal)
        given: dict[str, ContextValue] = dict(context or {})
        where = requested_region(action, resource, caller.partition, region)
        if where is not None and not any(k.lower() == "aws:requestedregion" for k in given):
            given["aws:RequestedRegion"] = where
        request = make_request(caller, action, resource, context=given, now=now)
    decision = evaluate(request, policies, explain=True)
    return Response(
        decision.value,
        decision.reason,
        decision.decisive,
        warnings,
        explain(decision),
        decision,
    )


_SINGLE = {"boundary": PolicyType.BOUNDARY, "resource": PolicyType.RESOURCE}
_MANY = {"identity": PolicyType.IDENTITY, "session": PolicyType.SESSION}


def policy_set(documents: PolicyDocuments) -> PolicySet:
    """A :class:`~iamsim.engine.PolicySet` from policy documents keyed by policy type.

    ``identity`` and ``session`` take a document or a list of them; ``boundary``,
    ``resource`` and ``trust`` (a role's trust policy, as the resource policy of role
    assumption) take one document. Organization policies need their levels: build a
    :class:`~iamsim.engine.PolicySet` for those.
    """
    if "resource" in documents and "trust" in documents:
        raise InputError("give a resource policy or a trust policy, not both")
    fields: dict[str, Any] = {}
    for key, value in documents.items():
        if key in _MANY:
            many = value if isinstance(value, list | tuple) else [value]
            fields[key] = tuple(
                parse_policy(doc, _MANY[key], name=f"{key}-{n}") for n, doc in enumerate(many)
            )
        elif key in _SINGLE:
            fields[key] = parse_policy(value, _SINGLE[key], name=key)
        elif key == "trust":
            fields["resource"] = parse_policy(value, PolicyType.TRUST, name="trust")
        else:
            known = ", ".join([*_MANY, *_SINGLE, "trust"])
            raise InputError(f"unknown policy type {key!r} (expected one of: {known})")
    return PolicySet(**fields)
