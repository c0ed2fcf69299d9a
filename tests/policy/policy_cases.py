"""Loading the YAML behaviour tables of tests/policy/cases/.

Each case is a mapping with:

* ``name``: what it shows; ``source``: the AWS documentation page it comes from (required);
* ``policy_type``: one of iamsim.policy.PolicyType's values;
* the document, one of ``text`` (raw JSON text, for syntax-level cases), ``policy`` (a mapping)
  or ``statement`` (one statement, wrapped in a 2012-10-17 policy as ``/Statement/0``);
* ``expect``: ``valid`` or ``error``; for errors ``path`` and ``reason`` are substrings of the
  PolicyError's JSON pointer and message, ``code`` (optional) the finding code;
* for check_policy tables, ``findings``: a list of ``{severity, code, path}`` that must appear
  (``absent`` lists codes that must not).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

CASES_DIR = Path(__file__).parent / "cases"
DOC_PREFIXES = ("https://docs.aws.amazon.com/", "https://repost.aws/")


def load_cases(filename: str) -> list[dict[str, Any]]:
    with (CASES_DIR / filename).open(encoding="utf-8") as handle:
        cases = yaml.safe_load(handle)
    assert isinstance(cases, list), filename
    for case in cases:
        assert case.get("source", "").startswith(DOC_PREFIXES), case.get("name")
    return cases


def document_of(case: dict[str, Any]) -> str | dict[str, Any]:
    if "text" in case:
        return str(case["text"])
    if "policy" in case:
        return dict(case["policy"])
    return {"Version": "2012-10-17", "Statement": [case["statement"]]}


def case_id(case: dict[str, Any]) -> str:
    return str(case["name"])
