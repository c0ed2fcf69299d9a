"""Become edges by role assumption: ``sts:AssumeRole`` on a role whose trust policy lets the
actor in, and rewriting a role's trust policy to let the actor in first."""

from __future__ import annotations

from collections.abc import Iterator

from iamsim.analysis.escalation.results import Edge
from iamsim.analysis.escalation.runner import StepRunner
from iamsim.analysis.techniques import Actor, Technique


def assume_role(runner: StepRunner, actor: Actor, technique: Technique) -> Iterator[Edge]:
    may_identity = runner.oracle.may_allow(actor, "sts:AssumeRole")
    targets = runner.trusts().candidates(runner.oracle.caller_of(actor), may_identity)
    yield from runner.become_each(actor, technique, (role.arn for role in targets))


def update_trust(runner: StepRunner, actor: Actor, technique: Technique) -> Iterator[Edge]:
    if not runner.may(actor, technique.steps[:1]):
        return
    roles = runner.roles(actor.account)
    yield from runner.become_each(actor, technique, (role.arn for role in roles))
