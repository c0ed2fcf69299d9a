"""Become edges by credential creation: access keys, a console password or a login profile
for another user of the actor's account."""

from __future__ import annotations

from collections.abc import Iterator

from iamsim.analysis.escalation.results import Edge
from iamsim.analysis.escalation.runner import StepRunner
from iamsim.analysis.techniques import Actor, Technique


def user_credentials(runner: StepRunner, actor: Actor, technique: Technique) -> Iterator[Edge]:
    if not runner.may(actor, technique.steps):
        return
    users = runner.users(actor.account)
    yield from runner.become_each(actor, technique, (user.arn for user in users))
