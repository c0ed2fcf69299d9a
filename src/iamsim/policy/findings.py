"""Policy checks: every grammar error plus lint warnings, as a list of findings.

This module owns ``check_policy``, the "validate" entry point. Errors come from the parser
(what AWS rejects); warnings and suggestions are the subset of the IAM Access Analyzer policy
checks that need no service catalog
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html):
wildcards with non-``Like`` string operators, ``ForAllValues`` with single-valued keys, epoch
dates, value-type mismatches, empty arrays and objects, risky ``Allow`` + ``Not*`` statements,
``iam:PassRole`` on ``*``, a missing ``Version`` and variables in a policy whose version does
not substitute them. Size quotas come from :mod:`iamsim.policy.quotas`.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from iamsim.patterns.glob import Glob
from iamsim.policy import operators as _operators
from iamsim.policy.finding import Finding, Severity
from iamsim.policy.jsondoc import pointer
from iamsim.policy.model import (
    ConditionClause,
    Effect,
    Policy,
    PolicyType,
    SetOperator,
    Statement,
)
from iamsim.policy.parser import analyze
from iamsim.policy.quotas import QuotaKind, check_quota

__all__ = ["Finding", "Severity", "check_policy", "lint_policy"]

# Quota checked when the caller names none: only where the policy type fixes the quota.
# Identity policies may be managed (6,144) or inline (a per-entity sum), so they get none.
DEFAULT_QUOTAS: dict[PolicyType, QuotaKind] = {
    PolicyType.BOUNDARY: QuotaKind.MANAGED,
    PolicyType.TRUST: QuotaKind.TRUST,
    PolicyType.SESSION: QuotaKind.SESSION,
    PolicyType.SCP: QuotaKind.SCP,
    PolicyType.RCP: QuotaKind.RCP,
}

# Global condition keys that are single-valued
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
# Service-specific keys need the service catalog and are not checked here.
SINGLE_VALUED_GLOBAL_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:CalledViaFirst",
        "aws:CalledViaLast",
        "aws:CurrentTime",
        "aws:EpochTime",
        "aws:FederatedProvider",
        "aws:MultiFactorAuthAge",
        "aws:MultiFactorAuthPresent",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:PrincipalIsAWSService",
        "aws:PrincipalOrgID",
        "aws:PrincipalServiceName",
        "aws:PrincipalType",
        "aws:Referer",
        "aws:RequestedRegion",
        "aws:ResourceAccount",
        "aws:ResourceOrgID",
        "aws:SecureTransport",
        "aws:SourceAccount",
        "aws:SourceArn",
        "aws:SourceIdentity",
        "aws:SourceIp",
        "aws:SourceOrgID",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:SourceVpcArn",
        "aws:TokenIssueTime",
        "aws:UserAgent",
        "aws:userid",
        "aws:username",
        "aws:ViaAWSService",
        "aws:VpcSourceIp",
        "aws:Ec2InstanceSourceVpc",
        "aws:Ec2InstanceSourcePrivateIPv4",
    )
)
# Tag keys name one tag, whose value is a single string.
SINGLE_VALUED_GLOBAL_PREFIXES = ("aws:principaltag/", "aws:requesttag/", "aws:resourcetag/")

_PASS_ROLE = "iam:PassRole"
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_EPOCH = re.compile(r"\d+(\.\d+)?")
_SEVERITY_ORDER = {"error": 0, "security-warning": 1, "warning": 2, "suggestion": 3}


def check_policy(
    document: str | bytes | Mapping[str, Any],
    policy_type: PolicyType | str,
    *,
    source: str | None = None,
    quota_kind: QuotaKind | str | None = None,
) -> list[Finding]:
    """Every finding for the document: errors first, then security warnings, warnings and
    suggestions. Each says whether AWS itself refuses the document (``aws_rejects``).

    ``quota_kind`` selects the size quota to check; when None, the policy type's own quota is
    used where it has exactly one (boundary, trust, session, SCP, RCP).
    """
    ptype = PolicyType(policy_type)
    analysis = analyze(document, ptype, source=source)
    findings = list(analysis.findings)
    if analysis.policy is not None:
        findings.extend(lint_policy(analysis.policy))
    kind = QuotaKind(quota_kind) if quota_kind is not None else DEFAULT_QUOTAS.get(ptype)
    if kind is not None and analysis.decoded is not None:
        too_large = check_quota(document, kind)
        if too_large is not None:
            findings.append(too_large)
    return sorted(findings, key=lambda f: _SEVERITY_ORDER[f.severity])


def lint_policy(policy: Policy) -> list[Finding]:
    """Warnings and suggestions for an (already valid) policy, in statement order."""
    out: list[Finding] = []
    for statement in policy.statements:
        out.extend(_lint_statement(policy, statement))
    return out


_GRANTING_TYPES = frozenset({PolicyType.IDENTITY, PolicyType.RESOURCE, PolicyType.TRUST})


def _finding(severity: Severity, code: str, message: str, path: str) -> Finding:
    return Finding(severity, code, message, path)


def _lint_statement(policy: Policy, st: Statement) -> Iterator[Finding]:
    path = st.path
    yield from _empty_elements(st)
    # Broad-grant warnings speak of policies that grant; in ceilings (boundaries, session
    # policies, SCPs, RCPs, endpoint policies) a broad Allow only leaves room for grants.
    if st.effect is Effect.ALLOW and policy.policy_type in _GRANTING_TYPES:
        if st.not_actions is not None:
            yield _finding(
                "warning",
                "allow-with-not-action",
                "Allow with NotAction allows every action not listed, in every service the "
                "Resource element covers; prefer listing the allowed actions",
                pointer(path, "NotAction"),
            )
        if st.not_resources is not None:
            yield _finding(
                "warning",
                "allow-with-not-resource",
                "Allow with NotResource allows the actions on every resource not listed, "
                "including resources of other services",
                pointer(path, "NotResource"),
            )
        if _covers_pass_role(st) and (st.not_resources is not None or "*" in (st.resources or ())):
            element = "NotResource" if st.not_resources is not None else "Resource"
            yield _finding(
                "security-warning",
                "pass-role-with-star",
                "this statement allows iam:PassRole on every role; list the roles that may be "
                "passed (and consider an iam:PassedToService condition)",
                pointer(path, element),
            )
    if not policy.variables_enabled and _has_variable_text(st):
        yield _finding(
            "warning",
            "variables-not-substituted",
            "the statement contains '${' but the policy Version is not 2012-10-17, so policy "
            "variables are plain text here",
            path,
        )
    if policy.policy_type is PolicyType.SCP:
        yield from _legacy_scp(st)
    for clause in st.conditions:
        yield from _lint_clause(clause)


def _empty_elements(st: Statement) -> Iterator[Finding]:
    path = st.path
    empties: list[tuple[str, str]] = []
    # Empty Action/Resource arrays are refused by AWS: the parser reports them.
    for element, spec in (("Principal", st.principal), ("NotPrincipal", st.not_principal)):
        if spec is None or spec.wildcard:
            continue
        if not spec.entries:
            empties.append((element, f"{element} is an empty object: it names no principal"))
        for key, values in spec.entries:
            if not values:
                yield _finding(
                    "warning",
                    "empty-array",
                    f"{element} {key} is an empty array: it names no principal",
                    pointer(path, element, key),
                )
    for element, message in empties:
        yield _finding("warning", "empty-array", message, pointer(path, element))
    if st.has_condition_element and not st.conditions and not st.empty_condition_operators:
        yield _finding(
            "suggestion", "empty-object", "Condition is an empty object", pointer(path, "Condition")
        )
    for operator in st.empty_condition_operators:
        yield _finding(
            "suggestion",
            "empty-object",
            f"the {operator.text} block has no condition keys",
            pointer(path, "Condition", operator.text),
        )


def _covers_pass_role(st: Statement) -> bool:
    if st.actions is not None:
        return any(Glob(a, ignore_case=True).matches(_PASS_ROLE) for a in st.actions)
    if st.not_actions is not None:
        return not any(Glob(a, ignore_case=True).matches(_PASS_ROLE) for a in st.not_actions)
    return False


def _has_variable_text(st: Statement) -> bool:
    texts: list[str] = [*(st.resources or ()), *(st.not_resources or ())]
    for clause in st.conditions:
        texts.extend(v for v in clause.values if isinstance(v, str))
    return any("${" in t for t in texts)


def _legacy_scp(st: Statement) -> Iterator[Finding]:
    """Restrictions of the earlier SCP syntax, no longer in the current SCP syntax page."""
    legacy: list[tuple[str, str]] = []
    if st.effect is Effect.ALLOW:
        if st.has_condition_element:
            legacy.append(("Condition", "Condition in an Allow statement"))
        if st.not_actions is not None:
            legacy.append(("NotAction", "NotAction in an Allow statement"))
        if st.resources is not None and st.resources != ("*",):
            legacy.append(("Resource", 'a Resource other than "*" in an Allow statement'))
    if st.not_resources is not None:
        legacy.append(("NotResource", "NotResource"))
    for element, what in legacy:
        yield _finding(
            "warning",
            "scp-legacy-syntax",
            f"{what}: supported by the current SCP syntax, rejected by the earlier one",
            pointer(st.path, element),
        )
    for element, values in (("Action", st.actions), ("NotAction", st.not_actions)):
        for i, action in enumerate(values or ()):
            name = action.split(":", 1)[-1]
            inner = name[:-1] if name.endswith("*") else name
            if "*" in inner or "?" in inner:
                where = (
                    pointer(st.path, element, i)
                    if len(values or ()) > 1
                    else pointer(st.path, element)
                )
                yield _finding(
                    "warning",
                    "scp-legacy-syntax",
                    f"{action!r}: the earlier SCP syntax allowed a wildcard only alone or at "
                    "the end of the action",
                    where,
                )


def _outside_variables(text: str) -> str:
    """``text`` without its ``${...}`` parts (``${*}`` is a literal star, not a wildcard)."""
    return re.sub(r"\$\{[^}]*\}", "", text)


def _value_path(clause: ConditionClause, index: int) -> str:
    return pointer(clause.path, index) if clause.value_was_list else clause.path


def _lint_clause(clause: ConditionClause) -> Iterator[Finding]:
    operator = clause.operator
    info = _operators.operator_info(operator)
    family = info.family
    families = _operators.OperatorFamily
    if not clause.values:
        yield _finding(
            "warning",
            "empty-array",
            f"condition key {clause.key!r} has an empty array of values",
            clause.path,
        )
    if operator.set_operator is SetOperator.FOR_ALL_VALUES and _single_valued(clause.key):
        yield _finding(
            "warning",
            "forallvalues-with-single-valued-key",
            f"ForAllValues with the single-valued key {clause.key!r} is true when the key is "
            "absent, which can be overly permissive; remove ForAllValues:",
            clause.path,
        )
    for i, value in enumerate(clause.values):
        where = _value_path(clause, i)
        if family is families.STRING and operator.base not in ("StringLike", "StringNotLike"):
            if isinstance(value, str) and any(c in _outside_variables(value) for c in "*?"):
                yield _finding(
                    "warning",
                    "wildcard-without-like",
                    f"{operator.base} compares '*' and '?' literally; use StringLike for a "
                    "wildcard match",
                    where,
                )
        elif family in (families.BOOL, families.NULL):
            if not (isinstance(value, bool) or str(value).lower() in ("true", "false")):
                yield _finding(
                    "warning",
                    "type-mismatch-boolean",
                    f"{operator.base} expects true or false, not {value!r}",
                    where,
                )
        elif family is families.NUMERIC:
            if isinstance(value, bool) or not (
                isinstance(value, int | float) or _NUMBER.fullmatch(str(value))
            ):
                yield _finding(
                    "warning",
                    "type-mismatch-number",
                    f"{operator.base} expects a number, not {value!r}",
                    where,
                )
        elif family is families.DATE:
            yield from _lint_date(operator.base, value, where)
        elif family is families.IP and not _is_ip(value):
            yield _finding(
                "warning",
                "type-mismatch-ip",
                f"{operator.base} expects an IP address or CIDR range, not {value!r}",
                where,
            )


def _lint_date(base: str, value: Any, where: str) -> Iterator[Finding]:
    if isinstance(value, bool):
        yield _finding("warning", "type-mismatch-date", f"{base} expects a date", where)
    elif isinstance(value, int | float) or _EPOCH.fullmatch(str(value)):
        yield _finding(
            "warning",
            "date-epoch",
            f"{value!r} is read as seconds since the epoch; an ISO 8601 date is clearer",
            where,
        )
    else:
        try:
            datetime.fromisoformat(str(value))
        except ValueError:
            yield _finding(
                "warning",
                "type-mismatch-date",
                f"{base} expects an ISO 8601 date or epoch seconds, not {value!r}",
                where,
            )


def _is_ip(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True


def _single_valued(key: str) -> bool:
    lowered = key.lower()
    return lowered in SINGLE_VALUED_GLOBAL_KEYS or lowered.startswith(SINGLE_VALUED_GLOBAL_PREFIXES)
