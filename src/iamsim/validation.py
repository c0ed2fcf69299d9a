"""Validation of policies against the grammar and the AWS service reference.

This module is the library side of ``iamsim validate``. It combines

* the grammar and lint findings of :func:`iamsim.policy.check_policy` (per policy type:
  ``Principal`` in an identity policy, a missing ``Resource``, invalid ARNs, ... and the size
  quota of the type), with
* the checks that need the service reference (:mod:`iamsim.catalog`), done here by
  :func:`catalog_findings`:

  ===============================  ========  ================================================
  code                             severity  meaning
  ===============================  ========  ================================================
  ``unknown-service``              error     the action's service prefix does not exist
                                             (AWS stores the policy: ``aws_rejects`` false)
  ``unknown-action``               error     no such action in the service (suggestions given;
                                             AWS stores the policy)
  ``action-matches-nothing``       warning   an action pattern matches no action
  ``resource-type-mismatch``       warning   none of the statement's resources can be a
                                             resource the action acts on
  ``action-needs-wildcard-resource`` warning the action supports no resource-level
                                             permissions (AWS matches it against ``"*"``)
                                             and no resource of the statement is ``"*"``
  ``resource-matches-no-action``   suggestion a resource none of the statement's actions act on
  ``unknown-condition-key``        error     the condition key does not exist (AWS stores
                                             the policy; the key is never present)
  ``condition-key-not-applicable`` warning   AWS never supplies the key for some of the
                                             statement's actions: the condition sees it absent
  ===============================  ========  ================================================

and, for loaded inputs (:func:`validate_world`) and scenario files, checks across policies:
``multiple-boundaries`` (error: a principal has at most one permissions boundary),
``policy-too-large`` for the per-entity sums of inline policies, ``boundary-not-found``,
``managed-policy-not-found`` and ``group-not-found`` (warnings: the request builder would refuse
questions that need them). What a loader reported while reading an input (placeholder account
IDs, resources it does not model) becomes an ``input-note`` suggestion.

Resource patterns (``arn:aws:s3:::bucket/*``) are compared with the action's resource types
by looking for an ARN that both the pattern and a type's ARN format accept, then asking the
service reference which type that ARN really is (``arn:aws:s3:::b/x`` is an object, so
``s3:ListBucket`` on ``arn:aws:s3:::b/*`` never applies).

:func:`validate_paths` reads files and directories the way the command line does: a policy
document (type given or inferred), a scenario file of ``iamsim eval``, or any input
:func:`iamsim.ingest.load_input` recognises.
"""

from __future__ import annotations

import difflib
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from iamsim.errors import InputError, PolicyError
from iamsim.model import Group, Role, User, World
from iamsim.model.managed import aws_managed_policy
from iamsim.policy import Finding, check_policy
from iamsim.policy.finding import SEVERITIES as SEVERITIES
from iamsim.policy.finding import Severity as Severity
from iamsim.policy.model import Policy, PolicyType, Statement
from iamsim.policy.quotas import QUOTAS, QuotaKind, policy_size
from iamsim.policy.refusals import aws_rejects
from iamsim.policy.render import policy_to_dict
from iamsim.vocabulary.targets import TRUST_ACTIONS

_RANK = {s: i for i, s in enumerate(SEVERITIES)}

_BUILTIN_ORG_POLICIES = frozenset({"FullAWSAccess", "RCPFullAWSAccess"})


# == results ===================================================================================


@dataclass(frozen=True, slots=True)
class ValidationFinding:
    """One finding, located: the file, a JSON pointer, and the policy when a file holds many.

    ``path`` points into the file for policy documents and scenario files; for policies of a
    loaded input (an IAM export, an organization, ...) it points into the policy document named
    by ``policy``. ``aws_rejects`` says whether AWS itself refuses the document for this
    finding (default: the code's row of :mod:`iamsim.policy.refusals`).
    """

    severity: Severity
    code: str
    message: str
    file: str = ""
    path: str = ""
    policy: str | None = None
    policy_type: str | None = None
    aws_rejects: bool | None = None

    def __post_init__(self) -> None:
        if self.aws_rejects is None:
            object.__setattr__(self, "aws_rejects", aws_rejects(self.code))

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "aws_rejects": bool(self.aws_rejects),
            "code": self.code,
            "message": self.message,
            "file": self.file,
            "path": self.path,
            "policy": self.policy,
            "policy_type": self.policy_type,
        }

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.policy:
            where += f" [{self.policy}]"
        if self.path:
            where += f" at {self.path}"
        mark = " (AWS rejects)" if self.aws_rejects else ""
        return f"{where}: {self.severity}{mark} [{self.code}] {self.message}"


@dataclass(frozen=True, slots=True)
class ValidationTarget:
    """One validated path: what it was read as and how many policies it held."""

    file: str
    kind: Literal["policy", "scenario", "input"]
    description: str
    policies: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "kind": self.kind,
            "description": self.description,
            "policies": self.policies,
        }


@dataclass(frozen=True, slots=True)
class ValidationReport:
    targets: tuple[ValidationTarget, ...]
    findings: tuple[ValidationFinding, ...]

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def fails(self, threshold: Severity = "error") -> bool:
        """Whether any finding is at least as severe as ``threshold``."""
        return any(_RANK[f.severity] <= _RANK[threshold] for f in self.findings)

    def summary(self) -> dict[str, int]:
        return {
            "files": len(self.targets),
            "policies": sum(t.policies for t in self.targets),
            "errors": self.count("error"),
            "security_warnings": self.count("security-warning"),
            "warnings": self.count("warning"),
            "suggestions": self.count("suggestion"),
            "aws_rejects": sum(1 for f in self.findings if f.aws_rejects),
        }


