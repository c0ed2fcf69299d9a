"""Scenario policies are parsed once per process per distinct document, and shared safely."""

from __future__ import annotations

import dataclasses
import json

import pytest

from iamsim.checks import policy_cache
from iamsim.checks.scenarios import Scenario, load_scenarios
from iamsim.engine.decision import compile_policy_set, evaluate
from iamsim.errors import InputError
from iamsim.policy.model import PolicyType

SCP = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"},
    ],
}
ALLOW_S3 = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}


def _scenario(i: int, action: str = "s3:GetObject", scp: object = SCP) -> dict[str, object]:
    return {
        "name": f"s{i}",
        "principal": f"arn:aws:iam::111122223333:user/u{i}",
        "action": action,
        "resource": f"arn:aws:s3:::bucket/object-{i}",
        "policies": {"identity": [ALLOW_S3], "scp": [[scp]]},
    }


def _load(items: list[dict[str, object]], source: str = "batch.json") -> list[Scenario]:
    loaded = load_scenarios(json.dumps(items), source)
    assert all(isinstance(s, Scenario) for s in loaded), loaded
    return [s for s in loaded if isinstance(s, Scenario)]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    policy_cache.clear()


def test_scenarios_of_a_file_share_each_distinct_document() -> None:
    # Kept from the second sighting on: the first scenario's documents are its own.
    met_once, first, second = _load([_scenario(0), _scenario(1), _scenario(2, "s3:DeleteObject")])
    assert met_once.policies.identity[0] is not first.policies.identity[0]
    assert first.policies.identity[0] is second.policies.identity[0]
    assert first.policies.scp is not None and second.policies.scp is not None
    assert first.policies.scp[0][0] is second.policies.scp[0][0]
    # The policy carries the file (the same for both); each scenario keeps its own request.
    assert first.policies.identity[0].source == "batch.json"
    # Sharing the Policy objects shares their compilation as well.
    assert compile_policy_set(first.policies) is compile_policy_set(second.policies)
    assert evaluate(first.request, first.policies).value.value == "Allow"
    assert evaluate(second.request, second.policies).value.value == "ExplicitDeny"


def test_different_documents_names_types_or_files_are_not_shared() -> None:
    base = _load([_scenario(1)])[0]
    other_scp = {**SCP, "Statement": SCP["Statement"][:1]}
    changed = _load([_scenario(2, scp=other_scp)])[0]
    assert changed.policies.scp is not None and base.policies.scp is not None
    assert changed.policies.scp[0][0] is not base.policies.scp[0][0]
    # The same document in another file: the Policy says which file it came from.
    elsewhere = _load([_scenario(3)], source="other.json")[0]
    assert elsewhere.policies.identity[0] is not base.policies.identity[0]
    assert elsewhere.policies.identity[0].source == "other.json"
    # The same document under another name.
    named = _scenario(4)
    named["policies"] = {"identity": [{"name": "mine", "document": ALLOW_S3}]}
    renamed = _load([named])[0]
    assert renamed.policies.identity[0].name == "mine"
    assert renamed.policies.identity[0] is not base.policies.identity[0]


def test_value_types_are_part_of_the_key() -> None:
    calls: list[int] = []

    def parse() -> object:
        calls.append(1)
        return object()

    for _ in range(2):  # kept from the second sighting on
        for document in ({"k": 1}, {"k": True}, {"k": 1.0}, {"k": "1"}, {1: "k"}, {"1": "k"}):
            policy_cache.cached_policy(document, PolicyType.IDENTITY, "n", "f", parse)  # type: ignore[arg-type]
    assert len(calls) == 12
    policy_cache.cached_policy({"k": 1}, PolicyType.IDENTITY, "n", "f", parse)  # type: ignore[arg-type]
    assert len(calls) == 12


def test_a_bad_document_is_refused_every_time() -> None:
    bad = _scenario(1)
    bad["policies"] = {"identity": [{"Version": "2012-10-17", "Statement": "nope"}]}
    for _ in range(2):
        (item,) = load_scenarios(json.dumps([bad]), "bad.json")
        assert not isinstance(item, Scenario)
        assert isinstance(item.error, InputError)
        assert "bad.json, scenario 's1'" in item.error.describe()


