"""The full explanation of one decision, for someone who has never seen the AWS flowchart.

:func:`explain_decision` turns an engine :class:`~iamsim.engine.trace.Decision` (evaluated with
``explain=True``) and the :class:`~iamsim.engine.policies.PolicySet` it was evaluated against
into a list of :class:`Step` records, in the order AWS evaluates them
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html):

1. the explicit-deny sweep over every applicable policy;
2. the organization gates: RCPs of the resource's account, SCPs of the caller's account, one
   level at a time from the root down (and a VPC endpoint policy when there is one);
3. the resource-based policy (the role trust policy for role assumption, the key policy for
   KMS), and how each of its statements named the caller;
4. the identity-based policies;
5. the permissions boundary;
6. the session policy.

Each step says what AWS asks there, what it found and what that means for this request, with
the statements involved and their JSON. Nothing here decides anything: every fact comes from the
decision's trace; this module only words it. :func:`render_explanation` prints it as text and
:func:`explanation_to_dict` as JSON.
"""

from __future__ import annotations

import dataclasses
import json
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from iamsim.engine.policies import PolicySet
from iamsim.engine.trace import (
    Decision,
    DecisionValue,
    PolicyTypeResult,
    PolicyTypeVerdict,
    StatementRef,
    StatementTrace,
)
from iamsim.policy.builtin import RCP_FULL_AWS_ACCESS_POLICY
from iamsim.policy.model import Policy, Statement
from iamsim.policy.render import policy_to_dict
from iamsim.report.inert import inert, inert_lines
from iamsim.vocabulary.request import CallerKind
from iamsim.vocabulary.targets import TRUST_ACTIONS

_WIDTH = 92

# How a resource-policy Principal entry named the caller (engine MatchClass names).
_MATCH_WORDS = {
    "DIRECT": 'names the caller itself (its user ARN, its session ARN, or "*")',
    "ENTITY": "names the role or IAM user behind the caller's session",
    "ACCOUNT": "names only the caller's account",
    "SERVICE": "names the calling AWS service",
    "FEDERATED": "names the caller's identity provider",
}

_CALLER_WORDS = {
    CallerKind.USER: "an IAM user",
    CallerKind.ROLE_SESSION: "a session of an IAM role",
    CallerKind.FEDERATED_USER: "a federated-user session",
    CallerKind.ROOT: "the account's root user",
    CallerKind.SERVICE: "an AWS service",
    CallerKind.WEB_IDENTITY: "a web-identity or SAML federated caller",
    CallerKind.ANONYMOUS: "an anonymous (unsigned) caller",
}


