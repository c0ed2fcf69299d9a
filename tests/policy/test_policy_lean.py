"""The lean parsing path (iamsim.policy.lean) against the located parser it must agree with.

Two properties, over real documents (the AWS managed policies, the SCP examples, every policy
of the grammar tables) and over broken variants made from them:

* whenever the lean path answers, the located parser finds nothing at all in the document and
  builds an equal Policy (and for the clean real documents the lean path does answer);
* ``parse_policy`` -- which tries the lean path first -- accepts and refuses exactly what the
  located parser does, with the identical message and JSON pointer.
"""

from __future__ import annotations

import copy
import functools
import gzip
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from policy_cases import document_of, load_cases

from iamsim.errors import PolicyError
from iamsim.policy import PolicyType, lean
from iamsim.policy.jsondoc import JsonSyntaxError, decode
from iamsim.policy.model import Policy
from iamsim.policy.parser import Analysis, analyze, parse_policy

ROOT = Path(__file__).resolve().parents[2]
MANAGED = ROOT / "src" / "iamsim" / "data" / "aws-managed-policies.json.gz"
SCP_DIR = ROOT / "tests" / "real_inputs" / "scp-examples"


@functools.cache
def _managed() -> list[Any]:
    with gzip.open(MANAGED, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    policies = data["policies"] if isinstance(data, dict) and "policies" in data else data
    items = policies if isinstance(policies, list) else list(policies.values())
    docs = [p["document"] for p in items]
    return [json.loads(d) if isinstance(d, str) else d for d in docs]


def _scp_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SCP_DIR.rglob("*.json"))]


def _table_documents() -> list[tuple[Any, PolicyType]]:
    out = []
    for table in ("grammar.yaml", "policy_types.yaml", "findings.yaml"):
        for case in load_cases(table):
            out.append((document_of(case), PolicyType(case["policy_type"])))
    return out


def _located(document: Any, policy_type: PolicyType) -> Policy | tuple[str, str]:
    """What the located parser alone decides: the Policy, or the first refusal (message, path)."""
    return _decision(analyze(document, policy_type, source="doc.json"))


def _decision(analysis: Analysis) -> Policy | tuple[str, str]:
    for finding in analysis.findings:
        if finding.rejected:
            return (finding.message, finding.path)
    assert analysis.policy is not None
    return analysis.policy


def _through_parse_policy(document: Any, policy_type: PolicyType) -> Policy | tuple[str, str]:
    try:
        return parse_policy(document, policy_type, source="doc.json")
    except PolicyError as exc:
        return (exc.reason, exc.path)


def _agree(document: Any, policy_type: PolicyType) -> bool:
    """Both properties for one document and type; True when the lean path answered."""
    built = None
    try:
        decoded = decode(document) if isinstance(document, str | bytes) else document
    except JsonSyntaxError:
        pass  # parse_policy goes straight to the located path
    else:
        built = lean.build(decoded, policy_type, name=None, source="doc.json")
    analysis = analyze(document, policy_type, source="doc.json")
    if built is not None:
        assert analysis.findings == [], (document, policy_type)
        assert built == analysis.policy
    assert _through_parse_policy(document, policy_type) == _decision(analysis)
    return built is not None


def test_every_managed_policy_builds_the_same_model_on_the_lean_path() -> None:
    documents = _managed()
    assert len(documents) > 1500
    answered = sum(_agree(doc, PolicyType.IDENTITY) for doc in documents)
    clean = sum(not analyze(doc, PolicyType.IDENTITY).findings for doc in documents)
    # Every document the located parser finds nothing in is answered by the lean path.
    assert answered == clean
    assert clean > 1400


def test_scp_examples_and_grammar_tables_agree_under_every_policy_type() -> None:
    documents: list[Any] = [*_scp_texts(), *(doc for doc, _ in _table_documents())]
    answered = 0
    for document in documents:
        for policy_type in PolicyType:
            answered += _agree(document, policy_type)
    assert answered > 50


# -- broken variants ---------------------------------------------------------------------------


def _statements(doc: dict[str, Any]) -> list[dict[str, Any]]:
    value = doc.get("Statement")
    if isinstance(value, dict):
        return [value]
    return [s for s in value or [] if isinstance(s, dict)]


