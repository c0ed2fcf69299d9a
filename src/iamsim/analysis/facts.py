"""What a principal alone fixes about every request it makes, and conditions seen through it.

For one principal, some condition keys have the same value in every request it can make: its
ARN, account, type, tags, organization (``aws:PrincipalArn``, ``aws:PrincipalTag/team``,
``aws:PrincipalOrgID``...) and, for resources of its own account, ``aws:ResourceAccount`` and
the resource's organization keys. Analyses that reason about "every request of this principal"
evaluate the condition clauses over those keys once, with the engine's own condition code, and
keep the other clauses (time, network, request tags, resource tags...) as the conditions under
which something is allowed.

Readings: a role is "any session of the role, without session tags" (the request builder's
reading), so ``aws:PrincipalTag/*`` comes from the role's tags; ``aws:userid`` and
``aws:SourceIdentity`` are fixed only when known (a role session's name is not).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from iamsim.conditions.evaluate import CompiledCondition, CompiledConditionBlock
from iamsim.vocabulary.request import Context, ContextValue

# Keys fixed only when the principal's record supplies them.
_ONLY_WHEN_KNOWN = frozenset({"aws:userid", "aws:sourceidentity"})
_PRINCIPAL_KEYS = frozenset({"aws:username", "aws:userid", "aws:sourceidentity"})
_IDENTITY_KEYS = frozenset(
    {"aws:principalarn", "aws:principalaccount", "aws:principaltype", "aws:username"}
)
# Keys of the resource's account, fixed when the analysis is about the principal's own account.
_OWN_ACCOUNT_KEYS = frozenset({"aws:resourceaccount", "aws:resourceorgid", "aws:resourceorgpaths"})


@dataclass(frozen=True, slots=True)
class Facts:
    """Context keys the principal fixes (``context``) and which keys count as fixed."""

    context: Context
    own_account: bool = True
    known_principal: bool = True
    # Only the principal's name and account are known (a principal outside the loaded inputs:
    # its tags and organization are not).
    identity_only: bool = False
    # The resource is one known resource: its account, organization and tags are fixed too.
    resource_fixed: bool = False
    # Keys (lower case) whose values the user gave for every request (``--context``).
    given: frozenset[str] = frozenset()

    def determines(self, key: str) -> bool:
        """Whether ``key`` has the same value (or is absent) in every request considered."""
        lower = key.lower()
        if lower in self.given:
            return True
        if not self.known_principal:
            return False
        if self.resource_fixed and (
            lower.startswith("aws:resource")
            or (lower == "aws:requestedregion" and lower in self.context)
        ):
            # One known resource: its account, organization, tags and (for a regional ARN,
            # the builder's reading) the region the request goes to.
            return True
        if self.identity_only:
            return lower in _IDENTITY_KEYS and lower in self.context
        if lower in _ONLY_WHEN_KNOWN:
            return lower in self.context
        if lower.startswith("aws:principal") or lower in _PRINCIPAL_KEYS:
            return True
        return self.own_account and lower in _OWN_ACCOUNT_KEYS and lower in self.context

    def residual(self, block: CompiledConditionBlock) -> tuple[CompiledCondition, ...] | None:
        """The clauses of ``block`` that still depend on the request, or None when a clause the
        principal fixes is false (the statement never applies to this principal)."""
        if block.empty:
            return ()
        kept: list[CompiledCondition] = []
        for condition in block.conditions:
            keys = (condition.key, *condition.variable_keys)
            if all(self.determines(k) for k in keys):
                if not condition.evaluate(self.context):
                    return None
                continue
            kept.append(condition)
        return tuple(kept)


NO_FACTS = Facts(Context(), own_account=False, known_principal=False)


def principal_facts(
    context: Context,
    *,
    own_account: bool = True,
    identity_only: bool = False,
    resource_fixed: bool = False,
    given: Iterable[str] = (),
) -> Facts:
    """Facts from a built request's context, keeping only the keys a principal fixes and the
    ``given`` keys (values the user passed for every request)."""
    given_keys = frozenset(k.lower() for k in given)
    facts = Facts(
        context,
        own_account=own_account,
        identity_only=identity_only,
        resource_fixed=resource_fixed,
        given=given_keys,
    )
    fixed = {name: context.get_values(name) for name in context if facts.determines(name)}
    values: dict[str, ContextValue] = {}
    for name, vals in fixed.items():
        assert vals is not None
        values[name] = list(vals) if context.is_multi(name) else vals[0]
    return Facts(
        Context(values),
        own_account=own_account,
        identity_only=identity_only,
        resource_fixed=resource_fixed,
        given=given_keys,
    )


def conditions_hold(clauses: tuple[CompiledCondition, ...], context: Context) -> bool:
    return all(c.evaluate(context) for c in clauses)


def clauses_to_dict(clauses: tuple[CompiledCondition, ...]) -> dict[str, dict[str, object]]:
    """Clauses as a policy ``Condition`` block (operator as written -> key -> values)."""
    out: dict[str, dict[str, object]] = {}
    for condition in clauses:
        clause = condition.clause
        values = list(clause.values)
        value: object = values if (clause.value_was_list or len(values) != 1) else values[0]
        out.setdefault(clause.operator.text, {})[clause.key] = value
    return out
