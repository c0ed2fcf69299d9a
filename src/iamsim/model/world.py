"""The world: every account, the organization, principals, managed policies and resources
loaded from the user's inputs, with lookups and a merge of several inputs into one model.

A World is immutable. Loaders each build a partial World; :func:`merge_worlds` joins them
(several accounts and one organization), treating identical duplicates as one and conflicting
ones as input errors.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any, TypeVar

from iamsim.errors import InputError, RequestError
from iamsim.model.organization import Organization
from iamsim.model.policies import ManagedPolicy, version_number
from iamsim.model.principals import (
    Anonymous,
    FederatedIdentity,
    Group,
    Principal,
    Role,
    Root,
    ServicePrincipal,
    Session,
    SessionKind,
    User,
)
from iamsim.model.resources import Resource, governing_arns
from iamsim.model.runs_as import RunsAs
from iamsim.policy.model import WEB_IDENTITY_PROVIDERS
from iamsim.vocabulary.arn import is_account_id, parse_entity_arn

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Account:
    """An AWS account known to the model (from IAM data, the organization, or a resource)."""

    id: str
    name: str | None = None
    partition: str = "aws"
    email: str | None = None


def _frozen(items: Mapping[str, T]) -> Mapping[str, T]:
    """An immutable copy of ``items`` sorted by key (deterministic iteration everywhere)."""
    return MappingProxyType(dict(sorted(items.items())))


@dataclass(frozen=True)
class World:
    """Everything loaded. Mappings are keyed by ARN (accounts by ID) and sorted by key.

    Build one from records with :meth:`World.of`. ``sources`` maps an entity ARN (or account
    ID, or ``organization``) to the input it came from, for error messages and reports.
    ``notes`` are loader remarks worth showing (for example an AWS managed policy resolved
    from the packaged snapshot). ``unresolved`` maps the ARN of a principal, group or resource
    to what the inputs left unknown about its policies (a Terraform value known only after
    apply, an import from another stack): requests that need those policies are refused rather
    than answered from part of them. ``runs_as`` are the links from compute resources to the
    roles they run as (:class:`~iamsim.model.runs_as.RunsAs`), in input order.
    """

    accounts: Mapping[str, Account] = field(default_factory=dict)
    organization: Organization | None = None
    managed_policies: Mapping[str, ManagedPolicy] = field(default_factory=dict)
    users: Mapping[str, User] = field(default_factory=dict)
    groups: Mapping[str, Group] = field(default_factory=dict)
    roles: Mapping[str, Role] = field(default_factory=dict)
    sessions: Mapping[str, Session] = field(default_factory=dict)
    resources: Mapping[str, Resource] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    unresolved: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    runs_as: tuple[RunsAs, ...] = ()

    def __post_init__(self) -> None:
        # Store sorted read-only copies so that iteration order never depends on input order.
        set_ = object.__setattr__
        set_(self, "accounts", _frozen(self.accounts))
        set_(self, "managed_policies", _frozen(self.managed_policies))
        set_(self, "users", _frozen(self.users))
        set_(self, "groups", _frozen(self.groups))
        set_(self, "roles", _frozen(self.roles))
        set_(self, "sessions", _frozen(self.sessions))
        set_(self, "resources", _frozen(self.resources))
        set_(self, "sources", MappingProxyType(dict(sorted(self.sources.items()))))
        set_(self, "notes", tuple(self.notes))
        set_(self, "unresolved", _frozen({k: tuple(v) for k, v in self.unresolved.items()}))
        set_(self, "runs_as", tuple(dict.fromkeys(self.runs_as)))

    @classmethod
    def of(
        cls,
        *,
        accounts: Iterable[Account] = (),
        organization: Organization | None = None,
        managed_policies: Iterable[ManagedPolicy] = (),
        users: Iterable[User] = (),
        groups: Iterable[Group] = (),
        roles: Iterable[Role] = (),
        sessions: Iterable[Session] = (),
        resources: Iterable[Resource] = (),
        sources: Mapping[str, str] | None = None,
        notes: Iterable[str] = (),
        unresolved: Mapping[str, Iterable[str]] | None = None,
        runs_as: Iterable[RunsAs] = (),
    ) -> World:
        """A World from records; each is keyed by its ARN (accounts by ID).

        Sessions without a name (no ARN) cannot be stored and raise ValueError.
        """
        session_map: dict[str, Session] = {}
        for session in sessions:
            if session.arn is None:
                raise ValueError("only sessions with a name (and so an ARN) can be stored")
            session_map[session.arn] = session
        return cls(
            accounts={a.id: a for a in accounts},
            organization=organization,
            managed_policies={p.arn: p for p in managed_policies},
            users={u.arn: u for u in users},
            groups={g.arn: g for g in groups},
            roles={r.arn: r for r in roles},
            sessions=session_map,
            resources={r.arn: r for r in resources},
            sources=dict(sources or {}),
            notes=tuple(notes),
            unresolved={k: tuple(v) for k, v in (unresolved or {}).items()},
            runs_as=tuple(runs_as),
        )

    # -- simple lookups -------------------------------------------------------------------

    def account(self, account_id: str) -> Account | None:
        return self.accounts.get(account_id)

    def user(self, arn: str) -> User | None:
        return self.users.get(arn)

    def role(self, arn: str) -> Role | None:
        return self.roles.get(arn)

    def managed_policy(self, arn: str) -> ManagedPolicy | None:
        return self.managed_policies.get(arn)

    def resource(self, arn: str) -> Resource | None:
        return self.resources.get(arn)

    @cached_property
    def _groups_by_name(self) -> dict[tuple[str, str], Group]:
        return {(g.account, g.name.lower()): g for g in self.groups.values()}

    @cached_property
    def _roles_by_name(self) -> dict[tuple[str, str], Role]:
        return {(r.account, r.name.lower()): r for r in self.roles.values()}

    def group(self, account: str, name: str) -> Group | None:
        """The group ``name`` of ``account`` (IAM names are case-insensitive)."""
        return self._groups_by_name.get((account, name.lower()))

    def role_by_name(self, account: str, name: str) -> Role | None:
        """The role ``name`` of ``account``, whatever its path."""
        return self._roles_by_name.get((account, name.lower()))

    def groups_of(self, user: User) -> tuple[Group, ...]:
        """The user's groups that the model holds, in the user's order."""
        found = (self.group(user.account, name) for name in user.group_names)
        return tuple(g for g in found if g is not None)

    def resource_for(self, arn: str) -> Resource | None:
        """The resource that governs ``arn``: the resource itself, else the nearest parent
        whose policy covers it (an S3 object's bucket, an OpenSearch domain, a DynamoDB table
        for its indexes, a Glue Data Catalog; see :func:`governing_arns`)."""
        found = self.resources.get(arn)
        if found is not None:
            return found
        for parent in governing_arns(arn):
            found = self.resources.get(parent)
            if found is not None:
                return found
        return None

    def resource_account(self, arn: str) -> str | None:
        """The owner of ``arn`` if the model or the ARN knows it (see builder for fallbacks)."""
        found = self.resource_for(arn)
        if found is not None and found.account:
            return found.account
        parsed = parse_entity_arn(arn)
        # Placeholder accounts of loaders (Terraform before apply) count once declared.
        if parsed is not None and (
            is_account_id(parsed.account) or (parsed.account and parsed.account in self.accounts)
        ):
            return parsed.account
        role_or_user = self.roles.get(arn) or self.users.get(arn)
        return role_or_user.account if role_or_user else None

    def partition_of(self, account_id: str | None) -> str:
        acct = self.accounts.get(account_id or "")
        return acct.partition if acct else "aws"

    # -- principals -----------------------------------------------------------------------

    @cached_property
    def iam_accounts(self) -> frozenset[str]:
        """Accounts for which the inputs hold IAM principals or customer managed policies."""
        found = {user.account for user in self.users.values()}
        found.update(role.account for role in self.roles.values())
        found.update(p.account for p in self.managed_policies.values() if not p.is_aws_managed)
        return frozenset(found)

    @cached_property
    def _principal_names(self) -> dict[str, list[User | Role]]:
        """Every short spelling of each user and role -> the entities it may mean."""
        index: dict[str, list[User | Role]] = {}

        def add(key: str, entity: User | Role) -> None:
            bucket = index.setdefault(key.lower(), [])
            if entity not in bucket:
                bucket.append(entity)

        for user in self.users.values():
            for key in (user.name, f"user/{user.name}", user.short_name, user.arn):
                add(key, user)
        for role in self.roles.values():
            for key in (role.name, f"role/{role.name}", role.short_name, role.arn):
                add(key, role)
        return index

    @property
    def principals(self) -> Mapping[str, User | Role | Session]:
        """Users, roles and known sessions by ARN."""
        merged: dict[str, User | Role | Session] = {**self.users, **self.roles}
        merged.update(self.sessions)
        return MappingProxyType(dict(sorted(merged.items())))

    def find_principal(self, text: str) -> Principal:
        """Resolve what a person typed into a principal of the model.

        Accepts a user or role ARN, a short name unique in the model (``alice``,
        ``user/alice``, ``role/dev``, ``role/path/dev``), an assumed-role session ARN
        (``arn:aws:sts::A:assumed-role/R/S``; role R is looked up for its path and policies),
        a federated-user ARN, an account root ARN or bare account ID, ``anonymous``, a
        service principal (``lambda.amazonaws.com``), or an identity provider whose users call
        ``AssumeRoleWithWebIdentity``/``SAML`` (a provider ARN, ``accounts.google.com``). A user or role ARN of an account the
        model does not hold yields a bare entity without policies (an outsider). Raises
        RequestError when the text is unknown or ambiguous, naming the candidates.
        """
        text = text.strip()
        if not text:
            raise RequestError("the principal is empty")
        if text.lower() == "anonymous" or text == "*":
            return Anonymous()
        if is_account_id(text):
            return Root(text, self.partition_of(text))
        account, colon, short = text.partition(":")
        if colon and is_account_id(account) and short.startswith(("user/", "role/")):
            # The ACCOUNT:role/name labels of reports name the account with the short name.
            text = f"arn:{self.partition_of(account)}:iam::{account}:{short}"
            if text not in self.users and text not in self.roles:
                matches = [
                    m for m in self._principal_names.get(short.lower(), []) if m.account == account
                ]
                if len(matches) == 1:
                    return matches[0]
        parsed = parse_entity_arn(text)
        if parsed is not None:
            return self._principal_from_arn(text)
        if text in WEB_IDENTITY_PROVIDERS:
            return FederatedIdentity(text)
        if text.endswith((".amazonaws.com", ".amazonaws.com.cn")) and "/" not in text:
            return ServicePrincipal(text)
        matches = self._principal_names.get(text.lower(), [])
        exact = [m for m in matches if text in (m.name, m.arn, _kind_name(m), m.short_name)]
        if len(exact) == 1:
            return exact[0]
        if len(matches) == 1:
            return matches[0]
        if matches:
            listed = ", ".join(sorted(m.arn for m in matches))
            raise RequestError(f"principal {text!r} is ambiguous; it could be: {listed}")
        raise RequestError(self._unknown_message(text))

    def _unknown_message(self, text: str) -> str:
        import difflib  # only for this error message (start-up time)

        close = difflib.get_close_matches(text.lower(), list(self._principal_names), n=5)
        arns = sorted({e.arn for key in close for e in self._principal_names[key]})
        hint = f"; did you mean: {', '.join(arns)}" if arns else ""
        return f"no user or role {text!r} in the loaded inputs{hint}"

    def _principal_from_arn(self, arn: str) -> Principal:
        parsed = parse_entity_arn(arn)
        assert parsed is not None
        account, partition, resource = parsed.account, parsed.partition, parsed.resource
        # An account whose IAM principals the inputs hold: an unknown user or role there is a
        # mistake. Accounts known only from the organization or a resource hold outsiders.
        known_account = account in self.iam_accounts
        if parsed.service == "iam" and resource == "root":
            return Root(account, partition)
        if parsed.service == "iam" and resource.startswith(("oidc-provider/", "saml-provider/")):
            return FederatedIdentity(arn)
        if parsed.service == "iam" and resource.startswith(("user/", "role/")):
            found = self.users.get(arn) or self.roles.get(arn)
            if found is not None:
                return found
            kind, _, rest = resource.partition("/")
            name = rest.rsplit("/", 1)[-1]
            path = "/" + rest[: -len(name)] if "/" in rest else "/"
            if kind == "role":
                same_name = self.role_by_name(account, name)
                if same_name is not None:
                    raise RequestError(
                        f"no role {arn!r} in the loaded inputs; did you mean {same_name.arn}?"
                    )
            if known_account:
                raise RequestError(self._unknown_message(arn))
            if kind == "user":
                return User(arn=arn, name=name, account=account, path=path)
            return Role(arn=arn, name=name, account=account, path=path)
        if parsed.service == "sts" and resource.startswith("assumed-role/"):
            parts = resource.split("/")
            if len(parts) != 3 or not parts[1] or not parts[2]:
                raise RequestError(
                    f"{arn!r} is not an assumed-role ARN "
                    "(expected arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION)"
                )
            known = self.sessions.get(arn)
            if known is not None:
                return known
            role = self.role_by_name(account, parts[1])
            if role is None and known_account:
                raise RequestError(
                    f"the role {parts[1]!r} of session {arn!r} is not in account {account}"
                )
            role_arn = role.arn if role else f"arn:{partition}:iam::{account}:role/{parts[1]}"
            return Session(
                kind=SessionKind.ASSUMED_ROLE,
                account=account,
                name=parts[2],
                role_arn=role_arn,
                partition=partition,
            )
        if parsed.service == "sts" and resource.startswith("federated-user/"):
            known = self.sessions.get(arn)
            if known is not None:
                return known
            return Session(
                kind=SessionKind.FEDERATED_USER,
                account=account,
                name=resource.split("/", 1)[1],
                partition=partition,
            )
        raise RequestError(
            f"{arn!r} is not a principal ARN (expected a user, role, assumed-role, "
            "federated-user or root ARN)"
        )


def _kind_name(entity: User | Role) -> str:
    return f"{'user' if isinstance(entity, User) else 'role'}/{entity.name}"


# -- merging ------------------------------------------------------------------------------


def _content_equal(a: object, b: object) -> bool:
    """Equality that ignores where things were read from (``source`` fields)."""
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        if type(a) is not type(b):
            return False
        return all(
            _content_equal(getattr(a, f.name), getattr(b, f.name))
            for f in dataclasses.fields(a)
            if f.compare and f.name != "source"
        )
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_content_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _merge_accounts(a: Account, b: Account, where: str) -> Account:
    merged = {}
    for f in dataclasses.fields(Account):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if x is not None and y is not None and x != y and f.name != "partition":
            raise InputError(
                f"account {a.id} has {f.name} {x!r} in one input and {y!r} in another",
                source=where,
            )
        merged[f.name] = x if x is not None else y
    return Account(**merged)


def _newer(a: ManagedPolicy, b: ManagedPolicy) -> ManagedPolicy:
    """Of two exports of one AWS managed policy, the more recent (AWS updates them)."""
    return max((a, b), key=lambda p: (version_number(p.version_id), p.update_date or ""))


def merge_worlds(worlds: Iterable[World]) -> World:
    """One World holding everything in ``worlds``.

    Identical duplicates (the same user exported twice) merge silently; an entity defined
    differently in two inputs is an InputError, except AWS managed policies, which are the
    same everywhere but change over time: the newer version wins, with a note.
    """
    accounts: dict[str, Account] = {}
    organization: Organization | None = None
    org_source = ""
    tables: dict[str, dict[str, Any]] = {
        "users": {},
        "groups": {},
        "roles": {},
        "sessions": {},
        "resources": {},
    }
    policies: dict[str, ManagedPolicy] = {}
    sources: dict[str, str] = {}
    notes: list[str] = []
    unresolved: dict[str, list[str]] = {}
    runs_as: list[RunsAs] = []
    for world in worlds:
        runs_as.extend(world.runs_as)
        for arn, reasons in world.unresolved.items():
            unresolved.setdefault(arn, []).extend(reasons)
        for acct in world.accounts.values():
            where = world.sources.get(acct.id, "")
            accounts[acct.id] = (
                _merge_accounts(accounts[acct.id], acct, where) if acct.id in accounts else acct
            )
            sources.setdefault(acct.id, where)
        if world.organization is not None:
            src = world.sources.get("organization", "")
            if organization is not None and not _content_equal(organization, world.organization):
                raise InputError(
                    f"a second organization ({world.organization.id}) was given; "
                    f"{organization.id} was already loaded from {org_source or 'another input'}",
                    source=src,
                )
            organization, org_source = world.organization, src
            sources.setdefault("organization", src)
        for table_name, table in tables.items():
            for arn, entity in getattr(world, table_name).items():
                src = world.sources.get(arn, "")
                if arn in table and not _content_equal(table[arn], entity):
                    kind = table_name.rstrip("s")
                    first = sources.get(arn) or "an earlier input"
                    raise InputError(
                        f"{kind} {arn} is defined differently here and in {first}", source=src
                    )
                table.setdefault(arn, entity)
                sources.setdefault(arn, src)
        for arn, pol in world.managed_policies.items():
            src = world.sources.get(arn, "")
            current = policies.get(arn)
            if current is None or _content_equal(current, pol):
                policies.setdefault(arn, pol)
                sources.setdefault(arn, src)
                continue
            if pol.is_aws_managed:
                if _content_equal(current.versions, pol.versions):
                    continue  # only per-account attachment counts differ
                kept = _newer(current, pol)
                notes.append(
                    f"AWS managed policy {arn} differs between inputs "
                    f"({current.version_id} and {pol.version_id}); using {kept.version_id}"
                )
                if kept is pol:
                    policies[arn], sources[arn] = pol, src
                continue
            first = sources.get(arn) or "an earlier input"
            raise InputError(
                f"managed policy {arn} is defined differently here and in {first}", source=src
            )
        notes.extend(world.notes)
    return World(
        accounts=accounts,
        organization=organization,
        managed_policies=policies,
        users=tables["users"],
        groups=tables["groups"],
        roles=tables["roles"],
        sessions=tables["sessions"],
        resources=tables["resources"],
        sources=sources,
        notes=tuple(dict.fromkeys(notes)),
        unresolved={k: tuple(dict.fromkeys(v)) for k, v in unresolved.items()},
        runs_as=tuple(runs_as),
    )
