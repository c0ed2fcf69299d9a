"""Become edges by role assumption: ``sts:AssumeRole`` on a role whose trust policy lets the
actor in, and rewriting a role's trust policy to let the actor in first."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from iamsim.analysis.escalation.results import BECOME, Edge
from iamsim.analysis.escalation.runner import StepRunner
from iamsim.analysis.techniques import Actor, StepGroup, Technique
from iamsim.model import Role
from iamsim.policy.model import Effect


def assume_role(runner: StepRunner, actor: Actor, technique: Technique) -> Iterator[Edge]:
    may_identity = runner.oracle.may_allow(actor, "sts:AssumeRole")
    targets = runner.trusts().candidates(runner.oracle.caller_of(actor), may_identity)
    for role in targets:
        found = list(runner.become_each(actor, technique, (role.arn,)))
        yield from found
        if not found:
            yield from _with_external_id(runner, actor, technique, role)


def _with_external_id(
    runner: StepRunner, actor: Actor, technique: Technique, role: Role
) -> Iterator[Edge]:
    """The caller chooses sts:ExternalId (AssumeRole's ExternalId parameter): a trust policy
    that requires one lets in whoever knows it. The value is in the trust policy, which the
    caller may not be able to read, so the edge is conditional on the caller knowing it."""
    if role.arn == actor.arn or role.arn not in runner.actors or role.trust_policy is None:
        return
    ids = [
        str(value)
        for statement in role.trust_policy.statements
        if statement.effect is Effect.ALLOW
        for clause in statement.conditions
        if clause.key.lower() == "sts:externalid"
        for value in clause.values
        if isinstance(value, str) and not any(c in value for c in "*?$")
    ]
    for external_id in dict.fromkeys(ids):
        steps = tuple(
            StepGroup(
                tuple(
                    dataclasses.replace(s, context=(*s.context, ("sts:ExternalId", external_id)))
                    if s.action.lower() == "sts:assumerole"
                    else s
                    for s in group.options
                )
            )
            for group in technique.steps
        )
        values = runner.base_values(actor, Target=role.arn)
        records = runner.run(actor, steps, values)
        if records is None:
            continue
        condition = (
            f"the caller knows the external ID {external_id!r} the trust policy of "
            f"{role.name} requires (sts:ExternalId)"
        )
        yield runner.edge(
            actor, technique, BECOME, runner.actors[role.arn], records, values,
            conditions=(condition,),
        )  # fmt: skip
        return


def update_trust(runner: StepRunner, actor: Actor, technique: Technique) -> Iterator[Edge]:
    if not runner.may(actor, technique.steps[:1]):
        return
    roles = runner.roles(actor.account)
    yield from runner.become_each(actor, technique, (role.arn for role in roles))