def _sorted(findings: Iterable[ValidationFinding]) -> list[ValidationFinding]:
    # Stable: keeps document order within a severity.
    return sorted(findings, key=lambda f: _RANK[f.severity])


# == policy type inference =====================================================================


def infer_policy_type(document: Mapping[str, Any]) -> PolicyType:
    """The most likely type of a bare policy document.

    A statement with ``Principal``/``NotPrincipal`` makes it resource-side: a role trust policy
    when it has no ``Resource`` and allows only ``sts:AssumeRole*``-family actions, else a
    resource-based policy. Otherwise it is an identity policy. SCPs, RCPs, boundaries, session
    and endpoint policies cannot be told apart from those by their content: name the type.
    """
    statements = document.get("Statement")
    raw_items = statements if isinstance(statements, list) else [statements]
    items: list[Mapping[str, Any]] = [s for s in raw_items if isinstance(s, Mapping)]
    if not any("Principal" in s or "NotPrincipal" in s for s in items):
        return PolicyType.IDENTITY
    if any("Resource" in s or "NotResource" in s for s in items):
        return PolicyType.RESOURCE
    actions: list[str] = []
    for statement in items:
        value = statement.get("Action")
        actions += (
            [value] if isinstance(value, str) else [v for v in value or () if isinstance(v, str)]
        )
    if actions and all(
        a.lower() in TRUST_ACTIONS or a.lower() == "sts:assumerole*" for a in actions
    ):
        return PolicyType.TRUST
    return PolicyType.RESOURCE


def _looks_like_policy(doc: Any) -> bool:
    return (
        isinstance(doc, Mapping)
        and "Statement" in doc
        and set(doc) <= {"Version", "Id", "Statement"}
    )


def _looks_like_scenario(doc: Any) -> bool:
    def one(item: Any) -> bool:
        return isinstance(item, Mapping) and "principal" in item and "action" in item

    if isinstance(doc, list):
        return bool(doc) and all(one(item) for item in doc)
    return one(doc)


# == catalog checks ============================================================================


def _catalog(catalog: Any) -> Any:
    if catalog is not None:
        return catalog
    from iamsim.catalog import service_reference

    return service_reference()


def _entries(st: Statement, element: str, values: tuple[str, ...] | None) -> list[tuple[str, str]]:
    """(value, JSON pointer) of each entry of an Action/Resource-like element."""
    if values is None:
        return []
    if element in st.scalar_elements and len(values) == 1:
        return [(values[0], f"{st.path}/{element}")]
    return [(value, f"{st.path}/{element}/{i}") for i, value in enumerate(values)]


def _has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def catalog_findings(policy: Policy, *, catalog: Any = None) -> list[Finding]:
    """The service-reference checks of ``policy`` (see the module docstring), in order.

    Paths are JSON pointers into the policy document.
    """
    cat = _catalog(catalog)
    checker = _Checker(cat)
    out: list[Finding] = []
    for statement in policy.statements:
        out.extend(checker.statement(statement))
    return out


