"""``iamsim diff`` of two organization folders, as independent tasks per account that merge.

Accounts are matched by ID (``accounts/<ID>/`` on each side); an account present on one side
only is wholly added or removed. One :class:`DiffTask` per account A answers, exactly as
:func:`iamsim.analysis.world_diff.diff_worlds` does for the whole organization:

* the access and boundary changes of A's users and roles, the trust changes of A's roles and
  the resource-policy changes of A's resources -- all of them read only A's own policies and
  the organization tree (SCPs): an account folder holds only its own account's entities
  (:mod:`iamsim.ingest.org_folder`), and the access comparison is the identity-based path in
  the principal's own account;
* the escalation paths from A's users and roles found in AFTER and not in BEFORE, each side
  searched in a World of the tree and the **closure** of A on that side
  (:func:`iamsim.scale.org_tasks.closure`): the same argument as the escalation tasks' (docs/
  scale.md) makes every path from A's starts in the whole organization a path in that World,
  with the same shortest-first order, and nothing more.

Which accounts need a task at all: when the organization tree (its loaded SCPs, RCPs and
structure, and every file of ORG_DIR outside ``accounts/``) is the same on both sides and no
``--allow-read`` path lets a folder read elsewhere, an account whose folder is byte-identical
on both sides has the same principals, policies and documents on both sides, so its access
and document changes are empty; its escalation paths can change only when its closure on
either side holds a changed account (a trust policy opened to it, a role it can become
loosened). Such accounts are skipped without loading. Deciding the closures needs the index
of cross-account grants (one load of each account of AFTER, and of each changed account of
BEFORE); without escalation (``--no-escalation``) no index is built and only the changed
accounts are loaded.

The merge sorts principals and documents by ARN and paths by start (stable: each start's
paths keep their order), as the single process lists them. An account whose folder cannot be
read on either side is left out (its path and error); so is an account whose closure needs
an unreadable account.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iamsim import limits as limits_module
from iamsim.analysis.world_diff import (
    SCOPE_NOTE,
    DocumentChange,
    PathChange,
    PrincipalDiff,
    WorldDiff,
    escalation_paths,
    new_paths,
    policy_fingerprint,
    principal_changes,
    resource_changes,
    trust_changes,
)
from iamsim.errors import InputError
from iamsim.ingest.org_folder import ACCOUNTS_DIR, OrgFolder
from iamsim.limits import Limits
from iamsim.model import World, merge_worlds
from iamsim.model.managed import resolve_managed_policies
from iamsim.model.organization import OrgNode
from iamsim.scale.org_tasks import AccountIndex, IndexTask, closure, index_task
from iamsim.scale.runner import TaskRunner
from iamsim.scale.tasks import LeftOut
from iamsim.scale.worker_folders import worker_folder
from iamsim.vocabulary.arn import parse_entity_arn

__all__ = ["DiffAnswer", "DiffTask", "OrgDiff", "diff_task", "org_diff"]

BEFORE, AFTER = "before", "after"


@dataclass(frozen=True, slots=True)
class DiffTask:
    """One account's share of the diff. ``before_load`` / ``after_load``: the accounts of
    that side's World, the account first (None: the account is not on that side)."""

    before_dir: str
    after_dir: str
    account: str
    before_load: tuple[str, ...] | None
    after_load: tuple[str, ...] | None
    escalation: bool = True
    allow_read: tuple[str, ...] = ()
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True, slots=True)
class DiffAnswer:
    """One account's changes (plain dataclasses: they cross processes), the source files of
    the ARNs they name (for SARIF), or why the account is left out."""

    account: str
    principals: tuple[PrincipalDiff, ...] = ()
    boundaries: tuple[DocumentChange, ...] = ()
    trust: tuple[DocumentChange, ...] = ()
    resources: tuple[DocumentChange, ...] = ()
    paths: tuple[PathChange, ...] = ()
    sources: tuple[tuple[str, str], ...] = ()
    input_notes: tuple[str, ...] = ()
    left_out: LeftOut | None = None


# -- in the worker ------------------------------------------------------------------------

# Per side, the last World (and escalation graph) this process built, by the accounts it
# holds: accounts with the same closure (all of a densely trusting organization) share one
# load and one graph's edge caches. One World per side at a time.
_WORLDS: dict[str, tuple[tuple[Any, ...], World, dict[str, Owned], Any]] = {}


