"""The request builder: "can PRINCIPAL do ACTION on RESOURCE" -> an engine Request plus the
PolicySet AWS would evaluate for it, from the world model.

Which policies apply (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):

* identity: an IAM user's inline and managed policies plus those of each of its groups; a role
  session's role policies (never those of whoever assumed it); for a federated-user session,
  the policies of the IAM user who called GetFederationToken;
* the permissions boundary of that user or role;
* session policies of a session (None when none was passed, which AWS treats differently);
* the resource's policy: the role trust policy for ``sts:AssumeRole*``/``TagSession``/
  ``SetSourceIdentity``/``SetContext`` on a role, else the resource's own policy (for an S3
  object, its bucket's);
* the SCPs of each level from the root to the principal's account, unless that is the
  management account or the caller is a service-linked role, a service or anonymous;
* the RCPs of each level down to the resource's account, unless that is the management
  account, the caller is a service-linked role, or the service does not support RCPs.

Per-principal and per-resource work is cached in :class:`RequestBuilder`, so many questions
against one world cost little more than assembling their context.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from iamsim.builder.context import org_keys, principal_keys, resource_tag_keys
from iamsim.engine.context import credential_context, requested_region, time_context
from iamsim.engine.decision import RCP_EXEMPT_ACTIONS
from iamsim.engine.policies import PolicySet
from iamsim.errors import InputError, RequestError
from iamsim.model import (
    Anonymous,
    FederatedIdentity,
    ManagedPolicy,
    Principal,
    Role,
    Root,
    ServicePrincipal,
    Session,
    SessionKind,
    User,
    World,
    s3_bucket_arn,
)
from iamsim.model.managed import aws_managed_policy
from iamsim.policy.model import Policy, PolicyType
from iamsim.vocabulary.arn import parse_entity_arn
from iamsim.vocabulary.request import Caller, CallerKind, Context, ContextValue, Request
from iamsim.vocabulary.targets import TRUST_ACTIONS

if TYPE_CHECKING:
    from iamsim.catalog import ServiceReference


class BuilderWarning(UserWarning):
    """Something about a question the builder answered by assumption (see its message)."""


@dataclass(frozen=True, slots=True)
class BuiltRequest:
    """A built question: the engine request, its policies, and what the builder assumed."""

    request: Request
    policies: PolicySet
    principal: Principal
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _PrincipalPart:
    """Everything about a caller that does not depend on the action or resource."""

    principal: Principal
    caller: Caller
    identity: tuple[Policy, ...]
    boundary: Policy | None
    session: tuple[Policy, ...] | None
    scp: tuple[tuple[Policy, ...], ...] | None
    keys: Mapping[str, ContextValue]
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _ResourcePart:
    account: str | None
    policy: Policy | None
    keys: Mapping[str, ContextValue]
    rcp: tuple[tuple[Policy, ...], ...] | None
    role: Role | None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _ActionPart:
    action: str  # canonical spelling
    service: str
    resource_level: bool


# (name or id of the principal, ids of the session policies, session tags, source identity)
_PrincipalKey = tuple[str | int, tuple[int, ...] | None, tuple[tuple[str, str], ...], str | None]
# The principal and session policies a key was made from.
_HeldPrincipal = tuple[str | Principal, tuple[Policy, ...] | None]


@dataclass
class _Caches:
    # key -> (the principal and session policies the key was made from, the built part);
    # keeping them referenced keeps the id()s in the key valid.
    principals: dict[_PrincipalKey, tuple[_HeldPrincipal, _PrincipalPart]] = field(
        default_factory=dict
    )
    resources: dict[tuple[str, str | None], _ResourcePart] = field(default_factory=dict)
    actions: dict[str, _ActionPart] = field(default_factory=dict)
    fits: dict[tuple[str, str], bool] = field(default_factory=dict)
    service_tag_keys: dict[str, bool] = field(default_factory=dict)
    # id(policy) -> (the policy, the keys its conditions read): every request built asks it
    # of its whole policy set (who-can '*' '*' builds tens of thousands over few documents).
    keys_read: dict[int, tuple[Policy, frozenset[str]]] = field(default_factory=dict)


class RequestBuilder:
    """Builds requests against one World, caching per principal, resource and action.

    ``catalog`` is the service reference used to validate actions and resource ARNs
    (``iamsim.catalog.service_reference()`` by default); pass ``validate=False`` to skip
    validation entirely (for actions the reference does not know yet).
    """

    def __init__(
        self,
        world: World,
        *,
        catalog: ServiceReference | None = None,
        validate: bool = True,
        region: str | None = None,
    ) -> None:
        self.world = world
        self.validate = validate
        # The Region requests are sent to when neither the resource ARN nor the context says.
        self.region = region
        self._catalog = catalog
        self._cache = _Caches()
        self._rcp_services: frozenset[str] | None = None

    @property
    def catalog(self) -> ServiceReference:
        if self._catalog is None:
            # Imported here: a request the builder can answer without the service reference
            # (most of them) starts without loading the catalogue's modules.
            from iamsim.catalog import service_reference

            self._catalog = service_reference()
        return self._catalog

    # -- public ---------------------------------------------------------------------------

    def build(
        self,
        principal: str | Principal,
        action: str,
        resource: str = "*",
        *,
        context: Mapping[str, ContextValue] | None = None,
        now: datetime | None = None,
        session_policies: Sequence[Policy] | None = None,
        session_tags: Mapping[str, str] | None = None,
        source_identity: str | None = None,
    ) -> BuiltRequest:
        """Build one request. ``context`` values override every derived key.

        ``session_policies``, ``session_tags`` and ``source_identity`` describe the session
        when the principal is a role (a session of it) or a session ARN.
        """
        notes: list[str] = []
        act = self._action(action)
        resource = self._resource_arn(act, resource.strip() if resource else "*", notes)
        part = self._principal(principal, session_policies, session_tags, source_identity)
        notes.extend(part.warnings)
        res = self._resource_part(resource, act, part)
        notes.extend(res.warnings)
        account = res.account or part.caller.account
        moment = now or datetime.now(UTC)  # one clock reading for every time key
        keys: dict[str, ContextValue] = {
            **time_context(moment),
            **credential_context(part.caller.kind, act.action, moment),
            **part.keys,
        }
        if account:
            keys["aws:ResourceAccount"] = account
            if res.account is None:
                keys.update(org_keys("Resource", self.world.organization, account))
        keys.update(res.keys)
        parsed_resource = parse_entity_arn(resource)
        resource_service = parsed_resource.service if parsed_resource is not None else ""
        for service in sorted({act.service, resource_service} - {""}):
            keys.update(self._service_tag_keys(service, res.keys))
        region = requested_region(act.action, resource, part.caller.partition, self.region)
        if region is not None:
            keys["aws:RequestedRegion"] = region
        if context:
            keys.update(context)  # the user's values win over everything derived
        policies = PolicySet(
            identity=part.identity,
            boundary=part.boundary,
            session=part.session,
            resource=res.policy,
            scp=part.scp,
            rcp=self._rcp(act, part, res, account),
        )
        request = Request(
            caller=part.caller,
            action=act.action,
            resource=resource,
            resource_account=account,
            context=Context(keys),
        )
        if "aws:RequestedRegion" not in request.context and self._reads_key(
            policies, "aws:requestedregion"
        ):
            notes.append(
                "aws:RequestedRegion is unknown (the resource ARN names no Region) and a policy "
                "has a condition on it: pass the Region the request is sent to in the context"
            )
        return BuiltRequest(request, policies, part.principal, tuple(dict.fromkeys(notes)))

    def _reads_key(self, policies: PolicySet, folded_key: str) -> bool:
        """True when a condition of any of ``policies`` reads the (lower-cased) context key."""
        held = self._cache.keys_read
        for policy in policies.all_policies():
            found = held.get(id(policy))
            if found is None or found[0] is not policy:
                found = held[id(policy)] = (policy, _keys_read(policy))
            if folded_key in found[1]:
                return True
        return False

    # -- actions and resources ------------------------------------------------------------

    def _action(self, action: str) -> _ActionPart:
        cached = self._cache.actions.get(action)
        if cached is not None:
            return cached
        text = action.strip()
        if not text or ":" not in text:
            raise RequestError(f"action {action!r} must look like service:ActionName")
        if "*" in text or "?" in text:
            raise RequestError(
                f"a request names one action; {action!r} is a pattern (patterns belong in policies)"
            )
        if self.validate:
            canonical = self.catalog.canonical_action(text)
            if canonical is None:
                suggestions = self.catalog.suggest_actions(text)
                hint = f"; did you mean: {', '.join(suggestions)}" if suggestions else ""
                raise RequestError(f"unknown action {action!r}{hint}")
            resource_level = bool(self.catalog.supports_resource_level_permissions(canonical))
        else:
            canonical, resource_level = text, True
        part = _ActionPart(canonical, canonical.split(":", 1)[0].lower(), resource_level)
        self._cache.actions[action] = part
        return part

    def _resource_arn(self, act: _ActionPart, resource: str, notes: list[str]) -> str:
        if resource == "*":
            return resource
        if not self.validate:
            return resource
        if not act.resource_level:
            notes.append(
                f"{act.action} supports no resource-level permissions; AWS evaluates it "
                f'against Resource "*", not {resource}'
            )
            return "*"
        if parse_entity_arn(resource) is None:
            raise RequestError(f'resource {resource!r} is not an ARN (or "*")')
        key = (act.action, resource)
        fits = self._cache.fits.get(key)
        if fits is None:
            fits = bool(self.catalog.matching_resource_types(act.action, resource))
            self._cache.fits[key] = fits
        if not fits:
            formats = []
            for rtype in self.catalog.resource_types(act.action):
                for fmt in rtype.arn_formats:
                    formats.append(f"{rtype.name}: {fmt}")
            expected = "; ".join(formats) or "none"
            raise RequestError(
                f"{resource} is not a resource {act.action} acts on (expected {expected})"
            )
        return resource

    def _resource_part(self, arn: str, act: _ActionPart, part: _PrincipalPart) -> _ResourcePart:
        trust = act.action.lower() in TRUST_ACTIONS
        key = (arn, "trust" if trust else None)
        cached = self._cache.resources.get(key)
        if cached is not None:
            return cached
        world = self.world
        notes: list[str] = []
        policy: Policy | None = None
        role: Role | None = None
        tags: Mapping[str, str] = {}
        account = None if arn == "*" else world.resource_account(arn)
        parsed = parse_entity_arn(arn)
        if (
            parsed is not None
            and parsed.service == "iam"
            and parsed.resource_type
            in (
                "role",
                "user",
            )
        ):
            entity = world.roles.get(arn) or world.users.get(arn)
            if isinstance(entity, Role):
                role = entity
            if entity is not None:
                tags = entity.tags  # IAM users and roles support aws:ResourceTag
            if trust and parsed.resource_type == "role":
                if role is not None:
                    self._refuse_unresolved(role.arn, "the trust policy of")
                    policy = role.trust_policy
                elif parsed.account in world.accounts:
                    raise RequestError(f"no role {arn} in the loaded inputs")
                else:
                    notes.append(
                        f"the role {arn} is not in the inputs; its trust policy is unknown"
                    )
        elif arn != "*":
            found = world.resource_for(arn)
            if found is not None:
                self._refuse_unresolved(found.arn, "the resource-based policy of")
                policy = found.policy
                if found.arn == arn:
                    tags = found.tags  # an object does not carry its bucket's tags
            elif account is None and s3_bucket_arn(arn) is not None:
                notes.append(
                    f"the owner of {arn} is unknown (S3 ARNs name no account); "
                    "assuming the caller's account"
                )
        keys: dict[str, ContextValue] = {}
        if account:
            keys["aws:ResourceAccount"] = account
            keys.update(org_keys("Resource", world.organization, account))
        keys.update(resource_tag_keys(tags))
        built = _ResourcePart(account, policy, keys, None, role, tuple(notes))
        self._cache.resources[key] = built
        return built

    def _rcp(
        self, act: _ActionPart, part: _PrincipalPart, res: _ResourcePart, account: str | None
    ) -> tuple[tuple[Policy, ...], ...] | None:
        org = self.world.organization
        if org is None or not org.rcp_enabled or not org.contains(account):
            return None
        if org.is_management(account) or part.caller.service_linked:
            return None
        if act.action.lower() in RCP_EXEMPT_ACTIONS:
            return None
        if res.role is not None and res.role.service_linked:
            return None  # trust policies of service-linked roles are exempt
        if self._rcp_services is None:
            self._rcp_services = frozenset(s.lower() for s in self.catalog.rcp_supported_services())
        if act.service not in self._rcp_services:
            return None
        assert account is not None
        return org.rcp_levels(account)

    # -- principals -----------------------------------------------------------------------

    def _principal(
        self,
        principal: str | Principal,
        session_policies: Sequence[Policy] | None,
        session_tags: Mapping[str, str] | None,
        source_identity: str | None,
    ) -> _PrincipalPart:
        held = (principal, tuple(session_policies) if session_policies is not None else None)
        key = (
            principal if isinstance(principal, str) else id(principal),
            None if held[1] is None else tuple(id(p) for p in held[1]),
            tuple(sorted((session_tags or {}).items())),
            source_identity,
        )
        cached = self._cache.principals.get(key)
        if cached is not None:
            return cached[1]
        resolved = self.world.find_principal(principal) if isinstance(principal, str) else principal
        if session_policies is not None or session_tags or source_identity:
            resolved = self._with_session(resolved, session_policies, session_tags, source_identity)
        part = self._principal_part(resolved)
        self._cache.principals[key] = (held, part)
        return part

    @staticmethod
    def _with_session(
        principal: Principal,
        policies: Sequence[Policy] | None,
        tags: Mapping[str, str] | None,
        source_identity: str | None,
    ) -> Session:
        if isinstance(principal, Role):
            base = Session(
                kind=SessionKind.ASSUMED_ROLE,
                account=principal.account,
                role_arn=principal.arn,
                partition=principal.partition,
            )
        elif isinstance(principal, Session):
            base = principal
        else:
            raise RequestError(
                "session policies, session tags and source identity apply only to a role or a "
                "session principal"
            )
        merged_policies = base.session_policies
        if policies is not None:
            retyped = tuple(_as_type(p, PolicyType.SESSION) for p in policies)
            merged_policies = (*(merged_policies or ()), *retyped)
        return Session(
            kind=base.kind,
            account=base.account,
            name=base.name,
            role_arn=base.role_arn,
            user_arn=base.user_arn,
            session_policies=merged_policies,
            session_policy_arns=base.session_policy_arns,
            tags=base.tags.overridden_by(tags or {}),
            source_identity=source_identity or base.source_identity,
            partition=base.partition,
        )

    def _principal_part(self, principal: Principal) -> _PrincipalPart:
        world = self.world
        notes: list[str] = []
        identity: tuple[Policy, ...] = ()
        boundary: Policy | None = None
        session: tuple[Policy, ...] | None = None
        role: Role | None = None
        user: User | None = None
        if isinstance(principal, User):
            user = principal
            caller = Caller(
                kind=CallerKind.USER,
                account=user.account,
                partition=user.partition,
                arn=user.arn,
            )
        elif isinstance(principal, Role):
            role = principal
            caller = Caller(
                kind=CallerKind.ROLE_SESSION,
                account=role.account,
                partition=role.partition,
                role_arn=role.arn,
                service_linked=role.service_linked,
            )
        elif isinstance(principal, Session):
            if principal.kind is SessionKind.ASSUMED_ROLE:
                role = world.roles.get(principal.role_arn or "")
                caller = Caller(
                    kind=CallerKind.ROLE_SESSION,
                    account=principal.account,
                    partition=principal.partition,
                    arn=principal.arn,
                    role_arn=principal.role_arn,
                    session_name=principal.name,
                    service_linked=role.service_linked if role else False,
                )
            else:
                user = world.users.get(principal.user_arn or "")
                if user is None:
                    notes.append(
                        f"the IAM user behind federated user {principal.arn} is unknown; no "
                        "identity policies are evaluated for it"
                    )
                caller = Caller(
                    kind=CallerKind.FEDERATED_USER,
                    account=principal.account,
                    partition=principal.partition,
                    arn=principal.arn,
                    session_name=principal.name,
                    user_arn=principal.user_arn,
                )
            session = self._session_policies(principal)
        elif isinstance(principal, Root):
            caller = Caller(
                kind=CallerKind.ROOT,
                account=principal.account,
                partition=principal.partition,
                arn=principal.arn,
            )
        elif isinstance(principal, ServicePrincipal):
            caller = Caller(kind=CallerKind.SERVICE, service=principal.name)
        elif isinstance(principal, FederatedIdentity):
            caller = Caller(
                kind=CallerKind.WEB_IDENTITY,
                account=principal.account,
                partition=principal.partition,
                federated_provider=principal.provider,
            )
        elif isinstance(principal, Anonymous):
            caller = Caller(kind=CallerKind.ANONYMOUS)
        else:  # pragma: no cover - the Principal union is closed
            raise RequestError(f"unsupported principal {principal!r}")
        entity: User | Role | None = user or role
        if entity is not None:
            identity = self.identity_policies(entity)
            if entity.boundary_arn:
                boundary = self._managed(entity.boundary_arn, entity.arn).as_type(
                    PolicyType.BOUNDARY
                )
        if caller.account and caller.account not in world.accounts:
            notes.append(
                f"account {caller.account} is not in the inputs: the caller has no identity "
                "policies here and no organization applies to it"
            )
        elif entity is not None and caller.account not in world.iam_accounts:
            notes.append(
                f"the inputs hold no IAM data of account {caller.account}: "
                f"{entity.arn} has no identity policies here"
            )
        keys = principal_keys(principal, role=role, user=user)
        keys.update(org_keys("Principal", world.organization, caller.account))
        return _PrincipalPart(
            principal=principal,
            caller=caller,
            identity=identity,
            boundary=boundary,
            session=session,
            scp=self._scp(caller),
            keys=keys,
            warnings=tuple(notes),
        )

    def _service_tag_keys(
        self, service: str, keys: Mapping[str, ContextValue]
    ) -> dict[str, ContextValue]:
        """The resource's tags under the service's own key as well (``iam:ResourceTag/team``,
        ``ec2:ResourceTag/team``) when the service of the action or of the resource defines
        one: policies written with it (the IAM ABAC tutorial's ``sts:AssumeRole`` on a tagged
        role, EC2 and Secrets Manager examples) read the same tags.
        https://docs.aws.amazon.com/IAM/latest/UserGuide/access_iam-tags.html"""
        tags = {k: v for k, v in keys.items() if k.startswith("aws:ResourceTag/")}
        if not tags or not self.validate:
            return {}
        supported = self._cache.service_tag_keys.get(service)
        if supported is None:
            probe = f"{service}:ResourceTag/iamsim-probe"
            supported = self.catalog.condition_key_type(probe) is not None
            self._cache.service_tag_keys[service] = supported
        if not supported:
            return {}
        return {f"{service}:{k[4:]}": v for k, v in tags.items()}

    def _refuse_unresolved(self, arn: str, what: str) -> None:
        """Refuse a request that needs policies the inputs left unknown (fail closed)."""
        reasons = self.world.unresolved.get(arn)
        if reasons:
            raise RequestError(
                f"the inputs leave {what} {arn} incomplete ({'; '.join(reasons)}); iamsim does "
                "not answer from part of its policies: give the missing values"
            )

    def identity_policies(self, entity: User | Role) -> tuple[Policy, ...]:
        """The identity policies a request of ``entity`` carries: inline, attached managed
        and (for a user) its groups', each managed policy once; RequestError when the inputs
        leave them incomplete."""
        self._refuse_unresolved(entity.arn, "the policies of")
        policies: list[Policy] = list(entity.inline_policies)
        seen: set[str] = set()

        def attach(arns: Iterable[str]) -> None:
            for arn in arns:
                if arn not in seen:  # a policy attached twice (user and group) counts once
                    seen.add(arn)
                    policies.append(self._managed(arn, entity.arn).document)

        attach(entity.managed_policy_arns)
        if isinstance(entity, User):
            for name in entity.group_names:
                group = self.world.group(entity.account, name)
                if group is None:
                    raise RequestError(
                        f"user {entity.arn} is in group {name!r}, which is not in the inputs"
                    )
                self._refuse_unresolved(group.arn, "the policies of group")
                policies.extend(group.inline_policies)
                attach(group.managed_policy_arns)
        return tuple(policies)

    def _session_policies(self, session: Session) -> tuple[Policy, ...] | None:
        if not session.has_session_policy:
            return None
        managed = tuple(
            self._managed(arn, session.arn or "the session").as_type(PolicyType.SESSION)
            for arn in session.session_policy_arns
        )
        return (*(session.session_policies or ()), *managed)

    def _managed(self, arn: str, referrer: str) -> ManagedPolicy:
        found = self.world.managed_policy(arn)
        if found is None:
            try:
                found = aws_managed_policy(arn)
            except InputError as exc:
                raise RequestError(f"AWS managed policy {arn}: {exc.describe()}") from None
            if found is None:
                raise RequestError(
                    f"{referrer} uses managed policy {arn}, which is not in the inputs"
                )
        return found

    def _scp(self, caller: Caller) -> tuple[tuple[Policy, ...], ...] | None:
        org = self.world.organization
        if org is None or not org.scp_enabled or not org.contains(caller.account):
            return None
        if caller.kind in (CallerKind.SERVICE, CallerKind.ANONYMOUS, CallerKind.WEB_IDENTITY):
            return None
        if org.is_management(caller.account) or caller.service_linked:
            return None
        assert caller.account is not None
        return org.scp_levels(caller.account)


def _keys_read(policy: Policy) -> frozenset[str]:
    """The lower-cased context keys the conditions of ``policy`` read."""
    return frozenset(
        clause.key.lower() for statement in policy.statements for clause in statement.conditions
    )


def _as_type(policy: Policy, policy_type: PolicyType) -> Policy:
    if policy.policy_type is policy_type:
        return policy
    return dataclasses.replace(policy, policy_type=policy_type)


def build_request(
    world: World,
    principal: str | Principal,
    action: str,
    resource: str = "*",
    *,
    context: Mapping[str, ContextValue] | None = None,
    now: datetime | None = None,
) -> tuple[Request, PolicySet]:
    """Build one request (see :class:`RequestBuilder`); assumptions are issued as
    :class:`BuilderWarning` warnings. Use a RequestBuilder for many questions."""
    built = RequestBuilder(world).build(principal, action, resource, context=context, now=now)
    for message in built.warnings:
        warnings.warn(message, BuilderWarning, stacklevel=2)
    return built.request, built.policies