class _Checker:
    def __init__(self, catalog: Any) -> None:
        self.cat = catalog
        self.fit = _PatternFit(catalog)

    # -- actions ------------------------------------------------------------------------------

    def actions_of(self, text: str) -> list[str] | None:
        """The canonical actions an Action entry covers (None for "*" or an unknown entry)."""
        if text.strip() == "*":
            return None
        if _has_wildcard(text):
            return list(self.cat.expand_action_pattern(text))
        canonical = self.cat.canonical_action(text)
        return [canonical] if canonical else None

    def action_entry(self, text: str, path: str, element: str) -> Iterator[Finding]:
        if text.strip() == "*" or ":" not in text:
            return
        prefix, _, name = text.partition(":")
        if _has_wildcard(prefix):
            if not self.cat.expand_action_pattern(text):
                yield Finding(
                    "warning",
                    "action-matches-nothing",
                    f"{element} pattern {text!r} matches no action of any service",
                    path,
                )
            return
        if not self.cat.service_exists(prefix):
            hint = _did_you_mean(self.cat.suggest_actions(text))
            close = difflib.get_close_matches(prefix.lower(), self.cat.services(), n=3)
            if not hint and close:
                hint = f"; did you mean the service {', '.join(close)}?"
            yield Finding(
                "error",
                "unknown-service",
                f"{text!r}: there is no service with the prefix {prefix!r}{hint}",
                path,
            )
            return
        if _has_wildcard(name):
            if not self.cat.expand_action_pattern(text):
                yield Finding(
                    "warning",
                    "action-matches-nothing",
                    f"{element} pattern {text!r} matches no {prefix.lower()} action",
                    path,
                )
            return
        if self.cat.canonical_action(text) is None:
            hint = _did_you_mean(self.cat.suggest_actions(text))
            yield Finding(
                "error",
                "unknown-action",
                f"{text!r} is not an action of {self.cat.service_name(prefix) or prefix}{hint}",
                path,
            )

    # -- one statement ---------------------------------------------------------------------------

    def statement(self, st: Statement) -> Iterator[Finding]:
        for element, values in (("Action", st.actions), ("NotAction", st.not_actions)):
            for text, path in _entries(st, element, values):
                yield from self.action_entry(text, path, element)
        action_entries = _entries(st, "Action", st.actions)
        covered: list[tuple[str, str, list[str]]] = []  # (entry text, path, actions)
        every_action = st.actions is None  # NotAction: the statement covers nearly everything
        for text, path in action_entries:
            actions = self.actions_of(text)
            if actions is None:
                if text.strip() == "*":
                    every_action = True
                continue
            covered.append((text, path, actions))
        if st.resources is not None and covered:
            yield from self.resources(st, covered, every_action)
        if st.conditions:
            yield from self.conditions(st, covered, every_action)

    def resources(
        self, st: Statement, covered: list[tuple[str, str, list[str]]], every_action: bool
    ) -> Iterator[Finding]:
        resources = _entries(st, "Resource", st.resources)
        if any(r.strip() == "*" for r, _ in resources):
            return
        used: set[str] = set()
        for text, path, actions in covered:
            fitting = []
            for action in actions:
                hits = [r for r, _ in resources if self.fits(action, r)]
                if hits:
                    fitting.append(action)
                    used.update(hits)
            if fitting or not actions:
                continue
            shown = ", ".join(r for r, _ in resources)
            if len(actions) == 1 and not self.cat.supports_resource_level_permissions(actions[0]):
                yield Finding(
                    "warning",
                    "action-needs-wildcard-resource",
                    f"{actions[0]} supports no resource-level permissions: AWS matches it "
                    f'against Resource "*", which none of this statement\'s resources ({shown}) '
                    "matches, so the statement never applies to it",
                    path,
                )
                continue
            expected = self.expected_types(actions)
            if len(actions) == 1:
                message = (
                    f"none of this statement's resources ({shown}) can be a resource "
                    f"{actions[0]} acts on ({expected}), so the statement never applies to it"
                )
            else:
                message = (
                    f"none of this statement's resources ({shown}) can be a resource any action "
                    f"matched by {text!r} acts on ({expected}), so the statement never applies "
                    "to those actions"
                )
            yield Finding("warning", "resource-type-mismatch", message, path)
        if every_action or not used:
            return  # nothing fits at all: the mismatch findings above already say so
        for resource, path in resources:
            if resource not in used:
                yield Finding(
                    "suggestion",
                    "resource-matches-no-action",
                    f"{resource} is not a resource any action of this statement acts on; it "
                    "can be removed",
                    path,
                )

    def fits(self, action: str, resource: str) -> bool:
        if resource.strip() == "*" or all(ch == "*" for ch in resource):
            return True
        if not self.cat.supports_resource_level_permissions(action):
            return False
        return self.fit.fits(action, resource)

    def expected_types(self, actions: Sequence[str]) -> str:
        seen: dict[str, None] = {}
        for action in actions[:20]:
            for rtype in self.cat.resource_types(action):
                for fmt in rtype.arn_formats:
                    seen.setdefault(f"{rtype.name}: {fmt}", None)
        listed = list(seen)
        text = "; ".join(listed[:4])
        return text + ("; ..." if len(listed) > 4 else "") if text else 'only Resource "*"'

    def conditions(
        self, st: Statement, covered: list[tuple[str, str, list[str]]], every_action: bool
    ) -> Iterator[Finding]:
        for clause in st.conditions:
            key = clause.key
            if "${" in key:
                continue
            if not self.cat.is_known_condition_key(key):
                yield Finding(
                    "error",
                    "unknown-condition-key",
                    f"{key!r} is not a condition key AWS defines{self.key_hint(key, covered)}",
                    clause.path,
                )
                continue
            if every_action or not covered:
                continue
            operator = clause.operator
            if operator.if_exists or operator.base == "Null":
                continue  # written for the key's absence on purpose
            missing = []
            applies_somewhere = False
            for text, _, actions in covered:
                if any(self.cat.is_known_condition_key(key, a) for a in actions):
                    applies_somewhere = True
                else:
                    missing.append(text)
            if not missing:
                continue
            listed = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
            if applies_somewhere:
                message = (
                    f"AWS never supplies {key} in requests for {listed}: for those actions the "
                    f"condition sees the key absent ({operator.text} on an absent key); split the "
                    "statement or use ...IfExists if that is not intended"
                )
            else:
                message = (
                    f"{key} is not a condition key of {listed}: AWS never supplies it for these "
                    f"actions, so {operator.text} always sees it absent"
                )
            yield Finding("warning", "condition-key-not-applicable", message, clause.path)

    def key_hint(self, key: str, covered: list[tuple[str, str, list[str]]]) -> str:
        candidates: set[str] = set()
        if key.lower().startswith("aws:"):
            candidates = {g.key for g in self.cat.global_condition_keys()}
        else:
            for _, _, actions in covered:
                for action in actions[:50]:
                    candidates.update(self.cat.condition_keys(action))
        lowered = {c.lower(): c for c in candidates}
        close = difflib.get_close_matches(key.lower(), list(lowered), n=3, cutoff=0.6)
        return _did_you_mean([lowered[c] for c in close])


def _did_you_mean(options: Sequence[str]) -> str:
    return f"; did you mean: {', '.join(options)}?" if options else ""


