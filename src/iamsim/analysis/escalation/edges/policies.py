"""Change edges on identity policies: attaching a managed policy, writing an inline policy,
adding a user to a group, writing a new default version of a customer managed policy, or making
an older version the default. Each yields the subject with that change applied."""

from __future__ import annotations

from collections.abc import Iterator

from iamsim.analysis.escalation.choices import choice_steps, policy_choices, retyped
from iamsim.analysis.escalation.results import CHANGE, Edge, StepRecord
from iamsim.analysis.escalation.runner import StepRunner, is_kind
from iamsim.analysis.techniques import Actor, Change, Technique, allow_all
from iamsim.model import Group, ManagedPolicy, User
from iamsim.policy.model import Policy, PolicyType


def attach_policy(
    runner: StepRunner, actor: Actor, technique: Technique, subject: Actor
) -> Iterator[Edge]:
    if not runner.may(actor, technique.steps):
        return
    for target, via in _targets(runner, technique, subject):
        values = runner.base_values(
            actor, Target=target, TargetBoundary=_boundary_arn(subject, via)
        )
        for choice in policy_choices(runner, actor):
            records = choice_steps(runner, actor, choice)
            if records is None:
                continue
            more = runner.run(actor, technique.steps, {**values, "PolicyChoice": choice.arn})
            if more is None:
                continue
            change = Change(
                key=f"attach:{choice.arn}",
                description=f"{choice.label} attached" + (f" to {via}" if via else ""),
                add=(choice.document,) if choice.document else (),
            )
            yield runner.edge(
                actor,
                technique,
                CHANGE,
                subject.changed(change),
                records + more,
                {**values, "PolicyChoice": choice.arn},
                target_key=subject.key,
            )


def put_policy(
    runner: StepRunner, actor: Actor, technique: Technique, subject: Actor
) -> Iterator[Edge]:
    if not runner.may(actor, technique.steps):
        return
    for target, via in _targets(runner, technique, subject):
        values = runner.base_values(
            actor, Target=target, TargetBoundary=_boundary_arn(subject, via)
        )
        records = runner.run(actor, technique.steps, values)
        if records is None:
            continue
        change = Change(
            key="inline:allow-all",
            description="inline policy Allow * on * written" + (f" into {via}" if via else ""),
            add=(allow_all(),),
        )
        yield runner.edge(
            actor, technique, CHANGE, subject.changed(change), records, values,
            target_key=subject.key,
        )  # fmt: skip


def add_to_group(
    runner: StepRunner, actor: Actor, technique: Technique, subject: Actor
) -> Iterator[Edge]:
    if not subject.is_user or not runner.may(actor, technique.steps):
        return
    user = subject.principal
    assert isinstance(user, User)
    member_of = {n.lower() for n in user.group_names}
    for group in runner.groups(actor.account):
        if group.name.lower() in member_of:
            continue
        values = runner.base_values(actor, Target=group.arn)
        records = runner.run(actor, technique.steps, values)
        if records is None:
            continue
        documents = _group_documents(runner, group)
        change = Change(
            key=f"group:{group.arn}",
            description=f"added to group {group.name}",
            add=documents,
        )
        yield runner.edge(
            actor, technique, CHANGE, subject.changed(change), records, values,
            target_key=subject.key,
        )  # fmt: skip


def edit_policy_version(
    runner: StepRunner, actor: Actor, technique: Technique, subject: Actor
) -> Iterator[Edge]:
    if not runner.may(actor, technique.steps):
        return
    for policy, usage in _policies_of(runner, subject):
        if policy.is_aws_managed or policy.account != actor.account:
            continue
        values = runner.base_values(actor, Target=policy.arn)
        records = runner.run(actor, technique.steps, values)
        if records is None:
            continue
        if len(policy.versions) >= 5:  # IAM keeps five versions: one must go first
            outcome = runner.oracle.check(actor, "iam:DeletePolicyVersion", policy.arn)
            if not outcome.allowed:
                continue
            # The version steps already ran above: the deletion goes before them.
            deletion = StepRecord("iam:DeletePolicyVersion", policy.arn, (), None, outcome)
            records = [deletion, *records]
        if usage == "boundary":
            change = Change(
                key=f"boundary-version:{policy.arn}",
                description=f"boundary {policy.name} rewritten to Allow * on *",
                replace_boundary=(
                    policy.as_type(PolicyType.BOUNDARY),
                    allow_all(PolicyType.BOUNDARY),
                ),
            )
        else:
            change = Change(
                key=f"version:{policy.arn}",
                description=f"policy {policy.name} rewritten to Allow * on *",
                replace=((policy.document, allow_all()),),
            )
        yield runner.edge(
            actor, technique, CHANGE, subject.changed(change), records, values,
            target_key=subject.key,
        )  # fmt: skip


