"""The request being decided: who calls (Caller), what action on which resource, and context.

A caller is described by the identity layers AWS evaluates: the account, the long-lived entity
(IAM user or role) and, for temporary credentials, the session. The request context maps
condition keys (case-insensitive names) to one value or a list of values.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from iamsim.errors import RequestError

# A context value as supplied: a scalar or, for multi-valued keys, a list of scalars.
ContextScalar = str | int | float | bool
ContextValue = ContextScalar | list[ContextScalar] | tuple[ContextScalar, ...]


class CallerKind(StrEnum):
    USER = "user"  # IAM user with long-term credentials (or GetSessionToken credentials)
    ROLE_SESSION = "role-session"  # a session of an IAM role (AssumeRole*, EC2 instance role)
    FEDERATED_USER = "federated-user"  # GetFederationToken session of an IAM user or root
    ROOT = "root"  # the account root user
    SERVICE = "service"  # an AWS service principal acting itself (cloudtrail.amazonaws.com)
    WEB_IDENTITY = "web-identity"  # caller of AssumeRoleWithWebIdentity / SAML (not yet in AWS)
    ANONYMOUS = "anonymous"  # unsigned request


# Caller kinds that hold temporary credentials created with a possible session policy.
SESSION_KINDS = frozenset({CallerKind.ROLE_SESSION, CallerKind.FEDERATED_USER})


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated principal of a request, with every identity layer AWS knows.

    ``arn`` is the ARN the request is signed as: the user ARN, the assumed-role session ARN
    (``arn:aws:sts::A:assumed-role/R/S``), the federated-user ARN, ``arn:aws:iam::A:root``.
    For a role session whose name is unknown (``session_name`` is None), ``arn`` is None and
    statements naming a specific session never match. ``role_arn`` is the role ARN with its
    path; ``user_arn`` is the IAM user behind a federated-user session, when known.
    """

    kind: CallerKind
    account: str | None = None
    partition: str = "aws"
    arn: str | None = None
    role_arn: str | None = None
    session_name: str | None = None
    user_arn: str | None = None
    service: str | None = None
    federated_provider: str | None = None
    service_linked: bool = False
    # Path-free identities (see identity_key) of the caller itself, of its role, of its user.
    self_key: tuple[str, ...] | None = field(init=False, default=None, compare=False)
    role_key: tuple[str, ...] | None = field(init=False, default=None, compare=False)
    user_key: tuple[str, ...] | None = field(init=False, default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "self_key", identity_key(self.arn) if self.arn else None)
        object.__setattr__(self, "role_key", identity_key(self.role_arn) if self.role_arn else None)
        object.__setattr__(self, "user_key", identity_key(self.user_arn) if self.user_arn else None)

    @property
    def is_session(self) -> bool:
        return self.kind in SESSION_KINDS

    @property
    def principal_arn(self) -> str | None:
        """The value of ``aws:PrincipalArn``: the role ARN for role sessions."""
        if self.kind is CallerKind.ROLE_SESSION:
            return self.role_arn
        if self.kind in (CallerKind.SERVICE, CallerKind.ANONYMOUS, CallerKind.WEB_IDENTITY):
            return None
        return self.arn

    @property
    def role_name(self) -> str | None:
        if self.role_arn is None:
            return None
        return self.role_arn.rsplit("/", 1)[-1]

    @property
    def display(self) -> str:
        if self.kind is CallerKind.ANONYMOUS:
            return "anonymous"
        if self.kind is CallerKind.SERVICE:
            return self.service or "service"
        if self.kind is CallerKind.ROLE_SESSION and self.arn is None:
            return f"{self.role_arn} (any session)"
        if self.kind is CallerKind.WEB_IDENTITY:
            return self.federated_provider or "web identity"
        return self.arn or "?"


def identity_key(arn: str) -> tuple[str, ...] | None:
    """The identity an IAM/STS principal ARN names, without the IAM path.

    User and role names are unique within an account whatever their path, and the
    assumed-role session ARN carries no path (``arn:aws:sts::A:assumed-role/NAME/SESSION``),
    so principals are compared by (kind, partition, account, name[, session]):
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html
    Returns None for anything else (account roots, unique IDs, other ARNs).
    """
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    _, partition, service, _, account, resource = parts
    kind, _, rest = resource.partition("/")
    if not rest:
        return None
    if service == "iam" and kind in ("user", "role"):
        return (kind, partition, account, rest.rsplit("/", 1)[-1])
    if service == "sts" and kind == "assumed-role":
        return ("assumed-role", partition, account, rest)
    if service == "sts" and kind == "federated-user":
        return ("federated-user", partition, account, rest)
    return None


