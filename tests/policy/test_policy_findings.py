"""check_policy: the warning table (cases/findings.yaml), error collection and size quotas."""

from __future__ import annotations

import json
from typing import Any

import pytest
from policy_cases import case_id, document_of, load_cases

from iamsim.policy import Finding, check_policy, parse_policy
from iamsim.policy.quotas import QUOTAS, QuotaKind, check_quota, policy_size

CASES = load_cases("findings.yaml")


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_findings_case(case: dict[str, Any]) -> None:
    document = document_of(case)
    parse_policy(document, case["policy_type"])  # AWS accepts every document of this table
    findings = check_policy(document, case["policy_type"])
    got = {(f.severity, f.code, f.path) for f in findings}
    for expected in case["findings"]:
        assert (expected["severity"], expected["code"], expected["path"]) in got, findings
        assert not any(f.aws_rejects for f in findings), findings
    codes = {f.code for f in findings}
    for code in case.get("absent", []):
        assert code not in codes, findings
    if case.get("exact"):
        assert len(findings) == len(case["findings"]), findings


def test_check_policy_lists_every_error_then_warnings() -> None:
    document = {
        "Statement": [
            {"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"},
            {"Effect": "Allow", "Action": "nope", "Resource": "bucket"},
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Principal": "*"},
        ]
    }
    findings = check_policy(document, "identity", source="p.json")
    errors = [(f.code, f.path) for f in findings if f.severity == "error"]
    assert errors == [
        ("invalid-action", "/Statement/1/Action"),
        ("invalid-resource", "/Statement/1/Resource"),
        ("prohibited-principal", "/Statement/2/Principal"),
    ]
    # Errors come first; warnings (the lower-case Effect AWS stores, the missing Version) follow.
    warnings = {(f.code, f.path) for f in findings[len(errors) :]}
    assert {("effect-case", "/Statement/0/Effect"), ("missing-version", "")} <= warnings
    assert all(isinstance(f, Finding) for f in findings)
    assert "error (AWS rejects) [invalid-action] at /Statement/1/Action" in str(findings[0])
    assert [f.aws_rejects for f in findings[:3]] == [True, True, True]
    [case] = [f for f in findings if f.code == "effect-case"]
    assert case.severity == "warning" and not case.aws_rejects


def test_lower_case_effect_loads_fail_safe() -> None:
    # Effect page: "The Effect value is case sensitive"; IAM stores "allow"/"deny" anyway
    # (issue 13). A differently-cased deny denies; a differently-cased allow grants nothing.
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"},
            {"Effect": "DENY", "Principal": {"AWS": "*"}, "Action": "sts:TagSession"},
        ],
    }
    policy = parse_policy(trust, "trust")
    assert [s.effect.value for s in policy.statements] == ["Deny"]
    [first, second] = [f for f in check_policy(trust, "trust") if f.code == "effect-case"]
    assert not first.aws_rejects and "grants nothing" in first.message
    assert "evaluates it as Deny" in second.message


def test_every_finding_code_has_a_definite_aws_rejects_value() -> None:
    from iamsim.policy.refusals import AWS_REJECTS_TABLE

    for code, refusal in AWS_REJECTS_TABLE.items():
        assert isinstance(refusal.rejects, bool), code
        assert refusal.source.startswith("https://docs.aws.amazon.com/"), code
    with pytest.raises(KeyError):
        Finding("error", "no-such-code", "x")


def test_check_policy_reports_json_errors_without_raising() -> None:
    [finding] = check_policy('{"Statement": [}', "identity")
    assert finding.code == "json-syntax" and "line 1" in finding.message


def _policy_of_size(extra: int) -> str:
    # A compact SCP whose size grows by one character per extra character in the Sid.
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "S" * extra, "Effect": "Deny", "Action": "s3:*", "Resource": "*"}],
    }
    return json.dumps(doc, separators=(",", ":"))


def test_scp_quota_counts_every_character() -> None:
    base = len(_policy_of_size(1)) - 1
    at_limit = _policy_of_size(5120 - base)
    assert len(at_limit) == 5120
    assert check_quota(at_limit, QuotaKind.SCP) is None
    over = _policy_of_size(5121 - base)
    finding = check_quota(over, "scp")
    assert finding is not None and finding.code == "policy-too-large"
    assert "5121" in finding.message and "5120" in finding.message
    # Pretty-printing an SCP makes it larger: whitespace counts for Organizations.
    pretty = json.dumps(json.loads(at_limit), indent=2)
    assert check_quota(pretty, QuotaKind.SCP) is not None
    assert [f.code for f in check_policy(over, "scp")] == ["policy-too-large"]


def test_iam_quota_ignores_formatting_whitespace_but_not_string_content() -> None:
    compact = '{"Statement":{"Sid":"a b","Effect":"Allow","Action":"*","Resource":"*"}}'
    pretty = json.dumps(json.loads(compact), indent=4)
    assert policy_size(compact, "non-whitespace") == len(compact)
    assert policy_size(pretty, "non-whitespace") == len(compact)
    assert policy_size(json.loads(compact), "non-whitespace") == len(compact)
    assert policy_size(pretty.encode(), "all") == len(pretty)
    # An escaped quote does not end the string: the spaces after it are still content.
    assert policy_size('{"a":"x\\" y"}', "non-whitespace") == len('{"a":"x\\" y"}')


def test_quota_table() -> None:
    expected = {
        QuotaKind.MANAGED: (6144, "non-whitespace"),
        QuotaKind.USER_INLINE: (2048, "non-whitespace"),
        QuotaKind.GROUP_INLINE: (5120, "non-whitespace"),
        QuotaKind.ROLE_INLINE: (10240, "non-whitespace"),
        QuotaKind.TRUST: (2048, "non-whitespace"),
        QuotaKind.SESSION: (2048, "all"),
        QuotaKind.SCP: (5120, "all"),
        QuotaKind.RCP: (5120, "all"),
    }
    assert {k: (q.limit, q.counting) for k, q in QUOTAS.items()} == expected
    assert all(q.source.startswith("https://docs.aws.amazon.com/") for q in QUOTAS.values())


def test_trust_quota_is_adjustable_and_default_for_trust_policies() -> None:
    statements = [
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::123456789012:role/r{i:04}"},
            "Action": "sts:AssumeRole",
        }
        for i in range(25)
    ]
    doc = json.dumps({"Version": "2012-10-17", "Statement": statements})
    assert policy_size(doc, "non-whitespace") > 2048
    assert [f.code for f in check_policy(doc, "trust")] == ["policy-too-large"]
    assert check_quota(doc, QuotaKind.TRUST, limit=4096) is None
    # Identity policies have no default quota (managed or inline is unknown) ...
    identity = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": f"s3:Get{'x' * 7000}", "Resource": "*"}],
        }
    )
    assert check_policy(identity, "identity") == []
    # ... unless one is named.
    assert [f.code for f in check_policy(identity, "identity", quota_kind="managed")] == [
        "policy-too-large"
    ]


def test_inline_quota_bounds_the_sum_of_an_entitys_inline_policies() -> None:
    one = {
        "Version": "2012-10-17",
        "Statement": {"Effect": "Allow", "Action": "s3:" + "G" * 900, "Resource": "*"},
    }
    assert policy_size(one) < 1024
    assert check_quota([one], QuotaKind.USER_INLINE) is None
    assert check_quota([one, one, one], QuotaKind.USER_INLINE) is not None
    assert check_quota([one, one, one], QuotaKind.GROUP_INLINE) is None