def _on_first(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        statements = _statements(doc)
        if statements:
            change(statements[0])

    return mutate


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return _on_first(lambda s: s.__setitem__(key, value))


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    return _on_first(lambda s: s.pop(key, None))


def _rename(old: str, new: str) -> Callable[[dict[str, Any]], None]:
    def change(s: dict[str, Any]) -> None:
        if old in s:
            s[new] = s.pop(old)

    return _on_first(change)


def _duplicate_sid(doc: dict[str, Any]) -> None:
    statements = _statements(doc)
    if isinstance(doc.get("Statement"), list) and statements:
        statements[0]["Sid"] = "Same"
        doc["Statement"].append(copy.deepcopy(statements[0]))


MUTATIONS: dict[str, Callable[[dict[str, Any]], None]] = {
    "no-version": lambda d: d.pop("Version", None),
    "bad-version": lambda d: d.__setitem__("Version", "2012-10-18"),
    "version-2008": lambda d: d.__setitem__("Version", "2008-10-17"),
    "id": lambda d: d.__setitem__("Id", "Policy1"),
    "id-number": lambda d: d.__setitem__("Id", 7),
    "top-unknown": lambda d: d.__setitem__("statement", []),
    "no-statement": lambda d: d.pop("Statement", None),
    "empty-statements": lambda d: d.__setitem__("Statement", []),
    "statement-string": lambda d: d.__setitem__("Statement", "Allow"),
    "no-effect": _drop("Effect"),
    "effect-lower-allow": _set("Effect", "allow"),
    "effect-lower-deny": _set("Effect", "deny"),
    "effect-bad": _set("Effect", "Permit"),
    "effect-list": _set("Effect", ["Allow"]),
    "statement-unknown": _set("Actions", "s3:*"),
    "sid-bad": _set("Sid", "not-alnum"),
    "sid-empty": _set("Sid", ""),
    "sid-null": _set("Sid", None),
    "sid-variable": _set("Sid", "${aws:username}"),
    "duplicate-sid": _duplicate_sid,
    "action-empty": _set("Action", []),
    "action-number": _set("Action", ["s3:GetObject", 3]),
    "action-bad": _set("Action", "s3 GetObject"),
    "action-variable": _set("Action", "s3:${aws:username}"),
    "action-and-notaction": _set("NotAction", "iam:*"),
    "notaction": _rename("Action", "NotAction"),
    "no-action": _drop("Action"),
    "resource-bad": _set("Resource", "bucket"),
    "resource-empty": _set("Resource", []),
    "resource-region-iam": _set("Resource", "arn:aws:iam:us-east-1:111122223333:role/x"),
    "resource-variable": _set("Resource", "arn:aws:s3:::b/${aws:username}/*"),
    "resource-variable-bad": _set("Resource", "arn:aws:s3:::b/${aws:username"),
    "resource-variable-account": _set("Resource", "arn:aws:kms:*:${aws:PrincipalAccount}:key/*"),
    "resource-empty-part": _set("Resource", "arn:aws:organizations::*:"),
    "notresource": _rename("Resource", "NotResource"),
    "no-resource": _drop("Resource"),
    "principal-star": _set("Principal", "*"),
    "principal-aws-star": _set("Principal", {"AWS": "*"}),
    "principal-account": _set("Principal", {"AWS": ["111122223333"]}),
    "principal-service": _set("Principal", {"Service": "ec2.amazonaws.com"}),
    "principal-bad": _set("Principal", {"AWS": "arn:aws:iam::111122223333:group/g"}),
    "principal-unique-id": _set("Principal", {"AWS": "AIDAJQABLZS4A3QDU576Q"}),
    "principal-partial-wildcard": _set("Principal", {"AWS": "arn:aws:iam::*:role/x*"}),
    "principal-key": _set("Principal", {"aws": "*"}),
    "principal-empty-list": _set("Principal", {"AWS": []}),
    "notprincipal": _set("NotPrincipal", {"AWS": "111122223333"}),
    "condition-empty": _set("Condition", {}),
    "condition-empty-op": _set("Condition", {"StringEquals": {}}),
    "condition-op-bad": _set("Condition", {"StringEqualz": {"aws:username": "a"}}),
    "condition-null-ifexists": _set("Condition", {"NullIfExists": {"aws:username": "true"}}),
    "condition-value-object": _set("Condition", {"StringEquals": {"aws:username": {}}}),
    "condition-key-empty": _set("Condition", {"StringEquals": {"": "a"}}),
    "condition-key-case": _set(
        "Condition", {"StringEquals": {"aws:UserName": "a", "aws:username": "b"}}
    ),
    "condition-bool-many": _set("Condition", {"Bool": {"aws:SecureTransport": ["true", "false"]}}),
    "condition-variable": _set("Condition", {"StringLike": {"s3:prefix": "${aws:username}/*"}}),
    "condition-variable-bad-op": _set(
        "Condition", {"NumericEquals": {"s3:max-keys": "${aws:username}"}}
    ),
    "condition-numbers": _set("Condition", {"NumericLessThan": {"s3:max-keys": [10, 2.5, True]}}),
    "charset": _set("Sid", "Caf\u00e9\u2603"),
    "charset-id": lambda d: d.__setitem__("Id", "caf\u2603"),
    "charset-resource": _set("Resource", "arn:aws:s3:::b/caf\u2603/*"),
    "charset-action": _set("Action", "s3:Get\u2603"),
    "charset-principal": _set("Principal", {"AWS": "arn:aws:iam::111122223333:user/caf\u2603"}),
    "charset-condition-key": _set("Condition", {"StringEquals": {"aws:PrincipalTag/\u2603": "a"}}),
    "charset-condition-value": _set(
        "Condition", {"StringEquals": {"aws:username": ["a", "\u2603"]}}
    ),
    "charset-latin1": _set("Condition", {"StringEquals": {"aws:username": "caf\u00e9\x7f"}}),
    "rcp-full-access": lambda d: d.__setitem__(
        "Statement",
        [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
    ),
}


def _variants() -> Iterator[tuple[str, Any]]:
    # Every 150th managed policy under 4 KB (eight shapes) and the SCP examples.
    managed = [doc for doc in _managed()[::150] if len(json.dumps(doc)) < 4000]
    scps = [decode(t) for t in _scp_texts() if not t.lstrip().startswith("//") and "//" not in t]
    bases: list[Any] = managed + scps
    for i, base in enumerate(bases):
        for name, mutate in MUTATIONS.items():
            doc = copy.deepcopy(base)
            mutate(doc)
            yield f"{i}:{name}", doc


@pytest.mark.parametrize("policy_type", list(PolicyType))
def test_broken_variants_are_refused_with_the_located_message(policy_type: PolicyType) -> None:
    refused = 0
    for label, document in _variants():
        try:
            _agree(document, policy_type)
        except AssertionError as exc:  # name the variant that disagreed
            raise AssertionError(f"{label} ({policy_type.value}): {exc}") from exc
        refused += isinstance(_located(document, policy_type), tuple)  # the variants do break
    assert refused > 100


def test_duplicate_keys_and_bad_text_take_the_located_path() -> None:
    for text in (
        '{"Version":"2012-10-17","Version":"2012-10-17","Statement":[]}',
        '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Effect":"Deny",'
        '"Action":"*","Resource":"*"}}',
        '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*",'
        '"Condition":{"StringEquals":{"a:b":"1","a:b":"2"}}}}',
        '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*\\u2603"}}',
        '{"Version":"2012-10-17","Statement":',
        "[1, 2]",
        '"text"',
        b'{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"\xff"}}',
    ):
        for policy_type in PolicyType:
            _agree(text, policy_type)


# -- texts the lean path remembers as clean ----------------------------------------------------

_VARIABLE_RESOURCE = "arn:aws:s3:::bucket/${aws:username}/*"
_VARIABLE_ACCOUNT = "arn:aws:kms:*:${aws:PrincipalAccount}:key/*"


def _document(version: str, resource: str, condition: dict[str, Any] | None = None) -> Any:
    statement: dict[str, Any] = {"Sid": "S1", "Effect": "Allow", "Action": "s3:*"}
    statement["Resource"] = ["arn:aws:s3:::bucket/*", resource]
    if condition is not None:
        statement["Condition"] = condition
    return {"Version": version, "Statement": [statement]}


def test_remembered_resources_and_templates_decide_as_when_first_met() -> None:
    """A Resource entry or a condition value remembered clean under one policy Version, one
    operator, is checked afresh where its check differs (variables on or off, an operator
    refusing variables), in either order: the lean path agrees with the located parser on
    every document, met for the first time or again."""
    documents = [
        _document("2012-10-17", _VARIABLE_RESOURCE),  # a variable in the resource part
        _document("2008-10-17", _VARIABLE_RESOURCE),  # the same text, literal
        _document("2012-10-17", _VARIABLE_ACCOUNT),  # a variable outside it: refused
        _document("2008-10-17", _VARIABLE_ACCOUNT),  # literal: accepted
        _document("2012-10-17", "*", {"StringLike": {"s3:prefix": "${aws:username}/*"}}),
        _document("2012-10-17", "*", {"NumericEquals": {"s3:max-keys": "${aws:username}/*"}}),
        _document("2008-10-17", "*", {"NumericEquals": {"s3:max-keys": "${aws:username}/*"}}),
        _document("2012-10-17", "*", {"StringLike": {"s3:prefix": "${aws:username/*"}}),
    ]
    for order in (documents, documents[::-1], documents + documents):
        lean._CLEAN_RESOURCES[0].clear()
        lean._CLEAN_RESOURCES[1].clear()
        lean._CLEAN_TEMPLATES.clear()
        answered = [
            _agree(copy.deepcopy(doc), policy_type)
            for doc in order
            for policy_type in (PolicyType.IDENTITY, PolicyType.RESOURCE)
        ]
        assert any(answered) and not all(answered)


def test_a_batch_of_documents_each_with_its_own_text_builds_the_same_model() -> None:
    """Documents shaped like a batch where every scenario carries its own policy text (a Sid
    and a resource of their own, the rest repeated): each parsed as the located parser does,
    the repeated parts remembered from one document to the next."""
    for i in range(40):
        identity = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": f"S{i}N0",
                    "Effect": "Allow",
                    "Action": ["s3:GetObject", "s3:PutObject"],
                    "Resource": "arn:aws:s3:::data-*/*",
                    "Condition": {
                        "StringEquals": {"aws:PrincipalTag/team": "${aws:PrincipalTag/team}"}
                    },
                },
                {
                    "Sid": f"S{i}N1",
                    "Effect": "Deny",
                    "NotAction": ["iam:*", "sts:*"],
                    "Resource": ["*", f"arn:aws:s3:::never-{i % 7}/*"],
                    "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}},
                },
            ],
        }
        for policy_type in (PolicyType.IDENTITY, PolicyType.BOUNDARY, PolicyType.SCP):
            assert _agree(identity, policy_type)
