"""Create edges: the actor creates a user or role, gives it a policy (inline Allow * on *, or
an attachable managed policy) with the boundary it may choose, and uses it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from iamsim.analysis.escalation.choices import (
    Choice,
    boundary_choices,
    choice_steps,
    policy_choices,
)
from iamsim.analysis.escalation.results import CREATE, Edge, StepRecord
from iamsim.analysis.escalation.runner import StepRunner
from iamsim.analysis.techniques import (
    Actor,
    Change,
    StepGroup,
    Technique,
    allow_all,
    principal_label,
)
from iamsim.model import Role, User


def create_principal(runner: StepRunner, actor: Actor, technique: Technique) -> Iterator[Edge]:
    """One edge per boundary choice the engine lets through (no boundary first)."""
    if not runner.may(actor, technique.steps):
        return
    create, grant, *access = technique.steps
    for name in runner.names_for(actor, technique):
        edges = []
        for boundary in boundary_choices(runner, actor):
            values = runner.base_values(actor, New=name, BoundaryChoice=boundary.arn)
            created = choice_steps(runner, actor, boundary)
            first = runner.run(actor, [create], values) if created is not None else None
            rest = runner.run(actor, access, values) if first is not None else None
            granted = _grant(runner, actor, grant, values) if rest is not None else None
            if created is None or first is None or rest is None or granted is None:
                continue
            choice, grant_records = granted
            records = created + first + grant_records + rest
            edges.append(
                _new_principal_edge(
                    runner, actor, technique, name, boundary, choice, records, values
                )
            )
        if edges:
            yield from edges
            return


def _grant(
    runner: StepRunner, actor: Actor, group: StepGroup, values: Mapping[str, str | None]
) -> tuple[Choice, list[StepRecord]] | None:
    """The first way to give a new principal a policy: inline Allow * on *, else the
    first attachable managed policy."""
    for option in group.options:
        if option.gives == "inline-policy":
            choices = [Choice(None, allow_all(), "inline policy Allow * on *")]
        else:
            choices = policy_choices(runner, actor)
        for choice in choices:
            extra = choice_steps(runner, actor, choice)
            if extra is None:
                continue
            record = runner.step(actor, option, {**values, "PolicyChoice": choice.arn})
            if record is not None:
                return choice, [*extra, record]
    return None


def _new_principal_edge(
    runner: StepRunner,
    actor: Actor,
    technique: Technique,
    name: str,
    boundary: Choice,
    granted: Choice,
    records: list[StepRecord],
    values: Mapping[str, str | None],
) -> Edge:
    kind = technique.target or "role"
    arn = f"arn:{actor.partition}:iam::{actor.account}:{kind}/{name}"
    # Existing managed policies are referenced by ARN (so later techniques see them, e.g.
    # a new version of the boundary); documents the actor writes are changes.
    attached = (granted.arn,) if granted.arn and not granted.create else ()
    bounded = boundary.arn if boundary.arn and not boundary.create else None
    principal: User | Role = (
        User(arn=arn, name=name, account=actor.account, managed_policy_arns=attached,
             boundary_arn=bounded)
        if kind == "user"
        else Role(arn=arn, name=name, account=actor.account, managed_policy_arns=attached,
                  boundary_arn=bounded)
    )  # fmt: skip
    changes = []
    if not attached and granted.document is not None:
        changes.append(
            Change(key=f"granted:{granted.arn or 'inline'}", description="",
                   add=(granted.document,))
        )  # fmt: skip
    if boundary.create:
        changes.append(
            Change(key=f"boundary:{boundary.arn}", description="",
                   sets_boundary=True, boundary=boundary.document)
        )  # fmt: skip
    how = f"{granted.label}, " + (f"boundary {boundary.label}" if boundary.arn else "no boundary")
    created = f"by {principal_label(actor.principal, qualified=actor.qualified)}: {how}"
    result = Actor(principal, tuple(changes), created=created, qualified=actor.qualified)
    return runner.edge(
        actor,
        technique,
        CREATE,
        result,
        records,
        {**values, "Target": arn, "PolicyChoice": granted.arn},
        target_key=result.key,
    )