@dataclass(frozen=True, slots=True)
class StatementView:
    """One statement as the explanation shows it: its trace and its JSON (when found)."""

    trace: StatementTrace
    document: Mapping[str, Any] | None

    @property
    def near_miss(self) -> bool:
        """Matched action, resource and principal, failed only on a condition."""
        return not self.trace.applied and self.trace.reason == "condition"

    def to_dict(self) -> dict[str, Any]:
        out = self.trace.to_dict()
        out["document"] = self.document
        return out


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the evaluation, in AWS order."""

    key: str  # deny | rcp | scp | endpoint | resource | identity | boundary | session
    title: str
    question: str  # what AWS checks at this step
    found: tuple[str, ...]  # what it found, one sentence per line
    meaning: str  # what that means for this request
    outcome: str  # deny | block | grant | pass | none | not-applicable
    statements: tuple[StatementView, ...] = ()
    levels: tuple[PolicyTypeResult, ...] = ()  # organization levels, root first
    level_labels: tuple[str, ...] = ()  # "level 1 (an OU, Workloads)", aligned with levels

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "step": self.key,
            "title": self.title,
            "question": self.question,
            "found": list(self.found),
            "meaning": self.meaning,
            "outcome": self.outcome,
        }
        if self.levels:
            out["levels"] = [
                {**r.to_dict(), "label": label}
                for r, label in zip(self.levels, self.level_labels, strict=False)
            ]
        out["statements"] = [s.to_dict() for s in self.statements]
        return out


@dataclass(frozen=True, slots=True)
class Explanation:
    decision: Decision
    steps: tuple[Step, ...]
    assumptions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return explanation_to_dict(self)


# -- finding the statements' JSON ------------------------------------------------------------


class _StatementIndex:
    """(policy type, level, policy label, statement label) -> statement JSON."""

    def __init__(self, policies: PolicySet | None) -> None:
        self._table: dict[tuple[str, int | None, str, str], tuple[Policy, Statement]] = {}
        if policies is None:
            return
        plain: list[Policy] = [*policies.identity, *(policies.session or ())]
        plain += [*(policies.endpoint or ())]
        if policies.boundary is not None:
            plain.append(policies.boundary)
        if policies.resource is not None:
            plain.append(policies.resource)
        for policy in plain:
            self._add(policy, None)
        for levels in (policies.scp, policies.rcp):
            for index, level in enumerate(levels or ()):
                for policy in level:
                    self._add(policy, index)
        # The engine adds RCPFullAWSAccess to every RCP level; it is never in the inputs.
        for index in range(len(policies.rcp or ())):
            self._add(RCP_FULL_AWS_ACCESS_POLICY, index)

    def _add(self, policy: Policy, level: int | None) -> None:
        for statement in policy.statements:
            key = (policy.policy_type.value, level, policy.label, statement.label)
            self._table.setdefault(key, (policy, statement))  # the first of a name wins

    def document(self, ref: StatementRef) -> dict[str, Any] | None:
        found = self._table.get((ref.policy_type, ref.level, ref.policy, ref.statement))
        if found is None:
            return None
        policy, statement = found
        single = dataclasses.replace(policy, statements=(statement,), statement_was_list=False)
        rendered = policy_to_dict(single)["Statement"]
        return rendered if isinstance(rendered, dict) else None


# -- building the steps -----------------------------------------------------------------------


def explain_decision(
    decision: Decision,
    policies: PolicySet | None = None,
    *,
    assumptions: Sequence[str] = (),
    scp_level_names: Sequence[str] = (),
    rcp_level_names: Sequence[str] = (),
) -> Explanation:
    """The steps of ``decision`` in AWS order.

    ``policies`` (the set the decision was evaluated against) supplies each statement's JSON;
    ``assumptions`` are the request builder's remarks; ``*_level_names`` name the organization
    levels (root, OUs, account) of the caller's and the resource's accounts.
    """
    return _Builder(decision, _StatementIndex(policies), scp_level_names, rcp_level_names).build(
        tuple(assumptions)
    )


class _Builder:
    def __init__(
        self,
        decision: Decision,
        index: _StatementIndex,
        scp_names: Sequence[str],
        rcp_names: Sequence[str],
    ) -> None:
        self.d = decision
        self.index = index
        self.level_names = {"scp": list(scp_names), "rcp": list(rcp_names)}
        self.results: dict[tuple[str, int | None], PolicyTypeResult] = {
            (r.policy_type, r.level): r for r in decision.policy_results
        }
        self.traces: dict[tuple[str, int | None], list[StatementTrace]] = {}
        for trace in decision.statements:
            self.traces.setdefault((trace.ref.policy_type, trace.ref.level), []).append(trace)
        self.request = decision.request
        self.caller = decision.request.caller
        self.blocked = decision.blocked_by or ""
        self.decisive_types = {ref.policy_type for ref in decision.decisive}

    def build(self, assumptions: tuple[str, ...]) -> Explanation:
        steps = [self.deny_sweep()]
        steps += [s for s in (self.org("rcp"), self.org("scp")) if s is not None]
        endpoint = self.endpoint()
        if endpoint is not None:
            steps.append(endpoint)
        steps.append(self.resource())
        steps.append(self.identity())
        steps.append(self.boundary())
        session = self.session()
        if session is not None:
            steps.append(session)
        return Explanation(self.d, tuple(steps), assumptions)

    # -- helpers ----------------------------------------------------------------------------

    def views(self, policy_type: str, level: int | None = None) -> tuple[StatementView, ...]:
        return tuple(
            StatementView(t, self.index.document(t.ref))
            for t in self.traces.get((policy_type, level), [])
        )

    def applied_views(self, effect: str | None = None) -> list[StatementView]:
        out = []
        for trace in self.d.statements:
            if trace.applied and (effect is None or trace.ref.effect == effect):
                out.append(StatementView(trace, self.index.document(trace.ref)))
        return out

    def level_label(self, kind: str, level: int | None, count: int) -> str:
        names = self.level_names.get(kind, [])
        if level is None:
            return ""
        where = "the root" if level == 0 else ("the account" if level == count - 1 else "an OU")
        name = names[level] if level < len(names) else None
        return f"level {level} ({where}{', ' + name if name else ''})"

    # -- 1. explicit deny -------------------------------------------------------------------

    def deny_sweep(self) -> Step:
        denies = self.applied_views("Deny")
        question = (
            "Does any applicable policy have a Deny statement that matches this request? "
            "An explicit Deny overrides every Allow, in any policy type."
        )
        if denies:
            found = tuple(f"Deny: {v.trace.ref.describe()}" for v in denies)
            meaning = (
                "The request is explicitly denied. Evaluation stops here: no Allow anywhere "
                "can change it."
            )
            return Step("deny", "Explicit deny", question, found, meaning, "deny", tuple(denies))
        return Step(
            "deny",
            "Explicit deny",
            question,
            ("No Deny statement matches this request.",),
            "Nothing overrides an Allow found in the steps below.",
            "pass",
        )

    # -- 2. organization gates --------------------------------------------------------------

    def org(self, kind: str) -> Step | None:
        levels = sorted(
            (r for (t, _), r in self.results.items() if t == kind),
            key=lambda r: r.level or 0,
        )
        upper = kind.upper()
        whose = "the resource's account" if kind == "rcp" else "the caller's account"
        long_name = "Resource control policies" if kind == "rcp" else "Service control policies"
        title = f"{long_name} ({upper}s)"
        question = (
            f"Does an {upper} allow the request at every level of the organization, from the "
            f"root down to {whose}? {upper}s never grant anything; they set the maximum."
        )
        if not levels:
            notes = [n for n in self.d.notes if upper in n]
            text = (
                notes[0]
                if notes
                else f"No {upper}s govern this request ({whose} is not in a loaded "
                "organization, or it is the management account)."
            )
            return Step(
                kind, title, question, (text,), f"{upper}s do not limit this request.", "none"
            )
        if all(r.verdict is PolicyTypeVerdict.NOT_APPLICABLE for r in levels):
            notes = [n for n in self.d.notes if upper in n]
            found = (notes[0] if notes else f"{upper}s do not apply to this request.",)
            return Step(
                kind,
                title,
                question,
                found,
                f"{upper}s do not limit this request.",
                "not-applicable",
                levels=tuple(levels),
            )
        found_lines: list[str] = []
        blocking: PolicyTypeResult | None = None
        denied = False
        views: list[StatementView] = []
        for result in levels:
            label = self.level_label(kind, result.level, len(levels))
            if result.verdict is PolicyTypeVerdict.ALLOW:
                names = ", ".join(_policy_statement(s) for s in result.statements)
                found_lines.append(f"{label}: allowed by {names}")
            elif result.verdict is PolicyTypeVerdict.DENY:
                names = ", ".join(_policy_statement(s) for s in result.statements)
                found_lines.append(f"{label}: explicitly denied by {names}")
                denied = True
            else:
                found_lines.append(f"{label}: no {upper} at this level allows the action")
                blocking = blocking or result
            views.extend(self.views(kind, result.level))
        if denied:
            meaning = (
                f"An {upper} explicitly denies the request (the explicit-deny step): nothing "
                "in the account can allow it."
            )
            outcome = "deny"
        elif blocking is not None and self.d.value is not DecisionValue.EXPLICIT_DENY:
            meaning = (
                f"Every level must allow, and {self.level_label(kind, blocking.level, len(levels))} "
                f"does not: the request is implicitly denied here, whatever the account's own "
                "policies say."
            )
            outcome = "block"
        elif blocking is not None:
            meaning = "This level would also block the request, but an explicit Deny came first."
            outcome = "block"
        else:
            meaning = f"Every level allows the action, so {upper}s do not block this request."
            outcome = "pass"
        labels = tuple(self.level_label(kind, r.level, len(levels)) for r in levels)
        return Step(
            kind,
            title,
            question,
            tuple(found_lines),
            meaning,
            outcome,
            tuple(views),
            tuple(levels),
            labels,
        )

    def endpoint(self) -> Step | None:
        result = self.results.get(("endpoint", None))
        if result is None:
            return None
        question = "Does the VPC endpoint policy the request travels through allow it?"
        views = self.views("endpoint")
        if result.verdict is PolicyTypeVerdict.ALLOW:
            names = ", ".join(_policy_statement(s) for s in result.statements)
            return Step(
                "endpoint",
                "VPC endpoint policy",
                question,
                (f"Allowed by {names}.",),
                "The endpoint does not block this request.",
                "pass",
                views,
            )
        if result.verdict is PolicyTypeVerdict.DENY:
            return Step(
                "endpoint",
                "VPC endpoint policy",
                question,
                ("A Deny statement matches (see the explicit-deny step).",),
                "The request is denied.",
                "deny",
                views,
            )
        return Step(
            "endpoint",
            "VPC endpoint policy",
            question,
            ("No statement of the endpoint policy allows the request.",),
            "Requests through an endpoint need its policy to allow them: the request is denied.",
            "block",
            views,
        )

    # -- 3. resource-based policy -------------------------------------------------------------

    def resource_kind(self) -> str:
        if ("trust", None) in self.results or (
            self.request.action.lower() in TRUST_ACTIONS and ":role/" in self.request.resource
        ):
            return "trust"
        if self.request.service == "kms" and ":key/" in self.request.resource:
            return "kms"
        return "resource"

    def resource(self) -> Step:
        kind = self.resource_kind()
        ptype = "trust" if kind == "trust" else "resource"
        result = self.results.get((ptype, None))
        request = self.request
        same = request.same_account
        if kind == "trust":
            title = "Role trust policy"
            question = (
                "Does the role's trust policy allow this caller to assume it? Role assumption "
                "always needs the trust policy to allow, even within one account."
            )
        elif kind == "kms":
            title = "KMS key policy"
            question = (
                "Does the key policy allow the caller? For KMS keys, IAM policies only count when "
                "the key policy allows it (usually by naming the account)."
            )
        else:
            title = "Resource-based policy"
            question = (
                "Does the resource's own policy (bucket policy, queue policy, ...) allow the "
                "caller, and how does it name the caller?"
            )
        views = self.views(ptype)
        owner = request.resource_account or "unknown"
        if request.caller.account is None:
            account_line = f"The caller belongs to no account; the resource's account is {owner}."
        else:
            account_line = (
                f"The caller (account {request.caller.account}) and the resource (account "
                f"{owner}) are " + ("in the same account." if same else "in different accounts.")
            )
        if result is None:
            if kind == "trust":
                meaning = "Without a trust policy that allows, the role cannot be assumed."
            elif kind == "kms":
                meaning = (
                    "No key policy was given, so iamsim assumes the default key policy, which "
                    "lets the key account's IAM policies grant access."
                )
            elif same:
                meaning = "Only the caller's own policies can grant access (checked next)."
            else:
                meaning = (
                    "Across accounts the resource's account must allow the caller in a "
                    "resource-based policy; without one the request is denied."
                )
            return Step(
                "resource",
                title,
                question,
                (account_line, "No resource-based policy is known for this resource."),
                meaning,
                "block" if kind == "trust" or (not same and kind != "kms") else "none",
            )
        if result.verdict is PolicyTypeVerdict.NOT_APPLICABLE:
            return Step(
                "resource",
                title,
                question,
                (account_line, "It does not apply to this request."),
                "It plays no part.",
                "not-applicable",
                views,
            )
        if result.verdict is PolicyTypeVerdict.DENY:
            return Step(
                "resource",
                title,
                question,
                (account_line, "A Deny statement matches (see the explicit-deny step)."),
                "The request is denied.",
                "deny",
                views,
            )
        found = [account_line]
        if result.verdict is PolicyTypeVerdict.ALLOW:
            best = ""
            for ref in result.statements:
                how = _MATCH_WORDS.get(ref.principal_match or "", "applies")
                found.append(f"{_policy_statement(ref)} allows the request; its Principal {how}.")
                best = _stronger(best, ref.principal_match or "")
            meaning = self.resource_allow_meaning(kind, best, same)
            outcome = "grant" if ptype in self.decisive_types and self.d.allowed else "pass"
        else:
            found.append("It is present, but no statement allows this caller to do this.")
            if kind in ("trust", "kms") or not same:
                what = {
                    "trust": "the role cannot be assumed by this caller",
                    "kms": "IAM policies alone cannot grant access to the key",
                }.get(kind, "across accounts the resource's account must allow the caller")
                meaning = f"The request is denied: {what}."
                outcome = "block"
            else:
                meaning = (
                    "Within one account that is not needed: an identity-based policy (next) can "
                    "still allow the request."
                )
                outcome = "pass"
        return Step("resource", title, question, tuple(found), meaning, outcome, views)

    def resource_allow_meaning(self, kind: str, match: str, same: bool) -> str:
        if not same:
            return (
                "The resource's account allows the caller. Across accounts the caller's own "
                "account must allow too: its identity-based policies (next) must also allow."
            )
        if kind == "trust":
            if match == "ACCOUNT":
                return (
                    "The trust policy names only the account, which delegates the decision to "
                    "the account: an identity-based policy must also allow sts:AssumeRole."
                )
            return (
                "The trust policy names the caller, which is enough within one account; a "
                "permissions boundary may still cap it."
            )
        if match in ("DIRECT", "SERVICE"):
            return (
                "Within one account, a resource-based policy that names the caller itself grants "
                "access on its own: no identity-based policy is needed, and a boundary or session "
                "policy does not limit it."
            )
        if match == "ENTITY":
            return (
                "It names the role or user behind the session: that grants access within the "
                "account, but the permissions boundary and session policy still cap it."
            )
        return (
            "Naming the account delegates to the account: the caller's identity-based policies "
            "must still allow the action."
        )

    # -- 4. identity ---------------------------------------------------------------------------

    def identity(self) -> Step:
        result = self.results.get(("identity", None))
        title = "Identity-based policies"
        question = (
            "Do the policies attached to the caller (its user and groups, or its role) allow "
            "the action on this resource?"
        )
        views = self.views("identity")
        if result is None or result.verdict is PolicyTypeVerdict.NOT_APPLICABLE:
            who = _CALLER_WORDS.get(self.caller.kind, "this caller")
            return Step(
                "identity",
                title,
                question,
                (f"The caller is {who}, which has no identity-based policies.",),
                "Only a resource-based policy can let it in.",
                "not-applicable",
                views,
            )
        if result.verdict is PolicyTypeVerdict.DENY:
            return Step(
                "identity",
                title,
                question,
                ("A Deny statement matches (see the explicit-deny step).",),
                "The request is denied.",
                "deny",
                views,
            )
        if result.verdict is PolicyTypeVerdict.ALLOW:
            names = "; ".join(_policy_statement(s) for s in result.statements)
            granted = "identity" in self.decisive_types and self.d.allowed
            return Step(
                "identity",
                title,
                question,
                (f"Allowed by {names}.",),
                "The caller's own policies allow the action"
                + (
                    "; the boundary and session policy (if any) must not cap it."
                    if not granted
                    else "."
                ),
                "grant" if granted else "pass",
                views,
            )
        count = len(views)
        found = (
            f"None of the {count} statement(s) in the caller's identity-based policies allows "
            "the action on this resource."
            if count
            else "The caller has no identity-based policies in the inputs."
        )
        resource_granted = "resource" in self.decisive_types and self.d.allowed
        if resource_granted:
            meaning = "Not needed here: the resource-based policy already grants access."
            outcome = "pass"
        elif self.caller.kind is CallerKind.ROOT:
            meaning = "The root user needs no identity-based policy in its own account."
            outcome = "pass"
        else:
            meaning = (
                "Nothing grants the request, so it is implicitly denied (AWS denies by default)."
            )
            outcome = "block"
        return Step("identity", title, question, (found,), meaning, outcome, views)

    # -- 5. boundary ---------------------------------------------------------------------------

    def boundary(self) -> Step:
        result = self.results.get(("boundary", None))
        title = "Permissions boundary"
        question = (
            "If the caller has a permissions boundary, does it allow the action? A boundary "
            "grants nothing: it is a ceiling on what identity-based policies may grant."
        )
        views = self.views("boundary")
        if result is None:
            return Step(
                "boundary",
                title,
                question,
                ("The caller has no permissions boundary.",),
                "Nothing caps the caller's identity-based permissions.",
                "none",
            )
        if result.verdict is PolicyTypeVerdict.NOT_APPLICABLE:
            return Step(
                "boundary",
                title,
                question,
                ("The boundary does not apply to this caller.",),
                "It plays no part.",
                "not-applicable",
                views,
            )
        if result.verdict is PolicyTypeVerdict.DENY:
            return Step(
                "boundary",
                title,
                question,
                ("A Deny statement of the boundary matches (see the explicit-deny step).",),
                "The request is denied.",
                "deny",
                views,
            )
        if result.verdict is PolicyTypeVerdict.ALLOW:
            names = "; ".join(_policy_statement(s) for s in result.statements)
            return Step(
                "boundary",
                title,
                question,
                (f"Allowed by {names}.",),
                "The boundary does not cap this request.",
                "pass",
                views,
            )
        blocks = self.blocked == "permissions boundary"
        return Step(
            "boundary",
            title,
            question,
            ("No statement of the boundary allows the action.",),
            (
                "The action is outside the boundary, so the request is implicitly denied even "
                "though other policies allow it."
                if blocks
                else "The boundary would not allow this action either."
            ),
            "block" if blocks else "pass",
            views,
        )

    # -- 6. session ----------------------------------------------------------------------------

    def session(self) -> Step | None:
        result = self.results.get(("session", None))
        if result is None and not self.caller.is_session:
            return None
        title = "Session policy"
        question = (
            "If a session policy was passed when the session was created, does it allow the "
            "action? Like a boundary, it only limits."
        )
        views = self.views("session")
        if result is None:
            if self.caller.kind is CallerKind.FEDERATED_USER:
                return Step(
                    "session",
                    title,
                    question,
                    ("No session policy was passed.",),
                    "A federated-user session without a session policy has no permissions.",
                    "block",
                    views,
                )
            return Step(
                "session",
                title,
                question,
                ("No session policy was passed.",),
                "The session has its role's permissions, unlimited by a session policy.",
                "none",
            )
        if result.verdict is PolicyTypeVerdict.ALLOW:
            names = "; ".join(_policy_statement(s) for s in result.statements)
            return Step(
                "session",
                title,
                question,
                (f"Allowed by {names}.",),
                "The session policy does not cap this request.",
                "pass",
                views,
            )
        if result.verdict is PolicyTypeVerdict.DENY:
            return Step(
                "session",
                title,
                question,
                ("A Deny statement matches (see the explicit-deny step).",),
                "The request is denied.",
                "deny",
                views,
            )
        if result.verdict is PolicyTypeVerdict.NOT_APPLICABLE:
            return Step(
                "session",
                title,
                question,
                ("The session policy does not apply.",),
                "It plays no part.",
                "not-applicable",
                views,
            )
        blocks = self.blocked == "session policy"
        return Step(
            "session",
            title,
            question,
            ("No statement of the session policy allows the action.",),
            "The session policy caps the session below its role: the request is implicitly denied."
            if blocks
            else "The session policy would not allow this action either.",
            "block" if blocks else "pass",
            views,
        )


# Principal match classes from the weakest grant to the strongest (engine MatchClass order).
_MATCH_ORDER = ("", "ACCOUNT", "ENTITY", "FEDERATED", "SERVICE", "DIRECT")


def _stronger(a: str, b: str) -> str:
    """The stronger of two match-class names (unknown names count as the weakest)."""

    def rank(name: str) -> int:
        return _MATCH_ORDER.index(name) if name in _MATCH_ORDER else 0

    return a if rank(a) >= rank(b) else b


def _policy_statement(ref: StatementRef) -> str:
    return f"{ref.policy!r} statement {ref.statement}"


# -- rendering -----------------------------------------------------------------------------------

_OUTCOME_MARK = {
    "deny": "DENIES",
    "block": "BLOCKS",
    "grant": "GRANTS",
    "pass": "passes",
    "none": "nothing to check",
    "not-applicable": "does not apply",
}


def _wrap(text: str, indent: str, hanging: str | None = None) -> list[str]:
    lines = textwrap.wrap(
        inert(text),  # before textwrap turns a CR or a line break into a space
        width=_WIDTH,
        initial_indent=indent,
        subsequent_indent=indent if hanging is None else hanging,
        break_on_hyphens=False,
        break_long_words=False,
    )
    return lines or [indent]


def render_explanation(explanation: Explanation, *, all_statements: bool = False) -> str:
    """Readable text: the question, the answer, each step, and the conclusion.

    Statements that applied, and statements that failed only on a condition, are shown with
    their JSON; the others get one line saying why they did not apply (``all_statements``
    shows every statement's JSON).
    """
    d = explanation.decision
    request = d.request
    caller = request.caller
    lines = [
        f"Question: can {caller.display} perform {request.action} on {request.resource}?",
        f"Answer:   {_answer(d.value)} — {d.reason}",
        "",
    ]
    who = _CALLER_WORDS.get(caller.kind, caller.kind.value)
    lines += _wrap(
        f"The caller is {who}"
        + (f" in account {caller.account}" if caller.account else "")
        + "; the resource belongs to "
        + (
            f"account {request.resource_account}"
            if request.resource_account
            else "an unknown account"
        )
        + (" (the same account)." if request.same_account and request.resource_account else "."),
        "",
    )
    lines += _wrap(
        "AWS evaluates a request in the steps below, in this order; an explicit Deny anywhere "
        "wins, and otherwise every gate must allow and something must grant.",
        "",
    )
    for number, step in enumerate(explanation.steps, start=1):
        lines.append("")
        lines.append(
            f"Step {number}. {step.title} — {_OUTCOME_MARK.get(step.outcome, step.outcome)}"
        )
        lines += _wrap(step.question, "   ")
        for found in step.found:
            lines += _wrap(f"Found: {found}", "   ", "          ")
        lines += _wrap(f"Meaning: {step.meaning}", "   ", "            ")
        labels = {
            r.level: label
            for r, label in zip(step.levels, step.level_labels, strict=False)
            if r.level is not None
        }
        lines += _statement_lines(step.statements, all_statements, labels)
    lines.append("")
    lines.append(f"Conclusion: {_answer(d.value)} — {d.reason}")
    if d.blocked_by:
        lines.append(f"  blocked by: {d.blocked_by}")
    for ref in d.decisive:
        lines.append(f"  decisive: {ref.describe()}")
    for note in d.notes:
        lines += _wrap(f"note: {note}", "  ")
    if d.missing_context_keys:
        lines += _wrap(
            "The decision depended on context keys the request did not have: "
            + ", ".join(d.missing_context_keys)
            + ". Supply them with --context KEY=VALUE to see how the answer changes.",
            "  ",
        )
    for text in explanation.assumptions:
        lines += _wrap(f"assumed: {text}", "  ")
    return inert_lines(lines)


def _answer(value: DecisionValue) -> str:
    return {
        DecisionValue.ALLOW: "ALLOWED",
        DecisionValue.EXPLICIT_DENY: "DENIED (explicit deny)",
        DecisionValue.IMPLICIT_DENY: "DENIED (implicit deny: nothing allows it)",
    }[value]


# AWS managed guardrail policies that allow everything; their JSON says nothing new.
_ALLOW_ALL_BUILTINS = frozenset({"FullAWSAccess", "RCPFullAWSAccess"})


def _statement_lines(
    views: Sequence[StatementView], all_statements: bool, level_labels: Mapping[int, str]
) -> list[str]:
    lines: list[str] = []
    current_level: int | None = None
    for view in views:
        trace = view.trace
        ref = trace.ref
        if ref.level is not None and ref.level != current_level and level_labels:
            current_level = ref.level
            lines.append(f"     {level_labels.get(ref.level, f'level {ref.level}')}:")
        head = f"{ref.policy!r} statement {ref.statement} ({ref.effect})"
        builtin = ref.policy in _ALLOW_ALL_BUILTINS
        if builtin:
            lines += _wrap(
                f"- {head}: applies (AWS managed, allows every action on every resource)"
                if trace.applied
                else f"- {head}: does not apply — {trace.detail or trace.reason}",
                "     ",
                "       ",
            )
            continue
        if trace.applied:
            how = (
                f"; its Principal {_MATCH_WORDS[ref.principal_match]}"
                if ref.principal_match in _MATCH_WORDS and ref.policy_type not in ("scp", "rcp")
                else ""
            )
            lines += _wrap(f"- {head}: applies{how}", "     ", "       ")
        else:
            lines += _wrap(
                f"- {head}: does not apply — {trace.detail or trace.reason}", "     ", "       "
            )
        for check in trace.conditions:
            mark = "ok  " if check.result else "FAIL"
            got = "absent" if check.request_values is None else ", ".join(check.request_values)
            note = f" — {check.note}" if check.note else ""
            lines += _wrap(
                f"[{mark}] {check.operator} {check.key} {list(check.policy_values)} "
                f"vs request {got}{note}",
                "         ",
            )
        if view.document is not None and (trace.applied or view.near_miss or all_statements):
            text = json.dumps(view.document, indent=2, ensure_ascii=False)
            lines += ["         " + line for line in text.splitlines()]
    return lines


def explanation_to_dict(explanation: Explanation) -> dict[str, Any]:
    """The decision (with its full trace) plus the steps, for ``--json``."""
    out = explanation.decision.to_dict()
    out["steps"] = [step.to_dict() for step in explanation.steps]
    out["assumptions"] = list(explanation.assumptions)
    return out
