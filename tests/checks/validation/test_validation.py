"""The validation library: each check, type inference, quotas, inputs, and real documents."""

from __future__ import annotations

import glob
import json
from pathlib import Path
from typing import Any

import pytest

from iamsim.catalog import service_reference
from iamsim.checks.validation import (
    ValidationFinding,
    catalog_findings,
    check_document,
    infer_policy_type,
    validate_paths,
    validate_world,
)
from iamsim.checks.validation.resource_fit import PatternFit
from iamsim.errors import InputError
from iamsim.ingest import load_inputs
from iamsim.policy import PolicyType, parse_policy

DATA = Path(__file__).resolve().parent / "data"
WORLD = Path(__file__).resolve().parents[2] / "cli" / "data" / "world"
SHARED = Path(__file__).resolve().parents[2] / "real_inputs"


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _codes(findings: list[Any]) -> list[tuple[str, str, str]]:
    return [(f.severity, f.code, f.path) for f in findings]


# -- type inference ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("clean-identity.json", PolicyType.IDENTITY),
        ("bucket-policy.json", PolicyType.RESOURCE),
        ("trust.json", PolicyType.TRUST),
        ("identity-with-principal.json", PolicyType.RESOURCE),
    ],
)
def test_infer_policy_type(name: str, expected: PolicyType) -> None:
    assert infer_policy_type(json.loads((DATA / name).read_text())) is expected


def test_infer_trust_needs_only_assume_role_actions() -> None:
    doc = _doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": ["sts:AssumeRole", "s3:GetObject"],
        }
    )
    assert infer_policy_type(doc) is PolicyType.RESOURCE


# -- one document: each catalog check ------------------------------------------------------------


@pytest.fixture(scope="module")
def mistakes() -> list[Any]:
    ptype, findings = check_document((DATA / "catalog-mistakes.json").read_text())
    assert ptype is PolicyType.IDENTITY
    return findings


def _one(findings: list[Any], code: str) -> Any:
    matches = [f for f in findings if f.code == code]
    assert len(matches) == 1, _codes(findings)
    return matches[0]


def test_unknown_action_with_suggestions(mistakes: list[Any]) -> None:
    finding = _one(mistakes, "unknown-action")
    assert (finding.severity, finding.path) == ("error", "/Statement/0/Action/0")
    assert "'s3:GetObjcet' is not an action of Amazon S3; did you mean: s3:GetObject" in (
        finding.message
    )


def test_unknown_service(mistakes: list[Any]) -> None:
    finding = _one(mistakes, "unknown-service")
    assert (finding.severity, finding.path) == ("error", "/Statement/0/Action/1")
    assert "no service with the prefix 's4'" in finding.message
    assert "s3:GetObject" in finding.message


def test_action_pattern_matching_nothing(mistakes: list[Any]) -> None:
    finding = _one(mistakes, "action-matches-nothing")
    assert (finding.severity, finding.path) == ("warning", "/Statement/0/Action/2")


def test_resource_type_mismatch(mistakes: list[Any]) -> None:
    finding = _one(mistakes, "resource-type-mismatch")
    assert (finding.severity, finding.path) == ("warning", "/Statement/1/Action/0")
    assert "s3:ListBucket acts on" in finding.message
    assert "bucket: arn:${Partition}:s3:::${BucketName}" in finding.message


def test_action_without_resource_level_permissions(mistakes: list[Any]) -> None:
    finding = _one(mistakes, "action-needs-wildcard-resource")
    assert (finding.severity, finding.path) == ("warning", "/Statement/1/Action/1")
    assert finding.message.startswith("iam:ListRoles supports no resource-level permissions")


def test_resource_no_action_acts_on(mistakes: list[Any]) -> None:
    finding = _one(mistakes, "resource-matches-no-action")
    assert (finding.severity, finding.path) == ("suggestion", "/Statement/1/Resource/1")
    assert "dynamodb" in finding.message


def test_unknown_condition_key_with_suggestion(mistakes: list[Any]) -> None:
    finding = _one(mistakes, "unknown-condition-key")
    assert finding.severity == "error"
    assert finding.path == "/Statement/2/Condition/IpAddress/aws:SourceIpp"
    assert "did you mean: aws:SourceIp" in finding.message


