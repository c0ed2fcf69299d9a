"""The expectations library: file model, defaults, cross products, located errors, runner."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from iamsim.checks.expectations import (
    ExpectationFile,
    expectation_met,
    load_expectations,
    parse_expectations,
    run_expectations,
)
from iamsim.errors import InputError
from iamsim.ingest import load_inputs

DATA = Path(__file__).resolve().parent / "data"
WORLD = Path(__file__).resolve().parents[2] / "cli" / "data" / "world"


@pytest.fixture(scope="module")
def suite() -> ExpectationFile:
    return load_expectations(DATA / "guardrails.yaml")


def test_load_resolves_inputs_next_to_the_file(suite: ExpectationFile) -> None:
    assert suite.description == "guardrails of the first application"
    assert [p.name for p in suite.inputs] == [
        "gaad-app.json",
        "gaad-backup.json",
        "resources.yaml",
        "org.yaml",
    ]
    assert all(p.exists() for p in suite.inputs)


def test_defaults_fill_and_merge(suite: ExpectationFile) -> None:
    office = suite.expectations[1]
    assert office.name == "alice lists the bucket only from the office network"
    # the default context is merged under the entry's own
    assert office.context == {"aws:SecureTransport": True, "aws:SourceIp": "192.0.2.10"}
    assert office.now == datetime(2025, 1, 31, 12, tzinfo=UTC)
    assert office.path == "/expectations/1"


def test_cross_product(suite: ExpectationFile) -> None:
    deletes = suite.expectations[4]
    cases = list(deletes.cases())
    assert [(c.principal, c.action, c.resource) for c in cases] == [
        ("role/dev", "s3:DeleteBucket", "arn:aws:s3:::first-backup"),
        ("arn:aws:iam::444455556666:role/backup", "s3:DeleteBucket", "arn:aws:s3:::first-backup"),
    ]
    assert len(list(suite.cases())) == 10


def test_run_against_the_world(suite: ExpectationFile) -> None:
    world = load_inputs(suite.inputs)
    run = run_expectations(suite, world)
    assert run.ok, [r.message for r in run.results if r.status != "passed"]
    assert run.summary() == {"total": 10, "passed": 10, "failed": 0, "errors": 0}
    first = run.results[0]
    assert first.principal_arn == "arn:aws:iam::111122223333:user/alice"
    assert first.message.startswith("Allow as expected: an identity-based policy allows")


def test_failures_and_errors_carry_messages() -> None:
    suite = load_expectations(DATA / "broken-promises.yaml")
    run = run_expectations(suite, load_inputs(suite.inputs))
    assert [r.status for r in run.results] == ["failed", "failed"]
    dev = run.results[0]
    assert dev.decision is not None and dev.decision.value.value == "Allow"
    assert "decisive: identity 'dev-admin (inline, role/dev)' statement Everything" in dev.message
    alice = run.results[1]
    assert alice.decision is not None
    assert alice.decision.missing_context_keys == ("aws:SourceIp",)

    typo = load_expectations(DATA / "typo.yaml")
    run = run_expectations(typo, load_inputs(typo.inputs))
    assert [r.status for r in run.results] == ["error", "passed"]
    assert run.results[0].error is not None and "s3:GetObject" in run.results[0].error
    assert not run.ok


@pytest.mark.parametrize(
    ("expect", "decision", "met"),
    [
        ("Allow", "Allow", True),
        ("Allow", "ImplicitDeny", False),
        ("Deny", "ImplicitDeny", True),
        ("Deny", "ExplicitDeny", True),
        ("Deny", "Allow", False),
        ("ExplicitDeny", "ImplicitDeny", False),
        ("ImplicitDeny", "ImplicitDeny", True),
    ],
)
def test_expectation_met(expect: str, decision: str, met: bool) -> None:
    assert expectation_met(expect, decision) is met


@pytest.mark.parametrize(
    ("spelling", "normalized"),
    [("allow", "Allow"), ("explicit deny", "ExplicitDeny"), ("implicit-deny", "ImplicitDeny")],
)
def test_expect_spellings(spelling: str, normalized: str) -> None:
    parsed = parse_expectations([{"principal": "a", "action": "s3:GetObject", "expect": spelling}])
    assert parsed.expectations[0].expect == normalized


def test_bare_list_and_default_resource() -> None:
    parsed = parse_expectations(
        [{"principal": ["a", "b"], "action": ["iam:ListRoles"], "expect": "Deny"}]
    )
    entry = parsed.expectations[0]
    assert entry.resources == ("*",)
    assert entry.path == "/0"
    assert entry.label == "expectations[0]"
    assert len(list(entry.cases())) == 2


def test_defaults_supply_required_fields() -> None:
    parsed = parse_expectations(
        {
            "defaults": {"principal": "role/dev", "expect": "ExplicitDeny"},
            "expectations": [{"action": "iam:CreateRole"}, {"action": "iam:AttachUserPolicy"}],
        }
    )
    assert [e.principals for e in parsed.expectations] == [("role/dev",), ("role/dev",)]
    assert {e.expect for e in parsed.expectations} == {"ExplicitDeny"}


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        ({"expectations": []}, "/expectations", "expectations is empty"),
        ({"tests": []}, "/tests", "unknown field 'tests'"),
        (
            {"expectations": [{"action": "s3:GetObject", "expect": "Allow"}]},
            "/expectations/0",
            "missing required field 'principal'",
        ),
        (
            {"expectations": [{"principal": "a", "action": "s3:GetObject"}]},
            "/expectations/0",
            "missing required field 'expect'",
        ),
        (
            {"expectations": [{"principal": "a", "action": "s3:GetObject", "expect": "Yes"}]},
            "/expectations/0/expect",
            "must be one of",
        ),
        (
            {"expectations": [{"principals": "a", "action": "x:Y", "expect": "Allow"}]},
            "/expectations/0/principals",
            "did you mean 'principal'?",
        ),
        (
            {"expectations": [{"principal": "a", "action": [], "expect": "Allow"}]},
            "/expectations/0/action",
            "empty list",
        ),
        (
            {
                "expectations": [
                    {
                        "principal": "a",
                        "action": "s3:GetObject",
                        "expect": "Allow",
                        "context": {"SourceIp": "1"},
                    }
                ]
            },
            "/expectations/0/context/SourceIp",
            "not a condition key",
        ),
        (
            {
                "expectations": [
                    {
                        "principal": "a",
                        "action": "s3:GetObject",
                        "expect": "Allow",
                        "context": {"aws:TagKeys": [{"a": 1}]},
                    }
                ]
            },
            "/expectations/0/context/aws:TagKeys/0",
            "strings, numbers or booleans",
        ),
        (
            {
                "expectations": [
                    {
                        "principal": "a",
                        "action": "s3:GetObject",
                        "expect": "Deny",
                        "context": {"aws:RequestedRegion": ["ap-south-1"]},
                    }
                ]
            },
            "/expectations/0/context/aws:RequestedRegion",
            "aws:RequestedRegion is single-valued",
        ),
        (
            {
                "defaults": {"context": {"aws:SourceIp": ["10.0.0.1", "10.0.0.2"]}},
                "expectations": [{"principal": "a", "action": "s3:GetObject", "expect": "Deny"}],
            },
            "/defaults/context/aws:SourceIp",
            "aws:SourceIp is single-valued",
        ),
        (
            {
                "expectations": [
                    {
                        "principal": "a",
                        "action": "s3:GetObject",
                        "expect": "Allow",
                        "context": {
                            "aws:RequestedRegion": "ap-south-1",
                            "aws:requestedRegion": "x",
                        },
                    }
                ]
            },
            "/expectations/0/context/aws:requestedRegion",
            "the same condition key",
        ),
        (
            {
                "expectations": [
                    {
                        "principal": "a",
                        "action": "s3:GetObject",
                        "expect": "Allow",
                        "context": {"aws:SourceIp": None},
                    }
                ]
            },
            "/expectations/0/context/aws:SourceIp",
            "no value (null)",
        ),
        (
            {
                "defaults": [],
                "expectations": [{"principal": "a", "action": "x:Y", "expect": "Allow"}],
            },
            "/defaults",
            "defaults must be a mapping",
        ),
        (
            {
                "expectations": [
                    {
                        "principal": "a",
                        "action": "s3:GetObject",
                        "expect": "Allow",
                        "now": "tomorrow",
                    }
                ]
            },
            "/expectations/0/now",
            "ISO 8601",
        ),
        (
            {"defaults": {"expect": "Allow", "colour": "red"}, "expectations": [{}]},
            "/defaults/colour",
            "unknown field",
        ),
        ({"inputs": 3, "expectations": [{}]}, "/inputs", "path or a list of paths"),
    ],
)
def test_located_errors(data: Any, path: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_expectations(data, source="e.yaml")
    assert info.value.path == path
    assert info.value.source == "e.yaml"
    assert message in info.value.reason


def test_yaml_values_become_context_values(tmp_path: Path) -> None:
    file = tmp_path / "e.yaml"
    file.write_text(
        "inputs: [w.json]\n"
        "expectations:\n"
        "  - principal: '111122223333'\n"
        "    action: s3:GetObject\n"
        "    expect: Allow\n"
        "    now: 2025-01-31T12:00:00Z\n"
        "    context:\n"
        "      aws:MultiFactorAuthPresent: true\n"
        "      aws:MultiFactorAuthAge: 30\n"
        "      aws:TokenIssueTime: 2025-01-31T11:00:00Z\n"
        "      aws:TagKeys: [team, env]\n"
    )
    entry = load_expectations(file).expectations[0]
    assert entry.principals == ("111122223333",)  # leading digits kept as text
    assert entry.context == {
        "aws:MultiFactorAuthPresent": True,
        "aws:MultiFactorAuthAge": 30,
        "aws:TokenIssueTime": "2025-01-31T11:00:00Z",
        "aws:TagKeys": ["team", "env"],
    }
    assert entry.now == datetime(2025, 1, 31, 12, tzinfo=UTC)
    assert load_expectations(file).inputs == (tmp_path / "w.json",)


def test_unreadable_file() -> None:
    with pytest.raises(InputError, match="cannot read file"):
        load_expectations(DATA / "does-not-exist.yaml")


def test_context_reaches_the_engine() -> None:
    world = load_inputs([WORLD / "gaad-app.json"])
    entries = [
        {
            "principal": "alice",
            "action": "s3:ListBucket",
            "resource": "arn:aws:s3:::first-bucket",
            "context": {"aws:SourceIp": ip},
            "expect": expect,
        }
        for ip, expect in (("10.9.9.9", "Allow"), ("192.0.2.1", "ImplicitDeny"))
    ]
    run = run_expectations(parse_expectations(entries), world)
    assert run.ok, [r.message for r in run.results]


def test_entry_context_overrides_a_default_key_whatever_its_case() -> None:
    suite = parse_expectations(
        {
            "defaults": {
                "context": {"aws:RequestedRegion": "eu-west-1", "aws:SecureTransport": True}
            },
            "expectations": [
                {
                    "principal": "a",
                    "action": "s3:GetObject",
                    "expect": "Deny",
                    "context": {"aws:requestedregion": "ap-south-1"},
                }
            ],
        }
    )
    # one spelling only: the expectation's value replaces the default's, it does not sit
    # beside it for the engine to pick one of the two
    assert suite.expectations[0].context == {
        "aws:SecureTransport": True,
        "aws:requestedregion": "ap-south-1",
    }


def test_multivalued_and_unknown_keys_keep_their_lists() -> None:
    suite = parse_expectations(
        [
            {
                "principal": "a",
                "action": "s3:GetObject",
                "expect": "Deny",
                "context": {
                    "aws:TagKeys": ["team"],
                    "aws:PrincipalOrgPaths": ["o-1/r-1/ou-1/"],
                    "aws:CalledVia": [],
                    "kms:EncryptionContextKeys": ["a", "b"],  # ArrayOfString in the reference
                    "custom:thing": ["x", "y"],  # a key of unknown type: accepted as given
                },
            }
        ]
    )
    assert suite.expectations[0].context["aws:TagKeys"] == ["team"]
    assert suite.expectations[0].context["custom:thing"] == ["x", "y"]
