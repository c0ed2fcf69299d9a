"""Loading the YAML behaviour tables in ``cases/`` (each case cites its AWS source)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from iamsim.vocabulary.request import Context

CASES_DIR = Path(__file__).parent / "cases"
DOC_PREFIX = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"


def load(name: str, section: str = "cases") -> list[dict[str, Any]]:
    """The cases of one table section; fails loudly if a case does not cite an AWS doc page."""
    with (CASES_DIR / name).open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    cases: list[dict[str, Any]] = data[section]
    for case in cases:
        source = case.get("source")
        assert isinstance(source, str) and source.startswith(DOC_PREFIX), (
            f"{name}: case {case!r} must cite its AWS documentation page in 'source'"
        )
    return cases


def case_id(case: dict[str, Any]) -> str:
    for field in ("pattern", "template", "value"):
        if field in case:
            other = case.get("resource", case.get("action", case.get("value", "")))
            text = f"{case[field]} ~ {other}" if field != "value" else str(case[field])
            return text[:90]
    return "case"


def context_of(case: dict[str, Any]) -> Context:
    return Context(case.get("context") or {})


def variables_enabled(case: dict[str, Any]) -> bool:
    return case.get("version", "2012-10-17") == "2012-10-17"