# == resource patterns against ARN formats ========================================================


# Tokens of the small automata below: a literal character, or a wildcard.
@dataclass(frozen=True, slots=True)
class _Wild:
    many: bool  # "*" (any run) rather than "?" (one character)
    crosses_colon: bool  # in the resource part; header wildcards stay within their field


def _pattern_tokens(pattern: str, *, nonempty: bool) -> tuple[str | _Wild, ...]:
    """A policy Resource pattern as tokens: ``*`` any run, ``?`` one character, a policy
    variable ``${...}`` any run (it could be substituted by anything). AWS matches the five
    header fields of an ARN one by one, so only wildcards of the resource part (after the fifth
    colon) may match a colon. With ``nonempty`` every run matches at least one character."""
    out: list[str | _Wild] = []
    colons = 0
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        in_resource = colons >= 5
        if ch == "$" and pattern.startswith("${", i) and "}" in pattern[i:]:
            ch = "*"
            i = pattern.index("}", i) + 1
        else:
            i += 1
        if ch in "*?":
            if nonempty or ch == "?":
                out.append(_Wild(False, in_resource))
            if ch == "*":
                out.append(_Wild(True, in_resource))
            continue
        if ch == ":":
            colons += 1
        out.append(ch)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class _Placeholder:
    may_be_empty: bool  # a whole ARN header field (global resources leave region/account empty)
    crosses_colon: bool  # the final placeholder of the resource part may contain ':'


@lru_cache(maxsize=2048)
def _format_tokens(fmt: str) -> tuple[str | _Placeholder, ...]:
    """An ARN format of the reference (``arn:${Partition}:s3:::${BucketName}``) as tokens,
    following the catalog's reading (see ``iamsim.catalog._templates``)."""
    raw: list[str | None] = []
    i = 0
    while i < len(fmt):
        if fmt.startswith("${", i) and "}" in fmt[i:]:
            raw.append(None)
            i = fmt.index("}", i) + 1
            continue
        raw.append(None if fmt[i] == "*" else fmt[i])
        i += 1
    colons = 0
    positions: list[int] = []  # the ARN field (0-5) each token lies in
    for token in raw:
        positions.append(colons)
        if token == ":":
            colons += 1
    placeholders = [i for i, t in enumerate(raw) if t is None]
    last = placeholders[-1] if placeholders else -1
    out: list[str | _Placeholder] = []
    for index, token in enumerate(raw):
        if token is not None:
            out.append(token)
            continue
        field = positions[index]
        alone = (
            0 < field < 5
            and (index == 0 or raw[index - 1] == ":")
            and (index + 1 == len(raw) or raw[index + 1] == ":")
        )
        out.append(_Placeholder(alone, index == last and field >= 5))
    return tuple(out)


def _witness(pattern: tuple[str | _Wild, ...], fmt: tuple[str | _Placeholder, ...]) -> str | None:
    """The shortest string both the pattern and the ARN format accept, or None.

    A breadth-first search over pairs of positions (pattern token, format token, inside a
    placeholder); moves that read nothing cost 0, moves that read a character cost 1.
    """
    start = (0, 0, False)
    dist = {start: 0}
    parent: dict[tuple[int, int, bool], tuple[tuple[int, int, bool], str]] = {}
    queue: deque[tuple[int, int, bool]] = deque([start])
    n, m = len(pattern), len(fmt)
    goal: tuple[int, int, bool] | None = None
    while queue:
        state = queue.popleft()
        i, j, inside = state
        if i == n and j == m:
            goal = state
            break
        p = pattern[i] if i < n else None
        f = fmt[j] if j < m else None
        moves: list[tuple[tuple[int, int, bool], str]] = []
        if isinstance(p, _Wild) and p.many:
            moves.append(((i + 1, j, inside), ""))
        if isinstance(f, _Placeholder) and (inside or f.may_be_empty):
            moves.append(((i, j + 1, False), ""))
        if p is not None and f is not None:
            char = _common_char(p, f, inside)
            if char is not None:
                next_i = i if isinstance(p, _Wild) and p.many else i + 1
                if isinstance(f, _Placeholder):
                    moves.append(((next_i, j, True), char))
                else:
                    moves.append(((next_i, j + 1, False), char))
        base = dist[state]
        for next_state, char in moves:
            cost = base + (1 if char else 0)
            if cost < dist.get(next_state, cost + 1):
                dist[next_state] = cost
                parent[next_state] = (state, char)
                if char:
                    queue.append(next_state)
                else:
                    queue.appendleft(next_state)
    if goal is None:
        return None
    chars: list[str] = []
    state = goal
    while state != start:
        state, char = parent[state]
        chars.append(char)
    return "".join(reversed(chars))


def _common_char(p: str | _Wild, f: str | _Placeholder, inside: bool) -> str | None:
    """A character the pattern token and the format token can both read next, if any."""
    if isinstance(f, _Placeholder):
        if isinstance(p, _Wild):
            return "x"
        return p if (p != ":" or f.crosses_colon) else None
    if inside:
        return None  # a literal format token is only reached after leaving the placeholder
    if isinstance(p, _Wild):
        return f if (f != ":" or p.crosses_colon) else None
    return p if p == f else None


