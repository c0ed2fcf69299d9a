"""iamsim's compiled ``decide()`` against the peer's pre-parsed core engine, in one run.

Runs ``bench/engine_bench.py``'s workloads in this process (exporting them with iamsim's
decisions), then ``bench/peer_engine.mjs`` over the same file with node, and prints both rates
and their ratio against the targets of issue 10 (5x on the simple workload, 30x on the complex
one). Rates are per second of each process's CPU time. The peer must be installed first:
``make bench-peer`` does both. Exit status 1 when the two engines disagree on a decision.

Run: ``python bench/engine_vs_peer.py [--seconds 3] [--count 20000] [--json out.json]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from engine_bench import DEFAULT_COUNT, run  # noqa: E402

TARGETS = {"a_simple": 5.0, "b_complex": 30.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    parser.add_argument("--json", dest="json_path")
    args = parser.parse_args()
    node = shutil.which("node")
    if node is None:
        print("node is not installed: the peer cannot run", file=sys.stderr)
        return 2
    if not (HERE / "peer" / "node_modules" / "@cloud-copilot" / "iam-simulate").is_dir():
        print("the peer is not installed: run `make bench-peer`", file=sys.stderr)
        return 2
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        workload = Path(tmp) / "workload.json"
        peer_json = Path(tmp) / "peer.json"
        print("== iamsim", flush=True)
        ours = run(args.seconds, args.count, str(workload))
        print("== peer", flush=True)
        script = str(HERE / "peer_engine.mjs")
        seconds = str(args.seconds)
        status = subprocess.call(
            [node, script, str(workload), "--seconds", seconds, "--json", str(peer_json)]
        )
        peer = json.loads(peer_json.read_text()) if peer_json.exists() else {}
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("== ratio (iamsim decide() / peer authorize(), CPU time)")
    summary: dict[str, object] = {"iamsim": ours, "peer": peer}
    for label, target in TARGETS.items():
        mine = ours[label]["decide_per_s"]  # type: ignore[index]
        theirs = peer.get(label, {}).get("authorize_per_s")
        if not theirs:
            continue
        ratio = mine / theirs
        verdict = "met" if ratio >= target else "NOT met"
        print(
            f"{label}: iamsim {mine:,}/s  peer {theirs:,}/s  ratio {ratio:.1f}x "
            f"(target {target:.0f}x: {verdict})"
        )
        summary[f"{label}_ratio"] = round(ratio, 2)
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(summary, indent=2))
    return 1 if status else 0


if __name__ == "__main__":
    sys.exit(main())
