"""The version of every JSON document the commands print: one constant per document kind.

Each ``--json`` document (and each record of a JSON Lines stream) starts with
``"schema_version": "KIND/N"``: KIND names the document's shape, N is raised whenever a key is
removed, renamed or changes meaning (adding a key does not raise it; readers ignore keys they do
not know). ``docs/json.md`` describes every kind listed here, and a test keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SCHEMA_VERSIONS: Mapping[str, int] = {
    "decision": 1,  # check --json
    "explanation": 1,  # explain --json
    "eval-record": 1,  # eval --json, one per scenario (JSON Lines)
    "eval-error": 1,  # eval --json, a scenario that could not be read (JSON Lines)
    "test-run": 1,  # test --format json
    "validation": 1,  # validate --json
    "permissions": 1,  # permissions --json
    "effective-policy": 1,  # permissions --policy --json
    "who-can": 1,  # who-can --json
    "escalation": 1,  # escalation --json
    "techniques": 1,  # escalation --list-techniques --json
    "boundary-audit": 1,  # audit boundaries --json
    "discover": 1,  # check --discover --json
    "policy-check": 1,  # compare / not-granted / no-public-access --json
    "world-diff": 1,  # diff --json
    "error": 1,  # any command with --json, on invalid input (exit status 2)
}


def schema_version(kind: str) -> str:
    """``KIND/N`` for a known document kind (KeyError for an unknown one: a programming error)."""
    return f"{kind}/{SCHEMA_VERSIONS[kind]}"


def versioned(kind: str, document: Mapping[str, Any]) -> dict[str, Any]:
    """``document`` with ``schema_version`` as its first key."""
    return {"schema_version": schema_version(kind), **document}