class _PatternFit:
    """Whether a Resource entry can name a resource of a type an action acts on."""

    def __init__(self, catalog: Any) -> None:
        self.cat = catalog
        self._types = lru_cache(maxsize=4096)(self._types_uncached)
        self._fits = lru_cache(maxsize=16384)(self._fits_uncached)

    def fits(self, action: str, resource: str) -> bool:
        return self._fits(action, resource)

    def _types_uncached(self, arn: str, service: str) -> frozenset[str]:
        """The resource types of ``service`` that the concrete ``arn`` really is."""
        best = [name for svc, name in self.cat.resource_type_for_arn(arn) if svc == service]
        if not best:
            best = [
                name
                for svc, name in self.cat.resource_type_for_arn(arn, most_specific=False)
                if svc == service
            ]
        return frozenset(best)

    def _is_a(self, arn: str, type_name: str, service: str) -> bool:
        """Whether ``arn`` is a resource of ``type_name``. A trailing ``:qualifier`` in the
        resource part counts as the unqualified resource: the reference lists qualified Lambda
        ARNs (``function:f:alias``) as types of their own, but AWS accepts them wherever the
        function is (https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html)."""
        if type_name in self._types(arn, service):
            return True
        fields = arn.split(":", 5)
        if len(fields) == 6 and ":" in fields[5]:
            return type_name in self._types(arn.rsplit(":", 1)[0], service)
        return False

    def _fits_uncached(self, action: str, resource: str) -> bool:
        service = action.split(":", 1)[0].lower()
        types = self.cat.resource_types(action)
        if not types:
            return True
        wanted = {t.name for t in types}
        if not _has_wildcard(resource) and "${" not in resource:
            return bool(self._types(resource, service) & wanted)
        # First read each "*" as matching something, the way patterns are meant (b/* names
        # objects, not a bucket "b/"); only when no such ARN exists, let it match nothing.
        for nonempty in (True, False):
            tokens = _pattern_tokens(resource, nonempty=nonempty)
            found_any = False
            for rtype in types:
                for fmt in rtype.arn_formats:
                    witness = _witness(tokens, _format_tokens(fmt))
                    if witness is None:
                        continue
                    found_any = True
                    if self._is_a(witness, rtype.name, service):
                        return True
            if found_any:
                return False
        return False


# == one document ===============================================================================


def _identity_quota(document: Any) -> list[Finding]:
    """Identity policies may be managed (6,144) or inline (per-entity sums up to 10,240)."""
    size = policy_size(document, "non-whitespace")
    largest = QUOTAS[QuotaKind.ROLE_INLINE]
    managed = QUOTAS[QuotaKind.MANAGED]
    if size > largest.limit:
        return [
            Finding(
                "error",
                "policy-too-large",
                f"the policy is {size} characters, not counting whitespace; no identity policy "
                f"may exceed {largest.limit} (the role inline quota; managed policies: "
                f"{managed.limit}) ({largest.source})",
                "",
            )
        ]
    if size > managed.limit:
        return [
            Finding(
                "warning",
                "policy-too-large",
                f"the policy is {size} characters, not counting whitespace: more than a managed "
                f"policy may hold ({managed.limit}); only a role's inline policies can be this "
                f"large ({largest.limit} in total) ({managed.source})",
                "",
                aws_rejects=False,  # a role's inline policy of this size is stored
            )
        ]
    return []


def check_document(
    document: str | bytes | Mapping[str, Any],
    policy_type: PolicyType | str | None = None,
    *,
    source: str | None = None,
    quota_kind: QuotaKind | str | None = None,
    catalog: Any = None,
) -> tuple[PolicyType, list[Finding]]:
    """Grammar, lint, quota and catalog findings of one document: (its type, findings).

    ``policy_type`` None infers it (:func:`infer_policy_type`). For identity policies without a
    ``quota_kind`` the size is checked against the largest identity quota (error) and the
    managed-policy quota (warning).
    """
    from iamsim.policy.parser import analyze

    ptype: PolicyType
    if policy_type is None:
        analysis = analyze(document, PolicyType.IDENTITY)
        decoded = analysis.decoded
        ptype = infer_policy_type(decoded) if isinstance(decoded, Mapping) else PolicyType.IDENTITY
    else:
        ptype = PolicyType(policy_type)
    findings = check_policy(document, ptype, source=source, quota_kind=quota_kind)
    if (
        ptype is PolicyType.IDENTITY
        and quota_kind is None
        and not any(f.code in ("json-syntax", "not-an-object") for f in findings)
    ):
        findings += _identity_quota(document)
    # The parser builds the statements that have no error; check those against the catalog.
    policy = analyze(document, ptype, source=source).policy
    if policy is not None:
        findings += catalog_findings(policy, catalog=catalog)
    findings.sort(key=lambda f: _RANK[f.severity])
    return ptype, findings


# == several policies ==============================================================================


def _locate(
    findings: Iterable[Finding],
    *,
    file: str,
    prefix: str = "",
    policy: str | None = None,
    policy_type: PolicyType | str | None = None,
) -> list[ValidationFinding]:
    ptype = PolicyType(policy_type).value if policy_type is not None else None
    return [
        ValidationFinding(
            f.severity, f.code, f.message, file, prefix + f.path, policy, ptype, f.rejected
        )
        for f in findings
    ]


