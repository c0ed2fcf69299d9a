"""Change edges on permissions boundaries: deleting a principal's boundary, or replacing it
with one the actor chooses."""

from __future__ import annotations

from collections.abc import Iterator

from iamsim.analysis.escalation.choices import boundary_choices, choice_steps
from iamsim.analysis.escalation.results import CHANGE, Edge
from iamsim.analysis.escalation.runner import StepRunner, is_kind
from iamsim.analysis.techniques import Actor, Change, Technique


def delete_boundary(
    runner: StepRunner, actor: Actor, technique: Technique, subject: Actor
) -> Iterator[Edge]:
    if not is_kind(subject, technique.target) or not runner.may(actor, technique.steps):
        return
    boundary = subject.principal.boundary_arn
    if not boundary or any(c.sets_boundary or c.replace_boundary for c in subject.changes):
        return
    values = runner.base_values(actor, Target=subject.arn, TargetBoundary=boundary)
    records = runner.run(actor, technique.steps, values)
    if records is None:
        return
    change = Change(
        key="boundary:none",
        description="permissions boundary removed",
        sets_boundary=True,
        boundary=None,
    )
    yield runner.edge(
        actor, technique, CHANGE, subject.changed(change), records, values,
        target_key=subject.key,
    )  # fmt: skip


def put_boundary(
    runner: StepRunner, actor: Actor, technique: Technique, subject: Actor
) -> Iterator[Edge]:
    if not is_kind(subject, technique.target) or not runner.may(actor, technique.steps):
        return
    current = subject.principal.boundary_arn
    if not current or any(c.sets_boundary or c.replace_boundary for c in subject.changes):
        return  # a boundary only ever restricts an unbounded principal
    for choice in boundary_choices(runner, actor, with_none=False):
        if choice.arn == current:
            continue
        records = choice_steps(runner, actor, choice)
        if records is None:
            continue
        values = runner.base_values(actor, Target=subject.arn, BoundaryChoice=choice.arn)
        more = runner.run(actor, technique.steps, values)
        if more is None:
            continue
        change = Change(
            key=f"boundary:{choice.arn}",
            description=f"boundary replaced by {choice.label}",
            sets_boundary=True,
            boundary=choice.document,
        )
        yield runner.edge(
            actor, technique, CHANGE, subject.changed(change), records + more, values,
            target_key=subject.key,
        )  # fmt: skip