def set_default_version(
    runner: StepRunner, actor: Actor, technique: Technique, subject: Actor
) -> Iterator[Edge]:
    if not runner.may(actor, technique.steps):
        return
    for policy, usage in _policies_of(runner, subject):
        if policy.is_aws_managed or policy.account != actor.account:
            continue
        if len(policy.versions) < 2 and policy.versions_known:
            continue
        values = runner.base_values(actor, Target=policy.arn)
        records = runner.run(actor, technique.steps, values)
        if records is None:
            continue
        if not policy.versions_known:
            yield _unseen_version(runner, actor, technique, subject, policy, usage, records, values)
        for version in policy.versions:
            if version.is_default:
                continue
            if usage == "boundary":
                change = Change(
                    key=f"boundary-default:{policy.arn}:{version.version_id}",
                    description=f"boundary {policy.name} set to version {version.version_id}",
                    replace_boundary=(
                        policy.as_type(PolicyType.BOUNDARY),
                        retyped(version.document, PolicyType.BOUNDARY),
                    ),
                )
            else:
                change = Change(
                    key=f"default:{policy.arn}:{version.version_id}",
                    description=f"policy {policy.name} set to version {version.version_id}",
                    replace=((policy.document, version.document),),
                )
            yield runner.edge(
                actor, technique, CHANGE, subject.changed(change), records,
                {**values, "Version": version.version_id}, target_key=subject.key,
            )  # fmt: skip


def _unseen_version(
    runner: StepRunner,
    actor: Actor,
    technique: Technique,
    subject: Actor,
    policy: ManagedPolicy,
    usage: str,
    records: list[StepRecord],
    values: dict[str, str | None],
) -> Edge:
    """The version history of a policy defined in code is not in the inputs: the edge to an
    older version granting everything holds only if such a version exists (conditional)."""
    if usage == "boundary":
        change = Change(
            key=f"boundary-default:{policy.arn}:unseen",
            description=f"boundary {policy.name} set to an older version (if one allows more)",
            replace_boundary=(policy.as_type(PolicyType.BOUNDARY), allow_all(PolicyType.BOUNDARY)),
        )
    else:
        change = Change(
            key=f"default:{policy.arn}:unseen",
            description=f"policy {policy.name} set to an older version (if one allows more)",
            replace=((policy.document, allow_all()),),
        )
    condition = (
        f"policy {policy.name} has an older version that allows more (the inputs define it in "
        "code, which shows only the current version; IAM keeps up to five)"
    )
    return runner.edge(
        actor, technique, CHANGE, subject.changed(change), records,
        {**values, "Version": "an older version"}, conditions=(condition,),
        target_key=subject.key,
    )  # fmt: skip


def _targets(runner: StepRunner, technique: Technique, subject: Actor) -> list[tuple[str, str]]:
    """(ARN the technique acts on, "via" text) for a subject: the principal itself, or
    each of its groups for group techniques."""
    if technique.target == "group":
        if not subject.is_user:
            return []
        user = subject.principal
        assert isinstance(user, User)
        return [(g.arn, f"group {g.name}") for g in runner.world.groups_of(user)]
    if is_kind(subject, technique.target):
        return [(subject.arn, "")]
    return []


def _group_documents(runner: StepRunner, group: Group) -> tuple[Policy, ...]:
    docs = list(group.inline_policies)
    for arn in group.managed_policy_arns:
        doc = runner.oracle.managed_document(arn)
        if doc is not None:
            docs.append(doc)
    return tuple(docs)


def _policies_of(runner: StepRunner, subject: Actor) -> list[tuple[ManagedPolicy, str]]:
    """Managed policies the subject uses: (policy, "identity"|"boundary")."""
    principal = subject.principal
    out: list[tuple[ManagedPolicy, str]] = []
    arns = list(principal.managed_policy_arns)
    if isinstance(principal, User):
        for group in runner.world.groups_of(principal):
            arns.extend(group.managed_policy_arns)
    for arn in dict.fromkeys(arns):
        policy = runner.world.managed_policy(arn)
        if policy is not None:
            out.append((policy, "identity"))
    if principal.boundary_arn:
        policy = runner.world.managed_policy(principal.boundary_arn)
        if policy is not None:
            out.append((policy, "boundary"))
    return out


def _boundary_arn(subject: Actor, via: str) -> str | None:
    return None if via else subject.principal.boundary_arn
