"""Who-can across an organization folder, as independent tasks per account that merge.

A :class:`WhoCanTask` names one account of the folder (or none: the *outside* task) and the
question. Its world is the organization tree, that account's folder, and a *slice* of the
folder that holds the target resource (its resources and customer managed policies, and the
target itself when it is a user or role, but none of that account's other principals): the
same policies every request of that account's principals meets in the world of the whole
organization (their identity side, the SCP/RCP chain, the resource's policy). The task asks
:class:`~iamsim.analysis.who_can.WhoCan` about the candidates *of its account* only;
the outside task asks about every candidate outside the folder's accounts (principals the
resource policy names elsewhere, ``"*"``, anonymous callers, services). Each candidate is so
asked exactly once, with the policies it meets in the whole world, and the merge sorts as
the single-process answer does: the merged answer is the single-process one.

An account whose folder cannot be read (a malformed export, an unresolved Terraform value)
comes back as :class:`LeftOut` with its path and the error; the others are still answered.
A bad holder of the target resource, or a bad question, fails the whole question.

Workers keep the organization tree and the holder's slice per process (module caches), so a
worker reads the organization file once, however many accounts it answers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from iamsim import limits as limits_module
from iamsim.analysis.collector import collector_paused
from iamsim.analysis.who_can import (
    KIND_ORDER,
    Blocked,
    Candidate,
    WhoCan,
    WhoCanEntry,
    WhoCanResult,
    forget_caches,
)
from iamsim.builder import RequestBuilder
from iamsim.errors import InputError
from iamsim.ingest.org_folder import OrgFolder
from iamsim.limits import Limits
from iamsim.model import World, merge_worlds
from iamsim.model.managed import resolve_managed_policies
from iamsim.policy.model import Policy
from iamsim.scale.runner import TaskRunner
from iamsim.scale.worker_folders import worker_folder
from iamsim.vocabulary.arn import parse_entity_arn
from iamsim.vocabulary.request import ContextValue

__all__ = [
    "AccountAnswer",
    "LeftOut",
    "OrgWhoCanResult",
    "WhoCanTask",
    "org_who_can",
    "who_can_task",
]

# Candidate kinds that are principals of one account (named by an ARN holding the account).
_ACCOUNT_KINDS = frozenset(
    {"user", "role", "session", "root", "account", "external-user", "external-role",
     "external-session"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class WhoCanTask:
    """One account's share of a who-can question (``account`` None: the outside task)."""

    org_dir: str
    account: str | None
    actions: tuple[str, ...]
    resource: str
    holder: str | None
    context: tuple[tuple[str, ContextValue], ...] | None = None
    region: str | None = None
    allow_read: tuple[str, ...] = ()
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True, slots=True)
class LeftOut:
    """An account not answered: its folder and why."""

    account: str
    path: str
    error: str

    def to_dict(self) -> dict[str, str]:
        return {"account": self.account, "path": self.path, "error": self.error}


@dataclass(frozen=True, slots=True)
class AccountAnswer:
    """What one task found: the account's part of the answer, or why it has none."""

    account: str | None
    result: WhoCanResult | None = None
    left_out: LeftOut | None = None
    # The question itself failed (not the account's data): the whole answer fails.
    question_error: str | None = None
    # The loaders' notes on the inputs this task read (what they could not resolve...).
    input_notes: tuple[str, ...] = ()


@dataclass(slots=True)
class OrgWhoCanResult:
    """The merged answer and the accounts left out of it."""

    result: WhoCanResult
    left_out: list[LeftOut]
    accounts: int

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = self.result.to_dict()
        out["accounts"] = self.accounts
        out["accounts_left_out"] = [item.to_dict() for item in self.left_out]
        return out


# -- in the worker ------------------------------------------------------------------------

_SLICES: dict[tuple[str, str, str], World] = {}


def _folder(task: WhoCanTask) -> OrgFolder:
    return worker_folder(task.org_dir, task.allow_read)


