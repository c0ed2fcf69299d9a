"""docs/security.md cannot drift from the code: every limit, with its default, is in the
table, and the README links the page."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from iamsim import limits

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security.md"


def _table_rows() -> dict[str, str]:
    rows: dict[str, str] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\|\s*`(\w+)`\s*\|(.*)", line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


def test_every_limit_is_documented_with_its_default() -> None:
    rows = _table_rows()
    fields = dataclasses.fields(limits.Limits)
    for field in fields:
        assert field.name in rows, f"docs/security.md: no row for limit {field.name}"
        default = getattr(limits.DEFAULT_LIMITS, field.name)
        assert f"`{default:_}`" in rows[field.name], (
            f"docs/security.md: {field.name} should show its default `{default:_}`"
        )
    assert set(rows) == {f.name for f in fields}, "the table lists a limit that does not exist"


def test_readme_links_the_security_page() -> None:
    assert "(docs/security.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
