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

The steps themselves (which ones, what each found, which statements decided) are the engine's
(:func:`iamsim.engine.explanation.explain`). This module only words them: what AWS asks at each
step, what it found and what that means for this request, with the statements involved and
their JSON. :func:`render_explanation` prints it as text and
:func:`explanation_to_dict` as JSON.
"""

from __future__ import annotations

import dataclasses
import json
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from iamsim.engine.explanation import LevelPlace, explain
from iamsim.engine.explanation import Step as EngineStep
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
    """One step of the evaluation (:class:`iamsim.engine.explanation.Step`), in words."""

    key: str  # deny | rcp | scp | endpoint | resource | identity | boundary | session
    title: str
    question: str  # what AWS checks at this step
    found: tuple[str, ...]  # what it found, one sentence per line
    meaning: str  # what that means for this request
    outcome: str  # deny | block | grant | pass | none | not-applicable
    statements: tuple[StatementView, ...] = ()
    levels: tuple[PolicyTypeResult, ...] = ()  # organization levels, root first
    level_labels: tuple[str, ...] = ()  # "level 1 (an OU, Workloads)", aligned with levels
    finding: str = ""  # the engine's name for the case of the step this request hit

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "step": self.key,
            "title": self.title,
            "question": self.question,
            "found": list(self.found),
            "meaning": self.meaning,
            "outcome": self.outcome,
            "finding": self.finding,
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


# -- wording the engine's steps ------------------------------------------------------------------


def explain_decision(
    decision: Decision,
    policies: PolicySet | None = None,
    *,
    assumptions: Sequence[str] = (),
    scp_level_names: Sequence[str] = (),
    rcp_level_names: Sequence[str] = (),
) -> Explanation:
    """The engine's steps of ``decision`` (:func:`iamsim.engine.explanation.explain`), worded.

    ``policies`` (the set the decision was evaluated against) supplies each statement's JSON;
    ``assumptions`` are the request builder's remarks; ``*_level_names`` name the organization
    levels (root, OUs, account) of the caller's and the resource's accounts.
    """
    words = _Words(decision, _StatementIndex(policies), scp_level_names, rcp_level_names)
    return Explanation(
        decision, tuple(words.step(s) for s in explain(decision)), tuple(assumptions)
    )


class _Words:
    """What AWS asks at each step, what the engine found there and what it means, in words."""

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
        self.request = decision.request
        self.caller = decision.request.caller

    def step(self, step: EngineStep) -> Step:
        worded = {
            "deny": self.deny_sweep,
            "rcp": self.org,
            "scp": self.org,
            "endpoint": self.endpoint,
            "resource": self.resource,
            "identity": self.identity,
            "boundary": self.boundary,
            "session": self.session,
        }[step.key](step)
        title, question, found, meaning = worded
        views = tuple(StatementView(t, self.index.document(t.ref)) for t in step.statements)
        labels = tuple(
            self.level_label(step.key, r.level, place)
            for r, place in zip(step.levels, step.level_places, strict=True)
        )
        return Step(
            step.key,
            title,
            question,
            tuple(found),
            meaning,
            step.outcome,
            views,
            step.levels,
            labels,
            step.finding,
        )

    def level_label(self, kind: str, level: int | None, place: LevelPlace) -> str:
        if level is None:
            return ""
        names = self.level_names.get(kind, [])
        where = _PLACE_WORDS[place]
        name = names[level] if level < len(names) else None
        return f"level {level} ({where}{', ' + name if name else ''})"

    # -- 1. explicit deny -------------------------------------------------------------------

    def deny_sweep(self, step: EngineStep) -> _Worded:
        question = (
            "Does any applicable policy have a Deny statement that matches this request? "
            "An explicit Deny overrides every Allow, in any policy type."
        )
        if step.finding == "denied":
            found = [f"Deny: {t.ref.describe()}" for t in step.statements]
            meaning = (
                "The request is explicitly denied. Evaluation stops here: no Allow anywhere "
                "can change it."
            )
            return "Explicit deny", question, found, meaning
        return (
            "Explicit deny",
            question,
            ["No Deny statement matches this request."],
            "Nothing overrides an Allow found in the steps below.",
        )

    # -- 2. organization gates --------------------------------------------------------------

    def org(self, step: EngineStep) -> _Worded:
        kind = step.key
        upper = kind.upper()
        whose = "the resource's account" if kind == "rcp" else "the caller's account"
        long_name = "Resource control policies" if kind == "rcp" else "Service control policies"
        title = f"{long_name} ({upper}s)"
        question = (
            f"Does an {upper} allow the request at every level of the organization, from the "
            f"root down to {whose}? {upper}s never grant anything; they set the maximum."
        )
        if step.finding == "ungoverned":
            text = step.note or (
                f"No {upper}s govern this request ({whose} is not in a loaded "
                "organization, or it is the management account)."
            )
            return title, question, [text], f"{upper}s do not limit this request."
        if step.finding == "not-applicable":
            text = step.note or f"{upper}s do not apply to this request."
            return title, question, [text], f"{upper}s do not limit this request."
        found: list[str] = []
        for result, place in zip(step.levels, step.level_places, strict=True):
            label = self.level_label(kind, result.level, place)
            names = ", ".join(_policy_statement(s) for s in result.statements)
            if result.verdict is PolicyTypeVerdict.ALLOW:
                found.append(f"{label}: allowed by {names}")
            elif result.verdict is PolicyTypeVerdict.DENY:
                found.append(f"{label}: explicitly denied by {names}")
            else:
                found.append(f"{label}: no {upper} at this level allows the action")
        if step.finding == "denied":
            meaning = (
                f"An {upper} explicitly denies the request (the explicit-deny step): nothing "
                "in the account can allow it."
            )
        elif step.finding == "blocked":
            places = dict(zip((r.level for r in step.levels), step.level_places, strict=True))
            blocking = step.blocking_level
            where = self.level_label(kind, blocking, places.get(blocking, "ou"))
            meaning = (
                f"Every level must allow, and {where} does not: the request is implicitly "
                "denied here, whatever the account's own policies say."
            )
        elif step.finding == "blocked-after-deny":
            meaning = "This level would also block the request, but an explicit Deny came first."
        else:
            meaning = f"Every level allows the action, so {upper}s do not block this request."
        return title, question, found, meaning

    def endpoint(self, step: EngineStep) -> _Worded:
        title = "VPC endpoint policy"
        question = "Does the VPC endpoint policy the request travels through allow it?"
        if step.finding == "allowed":
            names = ", ".join(_allowing(step))
            return (
                title,
                question,
                [f"Allowed by {names}."],
                "The endpoint does not block this request.",
            )
        if step.finding == "denied":
            return (
                title,
                question,
                ["A Deny statement matches (see the explicit-deny step)."],
                "The request is denied.",
            )
        return (
            title,
            question,
            ["No statement of the endpoint policy allows the request."],
            "Requests through an endpoint need its policy to allow them: the request is denied.",
        )

    # -- 3. resource-based policy -------------------------------------------------------------

    def resource(self, step: EngineStep) -> _Worded:
        kind = step.resource_kind or "resource"
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
        owner = request.resource_account or "unknown"
        if request.caller.account is None:
            account_line = f"The caller belongs to no account; the resource's account is {owner}."
        else:
            account_line = (
                f"The caller (account {request.caller.account}) and the resource (account "
                f"{owner}) are " + ("in the same account." if same else "in different accounts.")
            )
        if step.finding == "absent":
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
            found = [account_line, "No resource-based policy is known for this resource."]
            return title, question, found, meaning
        if step.finding == "not-applicable":
            return (
                title,
                question,
                [account_line, "It does not apply to this request."],
                ("It plays no part."),
            )
        if step.finding == "denied":
            found = [account_line, "A Deny statement matches (see the explicit-deny step)."]
            return title, question, found, "The request is denied."
        found = [account_line]
        if step.finding == "allowed":
            for ref in step.result.statements if step.result else ():
                how = _MATCH_WORDS.get(ref.principal_match or "", "applies")
                found.append(f"{_policy_statement(ref)} allows the request; its Principal {how}.")
            meaning = _resource_allow_meaning(kind, step.principal_match or "", same)
            return title, question, found, meaning
        found.append("It is present, but no statement allows this caller to do this.")
        if step.outcome == "block":
            what = {
                "trust": "the role cannot be assumed by this caller",
                "kms": "IAM policies alone cannot grant access to the key",
            }.get(kind, "across accounts the resource's account must allow the caller")
            meaning = f"The request is denied: {what}."
        else:
            meaning = (
                "Within one account that is not needed: an identity-based policy (next) can "
                "still allow the request."
            )
        return title, question, found, meaning

    # -- 4. identity ---------------------------------------------------------------------------

    def identity(self, step: EngineStep) -> _Worded:
        title = "Identity-based policies"
        question = (
            "Do the policies attached to the caller (its user and groups, or its role) allow "
            "the action on this resource?"
        )
        if step.finding == "no-identity":
            who = _CALLER_WORDS.get(self.caller.kind, "this caller")
            return (
                title,
                question,
                [f"The caller is {who}, which has no identity-based policies."],
                "Only a resource-based policy can let it in.",
            )
        if step.finding == "denied":
            found = ["A Deny statement matches (see the explicit-deny step)."]
            return title, question, found, "The request is denied."
        if step.finding == "allowed":
            names = "; ".join(_allowing(step))
            meaning = "The caller's own policies allow the action" + (
                "."
                if step.outcome == "grant"
                else "; the boundary and session policy (if any) must not cap it."
            )
            return title, question, [f"Allowed by {names}."], meaning
        count = len(step.statements)
        found_text = (
            f"None of the {count} statement(s) in the caller's identity-based policies allows "
            "the action on this resource."
            if count
            else "The caller has no identity-based policies in the inputs."
        )
        meaning = {
            "none-allows-resource-grants": (
                "Not needed here: the resource-based policy already grants access."
            ),
            "none-allows-root": "The root user needs no identity-based policy in its own account.",
        }.get(
            step.finding,
            "Nothing grants the request, so it is implicitly denied (AWS denies by default).",
        )
        return title, question, [found_text], meaning

    # -- 5. boundary ---------------------------------------------------------------------------

    def boundary(self, step: EngineStep) -> _Worded:
        title = "Permissions boundary"
        question = (
            "If the caller has a permissions boundary, does it allow the action? A boundary "
            "grants nothing: it is a ceiling on what identity-based policies may grant."
        )
        found, meaning = {
            "absent": (
                "The caller has no permissions boundary.",
                "Nothing caps the caller's identity-based permissions.",
            ),
            "not-applicable": ("The boundary does not apply to this caller.", "It plays no part."),
            "denied": (
                "A Deny statement of the boundary matches (see the explicit-deny step).",
                "The request is denied.",
            ),
            "allowed": (
                f"Allowed by {'; '.join(_allowing(step))}.",
                "The boundary does not cap this request.",
            ),
        }.get(
            step.finding,
            (
                "No statement of the boundary allows the action.",
                "The action is outside the boundary, so the request is implicitly denied even "
                "though other policies allow it."
                if step.outcome == "block"
                else "The boundary would not allow this action either.",
            ),
        )
        return title, question, [found], meaning

    # -- 6. session ----------------------------------------------------------------------------

    def session(self, step: EngineStep) -> _Worded:
        title = "Session policy"
        question = (
            "If a session policy was passed when the session was created, does it allow the "
            "action? Like a boundary, it only limits."
        )
        found, meaning = {
            "absent-federated": (
                "No session policy was passed.",
                "A federated-user session without a session policy has no permissions.",
            ),
            "absent": (
                "No session policy was passed.",
                "The session has its role's permissions, unlimited by a session policy.",
            ),
            "allowed": (
                f"Allowed by {'; '.join(_allowing(step))}.",
                "The session policy does not cap this request.",
            ),
            "denied": (
                "A Deny statement matches (see the explicit-deny step).",
                "The request is denied.",
            ),
            "not-applicable": ("The session policy does not apply.", "It plays no part."),
        }.get(
            step.finding,
            (
                "No statement of the session policy allows the action.",
                "The session policy caps the session below its role: the request is implicitly "
                "denied."
                if step.outcome == "block"
                else "The session policy would not allow this action either.",
            ),
        )
        return title, question, [found], meaning


# A step in words: its title, AWS's question, what was found (one sentence a line), the meaning.
_Worded = tuple[str, str, list[str], str]

_PLACE_WORDS: dict[LevelPlace, str] = {"root": "the root", "ou": "an OU", "account": "the account"}


def _allowing(step: EngineStep) -> list[str]:
    """The statements that allowed at ``step``, as "'policy' statement Sid"."""
    return [_policy_statement(ref) for ref in (step.result.statements if step.result else ())]


def _resource_allow_meaning(kind: str, match: str, same: bool) -> str:
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
