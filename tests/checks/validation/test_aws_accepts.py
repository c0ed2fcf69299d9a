"""``aws_rejects`` against what AWS does on write, over cases/aws_accepts.yaml (each case cites
its AWS page): the agreement rate must stay at least 97%."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from iamsim.checks.validation import check_document

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "cases" / "aws_accepts.yaml").read_text(encoding="utf-8")
)


def _refused(case: dict[str, Any]) -> bool:
    document = case["policy"]
    if "pad" in case:
        document = {**document}
        statement = dict(document["Statement"][0])
        statement["Condition"] = {"StringEquals": {"aws:username": "x" * int(case["pad"])}}
        document["Statement"] = [statement]
    _, findings = check_document(document, case["type"])
    return any(f.aws_rejects for f in findings)


@pytest.mark.parametrize("case", CASES, ids=lambda c: str(c["name"]))
def test_aws_rejects_agrees(case: dict[str, Any]) -> None:
    assert case["source"].startswith("https://docs.aws.amazon.com/")
    assert _refused(case) == (case["expect"] == "refuse")


def test_agreement_rate() -> None:
    agree = sum(_refused(c) == (c["expect"] == "refuse") for c in CASES)
    assert agree / len(CASES) >= 0.97