@dataclass(frozen=True, slots=True)
class Owned:
    """The ARNs an account's folder defines: its users and roles, and its resources."""

    principals: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()
    resources: frozenset[str] = frozenset()

    @classmethod
    def of(cls, world: World) -> Owned:
        return cls(
            frozenset({*world.users, *world.roles}),
            frozenset(world.roles),
            frozenset(world.resources),
        )


def _side_world(task: DiffTask, side: str) -> tuple[World, Owned, Any] | LeftOut | None:
    """That side's World for the task, the account's own part of it, and its escalation
    graph (None without escalation); a LeftOut when an account of it cannot be read;
    None when the account is not on that side."""
    org_dir = task.before_dir if side == BEFORE else task.after_dir
    load = task.before_load if side == BEFORE else task.after_load
    if load is None:
        return None
    key = (org_dir, frozenset(load), task.allow_read, task.limits)
    cached = _WORLDS.get(side)
    if cached is not None and cached[0] == key:
        return cached[1], cached[2][task.account], cached[3]
    _WORLDS.pop(side, None)
    folder = worker_folder(org_dir, task.allow_read)
    parts: list[World] = []
    # Merged in account order, as the whole folder is (OrgFolder.world): the World's entities
    # keep the relative order they have there, whatever account the task is about.
    order = sorted(load)
    for account in order:
        try:
            parts.append(folder.account_world(account))
        except InputError as exc:
            path = str(folder.folder(task.account))
            why = (
                f"{side.upper()}: {exc.describe()}"
                if account == task.account
                else f"{side.upper()}: needs account {account} (cross-account grants), "
                f"which cannot be read: {exc.describe()}"
            )
            return LeftOut(task.account, path, why)
    try:
        world = resolve_managed_policies(merge_worlds([folder.tree, *parts]))
    except InputError as exc:
        return LeftOut(task.account, str(folder.folder(task.account)), exc.describe())
    graph = None
    if task.escalation:
        from iamsim.analysis.escalation import EscalationGraph

        graph = EscalationGraph(world)
    owned = {account: Owned.of(part) for account, part in zip(order, parts, strict=True)}
    del parts  # the merged World holds what the task needs
    _WORLDS[side] = (key, world, owned, graph)
    return world, owned[task.account], graph


def diff_task(task: DiffTask) -> DiffAnswer:
    """One account's diff (module-level: the runners pickle it by reference)."""
    with limits_module.override(task.limits):
        sides: dict[str, tuple[World, Owned, Any] | None] = {}
        for side in (BEFORE, AFTER):
            made = _side_world(task, side)
            if isinstance(made, LeftOut):
                return DiffAnswer(task.account, left_out=made)
            sides[side] = made
        before, after = sides[BEFORE], sides[AFTER]
        b_world = before[0] if before is not None else _tree_only(task, BEFORE)
        a_world = after[0] if after is not None else _tree_only(task, AFTER)
        b_own = before[1] if before is not None else Owned()
        a_own = after[1] if after is not None else Owned()
        principals, boundaries = principal_changes(
            b_world, a_world, b_own.principals | a_own.principals
        )
        trust = trust_changes(b_world, a_world, b_own.roles | a_own.roles)
        resources = resource_changes(b_world, a_world, b_own.resources | a_own.resources)
        paths: list[PathChange] = []
        if task.escalation and after is not None:

            def own(key: str) -> bool:
                parsed = parse_entity_arn(key)
                return parsed is not None and parsed.account == task.account

            old = (
                escalation_paths(before[0], graph=before[2], starts=own)
                if before is not None
                else {}
            )
            paths = new_paths(old, escalation_paths(after[0], graph=after[2], starts=own))
        named = {
            *(p.principal for p in principals),
            *(d.subject for d in (*boundaries, *trust, *resources)),
            *(p.start for p in paths),
        }
        sources = {**b_world.sources, **a_world.sources}
        return DiffAnswer(
            task.account,
            principals=tuple(principals),
            boundaries=tuple(boundaries),
            trust=tuple(trust),
            resources=tuple(resources),
            paths=tuple(paths),
            sources=tuple(sorted((k, sources[k]) for k in named if k in sources)),
            input_notes=tuple(dict.fromkeys((*b_world.notes, *a_world.notes))),
        )


def _tree_only(task: DiffTask, side: str) -> World:
    """The side without the account: the tree alone (the account is added or removed)."""
    org_dir = task.before_dir if side == BEFORE else task.after_dir
    return worker_folder(org_dir, task.allow_read).tree


# -- in the parent ------------------------------------------------------------------------


