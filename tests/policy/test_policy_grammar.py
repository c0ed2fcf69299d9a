"""The grammar and policy-type tables (cases/grammar.yaml, cases/policy_types.yaml)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from policy_cases import case_id, document_of, load_cases

from iamsim.policy import PolicyError, check_policy, parse_policy, policy_to_json

CASES = load_cases("grammar.yaml") + load_cases("policy_types.yaml")


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_case(case: dict[str, Any]) -> None:
    document = document_of(case)
    if case["expect"] == "valid":
        policy = parse_policy(document, case["policy_type"], source="case.json")
        # Valid documents render back to the same JSON value and re-parse to the same model.
        rendered = policy_to_json(policy)
        original = json.loads(document) if isinstance(document, str) else document
        assert json.loads(rendered) == original
        assert parse_policy(rendered, case["policy_type"], source="case.json") == policy
        # AWS stores it: no finding says AWS refuses it (validate may still warn).
        assert not [f for f in check_policy(document, case["policy_type"]) if f.aws_rejects]
        for code in case.get("findings", []):
            assert code in {f.code for f in check_policy(document, case["policy_type"])}
        return
    assert case["expect"] == "error", case["name"]
    with pytest.raises(PolicyError) as info:
        parse_policy(document, case["policy_type"], source="case.json")
    error = info.value
    assert error.source == "case.json"
    assert case.get("path", "") in error.path, (error.path, error.reason)
    assert case.get("reason", "") in error.reason, error.reason
    if "code" in case:
        errors = [f for f in check_policy(document, case["policy_type"]) if f.aws_rejects]
        assert errors and errors[0].code == case["code"], errors
        assert errors[0].path == error.path and errors[0].message == error.reason


def test_every_policy_type_has_valid_and_invalid_cases() -> None:
    from iamsim.policy import PolicyType

    for policy_type in PolicyType:
        kinds = {c["expect"] for c in CASES if c["policy_type"] == policy_type.value}
        assert kinds == {"valid", "error"}, policy_type
