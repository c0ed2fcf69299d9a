"""Where each decisive statement of a decision is written: ``file:line:column``.

``explain`` names the statements that decided a request by policy and Sid; people then look for
them in their files. This module finds, for each decisive :class:`StatementRef`, the policy
and statement it names in the policy set the decision was evaluated against, and locates the
statement with :mod:`iamsim.ingest.locations`: the statement itself for a policy document file
(and for a Terraform policy written as ``jsonencode({...})`` or a heredoc), the attribute that
holds the policy for other Terraform policies, the file alone for a policy embedded in a larger
document (an authorization-details export), and nothing for policies that came from no file
(AWS managed policies from the packaged snapshot, the organization's default FullAWSAccess).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from iamsim.engine.policies import PolicySet
from iamsim.engine.trace import StatementRef
from iamsim.ingest.locations import Position, SourceRef, locate_in_file, parse_source
from iamsim.policy.model import Policy, Statement

Locator = Callable[[str, str], tuple[SourceRef, Position | None]]


def _candidates(policies: PolicySet) -> list[tuple[Policy, int | None]]:
    out: list[tuple[Policy, int | None]] = [(p, None) for p in policies.identity]
    out += [(p, None) for p in policies.session or ()]
    out += [(p, None) for p in policies.endpoint or ()]
    if policies.boundary is not None:
        out.append((policies.boundary, None))
    if policies.resource is not None:
        out.append((policies.resource, None))
    for levels in (policies.scp, policies.rcp):
        for index, level in enumerate(levels or ()):
            out += [(p, index) for p in level]
    return out


def find_statement(ref: StatementRef, policies: PolicySet) -> tuple[Policy, Statement] | None:
    """The policy and statement ``ref`` names (the first of a name, as the trace does)."""
    for policy, level in _candidates(policies):
        if policy.policy_type.value != ref.policy_type or policy.label != ref.policy:
            continue
        if level != ref.level:
            continue
        for statement in policy.statements:
            if statement.label == ref.statement:
                return policy, statement
    return None


def _is_file(source: str) -> bool:
    return Path(parse_source(source).file).is_file()


def statement_location(
    policy: Policy, statement: Statement, *, locate: Locator = locate_in_file
) -> str | None:
    """``file:line:column`` (or ``file`` alone) of ``statement``; None when not from a file."""
    if not policy.source or not _is_file(policy.source):
        return None
    ref = parse_source(policy.source)
    if ref.line is None and policy.name not in (None, "", Path(ref.file).stem):
        # A policy named other than its file sits inside a larger document (an export, an
        # organization file) that the statement's pointer does not point into: the file alone,
        # never a line that could be another policy's.
        return ref.file
    _, position = locate(policy.source, statement.path)
    if position is None:
        return ref.file
    return f"{ref.file}:{position.line}:{position.column}"


def decisive_locations(
    decisive: Sequence[StatementRef], policies: PolicySet, *, locate: Locator = locate_in_file
) -> list[tuple[StatementRef, str]]:
    """Each decisive statement that came from a file, with where it is written."""
    out: list[tuple[StatementRef, str]] = []
    for ref in decisive:
        found = find_statement(ref, policies)
        if found is None:
            continue
        where = statement_location(*found, locate=locate)
        if where is not None:
            out.append((ref, where))
    return out