@dataclass(slots=True)
class OrgDiff:
    """The merged diff (the single process's :class:`WorldDiff`), the accounts left out,
    and the counts: accounts on either side, changed (folder differs, or on one side only),
    answered by a task, and skipped without loading."""

    diff: WorldDiff
    left_out: list[LeftOut]
    accounts: int
    changed: int
    answered: int
    skipped: int
    sources: dict[str, str]
    input_notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The ``world-diff/1`` document, with the per-account counts added."""
        out = self.diff.to_dict()
        out["accounts"] = self.accounts
        out["accounts_changed"] = self.changed
        out["accounts_answered"] = self.answered
        out["accounts_skipped"] = self.skipped
        out["accounts_left_out"] = [item.to_dict() for item in self.left_out]
        return out

    def counts_line(self) -> str:
        return (
            f"accounts: {self.accounts} ({self.changed} changed; {self.answered} answered, "
            f"{self.skipped} skipped unchanged with an unchanged closure, "
            f"{len(self.left_out)} left out)"
        )


def _node_key(node: OrgNode) -> tuple[Any, ...]:
    return (
        node.id,
        str(node.kind),
        node.name,
        tuple((p.label, policy_fingerprint(p)) for p in node.scps),
        tuple((p.label, policy_fingerprint(p)) for p in node.rcps),
        tuple(_node_key(child) for child in node.children),
    )


def _tree_key(tree: World) -> tuple[Any, ...] | None:
    """The organization as the diff sees it (structure, SCP/RCP labels and statements; not
    the files they were read from). None when the tree holds anything else (conservative:
    every account is then answered)."""
    org = tree.organization
    if org is None or tree.users or tree.roles or tree.resources or tree.groups:
        return None
    return (
        org.id,
        org.management_account,
        org.scp_enabled,
        org.rcp_enabled,
        _node_key(org.root),
    )


def _files(folder: Path, *, skip: Path | None = None) -> dict[str, Path]:
    """Every file under ``folder`` by its relative path (``skip``: a subfolder left out)."""
    out: dict[str, Path] = {}
    for file in sorted(folder.rglob("*")):
        if skip is not None and file.is_relative_to(skip):
            continue
        if file.is_file() or file.is_symlink():
            out[file.relative_to(folder).as_posix()] = file
    return out


def _digest(folder: OrgFolder, file: Path) -> str:
    data = folder.scope.read_bytes(file, "a file of the organization folder", str(file))
    return hashlib.sha256(data).hexdigest()


def _same_files(
    old: OrgFolder, old_dir: Path, new: OrgFolder, new_dir: Path, *, skip: str | None = None
) -> bool:
    """Whether two folders hold the same files with the same bytes (a file that cannot be
    read counts as a difference: its task will say why)."""
    a = _files(old_dir, skip=old_dir / skip if skip else None)
    b = _files(new_dir, skip=new_dir / skip if skip else None)
    if a.keys() != b.keys():
        return False
    for name, file in a.items():
        other = b[name]
        try:
            if file.stat().st_size != other.stat().st_size:
                return False
            if _digest(old, file) != _digest(new, other):
                return False
        except (OSError, InputError):
            return False
    return True


def _indexes(runner: TaskRunner, tasks: list[IndexTask]) -> dict[tuple[str, str], AccountIndex]:
    """The index of each (folder, account) of ``tasks``."""
    return {(d, i.account): i for d, i in runner.map_unordered(_index_in, tasks)}


def _unplaced_links(index: Mapping[str, AccountIndex]) -> frozenset[tuple[str, str, str, str]]:
    """The runs-as links of a side's index whose resource ARN names no account, with the
    account holding each link."""
    return frozenset(
        (item.account, *link)
        for item in index.values()
        for link in item.links
        if not _arn_account(link[0])
    )


def _arn_account(arn: str) -> str:
    parts = arn.split(":", 5)
    return parts[4] if len(parts) > 4 else ""


def _index_in(task: IndexTask) -> tuple[str, AccountIndex]:
    """:func:`index_task` with the folder it indexed (module-level for the runners)."""
    return task.org_dir, index_task(task)


def org_diff(
    before_dir: str | Path,
    after_dir: str | Path,
    runner: TaskRunner,
    *,
    escalation: bool = True,
    allow_read: tuple[str, ...] = (),
    limits: Limits | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> OrgDiff:
    """The diff of two organization folders, one task per account that may have changed."""
    limits = limits if limits is not None else limits_module.current()
    old = OrgFolder(before_dir, allow_read=allow_read)
    new = OrgFolder(after_dir, allow_read=allow_read)
    b_dir, a_dir = str(old.path), str(new.path)
    accounts = sorted(set(old.accounts) | set(new.accounts))
    changed = {
        a
        for a in accounts
        if a not in old.accounts
        or a not in new.accounts
        or not _same_files(old, old.folder(a), new, new.folder(a))
    }
    tree_key = _tree_key(old.tree)
    shared_same = (
        not allow_read
        and tree_key is not None
        and tree_key == _tree_key(new.tree)
        and _same_files(old, old.path, new, new.path, skip=ACCOUNTS_DIR)
    )
    left_out: dict[str, LeftOut] = {}
    b_closure: dict[str, tuple[str, ...]] = {a: (a,) for a in old.accounts}
    a_closure: dict[str, tuple[str, ...]] = {a: (a,) for a in new.accounts}
    if escalation:
        # The index of each side: an unchanged account's (same bytes, same shared files)
        # is the same on both sides, so BEFORE indexes only its changed accounts.
        tasks = [IndexTask(a_dir, a, allow_read, limits) for a in new.accounts]
        tasks += [
            IndexTask(b_dir, a, allow_read, limits)
            for a in old.accounts
            if a in changed or not shared_same
        ]
        found = _indexes(runner, tasks)
        sides = {}
        for side_dir, folder in ((a_dir, new), (b_dir, old)):
            index: dict[str, AccountIndex] = {}
            for account in folder.accounts:
                item = found.get((side_dir, account)) or found[(a_dir, account)]
                if item.left_out is not None:
                    gone = item.left_out
                    side = "BEFORE" if side_dir == b_dir else "AFTER"
                    left_out.setdefault(
                        account, LeftOut(account, gone.path, f"{side}: {gone.error}")
                    )
                else:
                    index[account] = item
            sides[side_dir] = index
        b_closure = {a: closure(sides[b_dir], a) for a in sides[b_dir]}
        a_closure = {a: closure(sides[a_dir], a) for a in sides[a_dir]}
        if _unplaced_links(sides[b_dir]) != _unplaced_links(sides[a_dir]):
            # A resource's grants count in the closure only while some account links it to
            # a role, and reaching the resource's account reaches the link's holder. A link
            # to a resource whose ARN names no account, not held with the resource, is
            # filed under its holder: a change to it could add an edge whose cause is not
            # in the walk. Rare: answer every account rather than reason about it.
            shared_same = False
    answer: list[str] = []
    for account in accounts:
        if account in left_out:
            continue
        reach = {*b_closure.get(account, ()), *a_closure.get(account, ())}
        if shared_same and account not in changed and not (reach & changed):
            continue  # same folder, same tree, nothing it reaches changed
        answer.append(account)
    skipped = len(accounts) - len(answer) - len(left_out)
    questions = [
        DiffTask(
            b_dir,
            a_dir,
            account,
            b_closure.get(account) if account in old.accounts else None,
            a_closure.get(account) if account in new.accounts else None,
            escalation,
            allow_read,
            limits,
        )
        for account in answer
    ]
    answers: list[DiffAnswer] = []

    def stream() -> Iterator[DiffTask]:
        yield from questions

    for done, result in enumerate(runner.map_unordered(diff_task, stream()), start=1):
        if result.left_out is not None:
            left_out[result.account] = result.left_out
        else:
            answers.append(result)
        if progress is not None:
            progress(done, len(questions))
    return _merge(answers, left_out, len(accounts), len(changed), skipped)


def _merge(
    answers: list[DiffAnswer],
    left_out: Mapping[str, LeftOut],
    accounts: int,
    changed: int,
    skipped: int,
) -> OrgDiff:
    principals = sorted((p for a in answers for p in a.principals), key=lambda p: p.principal)
    documents = [
        *sorted((d for a in answers for d in a.boundaries), key=lambda d: d.subject),
        *sorted((d for a in answers for d in a.trust), key=lambda d: d.subject),
        *sorted((d for a in answers for d in a.resources), key=lambda d: d.subject),
    ]
    answers = sorted(answers, key=lambda a: a.account)
    paths = sorted((p for a in answers for p in a.paths), key=lambda p: p.start)
    sources = {k: v for a in answers for k, v in a.sources}
    diff = WorldDiff(principals, documents, paths, [SCOPE_NOTE])
    notes = list(dict.fromkeys(n for a in answers for n in a.input_notes))
    return OrgDiff(
        diff,
        [left_out[a] for a in sorted(left_out)],
        accounts,
        changed,
        len(answers),
        skipped,
        sources,
        notes,
    )
