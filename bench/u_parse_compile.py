"""CPU per scenario of parsing and compiling scenarios that each carry their own policy text.

Usage: ``python bench/u_parse_compile.py FILE.jsonl [ROUNDS]`` over a file written by
``eval_bench.write_jsonl(path, n, "unique")``. Prints microseconds of CPU per scenario, the
minimum over ROUNDS (default 3), with the cyclic collector off (``iamsim eval`` runs it
rarely, see iamsim.checks.batch_gc, and its cost depends on what else the process holds):

- ``parse_scenario``: the whole scenario, request and policy block (every cache emptied);
- ``construct``: ``CompiledPolicySet`` of each parsed set (the compiled-policy cache emptied);
- ``first_decide`` / ``again_decide``: ``evaluate(..., explain=False)`` on each set the first
  time (statements complete their lazy compilation) and a second time (already compiled):
  their difference is what the first request pays for compilation.

Run it with two checkouts' interpreters one after the other to compare them (A/B, same load).
"""

from __future__ import annotations

import gc
import sys
import time
from typing import Any

from iamsim.checks import policy_cache
from iamsim.checks.jsonl import open_lines, scenario_lines
from iamsim.checks.scenarios import Scenario, parse_scenario
from iamsim.engine import compiled
from iamsim.engine.decision import CompiledPolicySet, evaluate


def _parse_all(items: list[tuple[str, Any]], path: str) -> list[Scenario]:
    return [
        parse_scenario(item, name=str(item["name"]), source=label, file=path, from_json=True)
        for label, item in items
    ]


def main() -> None:
    path = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    items = [(label, item) for _, label, item in scenario_lines(open_lines(path, path), path)]
    count = len(items)
    gc.freeze()
    gc.disable()
    best: dict[str, float] = {}

    def note(name: str, start: float) -> None:
        spent = time.process_time() - start
        best[name] = min(best.get(name, spent), spent)

    for _ in range(rounds):
        policy_cache.clear()
        start = time.process_time()
        scenarios = _parse_all(items, path)
        note("parse_scenario", start)
        compiled.forget_compiled()
        start = time.process_time()
        sets = [CompiledPolicySet(s.policies) for s in scenarios]
        note("construct", start)
        for name in ("first_decide", "again_decide"):
            start = time.process_time()
            for scenario, compiled_set in zip(scenarios, sets, strict=True):
                evaluate(scenario.request, compiled_set, explain=False)
            note(name, start)
    print({name: round(spent / count * 1e6, 1) for name, spent in best.items()})


if __name__ == "__main__":
    main()
