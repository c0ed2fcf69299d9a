"""Become edges by running code as a role: passing a role to a service that runs code the
actor supplies (``iam:PassRole`` with Lambda, EC2, CloudFormation, Glue...), and injecting code
into a resource that already runs as a role (known through ``runs_as``, else a candidate resource
whose existence the edge is conditional on)."""

from __future__ import annotations

from collections.abc import Iterator

from iamsim.analysis.escalation.results import BECOME, Edge, StepRecord
from iamsim.analysis.escalation.runner import DEFAULT_NAME, StepRunner
from iamsim.analysis.techniques import Actor, StepGroup, Technique, principal_label, substitute


def pass_role(runner: StepRunner, actor: Actor, technique: Technique) -> Iterator[Edge]:
    if not runner.may(actor, technique.steps):
        return
    targeted = [g for g in technique.steps if _mentions_target(g)]
    fixed = runner.fixed_steps(
        actor, technique, [g for g in technique.steps if not _mentions_target(g)]
    )
    if fixed is None:
        return
    fixed_records, name = fixed
    service = technique.service or ""
    for role in runner.roles_trusting(service):
        if role.account != actor.account or role.arn == actor.arn:
            continue
        if role.arn not in runner.actors:
            continue
        values = runner.base_values(actor, Target=role.arn, Service=service, New=name)
        records = runner.run(actor, targeted, values)
        if records is None:
            continue
        if technique.instance_profile and not role.instance_profile_arns:
            profile = _instance_profile_steps(runner, actor)
            if profile is None:
                continue
            records = profile + records
        ordered = _ordered(technique, records + fixed_records)
        yield runner.edge(actor, technique, BECOME, runner.actors[role.arn], ordered, values)


def _instance_profile_steps(runner: StepRunner, actor: Actor) -> list[StepRecord] | None:
    """Creating an instance profile for a role that has none (both steps must pass)."""
    profile = f"arn:{actor.partition}:iam::{actor.account}:instance-profile/{DEFAULT_NAME}"
    out = []
    for action in ("iam:CreateInstanceProfile", "iam:AddRoleToInstanceProfile"):
        outcome = runner.oracle.check(actor, action, profile)
        if not outcome.allowed:
            return None
        out.append(StepRecord(action, profile, (), None, outcome))
    return out


def _in_named_cluster(
    runner: StepRunner, actor: Actor, technique: Technique, values: dict[str, str | None]
) -> tuple[list[StepRecord] | None, dict[str, str | None], tuple[str, ...]]:
    """The steps run in a cluster the actor's own policies name with ecs:cluster (the caller
    chooses the cluster of RunTask/StartTask). The inputs do not say which clusters exist,
    so the edge holds if that one does."""
    if not any("${Cluster}" in v for g in technique.steps for s in g.options for _, v in s.context):
        return None, values, ()
    for cluster in runner.oracle.condition_values(actor, "ecs:cluster"):
        if not cluster.startswith("arn:") or any(c in cluster for c in "*?$"):
            continue
        chosen = {**values, "Cluster": cluster}
        records = runner.run(actor, technique.steps, chosen)
        if records is not None:
            why = (
                f"ECS cluster {cluster} exists (the caller's policy lets it run the task "
                "only there; the inputs do not list clusters)"
            )
            return records, chosen, (why,)
    return None, values, ()


def run_as_existing(runner: StepRunner, actor: Actor, technique: Technique) -> Iterator[Edge]:
    if not runner.may(actor, technique.steps):
        return
    service = technique.service or ""
    trusting = {
        r.arn: r
        for r in runner.roles_trusting(service)
        if r.account == actor.account
        and r.arn != actor.arn
        and (not technique.instance_profile or r.instance_profile_arns)
    }
    known: set[str] = set()
    for resource, role_arn in runner.links_by_kind.get(technique.resource_kind or "", ()):
        role = runner.world.roles.get(role_arn)
        # Any account: a resource of another account is reachable when its resource policy
        # (a Lambda function policy...) lets the actor in, which the engine decides below.
        if role is None or role.arn == actor.arn:
            continue
        if role.account == actor.account:
            known.add(role_arn)
        values = runner.base_values(
            actor, Target=role_arn, Resource=resource, Service=service, New=DEFAULT_NAME
        )
        records = runner.run(actor, technique.steps, values)
        conditions: tuple[str, ...] = ()
        if records is None and role_arn in runner.actors:
            records, values, conditions = _in_named_cluster(runner, actor, technique, values)
        if records is None or role_arn not in runner.actors:
            continue
        if role.account != actor.account:
            # The engine allowed it through the resource's policy, but not every service
            # honours every action granted to another account that way: say so.
            actions = ", ".join(dict.fromkeys(r.action for r in records))
            conditions = (
                f"{resource} is in another account: its service must accept {actions} from "
                "another account through the resource's policy",
            )
        yield runner.edge(
            actor,
            technique,
            BECOME,
            runner.actors[role_arn],
            records,
            values,
            conditions=conditions,
            link=runner.link_sources.get(resource, ""),
        )
    candidate = substitute(technique.candidate or "", runner.base_values(actor))
    if not candidate:
        return
    values = runner.base_values(actor, Resource=candidate, Service=service, New=DEFAULT_NAME)
    records = runner.run(actor, technique.steps, values)
    if records is None:
        return
    what = (technique.resource_kind or "resource").replace("-", " ")
    what = f"an {what}" if what[:1] in "aeiou" else f"a {what}"
    for role_arn, role in sorted(trusting.items()):
        if role_arn in known or role_arn not in runner.actors:
            continue
        label = principal_label(role, qualified=runner.qualified)
        condition = f"{what} running as {label} must exist (none in the inputs)"
        yield runner.edge(
            actor,
            technique,
            BECOME,
            runner.actors[role_arn],
            records,
            {**values, "Target": role_arn},
            conditions=(condition,),
        )


def _mentions_target(group: StepGroup) -> bool:
    return any(
        "${Target" in o.resource or any("${Target" in v for _, v in o.context)
        for o in group.options
    )


def _ordered(technique: Technique, records: list[StepRecord]) -> list[StepRecord]:
    """Records in the technique's step order (instance-profile steps first)."""
    order = {a.lower(): i for i, a in enumerate(technique.actions)}
    return sorted(records, key=lambda r: order.get(r.action.lower(), -1))
