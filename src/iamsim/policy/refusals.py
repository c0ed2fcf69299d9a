"""Which findings AWS itself refuses: the ``aws_rejects`` value of every finding code.

This module owns one table, :data:`AWS_REJECTS`: for each finding code, whether IAM (or the
service that stores that policy type: STS for session policies, Organizations for SCPs and
RCPs, the resource's service for resource-based policies) refuses a document with that problem
with a malformed-policy or quota error (``MalformedPolicyDocument``, ``MalformedPolicy``,
``LimitExceeded``, ``PolicyTypeNotEnabled``-style syntax errors). It is separate from the
Access-Analyzer-style severity: an unknown action is an ``error`` for Access Analyzer, yet IAM
stores the policy. A finding may override the table (``Finding(..., aws_rejects=...)``) where
one code covers both cases (an identity policy between the managed and the inline quota).

Each row carries the reading it rests on; ``docs/semantics.md`` renders the same table. Where
the documentation does not say what IAM does on write, the reading is stated and marked
"reading". Sources:

* grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
* Access Analyzer checks (what is ERROR/SECURITY_WARNING/WARNING/SUGGESTION):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
* IAM API errors (CreatePolicy, PutRolePolicy, UpdateAssumeRolePolicy: MalformedPolicyDocument,
  LimitExceeded): https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html
* quotas: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
"""

from __future__ import annotations

from dataclasses import dataclass

_GRAMMAR = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"
_CHECKS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"
)
_API = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html"
_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
_EFFECT = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html"
_PRINCIPAL = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"
)
_VERSION = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html"
)
_RCP = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html"
_VALIDATOR = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_policy-validator.html"
)


@dataclass(frozen=True, slots=True)
class Refusal:
    """Whether AWS refuses a document with this finding, and why we think so."""

    rejects: bool
    reading: str
    source: str


def _r(reading: str, source: str = _GRAMMAR) -> Refusal:
    return Refusal(True, reading, source)


def _s(reading: str, source: str = _CHECKS) -> Refusal:
    return Refusal(False, reading, source)


