"""The get-account-authorization-details loader, on real exports and a hand-built one."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from ingest_paths import DATA, shared

from iamsim.ingest import load_input, load_inputs
from iamsim.model.managed import SNAPSHOT_SOURCE
from iamsim.policy.model import Effect, PolicyType

A = "222222222222"


@pytest.mark.parametrize(
    "name", ["cloudsplaining-example.json", "cloudsplaining-test-authz-details.json"]
)
def test_real_exports_load_with_matching_counts(name: str) -> None:
    path = shared(f"gaad/{name}")
    raw = json.loads(path.read_text())
    world = load_inputs([path])
    assert len(world.users) == len(raw["UserDetailList"])
    assert len(world.groups) == len(raw["GroupDetailList"])
    assert len(world.roles) == len(raw["RoleDetailList"])
    # Every policy of the file is there; nothing referenced is missing.
    assert {p["Arn"] for p in raw["Policies"]} <= set(world.managed_policies)
    assert not [n for n in world.notes if "not in the inputs" in n]
    for entry in raw["RoleDetailList"]:
        role = world.roles[entry["Arn"]]
        assert role.id == entry["RoleId"]
        assert role.trust_policy is not None
        assert role.trust_policy.policy_type is PolicyType.TRUST
        assert len(role.inline_policies) == len(entry["RolePolicyList"])
        assert role.service_linked == entry["Path"].startswith("/aws-service-role/")
    for entry in raw["Policies"]:
        policy = world.managed_policies[entry["Arn"]]
        assert policy.version_id == entry["DefaultVersionId"]
        assert len(policy.versions) == len(entry["PolicyVersionList"])


def test_largest_export_loads_fast() -> None:
    path = shared("gaad/cloudsplaining-example.json")
    start = time.perf_counter()
    world = load_inputs([path])
    elapsed = time.perf_counter() - start
    assert len(world.roles) == 78
    assert elapsed < 5.0, f"loading took {elapsed:.2f}s"


def test_one_file_with_two_accounts() -> None:
    world = load_inputs([shared("gaad/cloudsplaining-example.json")])
    assert sorted(world.accounts) == ["012345678901", "200611803367"]
    obama = world.find_principal("obama")
    assert obama.account == "012345678901"  # type: ignore[union-attr]


def test_both_real_exports_merge() -> None:
    world = load_inputs(
        [
            shared("gaad/cloudsplaining-example.json"),
            shared("gaad/cloudsplaining-test-authz-details.json"),
        ]
    )
    # The two exports overlap (same account 012345678901); AWS managed policies differ in
    # version between them and the newer one is kept.
    support = "arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy"
    assert world.managed_policies[support].version_id == "v28"
    assert any(support in note for note in world.notes)


def test_hand_built_export_details() -> None:
    world = load_inputs([DATA / "gaad-small.json"])
    alice = world.users[f"arn:aws:iam::{A}:user/alice"]
    assert alice.id == "AIDAALICE000000000001"
    assert alice.group_names == ("developers", "auditors")
    assert alice.boundary_arn == f"arn:aws:iam::{A}:policy/boundaries/dev-boundary"
    assert dict(alice.tags) == {"CostCenter": "42", "team": "blue"}
    # URL-encoded inline document.
    (inline,) = alice.inline_policies
    assert inline.statements[0].actions == ("sqs:SendMessage",)
    assert inline.name == "alice-inline (inline, user/alice)"
    role = world.roles[f"arn:aws:iam::{A}:role/app/app"]
    assert role.path == "/app/"
    assert role.instance_profile_arns == (f"arn:aws:iam::{A}:instance-profile/app",)
    assert role.trust_policy is not None
    assert role.trust_policy.statements[0].principal is not None
    data_read = world.managed_policies[f"arn:aws:iam::{A}:policy/data-read"]
    assert [v.version_id for v in data_read.versions] == ["v1", "v2"]
    assert data_read.version_id == "v2"
    assert data_read.document.statements[0].sid == "ReadData"
    assert not data_read.is_aws_managed and data_read.attachment_count == 2
    assert world.sources[alice.arn] == str(DATA / "gaad-small.json")


def test_aws_managed_policies_resolve_from_snapshot() -> None:
    world = load_inputs([DATA / "gaad-small.json"])
    audit = world.managed_policies["arn:aws:iam::aws:policy/SecurityAudit"]
    assert audit.is_aws_managed
    assert world.sources[audit.arn] == SNAPSHOT_SOURCE
    assert audit.document.statements
    assert all(s.effect in (Effect.ALLOW, Effect.DENY) for s in audit.document.statements)
    unresolved = load_input(DATA / "gaad-small.json")
    assert "arn:aws:iam::aws:policy/SecurityAudit" not in unresolved.managed_policies


def test_missing_customer_policy_is_reported(tmp_path: Path) -> None:
    doc = json.loads((DATA / "gaad-small.json").read_text())
    doc["Policies"] = [p for p in doc["Policies"] if p["PolicyName"] != "data-read"]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(doc))
    world = load_inputs([path])
    assert any(f"arn:aws:iam::{A}:policy/data-read" in n for n in world.notes)
