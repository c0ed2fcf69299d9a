"""Real policies must parse: the AWS managed policies and the aws-samples SCP examples.

Both sets are real documents written outside this project (see tests/real_inputs/README.md and
src/iamsim/data/README.md for provenance). They are the best
evidence of what AWS accepts; where they contradict a documented rule the parser follows
them (see the warnings variable-outside-resource-part and empty-arn-resource).
"""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path
from typing import Any

import pytest

from iamsim.policy import PolicyType, check_policy, parse_policy, policy_to_json

# The packaged snapshot of AWS managed policies, and the real SCPs of tests/real_inputs.
MANAGED = (
    Path(__file__).resolve().parents[2] / "src" / "iamsim" / "data" / "aws-managed-policies.json.gz"
)
SCP_DIR = Path(__file__).resolve().parents[1] / "real_inputs" / "scp-examples"

# This example carries a "//" comment line and says so: "AWS IAM does not support comments,
# so please remove this line when using this policy". We check that the raw file is rejected
# and that it parses once the comment line is removed, as instructed.
COMMENTED = {"deny-service-specific-credential-by-type.json"}


def _managed_documents() -> dict[str, Any]:
    with gzip.open(MANAGED, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    policies = data["policies"] if isinstance(data, dict) and "policies" in data else data
    if isinstance(policies, list):
        return {p["name"]: p["document"] for p in policies}
    return {name: entry["document"] for name, entry in policies.items()}


def test_every_aws_managed_policy_parses_as_identity_policy() -> None:
    documents = _managed_documents()
    assert len(documents) > 1000
    start = time.perf_counter()
    for name, document in documents.items():
        if isinstance(document, str):
            document = json.loads(document)
        policy = parse_policy(document, PolicyType.IDENTITY, name=name)
        # Lossless: rendering gives back the same JSON value.
        assert json.loads(policy_to_json(policy)) == document, name
    assert time.perf_counter() - start < 10


def _policy_type_for(document: dict[str, Any]) -> PolicyType:
    statements = document["Statement"]
    statements = statements if isinstance(statements, list) else [statements]
    # An RCP names principals ("Principal": "*"); an SCP cannot.
    if any("Principal" in s for s in statements):
        return PolicyType.RCP
    return PolicyType.SCP


def _without_comment_lines(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.strip().startswith("//"))


SCP_FILES = sorted(SCP_DIR.rglob("*.json")) if SCP_DIR.is_dir() else []


@pytest.mark.parametrize("path", SCP_FILES, ids=lambda p: p.name)
def test_scp_example_parses(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if path.name in COMMENTED:
        findings = check_policy(text, PolicyType.SCP)
        assert [f.code for f in findings] == ["json-syntax"]
        text = _without_comment_lines(text)
    document = json.loads(text)
    policy_type = _policy_type_for(document)
    policy = parse_policy(text, policy_type, source=str(path))
    assert json.loads(policy_to_json(policy)) == document
    # Within the 5,120-character Organizations quota, and no errors at all.
    assert not [f for f in check_policy(text, policy_type) if f.severity == "error"]


def test_all_scp_examples_found() -> None:
    assert len(SCP_FILES) >= 50
