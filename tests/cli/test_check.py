"""``iamsim check`` and ``iamsim explain`` against real loaded inputs.

The world is ``tests/cli/data/world``: account 111122223333 (alice, user dev, role dev with a
boundary, a Lambda role), account 444455556666 (a backup role), bucket policies, and an
organization whose Workloads OU denies s3:DeleteBucket.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iamsim.cli._common import parse_now
from iamsim.cli.main import cli
from iamsim.errors import InputError
from iamsim.vocabulary.context_keys import parse_context

WORLD = Path(__file__).resolve().parent / "data" / "world"
INPUTS = [
    arg
    for name in ("gaad-app.json", "gaad-backup.json", "resources.yaml", "org.yaml")
    for arg in ("-i", str(WORLD / name))
]
REAL_GAAD = (
    Path(__file__).resolve().parents[1]
    / "real_inputs"
    / "gaad"
    / "cloudsplaining-test-authz-details.json"
)
ALICE = "arn:aws:iam::111122223333:user/alice"
REPORT = "arn:aws:s3:::first-bucket/reports/q1.csv"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


# -- check ------------------------------------------------------------------------------------


def test_check_by_arn_prints_the_decision_and_the_decisive_statement() -> None:
    code, out, _ = run("check", ALICE, "s3:GetObject", REPORT, *INPUTS)
    assert code == 0
    first = out.splitlines()[0]
    assert first.startswith(f"Allow: {ALICE} -> s3:GetObject on {REPORT}")
    assert "decisive: identity 'alice-reports (inline, user/alice)' statement ReadReports" in out


def test_check_by_short_name_resolves_to_the_same_principal() -> None:
    by_arn = run("check", ALICE, "s3:GetObject", REPORT, *INPUTS, "--json")
    for name in ("alice", "user/alice"):
        code, out, _ = run("check", name, "s3:GetObject", REPORT, *INPUTS, "--json")
        assert code == 0
        record = json.loads(out)
        assert record["request"]["principal_input"] == name
        assert record["request"]["principal"] == ALICE
        assert record["decision"] == json.loads(by_arn[1])["decision"] == "Allow"


def test_check_role_short_name_with_path() -> None:
    code, out, _ = run(
        "check",
        "role/service/first-lambda",
        "s3:PutObject",
        "arn:aws:s3:::first-backup/db.dump",
        *INPUTS,
        "-c",
        "aws:SecureTransport=true",
    )
    assert code == 0
    assert out.startswith("Allow: arn:aws:iam::111122223333:role/service/first-lambda")


def test_ambiguous_short_name_is_invalid_input_listing_the_candidates() -> None:
    code, out, err = run("check", "dev", "s3:GetObject", REPORT, *INPUTS)
    assert code == 2
    assert out == ""
    assert "ambiguous" in err
    assert "arn:aws:iam::111122223333:role/dev" in err
    assert "arn:aws:iam::111122223333:user/dev" in err
    assert "Traceback" not in err


def test_unknown_principal_suggests_close_names() -> None:
    code, _, err = run("check", "alcie", "s3:GetObject", REPORT, *INPUTS)
    assert code == 2
    assert "did you mean: arn:aws:iam::111122223333:user/alice" in err


def test_unknown_action_suggests_real_actions() -> None:
    code, _, err = run("check", "alice", "s3:GetObjcet", REPORT, *INPUTS)
    assert code == 2
    assert "unknown action 's3:GetObjcet'" in err
    assert "did you mean: s3:GetObject" in err


def test_unknown_action_with_json_reports_the_error_as_json() -> None:
    code, out, _ = run("check", "alice", "s3:GetObjcet", REPORT, *INPUTS, "--json")
    assert code == 2
    assert "s3:GetObject" in json.loads(out)["error"]


def test_resource_the_action_does_not_act_on_is_invalid_input() -> None:
    code, _, err = run("check", "alice", "iam:CreateRole", REPORT, *INPUTS)
    assert code == 2
    assert "is not a resource iam:CreateRole acts on" in err


def test_explicit_deny_still_exits_0() -> None:
    code, out, _ = run(
        "check", "role/dev", "iam:CreateRole", "arn:aws:iam::111122223333:role/x", *INPUTS
    )
    assert code == 0
    assert out.startswith("ExplicitDeny:")
    assert "blocked by: permissions boundary" in out
    assert "decisive: boundary 'dev-boundary' statement NoRoleCreation (Deny)" in out


def test_scp_of_the_organization_applies() -> None:
    code, out, _ = run("check", "role/dev", "s3:DeleteBucket", "arn:aws:s3:::first-backup", *INPUTS)
    assert code == 0
    assert out.startswith("ExplicitDeny:")
    assert "scp[level 1] 'protect-buckets' statement NoBucketDeletion (Deny)" in out


def test_context_values_decide_conditions() -> None:
    args = ("check", "alice", "s3:ListBucket", "arn:aws:s3:::first-bucket", *INPUTS)
    code, out, _ = run(*args, "--context", "aws:SourceIp=10.1.2.3")
    assert code == 0 and out.startswith("Allow:")
    code, out, _ = run(*args, "-c", "aws:SourceIp=192.0.2.1", "--explain")
    assert code == 0 and out.startswith("ImplicitDeny:")
    assert "[FAIL] IpAddress aws:SourceIp" in out


def test_missing_context_key_is_named() -> None:
    code, out, _ = run(
        "check", "alice", "s3:ListBucket", "arn:aws:s3:::first-bucket", *INPUTS, "--json"
    )
    record = json.loads(out)
    assert code == 0
    assert record["decision"] == "ImplicitDeny"
    assert record["missing_context_keys"] == ["aws:SourceIp"]


def test_cross_account_with_context_from_the_command_line() -> None:
    args = ("check", "arn:aws:iam::444455556666:role/backup", "s3:GetObject")
    args += ("arn:aws:s3:::first-backup/db.dump", *INPUTS)
    code, out, _ = run(*args, "-c", "aws:SecureTransport=true")
    assert code == 0 and out.startswith("Allow:")
    assert "principal matched as ENTITY" in out
    code, out, _ = run(*args, "-c", "aws:SecureTransport=false")
    assert out.startswith("ExplicitDeny:") and "TlsOnly" in out


def test_json_output_carries_the_context_and_assumptions() -> None:
    code, out, _ = run(
        "check",
        "alice",
        "s3:GetObject",
        REPORT,
        *INPUTS,
        "--json",
        "-c",
        "aws:TagKeys=team,env",
        "--now",
        "2025-01-31T12:00:00Z",
    )
    record = json.loads(out)
    assert code == 0
    context = record["request"]["context"]
    assert context["aws:TagKeys"] == ["team", "env"]
    assert context["aws:CurrentTime"] == "2025-01-31T12:00:00Z"
    assert context["aws:PrincipalTag/team"] == "first"
    assert record["assumptions"] == []
    assert "statements" not in record  # only with --explain


def test_check_explain_prints_every_policy_type() -> None:
    code, out, _ = run("check", "alice", "s3:GetObject", REPORT, *INPUTS, "--explain")
    assert code == 0
    assert "Identity-based policies: allows" in out
    assert "Service control policies (SCP), level 0 (root): allows" in out


def test_check_real_export_by_short_name() -> None:
    code, out, _ = run(
        "check", "biden", "s3:GetObject", "arn:aws:s3:::bucket/key", "-i", str(REAL_GAAD)
    )
    assert code == 0
    assert out.startswith("Allow: arn:aws:iam::012345678901:user/biden")
    assert "assumed: the owner of arn:aws:s3:::bucket/key is unknown" in out


def test_unrecognised_input_is_a_clean_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"hello": "world"}')
    code, _, err = run("check", "alice", "s3:GetObject", REPORT, "-i", str(bogus))
    assert code == 2
    assert str(bogus) in err and "not a recognised input" in err


def test_missing_input_file_exits_2(tmp_path: Path) -> None:
    code, _, err = run("check", "alice", "s3:GetObject", REPORT, "-i", str(tmp_path / "no.json"))
    assert code == 2
    assert "does not exist" in err


def test_inputs_are_required() -> None:
    code, _, err = run("check", "alice", "s3:GetObject", REPORT)
    assert code == 2
    assert "--input" in err


@pytest.mark.parametrize(
    "bad", ["aws:SourceIp", "=1.2.3.4", "SourceIp=1.2.3.4", 'aws:TagKeys=["a", {"b": 1}]']
)
def test_malformed_context_exits_2(bad: str) -> None:
    code, _, err = run("check", "alice", "s3:GetObject", REPORT, *INPUTS, "-c", bad)
    assert code == 2
    assert "--context" in err


def test_malformed_now_exits_2() -> None:
    code, _, err = run("check", "alice", "s3:GetObject", REPORT, *INPUTS, "--now", "yesterday")
    assert code == 2
    assert "ISO 8601" in err


def test_help_has_examples() -> None:
    for command in ("check", "explain"):
        code, out, _ = run(command, "--help")
        assert code == 0
        assert "Examples:" in out and "PRINCIPAL" in out and "--context" in out


# -- --context parsing --------------------------------------------------------------------------


def test_parse_context_scalars_keep_commas() -> None:
    assert parse_context(["aws:UserAgent=curl/8, linux", "s3:prefix=home/"]) == {
        "aws:UserAgent": "curl/8, linux",
        "s3:prefix": "home/",
    }


def test_parse_context_lists() -> None:
    parsed = parse_context(
        [
            "aws:TagKeys=team, env",  # multivalued: commas split
            "aws:PrincipalOrgPaths=",  # present, no values
            "aws:CalledVia=athena.amazonaws.com",
            "aws:CalledVia=glue.amazonaws.com",  # a repeated multivalued key: a list
            'kms:EncryptionContextKeys=["a,b", "c"]',  # ArrayOfString: a JSON array is a list
            "custom:thing=a",
            "custom:thing=b",  # a key of unknown type: accepted as given
        ]
    )
    assert parsed == {
        "aws:TagKeys": ["team", "env"],
        "aws:PrincipalOrgPaths": [],
        "aws:CalledVia": ["athena.amazonaws.com", "glue.amazonaws.com"],
        "kms:EncryptionContextKeys": ["a,b", "c"],
        "custom:thing": ["a", "b"],
    }


def test_parse_context_value_may_contain_equals() -> None:
    assert parse_context(["aws:Referer=https://x.example/?a=b"]) == {
        "aws:Referer": "https://x.example/?a=b"
    }


def test_parse_context_rejects_non_keys() -> None:
    with pytest.raises(InputError, match="not a condition key"):
        parse_context(["SourceIp=1.2.3.4"])


def test_parse_now() -> None:
    assert parse_now(None) is None
    naive = parse_now("2025-01-31T12:00:00")
    zulu = parse_now("2025-01-31T12:00:00Z")
    assert naive == zulu and zulu is not None and zulu.utcoffset() is not None


# -- explain ------------------------------------------------------------------------------------


def _explain(*args: str) -> str:
    """The explanation with its line wrapping undone (sentences are wrapped at 92 columns)."""
    code, out, _ = run("explain", *args, *INPUTS, "--now", "2025-01-31T12:00:00Z")
    assert code == 0, out
    return " ".join(out.split())


def test_explain_walks_the_steps_in_aws_order() -> None:
    out = _explain("alice", "s3:GetObject", REPORT)
    titles = [
        "Step 1. Explicit deny",
        "Resource control policies (RCPs)",
        "Service control policies (SCPs)",
        "Resource-based policy",
        "Identity-based policies",
        "Permissions boundary",
    ]
    positions = [out.index(title) for title in titles]
    assert positions == sorted(positions)
    assert out.startswith(f"Question: can {ALICE} perform s3:GetObject on {REPORT}?")
    assert "Answer: ALLOWED" in out
    assert "Found:" in out and "Meaning:" in out
    # organization levels are named from the organization file
    assert "level 1 (an OU, Workloads)" in out
    assert "level 2 (the account, apps)" in out
    # the granting statement is shown with its JSON
    assert '"Sid": "ReadReports"' in out
    assert "Identity-based policies — GRANTS" in out
    assert "Conclusion: ALLOWED" in out


def test_explain_keeps_the_statement_json_readable() -> None:
    code, out, _ = run("explain", "alice", "s3:GetObject", REPORT, *INPUTS)
    assert code == 0
    assert '           "Sid": "ReadReports",\n' in out


def test_explain_cross_account_says_how_the_resource_policy_named_the_caller() -> None:
    out = _explain(
        "arn:aws:iam::444455556666:role/backup",
        "s3:GetObject",
        "arn:aws:s3:::first-backup/db.dump",
        "-c",
        "aws:SecureTransport=true",
    )
    assert "in different accounts" in out
    assert "its Principal names the role or IAM user behind the caller's session" in out
    assert "Across accounts the caller's own account must allow too" in out
    # the TLS deny failed only on its condition: shown with its JSON and the failed check
    assert "[FAIL] Bool aws:SecureTransport ['false'] vs request true" in out
    assert '"Sid": "TlsOnly"' in out


def test_explain_boundary_that_blocks() -> None:
    out = _explain("role/dev", "iam:ListRoles")
    assert "Answer: DENIED (implicit deny" in out
    assert "Permissions boundary — BLOCKS" in out
    assert "The action is outside the boundary" in out
    assert "Session policy" in out  # a role session: the session step is shown


def test_explain_explicit_deny_from_an_scp() -> None:
    out = _explain("role/dev", "s3:DeleteBucket", "arn:aws:s3:::first-backup")
    assert "Step 1. Explicit deny — DENIES" in out
    assert "Service control policies (SCPs) — DENIES" in out
    assert "explicitly denied by 'protect-buckets' statement NoBucketDeletion" in out


def test_explain_missing_context_is_explained() -> None:
    out = _explain("alice", "s3:ListBucket", "arn:aws:s3:::first-bucket")
    assert "depended on context keys the request did not have: aws:SourceIp" in out
    assert "--context KEY=VALUE" in out


def test_explain_anonymous_reader_of_a_public_bucket() -> None:
    out = _explain("anonymous", "s3:GetObject", "arn:aws:s3:::public-site/index.html")
    assert "Answer: ALLOWED" in out
    assert "an anonymous (unsigned) caller" in out
    assert "has no identity-based policies" in out


def test_explain_json_has_steps_and_statement_documents() -> None:
    code, out, _ = run("explain", "role/dev", "iam:ListRoles", *INPUTS, "--json")
    record = json.loads(out)
    assert code == 0
    assert record["decision"] == "ImplicitDeny"
    keys = [step["step"] for step in record["steps"]]
    assert keys == ["deny", "rcp", "scp", "resource", "identity", "boundary", "session"]
    boundary = record["steps"][keys.index("boundary")]
    assert boundary["outcome"] == "block"
    documents = [s["document"] for s in boundary["statements"]]
    assert {"Sid": "AllowS3", "Effect": "Allow", "Action": "s3:*", "Resource": "*"} in documents
    scp = record["steps"][keys.index("scp")]
    assert scp["levels"][0]["label"] == "level 0 (the root, Root)"


# -- the explanation as a library, for policy types the CLI world does not have ------------------


def _statement(effect: str, action: str, **extra: object) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": effect, "Action": action, **extra}]}


def _explained(
    principal: str, action: str, target: str, policies: dict[str, list[dict[str, object]]]
) -> str:
    """Evaluate with the given documents per policy type and render the explanation."""
    from iamsim import PolicySet, evaluate, make_request, parse_policy
    from iamsim.report.explain import explain_decision, render_explanation

    fields: dict[str, object] = {}
    for ptype, documents in policies.items():
        parsed = tuple(parse_policy(d, ptype, name=f"{ptype}-{i}") for i, d in enumerate(documents))
        fields["resource" if ptype in ("resource", "trust") else ptype] = (
            parsed[0] if ptype in ("resource", "trust", "boundary") else parsed
        )
    request = make_request(principal, action, target)
    policy_set = PolicySet(**fields)  # type: ignore[arg-type]
    explanation = explain_decision(evaluate(request, policy_set), policy_set)
    return " ".join(render_explanation(explanation).split())


SESSION = "arn:aws:sts::111122223333:assumed-role/dev/alice"


def test_explain_session_policy_that_blocks() -> None:
    out = _explained(
        SESSION,
        "s3:PutObject",
        "arn:aws:s3:::b/k",
        {
            "identity": [_statement("Allow", "s3:*", Resource="*")],
            "session": [_statement("Allow", "s3:GetObject", Resource="*")],
        },
    )
    assert "Answer: DENIED (implicit deny" in out
    assert "Session policy — BLOCKS" in out
    assert "caps the session below its role" in out


def test_explain_endpoint_policy_that_blocks() -> None:
    out = _explained(
        SESSION,
        "s3:PutObject",
        "arn:aws:s3:::b/k",
        {
            "identity": [_statement("Allow", "s3:*", Resource="*")],
            "endpoint": [_statement("Allow", "s3:GetObject", Resource="*", Principal="*")],
        },
    )
    assert "VPC endpoint policy — BLOCKS" in out
    assert "Requests through an endpoint need its policy to allow them" in out


def test_explain_kms_key_policy_that_does_not_allow() -> None:
    out = _explained(
        "arn:aws:iam::111122223333:user/alice",
        "kms:Decrypt",
        "arn:aws:kms:us-east-1:111122223333:key/1234",
        {
            "identity": [_statement("Allow", "kms:*", Resource="*")],
            "resource": [
                _statement(
                    "Allow",
                    "kms:DescribeKey",
                    Resource="*",
                    Principal={"AWS": "arn:aws:iam::111122223333:root"},
                )
            ],
        },
    )
    assert "KMS key policy — BLOCKS" in out
    assert "IAM policies alone cannot grant access to the key" in out


def test_explain_trust_policy_missing() -> None:
    out = _explained(
        "arn:aws:iam::444455556666:user/bob",
        "sts:AssumeRole",
        "arn:aws:iam::111122223333:role/deploy",
        {"identity": [_statement("Allow", "sts:AssumeRole", Resource="*")]},
    )
    assert "Role trust policy — BLOCKS" in out
    assert "Without a trust policy that allows, the role cannot be assumed." in out
