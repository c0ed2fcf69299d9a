"""Escalation and boundary audit across an organization folder, as tasks per account.

Independent tasks per account (see docs/scale.md, "escalation and audit boundaries"):

1. **Index** (:func:`index_task`, one per account): what the account grants to principals
   *outside* it, as account IDs (``"*"``: anyone) — the accounts its roles' trust policies
   and its resources' policies name — and the roles of other accounts its resources run code
   as. Only IDs travel back: the index is O(cross-account statements), not O(principals).
2. **Escalation** (:func:`escalation_task`, in rounds): round one, per account A, a world of
   the organization tree, A's folder whole, and the *doors* into it (:func:`door_slice`: the
   roles of other accounts whose trust policies may let A's principals in). The search from
   each of A's users and roles is the single-process search until it would expand a door
   role (``OutsideWorld``); such a start is asked again in the next round with that account
   loaded whole too (and its doors), until every start is answered.
3. **Boundary audit** (:func:`audit_task`, one per account A): the world of the tree, A's
   folder, and every account A's principals can reach through the index (the *closure*:
   transitively, a role of B that A can become may itself be trusted by C). Only A's
   subjects are audited.

Why the answers are the single-process ones: every escalation edge is decided by the engine
over the policies it meets. Change and create edges stay inside the actor's account; a
become edge into another account B needs B's trust (or resource) policy to name the actor's
account or the actor (or anyone) — exactly what the index records, so the doors (and the
closure) hold every role such an edge can reach. An escalation search that ends without
``OutsideWorld`` expanded only principals of accounts its world holds whole. The
organization tree (SCPs, RCPs, every account) is in every task, so labels and guardrails are
the same.

The merge sorts starts (and subjects) by ARN and administrators by ARN, as the single
process does. An account whose folder cannot be read is left out (its path and error); an
account whose task needs an unreadable account (a door, a crossing start's account, the
closure) is left out too (its answer would be missing edges), with that account's error.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iamsim import limits as limits_module
from iamsim.errors import IamsimError, InputError
from iamsim.ingest.org_folder import OrgFolder
from iamsim.limits import Limits
from iamsim.model import Role, World, merge_worlds
from iamsim.model.managed import resolve_managed_policies
from iamsim.policy.model import Effect, Policy, PrincipalSpec
from iamsim.scale.runner import TaskRunner
from iamsim.scale.tasks import LeftOut
from iamsim.scale.worker_folders import worker_folder
from iamsim.vocabulary.arn import is_account_id, parse_entity_arn
from iamsim.vocabulary.request import ContextValue

if TYPE_CHECKING:
    from iamsim.analysis.admin import AdminVerdict

__all__ = [
    "ANYONE",
    "AccountIndex",
    "AuditAnswer",
    "EscalationAnswer",
    "IndexTask",
    "OrgQuestion",
    "closure",
    "index_task",
    "org_audit_boundaries",
    "org_escalation",
]

ANYONE = "*"


@dataclass(frozen=True, slots=True)
class IndexTask:
    """Index one account's cross-account grants."""

    org_dir: str
    account: str
    allow_read: tuple[str, ...] = ()
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True, slots=True)
class AccountIndex:
    """One account's cross-account surface, as account IDs (``"*"``: anyone).

    ``grants_to``: the accounts its roles' trust policies name; ``resource_grants``: per
    resource with a policy naming other accounts, those accounts (they matter to escalation
    only for resources that run code as a role); ``links``: its resources-run-as-roles links
    as (resource ARN, the resource's account, the role's account)."""

    account: str
    grants_to: frozenset[str] = frozenset()
    resource_grants: tuple[tuple[str, frozenset[str]], ...] = ()
    links: tuple[tuple[str, str, str], ...] = ()
    left_out: LeftOut | None = None