def _policy_findings(
    policy: Policy,
    *,
    file: str,
    quota_kind: QuotaKind | None = None,
    catalog: Any = None,
) -> list[ValidationFinding]:
    """Lint, quota and catalog findings of a parsed policy of a loaded input."""
    document = policy_to_dict(policy)
    findings = check_policy(document, policy.policy_type, quota_kind=quota_kind)
    findings += catalog_findings(policy, catalog=catalog)
    return _locate(findings, file=file, policy=policy.label, policy_type=policy.policy_type)


def validate_world(world: World, *, catalog: Any = None) -> list[ValidationFinding]:
    """Every customer policy of ``world`` with its known type, plus the cross-policy checks.

    AWS managed policies (and the organization's FullAWSAccess/RCPFullAWSAccess) are not
    checked: they are AWS's, and their actions may be newer than the service reference.
    """
    out: list[ValidationFinding] = []
    sources = world.sources

    def where(arn: str, policy: Policy | None = None) -> str:
        return (policy.source if policy is not None and policy.source else None) or sources.get(
            arn, ""
        )

    principals: list[User | Role] = [*world.users.values(), *world.roles.values()]
    boundaries = {e.boundary_arn for e in principals}
    for arn, managed in world.managed_policies.items():
        if managed.is_aws_managed:
            continue
        doc = managed.document
        if arn in boundaries:
            doc = managed.as_type(PolicyType.BOUNDARY)
        out += _policy_findings(
            doc, file=where(arn, managed.document), quota_kind=QuotaKind.MANAGED, catalog=catalog
        )
    inline_quota: list[tuple[Mapping[str, User | Group | Role], QuotaKind]] = [
        (world.users, QuotaKind.USER_INLINE),
        (world.groups, QuotaKind.GROUP_INLINE),
        (world.roles, QuotaKind.ROLE_INLINE),
    ]
    for table, kind in inline_quota:
        for arn, entity in table.items():
            inline = entity.inline_policies
            for policy in inline:
                out += _policy_findings(policy, file=where(arn, policy), catalog=catalog)
            if inline:
                quota = QUOTAS[kind]
                size = sum(policy_size(policy_to_dict(p), quota.counting) for p in inline)
                if size > quota.limit:
                    out.append(
                        ValidationFinding(
                            "error",
                            "policy-too-large",
                            f"the inline policies of {arn} total {size} characters, not counting "
                            f"whitespace; the {kind.value} quota is {quota.limit} "
                            f"({quota.source})",
                            where(arn),
                            "",
                            None,
                            PolicyType.IDENTITY.value,
                        )
                    )
    for arn, role in world.roles.items():
        if role.trust_policy is not None:
            out += _policy_findings(
                role.trust_policy, file=where(arn, role.trust_policy), catalog=catalog
            )
    for arn, resource in world.resources.items():
        if resource.policy is not None:
            out += _policy_findings(
                resource.policy, file=where(arn, resource.policy), catalog=catalog
            )
    for arn, session in world.sessions.items():
        for policy in session.session_policies or ():
            out += _policy_findings(policy, file=where(arn, policy), catalog=catalog)
    org = world.organization
    if org is not None:
        org_file = sources.get("organization", "")
        for node in org.nodes():
            for policy in (*node.scps, *node.rcps):
                if policy.name in _BUILTIN_ORG_POLICIES:
                    continue
                out += _policy_findings(policy, file=policy.source or org_file, catalog=catalog)
    out += _reference_findings(world)
    return _sorted(out)


def _reference_findings(world: World) -> list[ValidationFinding]:
    """Boundaries, managed policies and groups a principal names but the inputs lack."""

    out: list[ValidationFinding] = []
    known: dict[str, bool] = {}

    def exists(arn: str) -> bool:
        if arn not in known:
            try:
                known[arn] = arn in world.managed_policies or aws_managed_policy(arn) is not None
            except InputError:
                known[arn] = False
        return known[arn]

    def add(code: str, message: str, arn: str) -> None:
        out.append(
            ValidationFinding("warning", code, message, world.sources.get(arn, ""), "", None, None)
        )

    tables: tuple[Mapping[str, User | Group | Role], ...] = (
        world.users,
        world.groups,
        world.roles,
    )
    for table in tables:
        for arn, entity in table.items():
            boundary = getattr(entity, "boundary_arn", None)
            if boundary and not exists(boundary):
                add(
                    "boundary-not-found",
                    f"{arn} has the permissions boundary {boundary}, which is not in the inputs "
                    "(nor an AWS managed policy): questions about it cannot be answered",
                    arn,
                )
            for policy_arn in entity.managed_policy_arns:
                if not exists(policy_arn):
                    add(
                        "managed-policy-not-found",
                        f"{arn} has the managed policy {policy_arn} attached, which is not in the "
                        "inputs (nor an AWS managed policy)",
                        arn,
                    )
    for arn, user in world.users.items():
        for name in user.group_names:
            if world.group(user.account, name) is None:
                add(
                    "group-not-found",
                    f"{arn} is a member of the group {name!r}, which is not in the inputs",
                    arn,
                )
    return out


