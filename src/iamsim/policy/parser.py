"""Parsing policy documents into the immutable model, rejecting what AWS rejects.

This module owns the policy grammar: JSON text (or a decoded mapping) in, a
:class:`~iamsim.policy.model.Policy` out, or a :class:`~iamsim.errors.PolicyError` naming the
first problem with a JSON pointer. Type-specific differences come from
:mod:`iamsim.policy.rules`; string syntax (ARNs, actions, policy variables, operator names)
from :mod:`iamsim.patterns` and :mod:`iamsim.conditions`.

The walk collects *every* problem as a :class:`Finding` (``analyze``), so ``parse_policy`` and
``findings.check_policy`` share one implementation: the former raises the first error, the
latter reports them all.

Sources: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html and
the element pages linked from it;
https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
for what IAM reports as an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from iamsim.errors import PolicyError
from iamsim.patterns import action as _action
from iamsim.patterns import arn as _arn
from iamsim.patterns import variables as _variables

# Modules, not names: iamsim.policy.operators imports iamsim.policy.model, so importing
# names from it here would fail when it is the first module loaded (import cycle through this
# package's __init__). Attributes are looked up at call time instead.
from iamsim.policy import operators as _operators
from iamsim.policy.finding import Finding, Severity
from iamsim.policy.jsondoc import (
    JsonObject,
    JsonSyntaxError,
    decode,
    is_array,
    is_object,
    json_type,
    pointer,
)
from iamsim.policy.model import (
    ConditionClause,
    ConditionOperator,
    ConditionScalar,
    Effect,
    Policy,
    PolicyType,
    PrincipalSpec,
    Statement,
)
from iamsim.policy.rules import Presence, TypeRules, rules_for
from iamsim.vocabulary.arn import parse_arn

VERSION_2012 = "2012-10-17"
VERSION_2008 = "2008-10-17"
VERSIONS = (VERSION_2012, VERSION_2008)

TOP_ELEMENTS = ("Version", "Id", "Statement")
STATEMENT_ELEMENTS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)
PRINCIPAL_KEYS = ("AWS", "Service", "Federated", "CanonicalUser")

# IAM's documented character set for policy documents (IAM quotas page, "IAM name
# requirements"; the same pattern is on CreatePolicy/PutRolePolicy/AssumeRole "Policy").
_BAD_CHAR = re.compile(r"[^\t\n\r\x20-\xff]")
# Sid in IAM policies: "supports ASCII uppercase letters (A-Z), lowercase letters (a-z), and
# numbers (0-9)" (Sid page).
_IAM_SID = re.compile(r"[A-Za-z0-9]*")
_ACCOUNT_ID = re.compile(r"[0-9]{12}")
# Unique IDs of IAM users/roles: AWS rewrites a Principal to the unique ID when the named user
# or role is deleted (Principal page), so documents read back from AWS can contain them.
_UNIQUE_ID = re.compile(r"(AIDA|AROA)[A-Z0-9]{12,}")
# Service principals and web-identity providers are DNS names (``ec2.amazonaws.com``,
# ``accounts.google.com``, ``states.us-east-1.amazonaws.com``).
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_DNS_NAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")
_CANONICAL_USER = re.compile(r"[0-9a-fA-F]{64}")


@dataclass(slots=True)
class Analysis:
    """Everything the parser learned: the policy (built from the statements without errors)
    and every finding in document order."""

    policy: Policy | None
    findings: list[Finding] = field(default_factory=list)
    decoded: Any = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def refusals(self) -> list[Finding]:
        """The findings AWS refuses the document for (``aws_rejects``)."""
        return [f for f in self.findings if f.rejected]


# iamsim.policy.lean.build, bound on the first parse (a batch parses thousands of documents:
# an import statement per call costs more than the look-up of a global).
_lean_build: Callable[..., Policy | None] | None = None


def parse_policy(
    document: str | bytes | Mapping[str, Any],
    policy_type: PolicyType | str,
    *,
    name: str | None = None,
    source: str | None = None,
) -> Policy:
    """Parse a policy document of the given type; raise PolicyError at the first problem AWS
    itself refuses (a finding with ``aws_rejects``). What AWS stores is loaded, even when
    ``validate`` flags it (a lower-case Effect, ``"Principal": "*"`` in a trust policy, ...).

    ``document`` is JSON text (``str`` or UTF-8 ``bytes``) or an already-decoded mapping.
    ``name`` and ``source`` label the policy (and ``source`` every error) for reports.
    """
    global _lean_build
    ptype = policy_type if type(policy_type) is PolicyType else PolicyType(policy_type)
    decoded: Any = document
    if isinstance(document, str | bytes):
        try:
            decoded = decode(document)
        except JsonSyntaxError:
            decoded = None  # the located path below reports it
    if decoded is not None:
        # Lean path first (iamsim.policy.lean): a document without a single finding, built
        # without locations. Anything else is parsed again, located, for the message.
        build = _lean_build
        if build is None:
            from iamsim.policy import lean  # imports this module: loaded on first use

            build = _lean_build = lean.build
        policy = build(decoded, ptype, name=name, source=source)
        if policy is not None:
            return policy
    analysis = analyze(document, ptype, name=name, source=source)
    for finding in analysis.findings:
        if finding.rejected:
            raise PolicyError(finding.message, path=finding.path, source=source or "")
    assert analysis.policy is not None  # no error means the whole document was built
    return analysis.policy


def analyze(
    document: str | bytes | Mapping[str, Any],
    policy_type: PolicyType | str,
    *,
    name: str | None = None,
    source: str | None = None,
) -> Analysis:
    """Parse without raising: the policy (None if not even the top level is usable) and all
    findings the grammar produces (errors plus the warnings seen in passing)."""
    ptype = PolicyType(policy_type)
    parser = _Parser(ptype, name=name, source=source)
    if isinstance(document, str | bytes):
        try:
            decoded = decode(document)
        except JsonSyntaxError as exc:
            return Analysis(None, [Finding("error", "json-syntax", str(exc), "")])
    elif isinstance(document, Mapping):
        decoded = document
    else:
        reason = f"a policy document must be JSON text or a mapping, not {type(document).__name__}"
        return Analysis(None, [Finding("error", "not-an-object", reason, "")])
    policy = parser.parse_document(decoded)
    return Analysis(policy, parser.findings, decoded)


def _article(policy_type: PolicyType) -> str:
    names = {
        PolicyType.IDENTITY: "an identity-based policy",
        PolicyType.RESOURCE: "a resource-based policy",
        PolicyType.TRUST: "a role trust policy",
        PolicyType.BOUNDARY: "a permissions boundary",
        PolicyType.SESSION: "a session policy",
        PolicyType.SCP: "a service control policy (SCP)",
        PolicyType.RCP: "a resource control policy (RCP)",
        PolicyType.ENDPOINT: "a VPC endpoint policy",
    }
    return names[policy_type]


def _case_hint(key: str, allowed: tuple[str, ...]) -> str:
    for candidate in allowed:
        if candidate.lower() == key.lower():
            return f" (element names are case-sensitive: did you mean {candidate!r}?)"
    return ""


def _iter_strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string (object keys included) of a decoded document, with its JSON pointer."""
    if isinstance(value, str):
        yield path, value
    elif is_object(value):
        for key, item in value.items():
            key_text = str(key)
            yield pointer(path, key_text), key_text
            yield from _iter_strings(item, pointer(path, key_text))
    elif is_array(value):
        for index, item in enumerate(value):
            yield from _iter_strings(item, pointer(path, index))