def test_condition_key_not_applicable_to_every_action(mistakes: list[Any]) -> None:
    finding = _one(mistakes, "condition-key-not-applicable")
    assert finding.severity == "warning"
    assert finding.path == "/Statement/2/Condition/StringLike/s3:prefix"
    assert "AWS never supplies s3:prefix in requests for s3:GetObject" in finding.message
    # s3:delimiter is written with IfExists: absence is intended, nothing reported for it
    assert all("s3:delimiter" not in f.path for f in mistakes)


def test_condition_key_of_no_action() -> None:
    _, findings = check_document(
        _doc(
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::b/*",
                "Condition": {"StringEquals": {"s3:prefix": "x"}},
            }
        )
    )
    finding = _one(findings, "condition-key-not-applicable")
    assert finding.message.startswith("s3:prefix is not a condition key of s3:GetObject")


def test_clean_policy_has_no_findings() -> None:
    _, findings = check_document((DATA / "clean-identity.json").read_text())
    assert findings == []


def test_principal_in_identity_policy_is_a_grammar_error() -> None:
    text = (DATA / "identity-with-principal.json").read_text()
    ptype, findings = check_document(text, "identity")
    assert ptype is PolicyType.IDENTITY
    finding = _one(findings, "prohibited-principal")
    assert (finding.severity, finding.path) == ("error", "/Statement/0/Principal")


def test_statements_without_errors_still_get_catalog_checks() -> None:
    doc = _doc(
        {"Effect": "Allow", "Action": "s3:GetObject"},  # missing Resource: a grammar error
        {"Effect": "Allow", "Action": "ec2:DescribeInstancez", "Resource": "*"},
    )
    _, findings = check_document(doc)
    assert ("error", "missing-resource", "/Statement/0") in _codes(findings)
    assert ("error", "unknown-action", "/Statement/1/Action") in _codes(findings)


def test_findings_are_ordered_by_severity(mistakes: list[Any]) -> None:
    ranks = {"error": 0, "warning": 1, "suggestion": 2}
    order = [ranks[f.severity] for f in mistakes]
    assert order == sorted(order)


# -- quotas ----------------------------------------------------------------------------------------


def _padded(size_statements: int) -> dict[str, Any]:
    statement = {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::a-bucket-with-a-rather-long-name-for-padding/some/prefix/*",
    }
    return _doc(*[dict(statement, Sid=f"S{i}") for i in range(size_statements)])


def test_identity_quota_warning_and_error() -> None:
    _, findings = check_document(_padded(60))  # about 7,000 characters
    assert ("warning", "policy-too-large", "") in _codes(findings)
    _, findings = check_document(_padded(100))  # about 11,700 characters
    assert ("error", "policy-too-large", "") in _codes(findings)
    _, findings = check_document(_padded(60), quota_kind="role-inline")
    assert "policy-too-large" not in [f.code for f in findings]


@pytest.mark.parametrize(("ptype", "count"), [("scp", 50), ("trust", 0), ("boundary", 60)])
def test_type_quotas(ptype: str, count: int) -> None:
    if ptype == "trust":
        doc = _doc(
            *[
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::1111222233{i:02d}:root"},
                    "Action": "sts:AssumeRole",
                }
                for i in range(40)
            ]
        )
    else:
        doc = _padded(count)
    _, findings = check_document(doc, ptype)
    assert ("error", "policy-too-large", "") in _codes(findings)


# -- resource patterns against resource types ----------------------------------------------------


@pytest.mark.parametrize(
    ("action", "resource", "fits"),
    [
        ("s3:ListBucket", "arn:aws:s3:::b", True),
        ("s3:ListBucket", "arn:aws:s3:::b/*", False),
        ("s3:ListBucket", "arn:aws:s3:::b*", True),
        ("s3:ListBucket", "arn:aws:s3:::${aws:username}", True),
        ("s3:ListBucket", "arn:*:s3:::b", True),
        ("s3:GetObject", "arn:aws:s3:::b", False),
        ("s3:GetObject", "arn:aws:s3:::b/*", True),
        ("s3:GetObject", "arn:aws:s3:::*", True),
        ("s3:GetObject", "arn:aws:s3:::b?/k", True),
        ("s3:GetObject", "arn:aws:s3:::b/${aws:username}/*", True),
        ("logs:PutLogEvents", "arn:aws:logs:*:*:log-group:/aws/lambda/*:*", True),
        ("logs:PutLogEvents", "arn:aws:logs:*:*:*", True),
        ("lambda:InvokeFunction", "arn:aws:lambda:*:*:function:name", True),
        ("lambda:InvokeFunction", "arn:aws:lambda:*:*:function:name:*", True),
        ("lambda:InvokeFunction", "arn:aws:s3:::b", False),
        ("iam:PassRole", "arn:aws:iam::*:role/*", True),
        ("iam:PassRole", "arn:aws:iam::123456789012:user/*", False),
        ("ec2:RunInstances", "arn:aws:ec2:*:*:instance/*", True),
        ("ec2:TerminateInstances", "arn:aws:ec2:*:*:volume/*", False),
        ("dynamodb:Query", "arn:aws:dynamodb:*:*:table/t/index/*", True),
        ("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/t/index/*", False),
        ("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:111122223333:table/t", True),
        ("kms:Decrypt", "arn:aws:kms:*:111122223333:key/*", True),
        ("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:*:*:secret:db-*", True),
    ],
)
def test_resource_patterns(action: str, resource: str, fits: bool) -> None:
    assert PatternFit(service_reference()).fits(action, resource) is fits


# -- parsed policies -------------------------------------------------------------------------------


def test_catalog_findings_on_a_parsed_policy() -> None:
    policy = parse_policy(
        _doc({"Effect": "Deny", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b/*"}),
        "scp",
    )
    assert _codes(catalog_findings(policy)) == [
        ("warning", "resource-type-mismatch", "/Statement/0/Action")
    ]


def test_not_action_and_not_resource_are_not_resource_checked() -> None:
    policy = parse_policy(
        _doc(
            {"Effect": "Deny", "NotAction": "s3:ListBucket", "Resource": "arn:aws:s3:::b/*"},
            {"Effect": "Deny", "Action": "s3:ListBucket", "NotResource": "arn:aws:s3:::b/*"},
        ),
        "scp",
    )
    assert catalog_findings(policy) == []


# -- paths: documents, scenarios, inputs -----------------------------------------------------------


def _by_file(findings: tuple[ValidationFinding, ...], name: str) -> list[ValidationFinding]:
    return [f for f in findings if f.file.endswith(name)]


def test_validate_paths_reads_each_kind() -> None:
    report = validate_paths(
        [
            DATA / "clean-identity.json",
            DATA / "trust.json",
            DATA / "scenario-two-boundaries.yaml",
            WORLD / "gaad-app.json",
        ]
    )
    kinds = [(Path(t.file).name, t.kind, t.description) for t in report.targets]
    assert kinds == [
        ("clean-identity.json", "policy", "identity policy, type inferred"),
        ("trust.json", "policy", "trust policy, type inferred"),
        ("scenario-two-boundaries.yaml", "scenario", "iamsim eval scenarios"),
        (
            "gaad-app.json",
            "input",
            "2 users, 1 group, 2 roles, 2 customer managed policies",
        ),
    ]
    scenario = _by_file(report.findings, "scenario-two-boundaries.yaml")
    assert [(f.code, f.path) for f in scenario] == [
        ("multiple-boundaries", "/policies/boundary"),
        ("unknown-action", "/policies/identity/0/Statement/0/Action"),
    ]
    assert report.fails("error")


def test_world_findings_name_the_policy_and_its_type() -> None:
    report = validate_paths([WORLD / "gaad-app.json"])
    assert [(f.code, f.policy, f.policy_type, f.path) for f in report.findings] == [
        ("pass-role-with-star", "dev-admin (inline, role/dev)", "identity", "/Statement/0/Resource")
    ]
    assert report.findings[0].file == str(WORLD / "gaad-app.json")
    assert not report.fails("error") and report.fails("warning")


def test_policy_that_stops_an_input_from_loading_is_a_finding() -> None:
    report = validate_paths([DATA / "gaad-bad-policy.json"])
    (finding,) = report.findings
    assert (finding.severity, finding.code) == ("error", "invalid-policy")
    assert finding.path == "/UserDetailList/0/UserPolicyList/0/PolicyDocument/Statement/0/Principal"


def test_missing_references() -> None:
    report = validate_paths([DATA / "gaad-dangling.json"])
    assert sorted(f.code for f in report.findings) == [
        "boundary-not-found",
        "group-not-found",
        "managed-policy-not-found",
    ]


def test_two_boundaries_for_one_principal_across_inputs() -> None:
    report = validate_paths([DATA / "gaad-boundary-a.json", DATA / "gaad-boundary-b.json"])
    assert [(f.severity, f.code, f.policy) for f in report.findings] == [
        ("error", "multiple-boundaries", "arn:aws:iam::111122223333:role/app")
    ]


def test_unparsable_json_is_a_finding() -> None:
    report = validate_paths([DATA / "not-json.json"])
    assert [(f.code, f.severity) for f in report.findings] == [("json-syntax", "error")]


def test_unrecognised_file_raises(tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text("hello: world\n")
    with pytest.raises(InputError, match="not a recognised input"):
        validate_paths([other])


def test_validate_world_of_the_cli_world() -> None:
    names = ("gaad-app.json", "gaad-backup.json", "resources.yaml", "org.yaml")
    world = load_inputs([WORLD / name for name in names])
    findings = validate_world(world)
    assert [(f.code, f.policy) for f in findings] == [
        ("pass-role-with-star", "dev-admin (inline, role/dev)")
    ]


def test_validate_world_checks_scps(tmp_path: Path) -> None:
    org = tmp_path / "org.yaml"
    org.write_text(
        "organization:\n"
        "  id: o-abcdefghij\n"
        "  management_account: '999999999999'\n"
        "  root:\n"
        "    id: r-ab12\n"
        "    scps:\n"
        "      - name: typo\n"
        "        document:\n"
        "          Version: '2012-10-17'\n"
        "          Statement: [{Effect: Deny, Action: 's3:DeleteBuckett', Resource: '*'}]\n"
        "    children:\n"
        "      - account: '999999999999'\n"
        "      - account: '111122223333'\n"
    )
    findings = validate_world(load_inputs([org]))
    assert [(f.code, f.policy, f.policy_type, f.path) for f in findings] == [
        ("unknown-action", "typo", "scp", "/Statement/0/Action")
    ]


# -- real documents ----------------------------------------------------------------------------------


def test_real_terraform_policy_with_a_typo() -> None:
    report = validate_paths([SHARED / "terraform" / "test_policy.json"])
    (finding,) = report.findings
    assert finding.code == "unknown-action"
    assert "'s3:ListBuckets'" in finding.message and "s3:ListBucket" in finding.message


def test_real_scp_examples() -> None:
    files = sorted(glob.glob(str(SHARED / "scp-examples" / "**" / "*.json"), recursive=True))
    assert len(files) == 57
    report = validate_paths(files, policy_type="scp")
    assert report.summary()["policies"] == 57
    codes = {(Path(f.file).name, f.code) for f in report.findings if f.severity == "error"}
    # one example is not valid JSON, one names Marketplace actions AWS no longer defines
    assert ("deny-service-specific-credential-by-type.json", "json-syntax") in codes
    marketplace = (
        "Deny-unwanted-cancellation-or-changes-to-AWS-Marketplace-product-subscription.json"
    )
    assert (marketplace, "unknown-action") in codes
    assert {name for name, _ in codes} == {
        "deny-service-specific-credential-by-type.json",
        marketplace,
    }


def test_real_export_has_no_errors() -> None:
    report = validate_paths([SHARED / "gaad" / "cloudsplaining-example.json"])
    assert report.summary()["errors"] == 0
    assert report.summary()["policies"] > 100
    assert any(f.code == "action-needs-wildcard-resource" for f in report.findings)


def test_scenario_request_fields_are_checked_like_eval(tmp_path: Path) -> None:
    # validate rejects what eval would reject in the request, and warns on an action the
    # service reference does not know (eval evaluates it as written).
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }
    base = {"principal": "arn:aws:iam::111122223333:user/a", "policies": {"identity": [policy]}}
    scenarios = [
        {**base, "action": "s3:GetObject", "resource": "bucket/key"},
        {**base, "action": "s3:GetObjectt", "resource": "arn:aws:s3:::b/k"},
        {**base, "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"},
    ]
    path = tmp_path / "scenarios.json"
    path.write_text(json.dumps(scenarios))
    report = validate_paths([path])
    request_findings = [f for f in report.findings if f.code != "pass-role-with-star"]
    assert [(f.severity, f.code, f.path) for f in request_findings] == [
        ("error", "invalid-scenario", "/0/resource"),
        ("warning", "unknown-action", "/1/action"),
    ]
    assert "did you mean" in request_findings[1].message
