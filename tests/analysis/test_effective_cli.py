"""``iamsim permissions`` and ``iamsim who-can`` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from iamsim.cli.main import cli
from iamsim.policy import PolicyType, parse_policy

DATA = Path(__file__).parent / "data"
INPUTS = [
    "-i",
    str(DATA / "gaad.yaml"),
    "-i",
    str(DATA / "org.yaml"),
    "-i",
    str(DATA / "resources.yaml"),
]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_permissions_text() -> None:
    code, out = run("permissions", "dev", *INPUTS, "--service", "s3")
    assert code == 0, out
    assert "Effective permissions of arn:aws:iam::222222222222:user/dev" in out
    assert "DevBoundary" in out
    assert "arn:aws:s3:::first-*" in out


def test_permissions_json_is_stable() -> None:
    code, out = run("permissions", "limited", *INPUTS, "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["principal"] == "arn:aws:iam::222222222222:user/limited"
    statuses = {a["action"]: a["status"] for a in data["actions"]}
    case = data["cases"][next(a["case"] for a in data["actions"] if a["action"] == "kms:Decrypt")]
    assert case["grants"][0]["conditions"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    assert statuses["iam:DeleteUser"] == "denied"
    assert statuses["kms:Decrypt"] == "conditional"
    parse_policy(data["policy"], PolicyType.IDENTITY)
    assert run("permissions", "limited", *INPUTS, "--json")[1] == out


def test_permissions_policy_is_a_valid_document() -> None:
    code, out = run("permissions", "dev", *INPUTS, "--policy")
    assert code == 0, out
    policy = parse_policy(out, PolicyType.IDENTITY)
    assert any("ec2:Describe*" in (s.actions or ()) for s in policy.statements)


def test_permissions_compare_boundary() -> None:
    code, out = run("permissions", "dev", *INPUTS, "--service", "s3", "--compare-boundary")
    assert code == 0, out
    assert "identity policies grant" in out and "within the boundary" in out


def test_permissions_invalid_input_exits_2() -> None:
    code, out = run("permissions", "nobody", *INPUTS)
    assert code == 2 and "nobody" in out
    code, out = run("permissions", "dev", *INPUTS, "--service", "nosuchservice")
    assert code == 2


def test_who_can_text_and_json() -> None:
    topic = "arn:aws:sns:eu-west-1:222222222222:alerts"
    code, out = run("who-can", "sns:Publish,sns:GetTopicAttributes", topic, *INPUTS)
    assert code == 0, out
    assert "arn:aws:iam::999999999999:root" in out and "anonymous" in out
    code, out = run("who-can", "sns:*Topic*", topic, *INPUTS, "--json")
    assert code == 0, out
    data = json.loads(out)
    assert "sns:GetTopicAttributes" in data["actions"]
    assert any(p["kind"] == "anonymous" for p in data["principals"])


def test_who_can_show_blocked_and_bad_action() -> None:
    code, out = run(
        "who-can", "iam:DeleteUser", "arn:aws:iam::222222222222:user/x", *INPUTS, "--show-blocked"
    )
    assert code == 0, out
    assert "permissions boundary" in out
    code, out = run("who-can", "s3:GetObjct", "arn:aws:s3:::b/k", *INPUTS)
    assert code == 2 and "did you mean" in out


def _example_model() -> str:
    from iamsim.cli.demo_cmd import example_dir

    return str(example_dir() / "model")


def _summary(out: str) -> str:
    return next(line for line in out.splitlines() if "actions allowed" in line)


def test_permissions_context_decides_region_conditions() -> None:
    # The example's OU SCP denies requests outside eu-west-1/eu-central-1; with the Region
    # unknown those grants are conditional, with it given they are decided either way.
    base = ("permissions", "role/developer", "-i", _example_model(), "--service", "s3")
    code, unknown = run(*base)
    assert code == 0, unknown
    assert "allowed under conditions, 0 granted" in _summary(unknown)
    assert " 0 allowed under conditions" not in _summary(unknown)
    code, inside = run(*base, "-c", "aws:RequestedRegion=eu-west-1")
    assert code == 0 and " 0 allowed under conditions" in _summary(inside)
    assert "0 explicitly denied" in _summary(inside)
    code, outside = run(*base, "-c", "aws:RequestedRegion=ap-southeast-2")
    assert code == 0 and " 0 allowed under conditions" in _summary(outside)
    assert "0 explicitly denied" not in _summary(outside)


def test_who_can_context_settles_conditions() -> None:
    args = ("who-can", "s3:PutObject", "arn:aws:s3:::first-backups/db.gz")
    args += ("-i", _example_model(), "-c", "aws:RequestedRegion=eu-west-1", "--json")
    code, out = run(*args)
    assert code == 0, out
    unless = [
        u for p in json.loads(out)["principals"] for a in p["actions"] for u in a.get("unless", [])
    ]
    assert any("SecureTransport" in json.dumps(u) for u in unless)  # not given: still a caveat
    code, out = run(*args, "-c", "aws:SecureTransport=true")
    assert code == 0, out
    unless = [
        u for p in json.loads(out)["principals"] for a in p["actions"] for u in a.get("unless", [])
    ]
    assert not any("SecureTransport" in json.dumps(u) for u in unless)


def test_who_can_region_option() -> None:
    args = ("who-can", "s3:GetObject", "arn:aws:s3:::first-data/customers.csv")
    args += ("-i", _example_model(), "--json")
    inside = json.loads(run(*args, "--region", "eu-west-1")[1])
    outside = json.loads(run(*args, "--region", "ap-south-1")[1])
    # The OU's SCP denies requests outside its Regions; the root user of a member account too.
    assert len(inside["principals"]) > len(outside["principals"])


def test_permissions_says_when_every_action_is_allowed() -> None:
    gaad = str(
        Path(__file__).resolve().parents[1] / "real_inputs" / "gaad" / "cloudsplaining-example.json"
    )
    code, out = run("permissions", "obama", "-i", gaad, "--service", "s3")
    assert code == 0, out
    assert "actions allowed (every s3 action)" in out