AWS_REJECTS_TABLE: dict[str, Refusal] = {
    # -- the document's syntax and shape: IAM's parser refuses these -----------------------
    "json-syntax": _r("not JSON: MalformedPolicyDocument", _API),
    "not-an-object": _r("a policy is a JSON object (grammar: policy = { ... })"),
    "duplicate-key": _r("Access Analyzer ERROR 'Json syntax error' (duplicate keys)", _CHECKS),
    "invalid-type": _r("an element of the wrong JSON type is a grammar error"),
    "invalid-character": _r(
        "outside the documented character set (TAB, LF, CR, U+0020-U+00FF) of the "
        "PolicyDocument parameter",
        _API,
    ),
    "invalid-policy-element": _r("unknown element: 'Syntax errors in policy'"),
    "invalid-version": _r("Version must be 2012-10-17 or 2008-10-17 (RCPs: 2012-10-17)", _VERSION),
    "missing-statement": _r("Statement is required by the grammar; reading: an empty array too"),
    "missing-effect": _r("Effect is required", _EFFECT),
    "invalid-effect": _r("Effect is Allow or Deny; other words are refused", _EFFECT),
    "missing-action": _r("Action or NotAction is required"),
    "missing-resource": _r("Resource or NotResource is required outside trust policies"),
    "empty-action-or-resource": _r(
        "an empty Action/NotAction/Resource/NotResource array: IAM refuses ('Policy statement "
        "must contain actions'/'resources'); Access Analyzer ERROR 'Missing action'/'Missing "
        "resource'",
        _CHECKS,
    ),
    "unsupported-element-combination": _r("Action+NotAction etc. in one statement", _CHECKS),
    "invalid-action": _r("an action not of the form service:name (ERROR 'Invalid action')"),
    "invalid-resource": _r(
        "a Resource that is neither * nor an ARN (ERROR 'Missing ARN field', "
        "'Invalid ARN prefix', 'Invalid partition')",
        _CHECKS,
    ),
    "arn-region-not-allowed": _r(
        "IAM and S3 bucket/object ARNs have no Region (ERROR 'ARN Region not allowed'); IAM "
        "refuses a policy naming one",
        _CHECKS,
    ),
    "invalid-sid": _r("IAM Sids: ASCII letters and digits only (ERROR 'Unsupported Sid')", _CHECKS),
    "duplicate-sid": _r("Sids must be unique in IAM policies (ERROR 'Unique Sids required')"),
    "missing-principal": _r("resource-based and trust policies require Principal", _PRINCIPAL),
    "prohibited-principal": _r("Principal in an identity policy: 'Has prohibited field Principal'"),
    "prohibited-element": _r("Resource in a trust policy: 'Has prohibited field Resource'"),
    "unsupported-element": _r("NotPrincipal/NotAction where the policy type has none", _CHECKS),
    "notprincipal-with-allow": _r(
        "NotPrincipal with Allow is not supported (NotPrincipal page)",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html",
    ),
    "invalid-principal-format": _r("a principal value of no documented form", _PRINCIPAL),
    "invalid-principal-key": _r("principal types are AWS, Service, Federated, CanonicalUser"),
    "wildcard-in-principal": _r("partial wildcards in principals: 'Invalid principal in policy'"),
    "rcp-principal": _r("RCPs require Principal '*'", _RCP),
    "rcp-allow": _r("customer RCPs may only Deny", _RCP),
    "invalid-condition-operator": _r(
        "reading: IAM refuses an unknown condition type ('Invalid Condition type'); the "
        "engine could not evaluate it either",
        _CHECKS,
    ),
    "null-with-if-exists": _r("NullIfExists is not an operator (ERROR 'Null with if exists')"),
    "invalid-condition-key": _r("an empty condition key (ERROR 'Invalid condition key format')"),
    "variable-in-condition-key": _r("policy variables are not allowed in condition keys"),
    "duplicate-condition-key": _r("ERROR 'Duplicate keys with different case'", _CHECKS),
    "invalid-condition-value": _r("condition values are strings, numbers or Booleans"),
    "multiple-bool-values": _r("ERROR 'Invalid condition multiple Boolean'", _CHECKS),
    "variable-outside-resource-or-condition": _r("variables only in Resource and conditions"),
    "variable-for-operator": _r("ERROR 'Invalid variable for operator'", _CHECKS),
    "invalid-variable": _r("a malformed ${...} (ERROR 'Invalid variable')", _CHECKS),
    "missing-version": _r(
        "RCPs must state Version 2012-10-17; elsewhere a missing Version is stored (read as "
        "2008-10-17) and that finding overrides the table with false",
        _RCP,
    ),
    "policy-too-large": _r("LimitExceeded: the size quota of the policy type", _QUOTAS),
    "invalid-policy": _r("a policy that stops an input from loading is one AWS refuses"),
    "multiple-boundaries": _s(
        "an input inconsistency, not a document AWS refuses (a principal holds one boundary)",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html",
    ),
    # -- AWS stores these: Access-Analyzer-style findings ---------------------------------------
    "unknown-service": _s(
        "IAM checks action syntax, not the catalog: Access Analyzer ERROR 'Invalid service', "
        "but the policy is stored (reading: IAM validation names ARNs and grammar, "
        f"{_VALIDATOR})"
    ),
    "unknown-action": _s("Access Analyzer ERROR 'Invalid action'; IAM stores the policy"),
    "unknown-condition-key": _s(
        "Access Analyzer ERROR 'Invalid global/service condition key'; IAM stores the policy "
        "and the key is simply absent from every request"
    ),
    "effect-case": _s(
        "reading: Effect is case sensitive (Effect page) yet IAM stores 'allow'/'deny' (an "
        "account-factory project writes them in trust policies); iamsim evaluates 'deny' as "
        "Deny and ignores an 'allow' statement (fail-safe: it grants nothing)",
        _EFFECT,
    ),
    "wildcard-principal": _s(
        "the Principal page recommends against '*' in a role trust policy 'unless you otherwise "
        "restrict access through a Condition': it is stored and means everyone",
        _PRINCIPAL,
    ),
    "variables-not-substituted": _s("stored; ${...} is literal text before 2012-10-17", _VERSION),
    "id-in-identity-policy": _s("stored; the grammar notes discourage Id there"),
    "empty-sid": _s("stored"),
    "empty-arn-resource": _s("stored (AWS managed AmazonDevOpsGuruOrganizationsAccess has one)"),
    "variable-outside-resource-part": _s("stored (an AWS managed policy has one)"),
    "unique-id-principal": _s("AWS itself writes unique IDs for deleted principals", _PRINCIPAL),
    "empty-array": _s("empty principal or condition-value arrays: stored, inert (WARNING)"),
    "empty-object": _s("SUGGESTION 'Empty object'"),
    "allow-with-not-action": _s("SECURITY_WARNING-style lint; stored"),
    "allow-with-not-resource": _s("SECURITY_WARNING-style lint; stored"),
    "pass-role-with-star": _s("SECURITY_WARNING 'Pass role with star in resource'"),
    "scp-legacy-syntax": _s(
        "the current SCP syntax accepts it",
        "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html",
    ),
    "forallvalues-with-single-valued-key": _s("WARNING 'ForAllValues with single valued key'"),
    "wildcard-without-like": _s("WARNING-style lint; stored"),
    "type-mismatch-boolean": _s("WARNING 'Type mismatch Boolean'"),
    "type-mismatch-number": _s("WARNING 'Type mismatch number'"),
    "type-mismatch-date": _s("WARNING 'Type mismatch date'"),
    "type-mismatch-ip": _s("WARNING 'Type mismatch IP range'"),
    "date-epoch": _s("SUGGESTION-style lint"),
    "action-matches-nothing": _s("stored; matches no action"),
    "resource-type-mismatch": _s("stored; the statement never applies to the action"),
    "action-needs-wildcard-resource": _s("stored; the statement never applies to the action"),
    "resource-matches-no-action": _s("SUGGESTION-style lint"),
    "condition-key-not-applicable": _s("stored; the key is absent for those actions"),
    "boundary-not-found": _s("an input gap, not a refused document"),
    "managed-policy-not-found": _s("an input gap, not a refused document"),
    "group-not-found": _s("an input gap, not a refused document"),
    "conflicting-inputs": _s("an input gap, not a refused document"),
    "invalid-scenario": _s("an iamsim scenario problem, not a policy document"),
    "input-note": _s("what a loader assumed"),
    "unresolved-policy": _s("an input gap (a value iamsim cannot compute), not a refused document"),
}

AWS_REJECTS: dict[str, bool] = {code: r.rejects for code, r in AWS_REJECTS_TABLE.items()}


def aws_rejects(code: str) -> bool:
    """The table's value for ``code``; an unknown code is a programming error (KeyError)."""
    return AWS_REJECTS[code]
