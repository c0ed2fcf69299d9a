"""Policy parsing per document: ``parse_policy`` (lean path first) against the located parser.

Two corpora, in one process, interleaved round by round:

- (U) the policy documents of ``eval_bench.py``'s unique workload (five per scenario: an identity
  policy, a boundary with a policy variable, three SCP levels), each with text of its own;
- (M) the packaged AWS managed policies, parsed as identity policies.

``located`` is :func:`iamsim.policy.parser.analyze` (what ``parse_policy`` did before the lean
path: every element visited with its JSON pointer); ``lean`` is ``parse_policy``, which tries
:mod:`iamsim.policy.lean` and falls back to the located parser only for a document with a
finding. Times are CPU seconds of this process (``time.process_time``).

Run: ``.venv/bin/python bench/parse_bench.py [--scenarios 3000] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from iamsim.policy.model import PolicyType
from iamsim.policy.parser import analyze, parse_policy

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import eval_bench  # noqa: E402  (a sibling script, not a package)

MANAGED = HERE.parent / "src" / "iamsim" / "data" / "aws-managed-policies.json.gz"


def unique_documents(count: int) -> list[tuple[Any, PolicyType]]:
    docs: list[tuple[Any, PolicyType]] = []
    for i in range(count):
        policies = eval_bench.scenario(i, "unique")["policies"]
        docs.append((policies["identity"][0], PolicyType.IDENTITY))
        docs.append((policies["boundary"], PolicyType.BOUNDARY))
        docs.extend((level[0], PolicyType.SCP) for level in policies["scp"])
    return docs


def managed_documents() -> list[tuple[Any, PolicyType]]:
    with gzip.open(MANAGED, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    policies = data["policies"] if isinstance(data, dict) and "policies" in data else data
    items = policies if isinstance(policies, list) else list(policies.values())
    docs = [p["document"] for p in items]
    return [(json.loads(d) if isinstance(d, str) else d, PolicyType.IDENTITY) for d in docs]


def _time(parse: Any, docs: list[tuple[Any, PolicyType]]) -> float:
    started = time.process_time()
    for document, policy_type in docs:
        parse(document, policy_type)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenarios", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}")
    for label, docs in (("U", unique_documents(args.scenarios)), ("M", managed_documents())):
        located, lean = [], []
        for _ in range(args.rounds):
            located.append(_time(analyze, docs))
            lean.append(_time(parse_policy, docs))
        a, b = statistics.median(located), statistics.median(lean)
        n = len(docs)
        print(
            f"{label}: {n} documents; located {a * 1e6 / n:.1f} us/doc, "
            f"lean {b * 1e6 / n:.1f} us/doc, {a / b:.2f}x (median of {args.rounds})"
        )


if __name__ == "__main__":
    main()