def _plain_strings(value: Any) -> Iterator[str]:
    """Every string (object keys included) of a decoded document, without locations; iterative
    (a stack, not recursion), each value once."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif is_object(item):
            for key, child in item.items():
                yield str(key)
                stack.append(child)
        elif is_array(item):
            stack.extend(item)


def _neutralize_variables(text: str) -> str:
    """``text`` with each (well-formed) ``${...}`` replaced by one ordinary character, so that
    the ARN shape around the variables can be checked."""
    pieces: list[str] = []
    pos = 0
    while True:
        start = text.find("${", pos)
        end = text.find("}", start) if start >= 0 else -1
        if start < 0 or end < 0:
            pieces.append(text[pos:])
            return "".join(pieces)
        pieces.append(text[pos:start])
        pieces.append("x")
        pos = end + 1


def _is_rcp_full_access(obj: Mapping[str, Any]) -> bool:
    """The statement of the AWS-managed RCPFullAWSAccess, the only RCP allowed to Allow."""
    keys = set(obj) - {"Sid"}
    return (
        keys == {"Effect", "Principal", "Action", "Resource"}
        and obj["Effect"] == "Allow"
        and obj["Principal"] == "*"
        and obj["Action"] in ("*", ["*"])
        and obj["Resource"] in ("*", ["*"])
    )


class _Parser:
    def __init__(self, policy_type: PolicyType, *, name: str | None, source: str | None) -> None:
        self.policy_type = policy_type
        self.rules: TypeRules = rules_for(policy_type)
        self.name = name
        self.source = source
        self.findings: list[Finding] = []
        self.variables_enabled = False
        # Findings AWS refuses the document for: a statement with one is not built.
        self.error_count = 0

    # -- reporting ---------------------------------------------------------------------------

    def report(
        self,
        severity: Severity,
        code: str,
        message: str,
        path: str,
        *,
        aws_rejects: bool | None = None,
    ) -> None:
        finding = Finding(severity, code, message, path, aws_rejects)
        self.findings.append(finding)
        if finding.rejected:
            self.error_count += 1

    def error(self, code: str, message: str, path: str) -> None:
        self.report("error", code, message, path)

    def check_object(self, value: Any, path: str, what: str) -> bool:
        """True if ``value`` is a JSON object; report duplicate keys inside it."""
        if not is_object(value):
            reason = f"{what} must be a JSON object, not {json_type(value)}"
            self.error("invalid-type", reason, path)
            return False
        if isinstance(value, JsonObject):
            for key in value.duplicates:
                self.error("duplicate-key", f"duplicate key {key!r} in {what}", pointer(path, key))
        for key in value:
            if not isinstance(key, str):
                self.error("invalid-type", f"{what} has a non-string key {key!r}", path)
        return True

    def no_variables(self, text: str, path: str, where: str) -> bool:
        """Policy variables are allowed only in Resource/NotResource and Condition values."""
        if self.variables_enabled and "${" in text:
            self.error(
                "variable-outside-resource-or-condition",
                f"policy variables are not allowed in {where}; only in Resource, NotResource "
                "and condition values",
                path,
            )
            return False
        return True

    # -- document ----------------------------------------------------------------------------

    def parse_document(self, doc: Any) -> Policy | None:
        if not is_object(doc):
            self.error(
                "not-an-object",
                f"a policy document must be a JSON object, not {json_type(doc)}",
                "",
            )
            return None
        self.check_object(doc, "", "the policy document")
        if self.rules.iam_charset:
            self.check_charset(doc)
        for key in doc:
            if key not in TOP_ELEMENTS:
                hint = _case_hint(str(key), TOP_ELEMENTS)
                self.error(
                    "invalid-policy-element",
                    f"unknown policy element {key!r}{hint}",
                    pointer("", str(key)),
                )
        version = self.parse_version(doc)
        self.variables_enabled = version == VERSION_2012
        policy_id = self.parse_id(doc)
        statements, was_list = self.parse_statements(doc)
        written_count = len(doc["Statement"]) if is_array(doc.get("Statement")) else 1
        return Policy(
            policy_type=self.policy_type,
            statements=tuple(statements),
            version=version,
            id=policy_id,
            statement_was_list=was_list,
            name=self.name,
            source=self.source,
            # Statements left out without an error are inert ones AWS stores (see parse_effect).
            written=doc if len(statements) < written_count else None,
        )

    def check_charset(self, doc: Any) -> None:
        # Nearly every document passes: look without building locations, then locate.
        if not any(_BAD_CHAR.search(text) for text in _plain_strings(doc)):
            return
        for path, text in _iter_strings(doc, ""):
            bad = _BAD_CHAR.search(text)
            if bad:
                self.error(
                    "invalid-character",
                    f"character U+{ord(bad.group()):04X} is not allowed in IAM policy documents "
                    "(only TAB, LF, CR and U+0020-U+00FF)",
                    path,
                )

    def parse_version(self, doc: Mapping[str, Any]) -> str | None:
        required = self.rules.required_version
        if "Version" not in doc:
            if required:
                self.error(
                    "missing-version",
                    f'{_article(self.policy_type)} must have "Version": "{required}"',
                    "",
                )
            else:
                # AWS accepts it but then treats the policy as 2008-10-17 (no variables).
                self.report(
                    "warning",
                    "missing-version",
                    f"no Version element: the policy is treated as {VERSION_2008} and policy "
                    f'variables are not substituted; add "Version": "{VERSION_2012}"',
                    "",
                    aws_rejects=False,
                )
            return None
        version = doc["Version"]
        if not isinstance(version, str) or version not in VERSIONS:
            self.error(
                "invalid-version",
                f"Version must be {VERSION_2012!r} or {VERSION_2008!r}, not {version!r}",
                "/Version",
            )
            return None
        if required and version != required:
            self.error(
                "invalid-version",
                f'{_article(self.policy_type)} must have "Version": "{required}"',
                "/Version",
            )
        return version

    def parse_id(self, doc: Mapping[str, Any]) -> str | None:
        if "Id" not in doc:
            return None
        value = doc["Id"]
        if not isinstance(value, str):
            self.error("invalid-type", f"Id must be a string, not {json_type(value)}", "/Id")
            return None
        self.no_variables(value, "/Id", "Id")
        if self.rules.id_discouraged:
            self.report(
                "warning",
                "id-in-identity-policy",
                "the Id element is meant for resource-based policies; the grammar notes say it "
                "is not allowed in identity-based policies",
                "/Id",
            )
        return value

    def parse_statements(self, doc: Mapping[str, Any]) -> tuple[list[Statement], bool]:
        if "Statement" not in doc:
            self.error("missing-statement", "the policy has no Statement element", "")
            return [], True
        value = doc["Statement"]
        items: list[tuple[Any, str, int]]
        if is_array(value):
            if not value:
                self.error("missing-statement", "the Statement array is empty", "/Statement")
            items = [(item, pointer("/Statement", i), i) for i, item in enumerate(value)]
            was_list = True
        elif is_object(value):
            items = [(value, "/Statement", 0)]
            was_list = False
        else:
            self.error(
                "invalid-type",
                f"Statement must be an object or an array of objects, not {json_type(value)}",
                "/Statement",
            )
            return [], True
        statements: list[Statement] = []
        sids: dict[str, str] = {}
        for item, path, index in items:
            statement = self.parse_statement(item, index, path)
            if statement is not None:
                statements.append(statement)
            sid = item.get("Sid") if is_object(item) else None
            if self.rules.iam_sid and isinstance(sid, str) and sid:
                if sid in sids:
                    self.error(
                        "duplicate-sid",
                        f"Sid {sid!r} is already used at {sids[sid]}; Sids must be unique",
                        pointer(path, "Sid"),
                    )
                else:
                    sids[sid] = path
        return statements, was_list

    # -- statement ---------------------------------------------------------------------------

    def parse_statement(self, obj: Any, index: int, path: str) -> Statement | None:
        errors_before = self.error_count
        if not self.check_object(obj, path, "a statement"):
            return None
        for key in obj:
            if key not in STATEMENT_ELEMENTS:
                hint = _case_hint(str(key), STATEMENT_ELEMENTS)
                self.error(
                    "invalid-policy-element",
                    f"unknown statement element {key!r}{hint}",
                    pointer(path, str(key)),
                )
        sid = self.parse_sid(obj, path)
        effect, inert = self.parse_effect(obj, path)
        principal, not_principal = self.parse_principals(obj, path, effect)
        scalars: set[str] = set()
        actions, not_actions = self.parse_actions(obj, path, scalars)
        resources, not_resources = self.parse_resources(obj, path, scalars)
        conditions, empty_ops = self.parse_condition(obj, path)
        if effect is Effect.ALLOW and not self.rules.allow and not _is_rcp_full_access(obj):
            self.error(
                "rcp-allow",
                'RCPs support only "Effect": "Deny" (Allow is reserved for the AWS-managed '
                "RCPFullAWSAccess policy)",
                pointer(path, "Effect"),
            )
        if self.error_count != errors_before or effect is None or inert:
            return None
        return Statement(
            index=index,
            effect=effect,
            sid=sid,
            actions=actions,
            not_actions=not_actions,
            resources=resources,
            not_resources=not_resources,
            principal=principal,
            not_principal=not_principal,
            conditions=tuple(conditions),
            scalar_elements=frozenset(scalars),
            has_condition_element="Condition" in obj,
            path=path,
            empty_condition_operators=tuple(empty_ops),
        )

    def parse_sid(self, obj: Mapping[str, Any], path: str) -> str | None:
        if "Sid" not in obj:
            return None
        sid = obj["Sid"]
        where = pointer(path, "Sid")
        if not isinstance(sid, str):
            self.error("invalid-type", f"Sid must be a string, not {json_type(sid)}", where)
            return None
        if not self.no_variables(sid, where, "Sid"):
            return sid
        if sid == "":
            self.report("suggestion", "empty-sid", "the Sid is empty; remove it or name it", where)
        elif self.rules.iam_sid and not _IAM_SID.fullmatch(sid):
            self.error(
                "invalid-sid",
                f"Sid {sid!r} may contain only ASCII letters and digits in "
                f"{_article(self.policy_type)}",
                where,
            )
        return sid

    def parse_effect(self, obj: Mapping[str, Any], path: str) -> tuple[Effect | None, bool]:
        """The statement's effect, and whether the statement is inert (never allows).

        The Effect page says the value is case sensitive, yet IAM stores "allow"/"deny" (an
        account-factory project writes "allow" in trust policies). The documents do not say how
        such a statement evaluates, so iamsim takes the fail-safe reading: a differently-cased
        "deny" denies, a differently-cased "allow" grants nothing (the statement is dropped).
        """
        if "Effect" not in obj:
            self.error("missing-effect", "the statement has no Effect element", path)
            return None, False
        value = obj["Effect"]
        where = pointer(path, "Effect")
        if value == "Allow":
            return Effect.ALLOW, False
        if value == "Deny":
            return Effect.DENY, False
        if isinstance(value, str) and value.lower() in ("allow", "deny"):
            deny = value.lower() == "deny"
            meaning = (
                "iamsim evaluates it as Deny"
                if deny
                else "iamsim ignores this statement (it grants nothing), the fail-safe reading"
            )
            # A warning, not an error: AWS accepts and stores the document (issue 13: never
            # stricter than AWS); the finding tells the author what it really does.
            self.report(
                "warning",
                "effect-case",
                f'Effect is case sensitive: {value!r} is not "Allow" or "Deny". AWS stores it; '
                f'{meaning}. Write "{value.capitalize()}"',
                where,
            )
            return (Effect.DENY, False) if deny else (Effect.ALLOW, True)
        reason = f'Effect must be "Allow" or "Deny", not {value!r}'
        self.error("invalid-effect", reason, where)
        return None, False

    # -- string lists ------------------------------------------------------------------------

    def string_list(
        self, value: Any, path: str, element: str
    ) -> tuple[list[tuple[str, str]], bool] | None:
        """``(entries with their paths, written_as_scalar)``, or None after reporting."""
        if isinstance(value, str):
            return [(value, path)], True
        if is_array(value):
            out: list[tuple[str, str]] = []
            ok = True
            for i, item in enumerate(value):
                if isinstance(item, str):
                    out.append((item, pointer(path, i)))
                else:
                    ok = False
                    self.error(
                        "invalid-type",
                        f"{element} entries must be strings, not {json_type(item)}",
                        pointer(path, i),
                    )
            return (out, False) if ok else None
        self.error(
            "invalid-type",
            f"{element} must be a string or an array of strings, not {json_type(value)}",
            path,
        )
        return None

    def exclusive_pair(self, obj: Mapping[str, Any], path: str, a: str, b: str) -> bool:
        if a in obj and b in obj:
            self.error(
                "unsupported-element-combination",
                f"a statement cannot have both {a} and {b}",
                path,
            )
            return False
        return True

    def empty_element(self, element: str, path: str) -> None:
        # IAM: "Policy statement must contain actions" / "... resources" (Access Analyzer
        # ERROR "Missing action" / "Missing resource").
        self.error(
            "empty-action-or-resource",
            f"{element} is an empty array: AWS refuses a statement without "
            f"{'actions' if 'Action' in element else 'resources'}",
            path,
        )

    # -- Action / NotAction ------------------------------------------------------------------

    def parse_actions(
        self, obj: Mapping[str, Any], path: str, scalars: set[str]
    ) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
        if not self.exclusive_pair(obj, path, "Action", "NotAction"):
            return None, None
        if "Action" not in obj and "NotAction" not in obj:
            self.error("missing-action", "the statement has neither Action nor NotAction", path)
            return None, None
        element = "Action" if "Action" in obj else "NotAction"
        where = pointer(path, element)
        if element == "NotAction" and not self.rules.not_action:
            self.error(
                "unsupported-element",
                f"NotAction is not supported in {_article(self.policy_type)}",
                where,
            )
        parsed = self.string_list(obj[element], where, element)
        if parsed is None:
            return None, None
        entries, scalar = parsed
        if not entries:
            self.empty_element(element, where)
        for text, entry_path in entries:
            if not self.no_variables(text, entry_path, element):
                continue
            problem = _action.action_problem(text)
            if problem is not None:
                self.error("invalid-action", f"invalid action {text!r}: {problem}", entry_path)
        if scalar:
            scalars.add(element)
        values = tuple(text for text, _ in entries)
        return (values, None) if element == "Action" else (None, values)

    # -- Resource / NotResource --------------------------------------------------------------

    def parse_resources(
        self, obj: Mapping[str, Any], path: str, scalars: set[str]
    ) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
        if not self.exclusive_pair(obj, path, "Resource", "NotResource"):
            return None, None
        present = [e for e in ("Resource", "NotResource") if e in obj]
        if self.rules.resource is Presence.FORBIDDEN:
            for element in present:
                self.error(
                    "prohibited-element",
                    f"{_article(self.policy_type)} cannot have {element}",
                    pointer(path, element),
                )
            return None, None
        if not present:
            self.error(
                "missing-resource", "the statement has neither Resource nor NotResource", path
            )
            return None, None
        element = present[0]
        parsed = self.string_list(obj[element], pointer(path, element), element)
        if parsed is None:
            return None, None
        entries, scalar = parsed
        if not entries:
            self.empty_element(element, pointer(path, element))
        for text, entry_path in entries:
            self.check_resource(text, entry_path, element)
        if scalar:
            scalars.add(element)
        values = tuple(text for text, _ in entries)
        return (values, None) if element == "Resource" else (None, values)

    def check_resource(self, text: str, path: str, element: str) -> None:
        if text == "*":
            return
        checked = text
        if self.variables_enabled and "${" in text:
            try:
                _variables.parse_template(text, enabled=True)
            except ValueError as exc:
                self.error("invalid-variable", str(exc), path)
                return
            parts = _variables.split_outside_variables(text, ":", 5, enabled=True)
            if len(parts) < 6 or any("${" in part for part in parts[:5]):
                # The variables page allows variables only in the resource part, but IAM does
                # not reject others: the AWS managed AmazonTimestreamInfluxDBServiceRolePolicy
                # has "arn:*:kms:*:${aws:PrincipalAccount}:key/*". So a warning, not an error.
                self.report(
                    "warning",
                    "variable-outside-resource-part",
                    f"in {element}, AWS documents policy variables only in the resource part of "
                    "an ARN (after the fifth colon); elsewhere they may be taken literally",
                    path,
                )
            checked = _neutralize_variables(text)
        elif "${" in text:
            # Without Version 2012-10-17, ``${...}`` is literal text, not a variable.
            checked = text.replace("${", "$_")
        problem = _arn.arn_problem(checked)
        if problem is None:
            self.check_arn_region(checked, text, path, element)
            return
        arn = parse_arn(checked)
        if arn is not None and arn.resource == "" and _arn.arn_problem(checked + "x") is None:
            # IAM accepts an empty resource part: the AWS managed AmazonDevOpsGuruOrganizations
            # Access policy has "arn:aws:organizations::*:".
            self.report(
                "warning",
                "empty-arn-resource",
                f"{element} entry {text!r} has an empty resource part and matches only ARNs "
                "that end with ':'",
                path,
            )
            return
        self.error(
            "invalid-resource",
            f'{element} entry {text!r} is neither "*" nor a valid ARN: {problem}',
            path,
        )

    def check_arn_region(self, arn: str, text: str, path: str, element: str) -> None:
        """IAM resources and S3 buckets/objects have no Region (Access Analyzer ERROR "ARN
        Region not allowed"); S3 access points and other account-scoped S3 ARNs do."""
        parts = arn.split(":", 5)
        service, region, account = parts[2], parts[3], parts[4]
        if not region or "*" in region or "?" in region:
            return
        if service == "iam" or (service == "s3" and not account):
            self.error(
                "arn-region-not-allowed",
                f"{element} entry {text!r} names the Region {region!r}, but {service} "
                f"{'resources' if service == 'iam' else 'buckets and objects'} have none",
                path,
            )

    # -- Principal / NotPrincipal ------------------------------------------------------------

    def parse_principals(
        self, obj: Mapping[str, Any], path: str, effect: Effect | None
    ) -> tuple[PrincipalSpec | None, PrincipalSpec | None]:
        rules = self.rules
        article = _article(self.policy_type)
        if not self.exclusive_pair(obj, path, "Principal", "NotPrincipal"):
            return None, None
        if "Principal" not in obj and "NotPrincipal" not in obj:
            if rules.principal is Presence.REQUIRED:
                self.error("missing-principal", f"{article} requires a Principal element", path)
            return None, None
        element = "Principal" if "Principal" in obj else "NotPrincipal"
        where = pointer(path, element)
        if rules.principal is Presence.FORBIDDEN:
            self.error(
                "prohibited-principal",
                f"{article} cannot have {element}: the principal is the identity the policy is "
                "attached to",
                where,
            )
            return None, None
        if element == "NotPrincipal":
            if not rules.not_principal:
                reason = f"NotPrincipal is not supported in {article}"
                self.error("unsupported-element", reason, where)
                return None, None
            if effect is Effect.ALLOW:
                # Current NotPrincipal page: "NotPrincipal must be used with "Effect":"Deny".
                # Using it with "Effect":"Allow" is not supported."
                self.error(
                    "notprincipal-with-allow",
                    'NotPrincipal can be used only with "Effect": "Deny"',
                    where,
                )
        spec = self.parse_principal_value(obj[element], where, element)
        if spec is None:
            return None, None
        if rules.principal_star_only and not spec.wildcard:
            self.error("rcp-principal", 'RCPs require "Principal": "*"', where)
        if spec.wildcard and not rules.bare_star_principal:
            # Stored by IAM: the Principal page only recommends against it "unless you
            # otherwise restrict access through a Condition element". It means everyone.
            self.report(
                "security-warning",
                "wildcard-principal",
                f'"Principal": "*" in {article} lets every principal of every account '
                "assume the role unless a Condition restricts it; name the principals",
                where,
            )
        return (spec, None) if element == "Principal" else (None, spec)

    def parse_principal_value(self, value: Any, path: str, element: str) -> PrincipalSpec | None:
        if isinstance(value, str):
            if value == "*":
                return PrincipalSpec(wildcard=True)
            self.error(
                "invalid-principal-format",
                f'{element} must be "*" or an object such as {{"AWS": ...}}, not {value!r}',
                path,
            )
            return None
        if not self.check_object(value, path, element):
            return None
        errors_before = self.error_count
        entries: list[tuple[str, tuple[str, ...]]] = []
        scalar_keys: set[str] = set()
        for key, raw in value.items():
            key_path = pointer(path, str(key))
            if key not in PRINCIPAL_KEYS:
                hint = _case_hint(str(key), PRINCIPAL_KEYS)
                self.error(
                    "invalid-principal-key",
                    f"unknown principal type {key!r}{hint}; use AWS, Service, Federated or "
                    "CanonicalUser",
                    key_path,
                )
                continue
            parsed = self.string_list(raw, key_path, f"{element} {key}")
            if parsed is None:
                continue
            items, scalar = parsed
            for text, item_path in items:
                self.check_principal(key, text, item_path, element)
            if scalar:
                scalar_keys.add(key)
            entries.append((key, tuple(text for text, _ in items)))
        if self.error_count != errors_before:
            return None
        return PrincipalSpec(
            wildcard=False, entries=tuple(entries), scalar_keys=frozenset(scalar_keys)
        )

    def check_principal(self, key: str, text: str, path: str, element: str) -> None:
        if not self.no_variables(text, path, element):
            return
        if text == "*":
            if key != "AWS":
                # The Principal page documents "*" and {"AWS": "*"} as the only ways to name
                # all principals.
                self.error(
                    "wildcard-in-principal",
                    f'"*" is allowed only as the whole {element} or as the AWS value',
                    path,
                )
            return
        if "*" in text or "?" in text:
            self.error(
                "wildcard-in-principal",
                f'partial wildcards are not allowed in {element} ({text!r}); use "*" with an '
                "aws:PrincipalArn condition and ArnLike instead",
                path,
            )
            return
        problem = _principal_problem(key, text)
        if problem == "unique-id":
            self.report(
                "warning",
                "unique-id-principal",
                f"{text!r} is the unique ID of an IAM user or role; AWS writes these in place of "
                "a deleted principal, which therefore no longer matches anyone",
                path,
            )
        elif problem is not None:
            reason = f"invalid {key} principal {text!r}: {problem}"
            self.error("invalid-principal-format", reason, path)

    # -- Condition ---------------------------------------------------------------------------

    def parse_condition(
        self, obj: Mapping[str, Any], path: str
    ) -> tuple[list[ConditionClause], list[ConditionOperator]]:
        clauses: list[ConditionClause] = []
        empty_ops: list[ConditionOperator] = []
        if "Condition" not in obj:
            return clauses, empty_ops
        cond_path = pointer(path, "Condition")
        block = obj["Condition"]
        if not self.check_object(block, cond_path, "Condition"):
            return clauses, empty_ops
        for op_text, keys in block.items():
            op_path = pointer(cond_path, str(op_text))
            operator = self.parse_operator(str(op_text), op_path)
            if not self.check_object(keys, op_path, f"the {op_text} block"):
                continue
            if operator is None:
                continue
            if not keys:
                empty_ops.append(operator)
            info = _operators.operator_info(operator)
            seen: dict[str, str] = {}
            for key, raw in keys.items():
                key_text = str(key)
                key_path = pointer(op_path, key_text)
                if not self.check_condition_key(key_text, key_path, seen):
                    continue
                parsed = self.condition_values(raw, key_path)
                if parsed is None:
                    continue
                values, was_list = parsed
                self.check_condition_values(operator, info, values, was_list, key_path)
                clauses.append(ConditionClause(operator, key_text, values, was_list, key_path))
        return clauses, empty_ops

    def parse_operator(self, text: str, path: str) -> ConditionOperator | None:
        try:
            return _operators.parse_operator(text)
        except ValueError as exc:
            code = "invalid-condition-operator"
            if text.lower().endswith("nullifexists"):
                code = "null-with-if-exists"
            self.error(code, str(exc), path)
            return None

    def check_condition_key(self, key: str, path: str, seen: dict[str, str]) -> bool:
        if not key:
            self.error("invalid-condition-key", "a condition key cannot be empty", path)
            return False
        if "${" in key:
            self.error(
                "variable-in-condition-key",
                f"policy variables are not allowed in condition keys ({key!r})",
                path,
            )
            return False
        lowered = key.lower()
        if lowered in seen:
            # Key names are case-insensitive, so these are two values for one key
            # (Access Analyzer: "Duplicate keys with different case").
            self.error(
                "duplicate-condition-key",
                f"condition key {key!r} repeats {seen[lowered]!r} (keys are case-insensitive)",
                path,
            )
            return False
        seen[lowered] = key
        return True

    def condition_values(
        self, raw: Any, path: str
    ) -> tuple[tuple[ConditionScalar, ...], bool] | None:
        def scalar(item: Any, item_path: str) -> bool:
            if isinstance(item, str | bool | int | float):
                return True
            self.error(
                "invalid-condition-value",
                f"condition values must be strings, numbers or Booleans, not {json_type(item)}",
                item_path,
            )
            return False

        if is_array(raw):
            ok = all([scalar(item, pointer(path, i)) for i, item in enumerate(raw)])
            return (tuple(raw), True) if ok else None
        if scalar(raw, path):
            return (raw,), False
        return None

    def check_condition_values(
        self,
        operator: ConditionOperator,
        info: _operators.OperatorInfo,
        values: tuple[ConditionScalar, ...],
        was_list: bool,
        path: str,
    ) -> None:
        if (
            info.family is _operators.OperatorFamily.BOOL
            and operator.set_operator is None
            and len(values) > 1
        ):
            self.error(
                "multiple-bool-values",
                "a Bool condition takes a single value; several values are not supported",
                path,
            )
        if not self.variables_enabled:
            return
        for i, value in enumerate(values):
            if not isinstance(value, str) or "${" not in value:
                continue
            value_path = pointer(path, i) if was_list else path
            if not info.accepts_variables:
                self.error(
                    "variable-for-operator",
                    f"{operator.base} does not accept policy variables in its values",
                    value_path,
                )
                continue
            try:
                _variables.parse_template(value, enabled=True)
            except ValueError as exc:
                self.error("invalid-variable", str(exc), value_path)


def _aws_principal_arn_problem(text: str) -> str | None:
    """Why an ``AWS`` principal ARN names nothing that can be a principal, or None.

    Principals are the account root, users, roles, role sessions and federated users
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html);
    groups, policies and other IAM resources cannot be. The account part is an account ID,
    except for CloudFront origin access identities (``arn:aws:iam::cloudfront:user/…``).
    """
    _, _, service, _, account, resource = text.split(":", 5)
    if service not in ("iam", "sts"):
        return "an AWS principal ARN must be an IAM or STS ARN"
    kind, _, rest = resource.partition("/")
    if account == "cloudfront" and service == "iam" and kind == "user" and rest:
        return None
    if not _ACCOUNT_ID.fullmatch(account) and "*" not in account:
        return "the account of a principal ARN must be a 12-digit account ID"
    names = rest.split("/")
    if service == "iam":
        if resource == "root":
            return None
        if kind in ("user", "role") and rest and names[-1]:
            return None
        if kind in ("group", "policy", "instance-profile", "oidc-provider", "saml-provider"):
            return f"an IAM {kind} cannot be a principal (name users, roles or the account)"
        return (
            "expected arn:PARTITION:iam::ACCOUNT:root, …:user/NAME or …:role/NAME, "
            f"not {resource!r}"
        )
    if kind == "assumed-role" and len(names) == 2 and all(names):
        return None
    if kind == "federated-user" and rest and "/" not in rest:
        return None
    return (
        "expected arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION or "
        f"…:federated-user/NAME, not {resource!r}"
    )


def _principal_problem(key: str, text: str) -> str | None:
    """Why ``text`` is not a valid value for principal type ``key`` ("unique-id" = accepted,
    but the unique ID of a deleted user or role), or None."""
    if key == "AWS":
        if _ACCOUNT_ID.fullmatch(text):
            return None
        if _UNIQUE_ID.fullmatch(text):
            return "unique-id"
        if text.startswith("arn:"):
            problem = _arn.arn_problem(text)
            if problem is not None:
                return problem
            return _aws_principal_arn_problem(text)
        return 'expected a 12-digit account ID, an IAM/STS ARN or "*"'
    if key == "Service":
        if _DNS_NAME.fullmatch(text):
            return None
        return "expected a service principal name such as ec2.amazonaws.com"
    if key == "Federated":
        if text.startswith("arn:"):
            problem = _arn.arn_problem(text)
            if problem is not None:
                return problem
            parts = text.split(":", 5)
            if parts[2] != "iam" or not parts[5].startswith(("saml-provider/", "oidc-provider/")):
                return "a federated principal ARN must name an IAM SAML or OIDC provider"
            return None
        if _DNS_NAME.fullmatch(text):
            return None
        return "expected an identity provider (a domain name or a SAML/OIDC provider ARN)"
    # CanonicalUser: the S3 canonical user ID, 64 hexadecimal digits.
    if _CANONICAL_USER.fullmatch(text):
        return None
    return "expected a canonical user ID (64 hexadecimal digits)"
