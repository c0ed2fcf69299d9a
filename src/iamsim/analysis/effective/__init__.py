"""Effective permissions of one principal: every catalogue action it can perform, on which
resources, under which conditions, and what each guardrail removed.

Computed with set algebra over the compiled statements of the principal's policy set (as the
request builder collects it), never with one simulation per action:

1. **Actions.** Each statement's Action/NotAction becomes a set of catalogue actions
   (:class:`~iamsim.analysis.actions_index.ActionIndex`). Actions covered by the same statements
   share one *signature*; everything below is computed once per signature and per set of
   resource patterns that can apply to the action's resource types.
2. **Resources.** A statement's Resource/NotResource entries become
   :class:`~iamsim.analysis.arnsets.ArnSet` values; an entry applies to an action only if it can
   match an ARN of one of the action's resource types (for an action without resource-level
   permissions, only ``"*"`` can, exactly as the engine matches the request resource ``"*"``).
3. **Conditions.** Clauses over keys the principal fixes (its ARN, tags, account,
   organization, and the own-account resource keys) are evaluated once with the engine's
   condition code (:mod:`iamsim.analysis.facts`): a false one drops the statement, true ones
   disappear; the rest are the conditions shown.
4. **Algebra**, in the engine's order. The identity-policy Allow statements give the grant, a
   union of *terms* (a resource scope, conditions). Every applicable Deny (identity, boundary,
   session, SCPs, RCPs) is subtracted: an unconditional Deny that covers a term removes it
   ("denied by" that statement), one that overlaps it carves its resources out, a conditional
   one leaves the term "unless" its conditions hold. Then each guardrail that must allow
   (RCP levels, SCP levels, the permissions boundary, the session policy) is intersected: a
   term no Allow of that guardrail reaches is "cut by" it; a term partly reached is narrowed
   (and the rest recorded as cut); a conditional Allow adds its conditions.

The result can be evaluated at a concrete (action, resource, context) with
:meth:`EffectivePermissions.decision_at`, which uses only the result's terms and records plus
the engine's own pattern and condition matchers: the tests compare it with the engine's
decision on requests the builder builds.

Scope: resources of the principal's own account, without resource-based policies (a resource
policy can add grants, which ``who-can`` answers per resource). ``sts:AssumeRole*`` also need the
target role's trust policy.

Package layout: :mod:`.algebra` (layers, slots, scopes, terms and the solver),
:mod:`.results` (the answer and its evaluation at a request), :mod:`.analyzer` (from a
principal's policy set to the answer). The names below are the package's public API.
"""

from iamsim.analysis.effective.algebra import Removal, Slot, Status, Term
from iamsim.analysis.effective.analyzer import EffectiveAnalyzer, effective_permissions
from iamsim.analysis.effective.results import (
    ActionPermission,
    EffectivePermissions,
    Verdict,
    term_to_dict,
)

__all__ = [
    "ActionPermission",
    "EffectiveAnalyzer",
    "EffectivePermissions",
    "Removal",
    "Slot",
    "Status",
    "Term",
    "Verdict",
    "effective_permissions",
    "term_to_dict",
]
