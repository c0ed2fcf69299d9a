"""Which roles' trust policies could name a caller: an index over the world's roles that
narrows the candidates the engine is asked about (it never decides a request itself).
"""

from __future__ import annotations

from iamsim.engine import Caller, CallerKind, MatchClass
from iamsim.engine.principals import CompiledPrincipal
from iamsim.model import Role, World
from iamsim.policy.model import Effect, PrincipalSpec


class TrustIndex:
    """Which roles' trust policies could name a caller (a superset; the engine decides).

    Roles are grouped by the Principal elements of their trust policy's Allow statements; each
    distinct element is matched against a caller once, with the engine's own principal
    matching (:meth:`CompiledPrincipal.match`).
    """

    def __init__(self, world: World) -> None:
        self.anyone: list[Role] = []  # a NotPrincipal Allow: leave it to the engine
        self.by_spec: dict[PrincipalSpec, list[Role]] = {}
        self._compiled: dict[PrincipalSpec, CompiledPrincipal] = {}
        for role in world.roles.values():
            if role.service_linked or role.trust_policy is None:
                continue
            for statement in role.trust_policy.statements:
                if statement.effect is Effect.DENY:
                    continue
                if statement.not_principal is not None:
                    self.anyone.append(role)
                elif statement.principal is not None:
                    roles = self.by_spec.setdefault(statement.principal, [])
                    if role not in roles:
                        roles.append(role)

    def _matching(self, caller: Caller, account_ok: bool) -> list[Role]:
        found = {r.arn: r for r in self.anyone}
        for spec, roles in self.by_spec.items():
            compiled = self._compiled.get(spec)
            if compiled is None:
                compiled = self._compiled[spec] = CompiledPrincipal.compile(spec)
            match = compiled.match(caller)
            if match is None or (match is MatchClass.ACCOUNT and not account_ok):
                continue
            for role in roles:
                found[role.arn] = role
        return [found[k] for k in sorted(found)]

    def for_service(self, service: str) -> list[Role]:
        """Roles whose trust policy may let ``service`` assume them, by ARN."""
        return self._matching(Caller(kind=CallerKind.SERVICE, service=service), False)

    def candidates(self, caller: Caller, identity_may_allow: bool) -> list[Role]:
        """Roles whose trust policy names ``caller``, or its account when its identity
        policies may allow sts:AssumeRole, by ARN."""
        return self._matching(caller, identity_may_allow)