def _boundary_conflicts(worlds: Sequence[tuple[str, World]]) -> list[ValidationFinding]:
    """A user or role given different permissions boundaries by different inputs."""
    seen: dict[str, tuple[str, str]] = {}
    out: list[ValidationFinding] = []
    for file, world in worlds:
        entities: list[tuple[str, User | Role]] = [*world.users.items(), *world.roles.items()]
        for arn, entity in entities:
            if not entity.boundary_arn:
                continue
            first = seen.get(arn)
            if first is None:
                seen[arn] = (entity.boundary_arn, file)
            elif first[0] != entity.boundary_arn:
                out.append(
                    ValidationFinding(
                        "error",
                        "multiple-boundaries",
                        f"{arn} has the permissions boundary {first[0]} in {first[1]} and "
                        f"{entity.boundary_arn} here; a principal has at most one boundary",
                        file,
                        "",
                        arn,
                    )
                )
    return out


# == scenario files (iamsim eval) ===================================================================

_SCENARIO_SINGLE = {"boundary": PolicyType.BOUNDARY, "resource": PolicyType.RESOURCE}
_SCENARIO_MANY = {
    "identity": PolicyType.IDENTITY,
    "session": PolicyType.SESSION,
    "endpoint": PolicyType.ENDPOINT,
}
_SCENARIO_LEVELS = {"scp": PolicyType.SCP, "rcp": PolicyType.RCP}


def _scenario_documents(
    scenario: Mapping[str, Any], prefix: str
) -> Iterator[tuple[Any, PolicyType, str, str | None]]:
    """(document, type, pointer, name) of each policy of one scenario."""
    policies = scenario.get("policies")
    if not isinstance(policies, Mapping):
        return
    action = str(scenario.get("action", "")).lower()
    resource = str(scenario.get("resource", ""))
    trust = action in TRUST_ACTIONS and ":role/" in resource

    def unwrap(value: Any, path: str) -> tuple[Any, str, str | None]:
        if isinstance(value, Mapping) and "document" in value:
            name = value.get("name")
            return value["document"], f"{path}/document", str(name) if name else None
        return value, path, None

    for key, ptype in _SCENARIO_SINGLE.items():
        value = policies.get(key)
        if value is None:
            continue
        if key == "resource" and trust:
            ptype = PolicyType.TRUST
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            path = f"{prefix}/policies/{key}" + (f"/{i}" if isinstance(value, list) else "")
            doc, where, name = unwrap(item, path)
            yield doc, ptype, where, name
    for key, ptype in _SCENARIO_MANY.items():
        value = policies.get(key)
        if value is None:
            continue
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            path = f"{prefix}/policies/{key}" + (f"/{i}" if isinstance(value, list) else "")
            doc, where, name = unwrap(item, path)
            yield doc, ptype, where, name
    for key, ptype in _SCENARIO_LEVELS.items():
        levels = policies.get(key)
        if not isinstance(levels, list):
            continue
        for i, level in enumerate(levels):
            for j, item in enumerate(level if isinstance(level, list) else [level]):
                doc, where, name = unwrap(item, f"{prefix}/policies/{key}/{i}/{j}")
                yield doc, ptype, where, name


def _scenario_request_findings(
    scenario: Any, file: str, prefix: str, index: int, catalog: Any
) -> list[ValidationFinding]:
    """What ``iamsim eval`` would reject in the scenario besides its policies (the request's
    principal, action, resource, context, ...) as an error, and an action the service
    reference does not know as a warning (eval evaluates it as written)."""
    from iamsim.ingest.scenario import parse_scenario

    name = scenario.get("name") if isinstance(scenario, Mapping) else None
    try:
        parsed = parse_scenario(scenario, name=str(name or f"#{index}"), path=prefix, source=file)
    except PolicyError:
        return []  # the policy checks below report it, with more detail
    except InputError as exc:
        policies = scenario.get("policies") if isinstance(scenario, Mapping) else None
        if isinstance(policies, Mapping) and (exc.path or "").startswith(f"{prefix}/policies/"):
            return []  # inside the policies block: the checks below report it, located
        return [ValidationFinding("error", "invalid-scenario", exc.reason, file, exc.path)]
    action = parsed.request.action
    if catalog.canonical_action(action) is None:
        suggestions = catalog.suggest_actions(action)
        hint = f"; did you mean: {', '.join(suggestions)}" if suggestions else ""
        message = f"the service reference knows no action {action!r}{hint}"
        return [ValidationFinding("warning", "unknown-action", message, file, f"{prefix}/action")]
    return []


def _validate_scenarios(data: Any, file: str, catalog: Any) -> tuple[int, list[ValidationFinding]]:
    scenarios = data if isinstance(data, list) else [data]
    count = 0
    out: list[ValidationFinding] = []
    for index, scenario in enumerate(scenarios):
        prefix = f"/{index}" if isinstance(data, list) else ""
        out += _scenario_request_findings(scenario, file, prefix, index, catalog)
        policies = scenario.get("policies") if isinstance(scenario, Mapping) else None
        boundary = policies.get("boundary") if isinstance(policies, Mapping) else None
        if isinstance(boundary, list) and len(boundary) > 1:
            out.append(
                ValidationFinding(
                    "error",
                    "multiple-boundaries",
                    f"{len(boundary)} permissions boundaries are given; a principal has at most "
                    "one (combine them into one policy)",
                    file,
                    f"{prefix}/policies/boundary",
                    None,
                    PolicyType.BOUNDARY.value,
                )
            )
        for doc, ptype, path, name in _scenario_documents(scenario, prefix):
            count += 1
            if not isinstance(doc, str | Mapping):
                out.append(
                    ValidationFinding(
                        "error",
                        "not-an-object",
                        "a policy must be a JSON object or a JSON string",
                        file,
                        path,
                        name,
                        ptype.value,
                    )
                )
                continue
            _, findings = check_document(doc, ptype, source=file, catalog=catalog)
            out += _locate(findings, file=file, prefix=path, policy=name, policy_type=ptype)
    return count, out


