"""Benchmarks of the symbolic layer (docs/benchmarks.md, "Symbolic layer").

* ``compare``: every bundled AWS managed policy against itself (PASS expected) and against
  ``AdministratorAccess`` in both directions;
* ``discover``: discover-mode decisions per second on the engine benchmark's workload.

Run: ``.venv/bin/python bench/symbolic_bench.py [compare|discover]``.
"""

from __future__ import annotations

import signal
import sys
import time
from collections import Counter
from pathlib import Path

from iamsim.analysis.symbolic import SymbolicLimitError, compare
from iamsim.catalog.managed_policies import all_managed_policies, managed_policy
from iamsim.policy import PolicyType, parse_policy


def bench_compare() -> None:
    policies = []
    for doc in all_managed_policies():
        policies.append(parse_policy(doc.document, PolicyType.IDENTITY, name=doc.name))
    admin_doc = managed_policy("AdministratorAccess")
    assert admin_doc is not None
    admin = parse_policy(admin_doc.document, PolicyType.IDENTITY, name="AdministratorAccess")
    outcomes: Counter[str] = Counter()
    slowest: list[tuple[float, str, str]] = []
    start = time.perf_counter()
    cpu = time.process_time()
    for policy in policies:
        for label, old, new in (
            ("self", policy, policy),
            ("admin-old", admin, policy),
            ("policy-old", policy, admin),
        ):
            t0 = time.perf_counter()
            try:
                result = compare(old, new).result
            except SymbolicLimitError:
                result = "LIMIT"
            took = time.perf_counter() - t0
            if took > 1.0:
                print(f"  slow: {took:.2f} s {label} {policy.label} {result}", flush=True)
            outcomes[f"{label}:{result}"] += 1
            slowest.append((took, label, policy.label))
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu
    slowest.sort(reverse=True)
    print(f"compare: {len(policies)} policies x 3 comparisons in {total:.1f} s ({cpu:.1f} s CPU)")
    print(f"  outcomes: {dict(sorted(outcomes.items()))}")
    for took, label, name in slowest[:5]:
        print(f"  slowest: {took:.3f} s {label} {name}")


def bench_discover(seconds: float = 5.0) -> None:
    """Discover mode on engine_bench's complex workload (SCP levels, boundary, bucket policy,
    RCP), with the caller's team tag, source IP, TLS flag and organization made unknown."""
    sys.path.insert(0, str(Path(__file__).parent))
    from engine_bench import workload_complex  # type: ignore[import-not-found]

    from iamsim.analysis.symbolic import discover
    from iamsim.engine import Context, Request

    requests, compiled = workload_complex()
    hidden = {"aws:principaltag/team", "aws:sourceip", "aws:securetransport", "aws:principalorgid"}
    partial = [
        Request(
            caller=r.caller,
            action=r.action,
            resource=r.resource,
            resource_account=r.resource_account,
            context=Context(
                {k: v for k, v in r.context.as_dict().items() if k.lower() not in hidden}
            ),
        )
        for r in requests
    ]
    first = discover(partial[0], compiled)
    print(f"discover: {first.decision}, unknown {', '.join(first.unknown_keys)}")
    for block in first.residual:
        print(f"  residual: {block}")
    count = 0
    start = time.process_time()
    while time.process_time() - start < seconds:
        for request in partial:
            discover(request, compiled)
        count += len(partial)
    rate = count / (time.process_time() - start)
    print(f"discover: {rate:,.0f} decisions/s (CPU time)")


class _OverTime(Exception):
    pass


def _over_time(signum: int, frame: object) -> None:
    raise _OverTime


def bench_search(limit_s: float = 600.0, per_question_s: float = 5.0) -> None:
    """The full search alone (no structural shortcut, no probe): every managed policy against
    itself and against AdministratorAccess in both directions; a question is abandoned after
    5 s of CPU (counted as OVER-5s)."""
    signal.signal(signal.SIGPROF, _over_time)
    policies = [
        parse_policy(doc.document, PolicyType.IDENTITY, name=doc.name)
        for doc in all_managed_policies()
    ]
    admin = next(p for p in policies if p.name == "AdministratorAccess")
    outcomes: Counter[str] = Counter()
    slowest: list[tuple[float, str, str]] = []
    start = time.process_time()
    done = 0
    for policy in policies:
        for label, old, new in (
            ("self", policy, policy),
            ("admin-old", admin, policy),
            ("policy-old", policy, admin),
        ):
            t0 = time.process_time()
            signal.setitimer(signal.ITIMER_PROF, per_question_s)
            try:
                result = compare(old, new, shortcuts=False).result
            except SymbolicLimitError:
                result = "LIMIT"
            except _OverTime:
                result = "OVER-5s"
            finally:
                signal.setitimer(signal.ITIMER_PROF, 0)
            outcomes[f"{label}:{result}"] += 1
            slowest.append((time.process_time() - t0, label, policy.label))
        done += 1
        if done % 100 == 0:
            spent = time.process_time() - start
            print(f"  {done} policies, {spent:.1f} s CPU, {dict(outcomes)}", flush=True)
        if time.process_time() - start > limit_s:
            break
    total = time.process_time() - start
    slowest.sort(reverse=True)
    print(f"search: {done} policies x 3 comparisons in {total:.1f} s CPU")
    print(f"  outcomes: {dict(sorted(outcomes.items()))}")
    for took, label, name in slowest[:8]:
        print(f"  slowest: {took:.3f} s {label} {name}")


if __name__ == "__main__":
    which = sys.argv[1:] or ["compare", "discover"]
    if "compare" in which:
        bench_compare()
    if "discover" in which:
        bench_discover()
    if "search" in which:
        bench_search()