def _slice(folder: OrgFolder, holder: str, resource: str) -> World:
    """The holder's resources and managed policies, and ``resource`` if it is a principal."""
    key = (str(folder.path), holder, resource)
    found = _SLICES.get(key)
    if found is None:
        world = folder.account_world(holder)
        found = dataclasses.replace(
            world,
            users={k: v for k, v in world.users.items() if k == resource},
            roles={k: v for k, v in world.roles.items() if k == resource},
            groups={},
            sessions={},
        )
        _SLICES.clear()  # one question at a time: keep only the current holder's slice
        _SLICES[key] = found
    return found


class _AccountWhoCan(WhoCan):
    """WhoCan asking only the candidates ``keep`` accepts (by the candidate's account)."""

    def __init__(
        self, world: World, builder: RequestBuilder, keep: Callable[[str | None], bool]
    ) -> None:
        super().__init__(world, builder=builder)
        self._keep = keep

    def candidates(
        self,
        actions: Sequence[str],
        resource: str,
        *,
        on_star: bool = False,
        found: Sequence[Policy] | None = None,
    ) -> list[Candidate]:
        asked = super().candidates(actions, resource, on_star=on_star, found=found)
        return [c for c in asked if self._keep(_candidate_account(c))]

    def _may_ask_named(self, arn: str) -> bool:
        # A principal of another task's account is dropped by ``candidates`` anyway: skip
        # resolving it (in this task's world it is unknown, and the unknown-principal
        # message's suggestions cost a fuzzy search over every name).
        # Only IAM users, roles and roots: their candidates (user, role, external-*, root,
        # account) are always counted in the ARN's account; others are resolved as before.
        parsed = parse_entity_arn(arn)
        if parsed is None or parsed.service != "iam":
            return True
        if parsed.resource != "root" and not parsed.resource.startswith(("user/", "role/")):
            return True
        return self._keep(parsed.account)


def _candidate_account(candidate: Candidate) -> str | None:
    if candidate.kind not in _ACCOUNT_KINDS:
        return None
    return getattr(candidate.principal, "account", None)


def who_can_task(task: WhoCanTask) -> AccountAnswer:
    """Answer one task (module-level: the runners pickle it by reference)."""
    # The collector paused for the whole task, reading included: a worker's heap holds the
    # catalogue and the tree, and reading an export's hundreds of thousands of objects
    # triggered full collections over it (a quarter of a task's CPU time).
    with limits_module.override(task.limits), collector_paused():
        try:
            folder = _folder(task)
        except InputError as exc:
            return AccountAnswer(task.account, question_error=exc.describe())
        parts = [folder.tree]
        if task.account is not None:
            try:
                parts.append(folder.account_world(task.account))
            except InputError as exc:
                path = str(folder.folder(task.account))
                return AccountAnswer(
                    task.account, left_out=LeftOut(task.account, path, exc.describe())
                )
        if task.holder is not None and task.holder != task.account:
            try:
                parts.append(_slice(folder, task.holder, task.resource))
            except InputError as exc:
                return AccountAnswer(task.account, question_error=exc.describe())
        try:
            world = resolve_managed_policies(merge_worlds(parts))
        except InputError as exc:
            if task.account is None:
                return AccountAnswer(task.account, question_error=exc.describe())
            path = str(folder.folder(task.account))
            return AccountAnswer(task.account, left_out=LeftOut(task.account, path, exc.describe()))
        own = task.account
        loaded = folder.accounts

        def keep(account: str | None) -> bool:
            if account is not None and account in loaded:
                return account == own
            return own is None

        analyzer = _AccountWhoCan(world, RequestBuilder(world, region=task.region), keep)
        context: Mapping[str, ContextValue] | None = dict(task.context) if task.context else None
        try:
            result = analyzer.who_can(list(task.actions), task.resource, context=context)
        except InputError as exc:
            return AccountAnswer(task.account, question_error=exc.describe())
        finally:
            # The next task reads another account: nothing compiled here serves it but
            # the few policies of the tree and the holder slice, recompiled at once.
            forget_caches()
        return AccountAnswer(task.account, result=result, input_notes=world.notes)