@dataclass(frozen=True, slots=True)
class OrgQuestion:
    """One account's share of an escalation or boundary audit (``load``: the accounts of its
    world, the account itself included).

    Escalation only: ``doors``, accounts of which the world also holds the roles whose trust
    policies let principals of ``load`` in (the rest of those accounts is not read into the
    world); ``starts``: the starts to search (None: every user and role of the account, with
    their admin verdicts)."""

    org_dir: str
    account: str
    load: tuple[str, ...]
    region: str = "us-east-1"
    context: tuple[tuple[str, ContextValue], ...] | None = None
    runs_as: tuple[tuple[str, str], ...] = ()
    techniques: tuple[str, ...] = ()
    to: str = "admin"
    actions: tuple[str, ...] | None = None
    max_paths: int | None = 5
    allow_read: tuple[str, ...] = ()
    limits: Limits = field(default_factory=Limits)
    doors: tuple[str, ...] = ()
    starts: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """One start, verdict or audit subject as plain data (what crosses processes: the
    analysis objects hold compiled policies): its key, JSON form, text lines, and ``status``
    (a start's or subject's verdict; for an admin verdict "admin" or its first blocker)."""

    key: str
    document: dict[str, Any]
    lines: tuple[str, ...] = ()
    status: str = ""
    label: str = ""
    containment: str | None = None


