"""AWS managed policies referenced by ARN, attached to a world from the packaged snapshot.

The snapshot and its lookup belong to :mod:`iamsim.catalog`; this module owns putting the
policies a world references into the world (as :class:`ManagedPolicy` records).

IAM exports usually include the AWS managed policies they use, but Terraform code, hand-made
inputs or a trimmed export may only name them. Anything still missing after this step (a
customer managed policy that is not in the inputs) is reported as a note; the request
builder refuses to answer a question that depends on it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from iamsim.errors import InputError
from iamsim.model.policies import ManagedPolicy, PolicyVersion
from iamsim.model.world import World
from iamsim.policy.model import PolicyType
from iamsim.policy.parser import parse_policy
from iamsim.vocabulary.arn import parse_entity_arn

SNAPSHOT_SOURCE = "AWS managed policy snapshot"


def referenced_policy_arns(world: World) -> Iterator[tuple[str, str]]:
    """(policy ARN, who references it) for every managed policy ARN the world names."""
    for user in world.users.values():
        for arn in user.managed_policy_arns:
            yield arn, user.arn
        if user.boundary_arn:
            yield user.boundary_arn, user.arn
    for group in world.groups.values():
        for arn in group.managed_policy_arns:
            yield arn, group.arn
    for role in world.roles.values():
        for arn in role.managed_policy_arns:
            yield arn, role.arn
        if role.boundary_arn:
            yield role.boundary_arn, role.arn
    for session in world.sessions.values():
        for arn in session.session_policy_arns:
            yield arn, session.arn or session.role_arn or session.account


def is_aws_managed_arn(arn: str) -> bool:
    parsed = parse_entity_arn(arn)
    return parsed is not None and parsed.service == "iam" and parsed.account == "aws"


def aws_managed_policy(arn: str) -> ManagedPolicy | None:
    """The snapshot's copy of the AWS managed policy ``arn`` (default version only)."""
    if not is_aws_managed_arn(arn):
        return None
    # Imported here: the catalogue (and its service reference) only when a world names an
    # AWS managed policy, so a small input starts without it.
    from iamsim.catalog import managed_policy

    found = managed_policy(arn)
    if found is None:
        return None
    try:
        document = parse_policy(
            found.document, PolicyType.IDENTITY, name=found.name, source=SNAPSHOT_SOURCE
        )
    except InputError as exc:  # the snapshot is AWS's own text: only a damaged file fails
        raise exc.located(source=SNAPSHOT_SOURCE) from None
    return ManagedPolicy(
        arn=found.arn,
        name=found.name,
        versions=(PolicyVersion(found.version_id, document, is_default=True),),
        path=found.path,
    )


def resolve_managed_policies(world: World) -> World:
    """The world with every referenced AWS managed policy present, and notes for the
    referenced policies that could not be found."""
    missing: dict[str, list[str]] = {}
    for arn, referrer in referenced_policy_arns(world):
        if arn not in world.managed_policies:
            missing.setdefault(arn, []).append(referrer)
    if not missing:
        return world
    added: dict[str, ManagedPolicy] = {}
    notes = list(world.notes)
    for arn in sorted(missing):
        resolved = aws_managed_policy(arn)
        if resolved is not None:
            added[arn] = resolved
            continue
        users = ", ".join(sorted(set(missing[arn]))[:3])
        more = len(set(missing[arn])) - 3
        tail = f" and {more} more" if more > 0 else ""
        what = (
            "AWS managed policy unknown to the snapshot"
            if is_aws_managed_arn(arn)
            else ("managed policy not in the inputs")
        )
        notes.append(f"{what}: {arn} (attached to {users}{tail})")
    return dataclasses.replace(
        world,
        managed_policies={**world.managed_policies, **added},
        sources={**world.sources, **dict.fromkeys(added, SNAPSHOT_SOURCE)},
        notes=tuple(notes),
    )