# -- in the parent ------------------------------------------------------------------------


def org_who_can(
    org_dir: str | Path,
    actions: list[str],
    resource: str,
    runner: TaskRunner,
    *,
    context: Mapping[str, ContextValue] | None = None,
    region: str | None = None,
    allow_read: tuple[str, ...] = (),
    progress: Callable[[int, int], None] | None = None,
    on_answer: Callable[[AccountAnswer], None] | None = None,
    on_notes: Callable[[tuple[str, ...]], None] | None = None,
) -> OrgWhoCanResult:
    """Who can perform ``actions`` on ``resource`` in any account of the folder, one task per
    account on ``runner``; ``progress`` hears ``(tasks done, tasks)`` as each finishes and
    ``on_answer`` each task's answer as it arrives (for streaming), ``on_notes`` the
    loaders' notes on the inputs each task read."""
    folder = OrgFolder(org_dir, allow_read=allow_read)
    resource = resource.strip() or "*"
    holders = folder.holders(resource) if resource != "*" else ()
    if len(holders) > 1:
        raise InputError(
            f"{resource} is defined in several account folders ({', '.join(holders)})",
            source=str(folder.path),
        )
    holder = holders[0] if holders else None
    base = WhoCanTask(
        org_dir=str(folder.path),
        account=None,
        actions=tuple(actions),
        resource=resource,
        holder=holder,
        context=tuple(sorted(context.items())) if context else None,
        region=region,
        allow_read=tuple(str(p) for p in allow_read),
        limits=limits_module.current(),
    )
    accounts = list(folder.accounts)

    def tasks() -> Iterator[WhoCanTask]:
        yield base
        for account in accounts:
            yield dataclasses.replace(base, account=account)

    total = len(accounts) + 1
    answers: list[AccountAnswer] = []
    for done, answer in enumerate(runner.map_unordered(who_can_task, tasks()), start=1):
        if answer.question_error is not None:
            raise InputError(answer.question_error)
        answers.append(answer)
        if on_notes is not None and answer.input_notes:
            on_notes(answer.input_notes)
        if on_answer is not None:
            on_answer(answer)
        if progress is not None:
            progress(done, total)
    return merge_answers(list(actions), resource, answers, len(accounts))


def merge_answers(
    actions: list[str], resource: str, answers: list[AccountAnswer], accounts: int
) -> OrgWhoCanResult:
    """One answer from the tasks' answers, ordered as the single-process answer."""
    results = [a.result for a in answers if a.result is not None]
    left_out = sorted((a.left_out for a in answers if a.left_out is not None), key=_by_account)
    entries: list[WhoCanEntry] = [e for r in results for e in r.principals]
    entries.sort(key=lambda e: (KIND_ORDER.get(e.kind, 99), e.principal))
    order = {a: i for i, a in enumerate(actions)}
    blocked: list[Blocked] = [b for r in results for b in r.blocked]
    blocked.sort(key=lambda b: (KIND_ORDER.get(b.kind, 99), b.principal, order.get(b.action, 0)))
    notes: list[str] = []
    for r in sorted(results, key=lambda r: r.principals[0].principal if r.principals else ""):
        notes.extend(r.notes)
    # Every task resolves the actions and the resource the same way: take the first's.
    first = results[0] if results else None
    merged = WhoCanResult(
        actions=first.actions if first else list(actions),
        resource=first.resource if first else resource,
        principals=entries,
        blocked=blocked,
        considered=sum(r.considered for r in results),
        evaluated=sum(r.evaluated for r in results),
        notes=list(dict.fromkeys(notes)),
    )
    return OrgWhoCanResult(merged, left_out, accounts)


def _by_account(item: LeftOut) -> str:
    return item.account
