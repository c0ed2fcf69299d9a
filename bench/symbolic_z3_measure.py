"""The measurement behind docs/semantics.md "Design choice": a z3 string/regex encoding of
the Action and Resource elements (no conditions) of the first 60 AWS managed policies, each
against itself and against AdministratorAccess in both directions (NEW allows and OLD does
not). z3-solver is not a dependency: ``pip install z3-solver`` to run it.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import z3  # type: ignore[import-not-found]

from iamsim.catalog.managed_policies import all_managed_policies, managed_policy


def glob_re(p: str, fold: bool) -> Any:
    parts = []
    for c in p:
        if c == "*":
            parts.append(z3.Star(z3.AllChar(z3.ReSort(z3.StringSort()))))
        elif c == "?":
            parts.append(z3.AllChar(z3.ReSort(z3.StringSort())))
        else:
            if fold and c.isalpha():
                parts.append(z3.Union(z3.Re(c.lower()), z3.Re(c.upper())))
            else:
                parts.append(z3.Re(c))
    if not parts:
        return z3.Re("")
    return z3.Concat(*parts) if len(parts) > 1 else parts[0]


def lst(v: Any) -> list[Any]:
    return [v] if isinstance(v, str) else list(v or [])


def allows(doc: dict[str, Any], a: Any, r: Any) -> Any:
    allow = []
    deny = []
    for s in lst(doc["Statement"]) if isinstance(doc["Statement"], list) else [doc["Statement"]]:
        if s.get("Condition"):
            continue
        if "Action" in s:
            ca = z3.Or([z3.InRe(a, glob_re(x, True)) for x in lst(s["Action"])])
        else:
            ca = z3.Not(z3.Or([z3.InRe(a, glob_re(x, True)) for x in lst(s["NotAction"])]))
        if "Resource" in s:
            cr = z3.Or([z3.InRe(r, glob_re(x, False)) for x in lst(s["Resource"])])
        else:
            cr = z3.Not(z3.Or([z3.InRe(r, glob_re(x, False)) for x in lst(s["NotResource"])]))
        (deny if s["Effect"] == "Deny" else allow).append(z3.And(ca, cr))
    return z3.And(
        z3.Or(allow) if allow else z3.BoolVal(False),
        z3.Not(z3.Or(deny)) if deny else z3.BoolVal(True),
    )


def main() -> None:
    docs = [d for d in all_managed_policies()][:60]
    admin_doc = managed_policy("AdministratorAccess")
    assert admin_doc is not None
    admin = admin_doc.document
    times = []
    res = {}
    for d in docs:
        for old, new, label in (
            (d.document, d.document, "self"),
            (admin, d.document, "admin-old"),
            (d.document, admin, "policy-old"),
        ):
            a = z3.String("a")
            r = z3.String("r")
            s = z3.Solver()
            s.set("timeout", 20000)
            s.add(allows(new, a, r), z3.Not(allows(old, a, r)))
            t = time.perf_counter()
            out = s.check()
            times.append(time.perf_counter() - t)
            res[(label, str(out))] = res.get((label, str(out)), 0) + 1
    print(
        len(times),
        f"queries; total {sum(times):.1f} s, median {statistics.median(times):.3f} s, max {max(times):.2f} s",
    )
    print(res)


if __name__ == "__main__":
    main()