@dataclass(frozen=True, slots=True)
class EscalationAnswer:
    """One account's escalation: its starts' results and admin verdicts, its administrators,
    the notes on its principals left out of the graph (by ARN), and whether its world knows
    a resource that runs as a role. ``pending``: starts whose search left the task's world,
    with the account it needed (asked again in a wider world)."""

    account: str
    results: tuple[Item, ...] = ()
    verdicts: tuple[Item, ...] = ()
    admins: tuple[str, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()
    has_links: bool = False
    checks: int = 0
    goal_note: str | None = None
    left_out: LeftOut | None = None
    question_error: str | None = None
    pending: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class AuditAnswer:
    """One account's boundary audit: its subjects' audits (and the same notes as above)."""

    account: str
    subjects: tuple[Item, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()
    has_links: bool = False
    checks: int = 0
    left_out: LeftOut | None = None
    question_error: str | None = None


# -- the index ----------------------------------------------------------------------------


def _named_accounts(spec: PrincipalSpec | None, own: str, out: set[str]) -> None:
    """The accounts an AWS principal element names (``"*"`` for anyone or a pattern)."""
    if spec is None:
        return
    if spec.wildcard:
        out.add(ANYONE)
        return
    for value in spec.values("AWS"):
        text = value.strip()
        if is_account_id(text):
            account: str | None = text
        else:
            parsed = parse_entity_arn(text)
            account = parsed.account if parsed is not None else None
        if account is None or not is_account_id(account) or "*" in text or "?" in text:
            out.add(ANYONE)  # "*", a pattern or an unreadable value: assume anyone
        elif account != own:
            out.add(account)


def _policy_grants(policy: Policy | None, own: str, out: set[str]) -> None:
    if policy is None:
        return
    for statement in policy.statements:
        if statement.effect is Effect.DENY:
            continue
        if statement.not_principal is not None:
            out.add(ANYONE)  # Allow with NotPrincipal: nearly everyone
        _named_accounts(statement.principal, own, out)


def account_index(world: World, account: str) -> AccountIndex:
    """The cross-account surface of one account's world (not resolved)."""
    grants: set[str] = set()
    for role in world.roles.values():
        _policy_grants(role.trust_policy, account, grants)
    resource_grants = []
    for resource in world.resources.values():
        named: set[str] = set()
        _policy_grants(resource.policy, account, named)
        if named:
            resource_grants.append((resource.arn, frozenset(named)))
    links = []
    for link in world.runs_as:
        runs = parse_entity_arn(link.role)
        held = parse_entity_arn(link.resource)
        owner = world.resources[link.resource].account if link.resource in world.resources else None
        owner = owner or (held.account if held is not None and held.account else account)
        links.append((link.resource, owner, runs.account if runs is not None else account))
    return AccountIndex(account, frozenset(grants), tuple(resource_grants), tuple(links))


def index_task(task: IndexTask) -> AccountIndex:
    """Index one account (module-level: the runners pickle it by reference)."""
    with limits_module.override(task.limits):
        folder = worker_folder(task.org_dir, task.allow_read)
        try:
            world = folder.account_world(task.account)
        except InputError as exc:
            path = str(folder.folder(task.account))
            return AccountIndex(task.account, left_out=LeftOut(task.account, path, exc.describe()))
        return account_index(world, task.account)


def closure(index: Mapping[str, AccountIndex], account: str) -> tuple[str, ...]:
    """The accounts ``account``'s principals may reach, itself first, then by ID.

    B is reached from X when a trust policy of B names X (or anyone), or the policy of a
    resource of B that runs code as a role names X (or anyone); reaching the account of such
    a resource also reaches the account holding the link and the role's account (code
    injected into the resource runs as the role)."""
    from iamsim.model.resources import governing_arns

    linked: set[str] = set()
    follows: dict[str, set[str]] = {}
    for item in index.values():
        for resource, owner, role_account in item.links:
            linked.add(resource)
            follows.setdefault(owner, set()).update({item.account, role_account})
    granted_to: dict[str, set[str]] = {}
    for holder, item in index.items():
        surface = set(item.grants_to)
        for arn, named in item.resource_grants:
            if arn in linked or any(g in linked for g in governing_arns(arn)):
                surface |= named
        for grantee in surface:
            granted_to.setdefault(grantee, set()).add(holder)
    open_to_all = granted_to.get(ANYONE, set())
    seen = {account}
    stack = [account]
    while stack:
        current = stack.pop()
        reached = open_to_all | granted_to.get(current, set()) | follows.get(current, set())
        for other in sorted(reached):
            if other in index and other not in seen:
                seen.add(other)
                stack.append(other)
    return (account, *sorted(seen - {account}))


def build_index(
    folder: OrgFolder, runner: TaskRunner, allow_read: tuple[str, ...], limits: Limits
) -> dict[str, AccountIndex]:
    """The first pass: every account's index, by account ID."""
    tasks = (IndexTask(str(folder.path), a, allow_read, limits) for a in folder.accounts)
    return {i.account: i for i in runner.map_unordered(index_task, tasks)}


# -- the question tasks -------------------------------------------------------------------


def _task_world(task: OrgQuestion) -> tuple[OrgFolder, World] | LeftOut | str:
    """The task's world; a LeftOut when an account of it cannot be read, a string when the
    organization itself cannot."""
    try:
        folder = worker_folder(task.org_dir, task.allow_read)
    except InputError as exc:
        return exc.describe()
    parts = [folder.tree]
    grantees = frozenset(task.load)
    for account in (*task.load, *task.doors):
        try:
            world = folder.account_world(account)
            parts.append(world if account in grantees else door_slice(world, account, grantees))
        except InputError as exc:
            path = str(folder.folder(task.account))
            why = (
                exc.describe()
                if account == task.account
                else (
                    f"needs account {account} (cross-account grants), which cannot be read: "
                    f"{exc.describe()}"
                )
            )
            return LeftOut(task.account, path, why)
    try:
        world = resolve_managed_policies(merge_worlds(parts))
    except InputError as exc:
        return LeftOut(task.account, str(folder.folder(task.account)), exc.describe())
    return folder, world


def trusted_from(role: Role, own: str) -> frozenset[str]:
    """The accounts (``"*"``: anyone) a role's trust policy may let in, besides its own."""
    out: set[str] = set()
    _policy_grants(role.trust_policy, own, out)
    return frozenset(out)


def door_slice(world: World, account: str, grantees: frozenset[str]) -> World:
    """The part of another account's world a task over ``grantees`` needs to decide every
    edge *into* it: the roles whose trust policies may let a principal of ``grantees`` in
    (with the managed policies they use, so the engine decides their goals exactly), and the
    account's resources. Its users, groups, other roles and links stay out: no principal of
    ``grantees`` can become them (their trust policies do not name it), and the search stops
    (:class:`~iamsim.analysis.escalation.search.OutsideWorld`) before it would expand a door
    role's own edges."""
    roles = {
        arn: role
        for arn, role in world.roles.items()
        if not role.service_linked and trusted_from(role, account) & (grantees | {ANYONE})
    }
    used = {arn for role in roles.values() for arn in role.managed_policy_arns}
    used |= {role.boundary_arn for role in roles.values() if role.boundary_arn}
    return dataclasses.replace(
        world,
        users={},
        groups={},
        sessions={},
        roles=roles,
        managed_policies={k: v for k, v in world.managed_policies.items() if k in used},
        runs_as=(),
    )


# The last task's world and graph in this process, by the accounts loaded and the options:
# accounts with the same closure (all of a densely trusting organization) share one load
# and one graph's edge caches, as the single process does for all its starts.
_LAST: dict[tuple[Any, ...], tuple[World, Any]] = {}


def _key(task: OrgQuestion) -> tuple[Any, ...]:
    return (
        task.org_dir, frozenset(task.load), frozenset(task.doors), task.region, task.context,
        task.runs_as, task.techniques, task.allow_read, task.limits,
    )  # fmt: skip


def _cached(task: OrgQuestion) -> tuple[World, Any] | LeftOut | str:
    key = _key(task)
    found = _LAST.get(key)
    if found is not None:
        return found
    _LAST.clear()  # one world at a time per process
    made = _task_world(task)
    if isinstance(made, (str, LeftOut)):
        return made
    world = made[1]
    found = (world, _graph(task, world))
    _LAST[key] = found
    return found


def _graph(task: OrgQuestion, world: World) -> Any:
    from iamsim.analysis.escalation import EscalationGraph
    from iamsim.analysis.techniques import Oracle, load_catalogue

    catalogue = load_catalogue()
    if task.techniques:
        catalogue = catalogue.only(task.techniques)
    context = dict(task.context) if task.context else None
    oracle = Oracle(world, region=task.region, context=context)
    # --runs-as roles outside this task's world cannot be reached from it: leave them out.
    runs_as = {r: role for r, role in task.runs_as if role in world.roles}
    return EscalationGraph(world, oracle=oracle, catalogue=catalogue, runs_as=runs_as)


def _start_item(result: Any) -> Item:
    from iamsim.report.escalation import render_start

    lines = tuple(render_start(result)) if result.status == "escalates" else ()
    return Item(result.start, result.to_dict(), lines, result.status, result.label)


def _verdict_item(verdict: AdminVerdict) -> Item:
    status = "admin" if verdict.admin else (verdict.blockers[0] if verdict.blockers else "")
    return Item(verdict.arn, verdict.to_dict(), (), status, verdict.label)


def _subject_item(subject: Any) -> Item:
    from iamsim.report.escalation import render_subject

    containment = subject.containment.verdict if subject.containment is not None else None
    return Item(
        subject.principal,
        subject.to_dict(),
        tuple(render_subject(subject)),
        subject.verdict,
        subject.label,
        containment,
    )


def _describe(exc: IamsimError) -> str:
    return exc.describe() if isinstance(exc, InputError) else str(exc)


def _own(key: str, account: str) -> bool:
    parsed = parse_entity_arn(key)
    return parsed is not None and parsed.account == account


def escalation_task(task: OrgQuestion) -> EscalationAnswer:
    """Escalation from one account's users and roles (module-level, pickled by reference)."""
    from iamsim.analysis.admin import admin_report
    from iamsim.analysis.escalation import AdminGoal, EscalationAnalysis, ResourceGoal
    from iamsim.analysis.escalation.search import OutsideWorld

    with limits_module.override(task.limits):
        made = _cached(task)
        if isinstance(made, str):
            return EscalationAnswer(task.account, question_error=made)
        if isinstance(made, LeftOut):
            return EscalationAnswer(task.account, left_out=made)
        world, graph = made
        before = graph.oracle.checks  # the graph may be shared with earlier tasks
        try:
            goal = (
                AdminGoal(graph.admin)
                if task.to == "admin"
                else ResourceGoal(graph.oracle, task.to, task.actions)
            )
            # Only the accounts loaded whole are searched through; door roles are targets.
            analysis = EscalationAnalysis(graph, goal, within=task.load)
            starts = [k for k in analysis.starts() if _own(k, task.account)]
            if task.starts is not None:
                wanted = set(task.starts)
                starts = [k for k in starts if k in wanted]
            found: list[Item] = []
            pending: list[tuple[str, str]] = []
            for key in starts:
                try:
                    found.append(_start_item(analysis.from_start(key, max_paths=task.max_paths)))
                except OutsideWorld as exc:
                    pending.append((key, exc.account))
            verdicts: tuple[Item, ...] = ()
            admins: tuple[str, ...] = ()
            if task.starts is None:
                verdicts = tuple(
                    _verdict_item(v)
                    for v in admin_report(
                        world,
                        oracle=graph.oracle,
                        catalogue=graph.catalogue,
                        principals=[graph.actors[k] for k in starts],
                    )
                )
                admins = tuple(k for k in starts if graph.admin.is_admin(graph.actors[k]))
        except IamsimError as exc:
            return EscalationAnswer(task.account, question_error=_describe(exc))
        goal_note = None
        if isinstance(goal, ResourceGoal) and not goal.actions:
            goal_note = f"no catalogue action acts on {task.to}; pass --action"
        return EscalationAnswer(
            task.account,
            results=tuple(found),
            verdicts=verdicts,
            admins=admins,
            pending=tuple(pending),
            skipped=tuple((k, v) for k, v in graph.skipped.items() if _own(k, task.account)),
            has_links=bool(graph.runs_as),
            checks=graph.oracle.checks - before,
            goal_note=goal_note,
        )


def audit_task(task: OrgQuestion) -> AuditAnswer:
    """Boundary audit of one account's subjects (module-level, pickled by reference)."""
    from iamsim.analysis.boundary_audit import audit_subject, audit_subjects

    with limits_module.override(task.limits):
        made = _cached(task)
        if isinstance(made, str):
            return AuditAnswer(task.account, question_error=made)
        if isinstance(made, LeftOut):
            return AuditAnswer(task.account, left_out=made)
        _, graph = made
        before = graph.oracle.checks  # the graph may be shared with earlier tasks
        try:
            subjects = [(a, k) for a, k in audit_subjects(graph) if a.account == task.account]
            audits = tuple(
                _subject_item(audit_subject(graph, a, k, max_paths=task.max_paths))
                for a, k in subjects
            )
        except IamsimError as exc:
            return AuditAnswer(task.account, question_error=_describe(exc))
        return AuditAnswer(
            task.account,
            subjects=audits,
            skipped=tuple((k, v) for k, v in graph.skipped.items() if _own(k, task.account)),
            has_links=bool(graph.runs_as),
            checks=graph.oracle.checks - before,
        )


# -- in the parent ------------------------------------------------------------------------


@dataclass(slots=True)
class OrgReport:
    """A merged answer: its JSON document (that of the single-process report), its text
    (as the single-process report prints it), whether it found something ``--fail`` counts,
    the accounts left out, and how many accounts the folder holds."""

    document: dict[str, Any]
    text: str
    found: bool
    left_out: list[LeftOut]
    accounts: int
    rounds: tuple[tuple[int, int], ...] = ()  # escalation: (tasks, starts asked) per round


def _questions(
    folder: OrgFolder,
    runner: TaskRunner,
    base: OrgQuestion,
    extra: tuple[str, ...],
) -> tuple[list[OrgQuestion], list[LeftOut]]:
    """The per-account questions after the index pass, and the accounts left out by it."""
    index = build_index(folder, runner, base.allow_read, base.limits)
    bad = {a: i.left_out for a, i in index.items() if i.left_out is not None}
    good = {a: i for a, i in index.items() if i.left_out is None}
    out = []
    for account in folder.accounts:
        if account in bad:
            continue
        load = closure(good, account)
        for holder in extra:
            if holder not in load:
                load = (*load, holder)
        # An account the closure needs but that cannot be read: the task says so itself.
        out.append(dataclasses.replace(base, account=account, load=load))
    return out, [b for b in bad.values() if b is not None]


def whole_accounts(
    index: Mapping[str, AccountIndex], seeds: Iterable[str], given: Iterable[str] = ()
) -> tuple[str, ...]:
    """The accounts an escalation task must load whole, the seeds first: the seeds, plus the
    accounts of every runs-as link a principal of them may use (the link's resource may run
    code as a role of a third account: the world must hold the link, the resource and the
    role), to a fixpoint; ``given`` are the accounts of ``--runs-as`` links (always whole).
    Roles of other accounts that trust them are added as doors (:func:`door_accounts`)."""
    from iamsim.model.resources import governing_arns

    whole = list(dict.fromkeys((*seeds, *(a for a in given if a in index))))
    grants: dict[str, frozenset[str]] = {}
    for item in index.values():
        for arn, accounts in item.resource_grants:
            grants[arn] = accounts
    links = [(res, item.account, owner, role) for item in index.values()
             for res, owner, role in item.links]  # fmt: skip
    changed = True
    while changed:
        changed = False
        have = set(whole) | {ANYONE}
        for resource, declared, owner, role in links:
            named: set[str] = set(grants.get(resource, frozenset()))
            for arn in governing_arns(resource):
                named |= grants.get(arn, frozenset())
            if {declared, owner} & have or named & have:
                for account in (declared, owner, role):
                    if account in index and account not in have:
                        whole.append(account)
                        have.add(account)
                        changed = True
    return tuple(whole)


def door_accounts(index: Mapping[str, AccountIndex], whole: Iterable[str]) -> tuple[str, ...]:
    """The accounts, outside ``whole``, with a role whose trust policy may let a principal of
    ``whole`` in (by ID)."""
    have = set(whole)
    return tuple(
        sorted(
            a for a, item in index.items() if a not in have and item.grants_to & (have | {ANYONE})
        )
    )


def _run_escalation(
    org_dir: str | Path,
    runner: TaskRunner,
    base: OrgQuestion,
    *,
    progress: Callable[[int, int], None] | None,
) -> tuple[list[EscalationAnswer], list[LeftOut], int, tuple[tuple[int, int], ...]]:
    """Rounds of escalation tasks. Round one: each account whole, plus the door roles of the
    accounts that trust it. A start whose search would expand a door role (it crossed into
    another account and goes on from there) is asked again in the next round, in a world
    holding that account whole too (its doors added), until every start is answered; each
    answer is the search of the whole organization, since the search stops before it needs
    anything its world does not hold."""
    folder = OrgFolder(org_dir, allow_read=base.allow_read)
    extra: tuple[str, ...] = ()
    if base.to != "admin":
        extra = folder.holders(base.to)
    base = dataclasses.replace(base, org_dir=str(folder.path))
    index = build_index(folder, runner, base.allow_read, base.limits)
    left_out = [i.left_out for i in index.values() if i.left_out is not None]
    good = {a: i for a, i in index.items() if i.left_out is None}
    given = []
    for resource, role in base.runs_as:
        for arn in (resource, role):
            parsed = parse_entity_arn(arn)
            if parsed is not None and parsed.account:
                given.append(parsed.account)

    def question(account: str, seeds: Iterable[str], starts: tuple[str, ...] | None) -> OrgQuestion:
        whole = whole_accounts(good, (account, *seeds, *extra), given)
        return dataclasses.replace(
            base, account=account, load=whole, doors=door_accounts(good, whole), starts=starts
        )

    questions = [question(a, (), None) for a in folder.accounts if a in good]
    total = len(questions)
    rounds: list[tuple[int, int]] = []
    done = 0
    answers: dict[str, list[EscalationAnswer]] = {}
    failed: dict[str, LeftOut] = {}
    while questions:
        asked = sum(len(q.starts) for q in questions if q.starts is not None)
        rounds.append((len(questions), asked))
        loaded = {q.account: q.load for q in questions}
        wanted: dict[str, tuple[set[str], list[str]]] = {}
        for answer in runner.map_unordered(escalation_task, iter(questions)):
            done += 1
            if progress is not None:
                progress(done, total)
            if answer.question_error is not None:
                raise InputError(answer.question_error)
            if answer.left_out is not None:
                failed.setdefault(answer.account, answer.left_out)
                continue
            answers.setdefault(answer.account, []).append(answer)
            for start, needed in answer.pending:
                accounts, starts = wanted.setdefault(answer.account, (set(), []))
                accounts.add(needed)
                starts.append(start)
        questions = [
            question(a, (*loaded[a], *sorted(accounts)), tuple(sorted(starts)))
            for a, (accounts, starts) in sorted(wanted.items())
            if a not in failed
        ]
        total += len(questions)
    left_out.extend(failed.values())
    left_out.sort(key=lambda item: item.account)
    merged = [_merge_rounds(rounds) for a, rounds in sorted(answers.items()) if a not in failed]
    return merged, left_out, len(folder.accounts), tuple(rounds)


def _merge_rounds(rounds: list[EscalationAnswer]) -> EscalationAnswer:
    """One account's answer from its rounds (the first gives the verdicts and notes)."""
    return dataclasses.replace(
        rounds[0],  # the rounds finish in order: round one, which had every start, first
        results=tuple(r for answer in rounds for r in answer.results),
        checks=sum(r.checks for r in rounds),
        pending=(),
    )


def _run(
    org_dir: str | Path,
    runner: TaskRunner,
    base: OrgQuestion,
    fn: Callable[[OrgQuestion], Any],
    *,
    holder_of: str | None,
    progress: Callable[[int, int], None] | None,
) -> tuple[list[Any], list[LeftOut], int]:
    folder = OrgFolder(org_dir, allow_read=base.allow_read)
    extra: tuple[str, ...] = ()
    if holder_of is not None:
        extra = folder.holders(holder_of)
    base = dataclasses.replace(base, org_dir=str(folder.path))
    questions, left_out = _questions(folder, runner, base, extra)
    total = len(questions)
    answers: list[Any] = []

    def stream() -> Iterator[OrgQuestion]:
        yield from questions

    for done, answer in enumerate(runner.map_unordered(fn, stream()), start=1):
        if answer.question_error is not None:
            raise InputError(answer.question_error)
        if answer.left_out is not None:
            left_out.append(answer.left_out)
        else:
            answers.append(answer)
        if progress is not None:
            progress(done, total)
    left_out.sort(key=lambda item: item.account)
    answers.sort(key=lambda a: a.account)
    return answers, left_out, len(folder.accounts)


def _notes(answers: list[Any]) -> list[str]:
    skipped = sorted((k, v) for a in answers for k, v in a.skipped)
    return [v for _, v in skipped]


def org_escalation(
    org_dir: str | Path,
    runner: TaskRunner,
    base: OrgQuestion,
    *,
    progress: Callable[[int, int], None] | None = None,
    show_contained: bool = False,
) -> OrgReport:
    """Escalation from every user and role of the folder, one task per account."""
    from iamsim.analysis.admin import AdminVerdict
    from iamsim.analysis.techniques import load_catalogue
    from iamsim.report.escalation import render_admins
    from iamsim.report.inert import inert_lines

    answers, left_out, accounts, rounds = _run_escalation(org_dir, runner, base, progress=progress)
    results = sorted((r for a in answers for r in a.results), key=lambda r: r.key)
    verdicts = sorted((v for a in answers for v in a.verdicts), key=lambda v: v.key)
    notes = _notes(answers)
    if not any(a.has_links for a in answers):
        notes.append(
            "no resource is known to run as a role (Lambda functions, instances, projects, "
            "stacks): code-injection edges are conditional on such resources existing"
        )
    goal_notes = [a.goal_note for a in answers if a.goal_note]
    notes.extend(goal_notes[:1])
    catalogue = load_catalogue()
    if base.techniques:
        catalogue = catalogue.only(base.techniques)
    goal = "administrator" if base.to == "admin" else base.to
    escalating = [r for r in results if r.status == "escalates"]
    at_goal = [r for r in results if r.status == "goal"]
    contained = [r for r in results if r.status == "contained"]
    document: dict[str, Any] = {
        "goal": goal,
        "techniques": len(catalogue.techniques),
        "administrators": sorted(k for a in answers for k in a.admins),
        "summary": {
            "principals": len(results),
            "already_at_goal": len(at_goal),
            "escalate": len(escalating),
            "contained": len(contained),
        },
        "results": [r.document for r in results],
        "notes": notes,
    }
    if verdicts:
        document["admin_verdicts"] = [v.document for v in verdicts]
    # The text of report.escalation.render_escalation, from the tasks' rendered starts.
    checks = sum(a.checks for a in answers)
    lines = [
        f"Escalation to {goal}: {len(catalogue.techniques)} techniques, {checks} engine decisions"
    ]
    if verdicts:
        shown = [
            AdminVerdict(v.key, v.label, "", "", v.status == "admin", 0,
                         blockers=(v.status,) if v.status not in ("admin", "") else ())
            for v in verdicts
        ]  # fmt: skip
        lines.append("")
        lines.extend(render_admins(shown))
    lines.append("")
    lines.append(
        f"{len(escalating)} of {len(results)} principals escalate to {goal}"
        f" ({len(at_goal)} already there, {len(contained)} contained)"
    )
    for result in escalating:
        lines.append("")
        lines.extend(result.lines)
    if contained and show_contained:
        lines.append("")
        lines.append(f"Contained ({len(contained)}):")
        lines.extend(f"  {r.label}" for r in contained)
    for note in notes:
        lines.append("")
        lines.append(f"note: {note}")
    return OrgReport(document, inert_lines(lines), bool(escalating), left_out, accounts, rounds)


def org_audit_boundaries(
    org_dir: str | Path,
    runner: TaskRunner,
    base: OrgQuestion,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> OrgReport:
    """Boundary audit of every subject of the folder, one task per account (no isolation
    check: --prefix/--tag stay on the one-World path)."""
    from iamsim.report.inert import inert_lines

    answers, left_out, accounts = _run(
        org_dir, runner, base, audit_task, holder_of=None, progress=progress
    )
    subjects = sorted((s for a in answers for s in a.subjects), key=lambda s: s.key)
    notes = _notes(answers)
    if not subjects:
        notes.append(
            "no principal has a permissions boundary or delegates with iam:PermissionsBoundary"
        )
    if not any(a.has_links for a in answers):
        notes.append(
            "no resource is known to run as a role: code-injection edges are conditional on "
            "such resources existing"
        )
    verdicts = [s.status for s in subjects]
    summary = {
        "subjects": len(subjects),
        "proven": verdicts.count("proven"),
        "checked": verdicts.count("checked"),
        "conditional": verdicts.count("conditional"),
        "escapes": verdicts.count("escapes"),
        "containment_proved": sum(s.containment == "proved" for s in subjects),
        "not_contained": sum(s.containment == "not contained" for s in subjects),
    }
    document: dict[str, Any] = {
        "summary": summary,
        "subjects": [s.document for s in subjects],
        "notes": notes,
    }
    # The text of report.escalation.render_audit, from the tasks' rendered subjects.
    checks = sum(a.checks for a in answers)
    lines = [
        f"Boundary audit: {summary['subjects']} subject(s) — {summary['proven']} proven, "
        f"{summary['checked']} checked, {summary['conditional']} conditional, "
        f"{summary['escapes']} escape(s); {checks} engine decisions"
    ]
    if any(s.containment is not None for s in subjects):
        lines.append(
            f"Delegated administration: {summary['containment_proved']} containment proved, "
            f"{summary['not_contained']} not contained"
        )
    for subject in subjects:
        lines.append("")
        lines.extend(subject.lines)
    for note in notes:
        lines.append("")
        lines.append(f"note: {note}")
    found = summary["escapes"] > 0 or summary["not_contained"] > 0
    return OrgReport(document, inert_lines(lines), found, left_out, accounts)
