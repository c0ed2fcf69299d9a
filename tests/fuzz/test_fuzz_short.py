"""The short fuzz run inside ``make test``: every target, a fixed seed, a few cases each.

Deterministic: the cases depend only on the seed, and the oracle (exit status 0/1/2, no
traceback, within generous limits) does not depend on timing for any case that does not hang.
``make fuzz`` runs the long campaign (see docs/security.md).
"""

from __future__ import annotations

import pytest
from harness import RESULTS, TARGETS, Case, CaseLimits, campaign

SEED = "make-test"
CASES_PER_TARGET = 6
LIMITS = CaseLimits(memory_bytes=3 * 1024**3, cpu_seconds=30, wall_seconds=60.0)

# Cases of this fixed seed that fail in an area another branch is fixing; each is kept out of
# the short run only, and listed with its reason. Delete an entry once its fix is merged.
KNOWN_ELSEWHERE: dict[tuple[str, str], str] = {
    # h8-terraform (RE2 for Terraform regex functions): regex("(a*)*b", "aaa...") and
    # replace(..., "/(a+)+$/", ...) backtrack exponentially, past the wall-clock limit.
    ("hcl", "make-test-3"): "backtracking regex in regex()/replace() (h8-terraform)",
}


def _skip(case: Case) -> bool:
    return (case.target, case.ident) in KNOWN_ELSEWHERE


@pytest.mark.parametrize("target", list(TARGETS))
def test_short_fuzz_run(target: str) -> None:
    report = campaign(
        [target],
        seed=SEED,
        cases=CASES_PER_TARGET,
        limits=LIMITS,
        results=RESULTS,
        skip=_skip,
    )
    assert report.cases[target] == CASES_PER_TARGET
    failures = [
        f"{f.case.ident} (from {f.case.seed.path.name}): {f.outcome.reason}; saved in {f.saved}"
        for f in report.failures
    ]
    assert failures == [], "\n".join(failures)