def test_shared_policies_are_immutable() -> None:
    policy = _load([_scenario(1)])[0].policies.identity[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.name = "changed"  # type: ignore[misc]
    statement = policy.statements[0]
    assert isinstance(policy.statements, tuple) and isinstance(statement.actions, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        statement.sid = "x"  # type: ignore[misc]


def test_scenarios_carrying_the_same_block_share_one_policy_set() -> None:
    policy_cache.clear()
    met_once, first, second, other = _load(
        [_scenario(0), _scenario(1), _scenario(2), _scenario(3, scp=ALLOW_S3)]
    )
    assert met_once.policies is not first.policies  # kept from the second sighting on
    assert second.policies is first.policies
    assert other.policies is not first.policies
    assert (
        other.policies.scp is not None
        and other.policies.scp[0][0].statements != (first.policies.scp or ((),))[0][0].statements
    )
    # The same block in another file: policies carrying that file, a set of their own.
    elsewhere, _ = _load([_scenario(4), _scenario(5)], source="other.json")
    assert elsewhere.policies is not first.policies
    assert elsewhere.policies.identity[0].source == "other.json"
    policy_cache.clear()


def test_a_trust_policy_block_is_not_shared_with_a_resource_policy_read() -> None:
    """The same ``resource`` document is a trust policy for sts:AssumeRole on a role (where a
    Resource element is refused) and a resource policy otherwise: the set is keyed by that too,
    in either order."""
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "111122223333"},
                "Action": "*",
                "Resource": "*",
            }
        ],
    }
    common = {"principal": "arn:aws:iam::111122223333:user/u", "policies": {"resource": doc}}
    trust = {**common, "action": "sts:AssumeRole", "resource": "arn:aws:iam::111122223333:role/r"}
    plain = {**common, "action": "s3:GetObject", "resource": "arn:aws:s3:::bucket/key"}
    for order in ([plain, trust], [trust, plain]):
        policy_cache.clear()
        loaded = {
            item["action"]: result
            for item, result in zip(order, load_scenarios(json.dumps(order), "b.json"), strict=True)
        }
        read = loaded["s3:GetObject"]
        assert isinstance(read, Scenario) and read.policies.resource is not None
        assert read.policies.resource.policy_type is PolicyType.RESOURCE
        assert not isinstance(loaded["sts:AssumeRole"], Scenario)  # Resource in a trust policy
    policy_cache.clear()


def test_a_bad_block_is_reported_by_every_scenario_carrying_it() -> None:
    policy_cache.clear()
    bad = {"Version": "2012-10-17", "Statement": [{"Effect": "Permit", "Action": "*"}]}
    loaded = load_scenarios(json.dumps([_scenario(1, scp=bad), _scenario(2, scp=bad)]), "b.json")
    assert [type(item).__name__ for item in loaded] == ["ScenarioError", "ScenarioError"]
    assert "'s1'" in loaded[0].error.describe()  # type: ignore[union-attr]
    assert "'s2'" in loaded[1].error.describe()  # type: ignore[union-attr]
    policy_cache.clear()


def test_a_policy_error_names_the_scenario_and_the_policy_carries_the_file() -> None:
    """A scenario's policy is parsed as carrying the scenario file; its errors still name the
    scenario (and the path inside it), both on the lean path's fallback and when located."""
    good, bad = _scenario(1), _scenario(2)
    bad["policies"] = {
        "identity": [ALLOW_S3, {"Version": "2012-10-17", "Statement": {"Effect": "Permit"}}]
    }
    first, second = load_scenarios(json.dumps([good, bad]), "batch.json")
    assert isinstance(first, Scenario) and not isinstance(second, Scenario)
    assert first.policies.identity[0].source == "batch.json"
    error = second.error
    assert error.source == "batch.json, scenario 's2'"
    assert error.path == "/1/policies/identity/1/Statement/Effect"
    assert "Permit" in error.reason