# == paths ===========================================================================================


def validate_paths(
    paths: Sequence[Path | str],
    *,
    policy_type: PolicyType | str | None = None,
    quota_kind: QuotaKind | str | None = None,
    catalog: Any = None,
    allow_read: Iterable[Path | str] = (),
) -> ValidationReport:
    """Validate each path: a policy document (``policy_type`` or inferred), a scenario file,
    or an input of :func:`iamsim.ingest.load_input` (every policy with its known type), which
    reads inside its own folder and ``allow_read`` only.

    Raises InputError for a path that is none of those (or unreadable); a policy that stops an
    input from loading becomes an ``invalid-policy`` error finding instead.
    """
    from iamsim.ingest import load_input, parse_text
    from iamsim.ingest._io import read_text
    from iamsim.model import merge_worlds

    cat = _catalog(catalog)
    targets: list[ValidationTarget] = []
    findings: list[ValidationFinding] = []
    worlds: list[tuple[str, World]] = []
    for raw_path in paths:
        path = Path(raw_path)
        file = str(raw_path)
        if not path.exists():
            raise InputError("no such file or directory", source=file)
        document: Any = None
        text: str | None = None
        if path.is_file():
            text = read_text(path, file)
            try:
                document = parse_text(text, file)
            except InputError:
                document = None
        unparsable_json = (
            document is None and text is not None and text.lstrip("\ufeff \t\r\n")[:1] == "{"
        )
        if _looks_like_policy(document) or (
            path.is_file()
            and (policy_type is not None or unparsable_json)
            and not _looks_like_scenario(document)
            and not _is_known_input(path)
        ):
            assert text is not None
            ptype, found = check_document(
                text, policy_type, source=file, quota_kind=quota_kind, catalog=cat
            )
            inferred = "" if policy_type is not None else ", type inferred"
            targets.append(ValidationTarget(file, "policy", f"{ptype.value} policy{inferred}", 1))
            findings += _locate(found, file=file, policy_type=ptype)
            continue
        if _looks_like_scenario(document):
            count, located = _validate_scenarios(document, file, cat)
            targets.append(ValidationTarget(file, "scenario", "iamsim eval scenarios", count))
            findings += located
            continue
        try:
            world = load_input(path, allow_read=tuple(allow_read))
        except PolicyError as exc:
            findings.append(
                ValidationFinding(
                    "error",
                    "invalid-policy",
                    f"{exc.reason} (the input cannot be loaded until this is fixed)",
                    exc.source or file,
                    exc.path,
                )
            )
            targets.append(ValidationTarget(file, "input", "input with an invalid policy", 0))
            continue
        worlds.append((file, world))
        # What the loader could not read or had to assume (placeholders, ignored resources).
        findings += [
            ValidationFinding("suggestion", "input-note", note, file) for note in world.notes
        ]
        targets.append(
            ValidationTarget(file, "input", _describe_world(world), _count_policies(world))
        )
    if worlds:
        conflicts = _boundary_conflicts(worlds)
        findings += conflicts
        try:
            merged = merge_worlds(w for _, w in worlds)
        except InputError as exc:
            # A boundary conflict already explains a principal defined differently.
            if not any(c.policy and c.policy in exc.reason for c in conflicts):
                findings.append(
                    ValidationFinding(
                        "error", "conflicting-inputs", exc.reason, exc.source, exc.path
                    )
                )
            for _, world in worlds:
                findings += validate_world(world, catalog=cat)
        else:
            findings += validate_world(merged, catalog=cat)
    return ValidationReport(tuple(targets), tuple(_sorted(findings)))


def _is_known_input(path: Path) -> bool:
    from iamsim.ingest import InputFile, formats

    file = InputFile(path)
    try:
        return any(fmt.detect(file) for fmt in formats())
    except InputError:
        return False


def _count_policies(world: World) -> int:
    count = sum(1 for p in world.managed_policies.values() if not p.is_aws_managed)
    for table in (world.users, world.groups, world.roles):
        count += sum(len(e.inline_policies) for e in table.values())
    count += sum(1 for r in world.roles.values() if r.trust_policy is not None)
    count += sum(1 for r in world.resources.values() if r.policy is not None)
    count += sum(len(s.session_policies or ()) for s in world.sessions.values())
    if world.organization is not None:
        for node in world.organization.nodes():
            count += sum(1 for p in (*node.scps, *node.rcps) if p.name not in _BUILTIN_ORG_POLICIES)
    return count


def _describe_world(world: World) -> str:
    parts = []
    for label, table in (
        ("users", world.users),
        ("groups", world.groups),
        ("roles", world.roles),
        ("resources", world.resources),
    ):
        if table:
            parts.append(f"{len(table)} {label if len(table) != 1 else label[:-1]}")
    customer = sum(1 for p in world.managed_policies.values() if not p.is_aws_managed)
    if customer:
        parts.append(f"{customer} customer managed polic{'ies' if customer != 1 else 'y'}")
    if world.organization is not None:
        parts.append(f"organization {world.organization.id}")
    return ", ".join(parts) or "no policies"