class Context(Mapping[str, tuple[str, ...]]):
    """Request context: condition key (case-insensitive) -> values (always a tuple of strings).

    Values are normalized to strings the way they travel in a real request (``True`` becomes
    ``"true"``). ``multi`` records the keys that were given as lists, so operators can tell a
    multi-valued key from a single value.
    """

    __slots__ = ("_multi", "_names", "_values")

    def __init__(self, values: Mapping[str, ContextValue] | None = None) -> None:
        self._values: dict[str, tuple[str, ...]] = {}
        self._names: dict[str, str] = {}
        self._multi: set[str] = set()
        for key, value in (values or {}).items():
            self._set(key, value)

    def _set(self, key: str, value: ContextValue) -> None:
        if not isinstance(key, str) or not key:
            raise RequestError(f"context key {key!r} must be a non-empty string")
        folded = key.lower()
        if type(value) is str:  # the common case first: a string is its own text
            self._values[folded] = (value,)
            self._multi.discard(folded)
        elif isinstance(value, list | tuple):
            self._values[folded] = tuple(_context_text(key, v) for v in value)
            self._multi.add(folded)
        else:
            self._values[folded] = (_context_text(key, value),)
            self._multi.discard(folded)
        self._names[folded] = key

    @classmethod
    def with_derived(
        cls, given: Mapping[str, ContextValue], derived: Iterable[tuple[str, str, str]]
    ) -> Context:
        """``Context(given).with_defaults(...)`` built in one pass: ``derived`` holds the
        default keys as (folded name, name, value), each added unless ``given`` has it.
        The same context (keys, order, values, multi-valued keys) for the same input."""
        merged = cls.__new__(cls)
        values: dict[str, tuple[str, ...]] = {}
        names: dict[str, str] = {}
        for key, value in given.items():
            # The common case in one pass (what _set does for a string key and value); any
            # other key or value takes the constructor's checks and conversions.
            if type(key) is not str or not key or type(value) is not str:
                merged = cls(given)
                values, names = merged._values, merged._names
                break
            folded = key.lower()
            values[folded] = (value,)
            names[folded] = key
        else:
            merged._values, merged._names, merged._multi = values, names, set()
        for folded, name, value in derived:
            if folded not in values:
                values[folded] = (value,)
                names[folded] = name
        return merged

    def with_values(self, values: Mapping[str, ContextValue]) -> Context:
        """A copy of this context where ``values`` are added or override existing keys."""
        merged = Context()
        merged._values = dict(self._values)
        merged._names = dict(self._names)
        merged._multi = set(self._multi)
        for key, value in values.items():
            merged._set(key, value)
        return merged

    def with_defaults(self, values: Mapping[str, ContextValue]) -> Context:
        """A copy where ``values`` fill only keys this context does not already have."""
        missing = {k: v for k, v in values.items() if k.lower() not in self._values}
        return self.with_values(missing) if missing else self

    def get_values(self, key: str) -> tuple[str, ...] | None:
        return self._values.get(key.lower())

    def is_multi(self, key: str) -> bool:
        return key.lower() in self._multi

    def name_of(self, key: str) -> str:
        return self._names.get(key.lower(), key)

    def as_dict(self) -> dict[str, str | list[str]]:
        """The context with original key spellings, lists for multi-valued keys."""
        out: dict[str, str | list[str]] = {}
        for folded, vals in self._values.items():
            name = self._names[folded]
            out[name] = list(vals) if folded in self._multi else vals[0]
        return out

    def sameness_key(self) -> tuple[object, ...]:
        """A hashable value equal for two contexts only when they hold the same keys (same
        spellings, in the same order), values and multi-valued keys: cheaper than comparing
        :meth:`as_dict` (two equal contexts built in another order compare unequal here)."""
        multi = tuple(sorted(self._multi)) if self._multi else ()
        return (tuple(self._values.items()), tuple(self._names.values()), multi)

    def __getitem__(self, key: str) -> tuple[str, ...]:
        return self._values[key.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names[k] for k in self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._values

    def __repr__(self) -> str:
        return f"Context({self.as_dict()!r})"


def _context_text(key: str, value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise RequestError(f"context value for {key!r} must be a string, number or boolean")


@dataclass(frozen=True, slots=True)
class Request:
    """One authorization request: one action on one resource (``"*"`` when it has none)."""

    caller: Caller
    action: str
    resource: str = "*"
    resource_account: str | None = None
    context: Context = field(default_factory=Context)

    @property
    def service(self) -> str:
        return self.action.split(":", 1)[0].lower()

    @property
    def same_account(self) -> bool:
        """True when the caller's account owns the resource (or the owner is unknown)."""
        if self.resource_account is None or self.caller.account is None:
            return True
        return self.resource_account == self.caller.account


def iter_context_keys(keys: Iterable[str]) -> list[str]:
    """Sorted unique key names, for stable reports."""
    return sorted(set(keys), key=str.lower)
