"""Policies an actor may choose: a managed policy to attach or to set as a boundary (the
AWS managed AdministratorAccess, policies its own conditions name or match), a policy it could
create under a name its conditions accept, or no boundary; and the steps a choice needs first.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from iamsim.analysis.escalation.results import StepRecord
from iamsim.analysis.escalation.runner import StepRunner
from iamsim.analysis.techniques import Actor, administrator_access_arn, allow_all
from iamsim.patterns.glob import Glob
from iamsim.policy.model import Policy, PolicyType
from iamsim.vocabulary.arn import parse_entity_arn


@dataclass(frozen=True, slots=True)
class Choice:
    """A managed policy the actor picks (to attach, or as a boundary); ``arn`` None means no
    boundary; ``create`` names a policy the actor must first create (iam:CreatePolicy)."""

    arn: str | None
    document: Policy | None
    label: str
    create: str | None = None


def policy_choices(runner: StepRunner, actor: Actor) -> list[Choice]:
    admin = administrator_access_arn(actor.partition)
    arns = [admin, *_harvest(runner, actor, "iam:PolicyARN")]
    out = [_managed_choice(runner, arn, PolicyType.IDENTITY) for arn in dict.fromkeys(arns)]
    out += _created_choices(runner, actor, "iam:PolicyARN", PolicyType.IDENTITY)
    return [c for c in out if c is not None]


def boundary_choices(runner: StepRunner, actor: Actor, *, with_none: bool = True) -> list[Choice]:
    admin = administrator_access_arn(actor.partition)
    out: list[Choice | None] = []
    if with_none:
        out.append(Choice(None, None, "no boundary"))
    arns = [admin, *_harvest(runner, actor, "iam:PermissionsBoundary")]
    out += [_managed_choice(runner, arn, PolicyType.BOUNDARY) for arn in dict.fromkeys(arns)]
    out += _created_choices(runner, actor, "iam:PermissionsBoundary", PolicyType.BOUNDARY)
    return [c for c in out if c is not None]


def _harvest(runner: StepRunner, actor: Actor, key: str) -> list[str]:
    """Managed policy ARNs the actor's conditions on ``key`` name or match."""
    out = []
    for value in runner.oracle.condition_values(actor, key):
        if "*" in value or "?" in value:
            glob = Glob(value, ignore_case=True)
            out += [arn for arn in runner.world.managed_policies if glob.matches(arn)]
        elif parse_entity_arn(value) is not None:
            out.append(value)
    return out


def _managed_choice(runner: StepRunner, arn: str, policy_type: PolicyType) -> Choice | None:
    document = runner.oracle.managed_document(arn)
    if document is None:
        return None
    name = arn.rsplit("/", 1)[-1]
    if policy_type is not PolicyType.IDENTITY:
        document = _retype(runner, arn, document, policy_type)
    return Choice(arn, document, f"policy {name}")


def _retype(runner: StepRunner, arn: str, document: Policy, policy_type: PolicyType) -> Policy:
    managed = runner.world.managed_policy(arn)
    if managed is not None:
        return managed.as_type(policy_type)
    return retyped(document, policy_type)


def _created_choices(
    runner: StepRunner, actor: Actor, key: str, policy_type: PolicyType
) -> list[Choice]:
    """Policies the actor could create itself with a name its conditions accept."""
    out = []
    for value in runner.oracle.condition_values(actor, key):
        arn = _instantiate_policy_arn(value, actor)
        if arn is None or arn in runner.world.managed_policies:
            continue
        name = arn.rsplit("/", 1)[-1]
        out.append(Choice(arn, allow_all(policy_type), f"new policy {name}", create=arn))
    return out


def choice_steps(runner: StepRunner, actor: Actor, choice: Choice) -> list[StepRecord] | None:
    if choice.create is None:
        return []
    outcome = runner.oracle.check(actor, "iam:CreatePolicy", choice.create)
    if not outcome.allowed:
        return None
    return [StepRecord("iam:CreatePolicy", choice.create, (), None, outcome)]


def retyped(document: Policy, policy_type: PolicyType) -> Policy:
    """``document`` as a policy of ``policy_type`` (the same document when it already is)."""
    return (
        document
        if document.policy_type is policy_type
        else dataclasses.replace(document, policy_type=policy_type)
    )


def _instantiate_policy_arn(value: str, actor: Actor) -> str | None:
    """A concrete policy ARN matching a condition value with wildcards (``*`` → ``x``)."""
    if "*" not in value and "?" not in value:
        return None
    parts = value.split(":", 5)
    if len(parts) != 6 or parts[2] != "iam" or not parts[5].startswith("policy/"):
        return None
    partition = actor.partition if any(c in parts[1] for c in "*?") else parts[1]
    account = actor.account if any(c in parts[4] for c in "*?") else parts[4]
    if account != actor.account:
        return None
    resource = re.sub(r"[*?]", "x", parts[5])
    return f"arn:{partition}:iam::{account}:{resource}"
