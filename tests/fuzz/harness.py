"""Fuzz the ``iamsim`` command on mutated real inputs, each case in a limited child process.

One target per input kind (policy JSON, YAML, Terraform HCL folder, Terraform plan JSON,
CloudFormation, authorization-details exports, organization, resources file, scenario,
expectations). Each target mutates real files (``tests/real_inputs``, the packaged examples,
the loaders' test data) with :mod:`mutate` and runs an ``iamsim`` command on the result.

Each case runs in a child with ``RLIMIT_AS``, ``RLIMIT_CPU`` and a wall-clock timeout, either
forked from this process (the CLI is imported and its catalogs warmed once, so a case costs
only its own work) or as a fresh ``python`` subprocess (``--subprocess``, slower, nothing
shared). The oracle: the child exits 0, 1 or 2, prints no ``Traceback``, stays within the
limits, and on exit status 2 names the input file. A failing case is saved (its input folder, the command, the output) under the results
folder and, when cheap, minimised by deleting lines while it still fails the same way.

``python tests/fuzz/harness.py --seconds 120`` runs a campaign (``make fuzz``); the short,
deterministic run inside ``make test`` is ``tests/fuzz/test_fuzz_short.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``mutate`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from mutate import mutate  # type: ignore[import-not-found,no-redef]
else:
    from .mutate import mutate

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "src" / "iamsim" / "examples"
REAL = ROOT / "tests" / "real_inputs"
INGEST_DATA = ROOT / "tests" / "ingest" / "data"
RESULTS = Path(__file__).resolve().parent / "results"

GIB = 1024**3


@dataclass(frozen=True)
class CaseLimits:
    """What one case may use before it counts as a failure."""

    memory_bytes: int = 3 * GIB
    cpu_seconds: int = 30
    wall_seconds: float = 60.0


@dataclass(frozen=True)
class Seed:
    """A real input file; ``base`` is a folder copied around it (its companions)."""

    path: Path
    base: Path | None = None

    @property
    def rel(self) -> str:
        return str(self.path.relative_to(self.base)) if self.base else self.path.name


@dataclass(frozen=True)
class Target:
    """An input kind: its seeds, their syntax, and the commands run on a mutated one.

    In a command, ``{file}`` is the mutated file and ``{dir}`` the case folder.
    """

    name: str
    syntax: str  # "json", "yaml" or "hcl"; "auto" picks by suffix
    seeds: tuple[Seed, ...]
    commands: tuple[tuple[str, ...], ...]

    def syntax_of(self, seed: Seed) -> str:
        if self.syntax != "auto":
            return self.syntax
        return {".json": "json", ".tf": "hcl"}.get(seed.path.suffix, "yaml")


def _files(folder: Path, pattern: str) -> list[Path]:
    return sorted(p for p in folder.glob(pattern) if p.is_file())


def _targets() -> dict[str, Target]:
    model = EXAMPLES / "organization" / "model"
    org_dir = EXAMPLES / "organization"
    tf_dirs = [
        *sorted(p for p in (REAL / "terraform").iterdir() if p.is_dir()),
        *sorted(p for p in (EXAMPLES / "organization" / "terraform").iterdir() if p.is_dir()),
        *sorted(
            p.parent for p in (ROOT / "tests" / "ingest" / "terraform" / "data").rglob("main.tf")
        ),
    ]
    hcl_seeds = tuple(Seed(tf, d) for d in tf_dirs for tf in _files(d, "*.tf"))
    policies = [
        *_files(REAL / "scp-examples", "**/*.json"),
        *_files(REAL / "terraform", "*.json"),
        *_files(model / "scps", "*.json"),
        *_files(INGEST_DATA / "policies", "*.json"),
        *_files(INGEST_DATA / "scps", "*.json"),
    ]
    gaads = [
        *_files(INGEST_DATA, "gaad*.json"),
        *_files(ROOT / "tests" / "cli" / "data" / "world", "gaad*.json"),
        *_files(model, "gaad*.json"),
        *_files(REAL / "gaad", "*.json"),
    ]
    cfn = _files(ROOT / "tests" / "ingest" / "cloudformation" / "data", "*")
    scenarios = _files(EXAMPLES / "scenarios", "*.yaml")
    yaml_files = [
        *scenarios,
        model / "organization.yaml",
        model / "resources.yaml",
        org_dir / "iam-expectations.yaml",
        *_files(INGEST_DATA, "*.yaml"),
        *[p for p in cfn if p.suffix == ".yaml"],
    ]
    expectations = ("test", "{dir}/iam-expectations.yaml")
    targets = [
        Target(
            "policy",
            "json",
            tuple(Seed(p) for p in policies),
            (("validate", "{file}"), ("validate", "--type", "scp", "{file}")),
        ),
        Target("yaml", "yaml", tuple(Seed(p) for p in yaml_files), (("validate", "{file}"),)),
        Target(
            "hcl",
            "hcl",
            hcl_seeds,
            (("validate", "{dir}"), ("who-can", "iam:PassRole", "*", "-i", "{dir}")),
        ),
        Target(
            "terraform-plan",
            "json",
            tuple(Seed(p) for p in _files(REAL / "terraform", "*/test_plan.json")),
            (("validate", "{file}"),),
        ),
        Target(
            "cloudformation",
            "auto",
            tuple(Seed(p) for p in cfn),
            (("validate", "{file}"), ("who-can", "s3:GetObject", "*", "-i", "{file}")),
        ),
        Target(
            "gaad",
            "json",
            tuple(Seed(p) for p in gaads),
            (
                ("validate", "{file}"),
                ("who-can", "iam:PassRole", "*", "-i", "{file}"),
                ("escalation", "-i", "{file}"),
            ),
        ),
        Target(
            "organization",
            "auto",
            (
                Seed(model / "organization.yaml", org_dir),
                Seed(INGEST_DATA / "org-tree.yaml"),
                Seed(INGEST_DATA / "org-cli.json"),
                Seed(ROOT / "tests" / "cli" / "data" / "world" / "org.yaml"),
            ),
            (
                expectations,
                ("validate", "{file}"),
                ("who-can", "s3:GetObject", "*", "-i", "{file}"),
            ),
        ),
        Target(
            "resources",
            "yaml",
            (
                Seed(model / "resources.yaml", org_dir),
                Seed(INGEST_DATA / "resources.yaml"),
                Seed(ROOT / "tests" / "cli" / "data" / "world" / "resources.yaml"),
            ),
            (
                expectations,
                ("validate", "{file}"),
                ("who-can", "s3:GetObject", "*", "-i", "{file}"),
            ),
        ),
        Target("scenario", "yaml", tuple(Seed(p) for p in scenarios), (("eval", "{file}"),)),
        Target(
            "expectations",
            "yaml",
            (Seed(org_dir / "iam-expectations.yaml", org_dir),),
            (expectations, ("validate", "{file}")),
        ),
    ]
    return {t.name: t for t in targets}


TARGETS = _targets()


# -- one case -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    target: str
    seed: Seed
    text: str
    argv: tuple[str, ...]
    ident: str


@dataclass
class Outcome:
    status: int | None  # exit status, None when killed
    reason: str  # "" when the oracle holds
    stdout: str = ""
    stderr: str = ""

    @property
    def failed(self) -> bool:
        return bool(self.reason)


def make_case(target: Target, rng: random.Random, ident: str) -> Case:
    seed = rng.choice(target.seeds)
    syntax = target.syntax_of(seed)
    text = seed.path.read_text(encoding="utf-8")
    kin = [s for s in target.seeds if target.syntax_of(s) == syntax and s != seed]
    donors = [s.path.read_text(encoding="utf-8") for s in rng.sample(kin, min(2, len(kin)))]
    for _ in range(rng.choice((1, 1, 2, 3))):
        text = mutate(rng, text, syntax, donors)
    # A command naming a companion file (the example's expectations) needs a seed that has
    # its companions.
    usable = [c for c in target.commands if seed.base is not None or "{dir}/" not in " ".join(c)]
    command = rng.choice(usable)
    return Case(target.name, seed, text, command, ident)


def materialise(case: Case, folder: Path) -> list[str]:
    """Write the case's input folder under ``folder``; return the command's arguments."""
    if case.seed.base is not None:
        shutil.copytree(case.seed.base, folder, dirs_exist_ok=True)
    target_file = folder / case.seed.rel
    target_file.parent.mkdir(parents=True, exist_ok=True)
    target_file.write_bytes(case.text.encode("utf-8", "surrogateescape"))
    names = {"file": str(target_file), "dir": str(folder)}
    return [arg.format(**names) for arg in case.argv]


def _limit_child(limits: CaseLimits) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 2))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _child_main(argv: Sequence[str]) -> int:
    """Run the CLI as ``main()`` does; an exception escaping it is printed as a traceback."""
    import traceback

    from iamsim.cli.main import cli

    try:
        cli.main(args=list(argv), prog_name="iamsim", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        print(code, file=sys.stderr)
        return 1
    except BaseException:
        traceback.print_exc()
        return 70
    return 0


_SUBPROCESS_CODE = (
    "import sys; sys.path.insert(0, sys.argv[1]); from harness import _child_main; "
    "sys.exit(_child_main(sys.argv[2:]))"
)


def _oracle(status: int | None, killed: str, stdout: str, stderr: str) -> str:
    if killed:
        return killed
    if "Traceback (most recent call last)" in stdout + stderr:
        last = stderr.strip().splitlines()[-1:] or ["?"]
        return f"traceback: {last[0][:200]}"
    if status not in (0, 1, 2):
        return f"exit status {status}"
    return ""


def _describe_signal(number: int) -> str:
    if number == signal.SIGXCPU:
        return "cpu limit exceeded"
    if number == signal.SIGKILL:
        return "killed (memory or timeout)"
    return f"killed by signal {signal.Signals(number).name}"


def run_forked(argv: Sequence[str], workdir: Path, limits: CaseLimits) -> Outcome:
    """Run the CLI in a forked child with the limits; this process must have it imported."""
    out_path, err_path = workdir / "stdout", workdir / "stderr"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # child: never return into the caller (pytest) from here
            code = 70
            try:
                _limit_child(limits)
                devnull = os.open(os.devnull, os.O_RDONLY)
                os.dup2(devnull, 0)
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
                sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
                sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
                code = _child_main(argv)
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    deadline = time.monotonic() + limits.wall_seconds
    killed = ""
    while True:
        done, raw = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            _, raw = os.waitpid(pid, 0)
            killed = f"wall-clock timeout ({limits.wall_seconds:g} s)"
            break
        time.sleep(0.005)
    status: int | None = None
    if os.WIFEXITED(raw):
        status = os.WEXITSTATUS(raw)
    elif not killed:
        killed = _describe_signal(os.WTERMSIG(raw))
    stdout = out_path.read_text(encoding="utf-8", errors="replace")
    stderr = err_path.read_text(encoding="utf-8", errors="replace")
    return Outcome(status, _oracle(status, killed, stdout, stderr), stdout, stderr)


def run_subprocess(argv: Sequence[str], workdir: Path, limits: CaseLimits) -> Outcome:
    """Run the CLI in a fresh interpreter with the limits (nothing shared with this one)."""
    command = [sys.executable, "-c", _SUBPROCESS_CODE, str(Path(__file__).parent), *argv]
    try:
        proc = subprocess.run(
            command,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=limits.wall_seconds,
            preexec_fn=lambda: _limit_child(limits),
        )
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode("utf-8", "replace")
        err = (exc.stderr or b"").decode("utf-8", "replace")
        return Outcome(None, f"wall-clock timeout ({limits.wall_seconds:g} s)", out, err)
    stdout = proc.stdout.decode("utf-8", "replace")
    stderr = proc.stderr.decode("utf-8", "replace")
    killed = _describe_signal(-proc.returncode) if proc.returncode < 0 else ""
    status = proc.returncode if proc.returncode >= 0 else None
    return Outcome(status, _oracle(status, killed, stdout, stderr), stdout, stderr)


Runner = Callable[[Sequence[str], Path, CaseLimits], Outcome]


def run_case(case: Case, limits: CaseLimits, runner: Runner = run_forked) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="iamsim-fuzz-") as tmp:
        inputs, work = Path(tmp) / "case", Path(tmp) / "work"
        inputs.mkdir()
        work.mkdir()
        argv = materialise(case, inputs)
        outcome = runner(argv, work, limits)
    if outcome.status == 2 and not outcome.reason:
        # Bad input gets an error naming the file (the mutated one, or one of its folder).
        said = outcome.stdout + outcome.stderr
        if Path(case.seed.rel).name not in said and str(inputs) not in said:
            outcome.reason = "exit status 2 without naming the input file"
    return outcome


_warm = False


def warm_up() -> None:
    """Import the CLI and load the catalogs once, so forked cases start warm."""
    global _warm
    if _warm:
        return
    _warm = True
    from click.testing import CliRunner

    from iamsim.cli.main import cli

    scenario = EXAMPLES / "scenarios" / "scp-region-lock.yaml"
    CliRunner().invoke(cli, ["eval", str(scenario)])
    CliRunner().invoke(cli, ["validate", str(EXAMPLES / "organization" / "model")])


# -- campaigns -----------------------------------------------------------------------------------


@dataclass
class Failure:
    case: Case
    outcome: Outcome
    saved: Path | None = None


@dataclass
class Report:
    cases: dict[str, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)


def cases_for(target: Target, seed: int | str, start: int = 0) -> Iterator[Case]:
    """The deterministic case sequence of ``target`` for ``seed``."""
    index = start
    while True:
        rng = random.Random(f"{seed}:{target.name}:{index}")
        yield make_case(target, rng, f"{seed}-{index}")
        index += 1


def save_failure(failure: Failure, results: Path) -> Path:
    case = failure.case
    folder = results / case.target / f"{case.seed.path.stem}-{case.ident}"
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "input").mkdir(parents=True)
    argv = materialise(case, folder / "input")
    (folder / "command.txt").write_text(
        "iamsim " + " ".join(argv) + "\n" + f"reason: {failure.outcome.reason}\n",
        encoding="utf-8",
    )
    (folder / "stdout.txt").write_text(failure.outcome.stdout, encoding="utf-8")
    (folder / "stderr.txt").write_text(failure.outcome.stderr, encoding="utf-8")
    return folder


def _same_failure(a: str, b: str) -> bool:
    return a.split(":")[0] == b.split(":")[0] and a.rsplit(" ", 1)[-1] == b.rsplit(" ", 1)[-1]


def minimise(case: Case, outcome: Outcome, limits: CaseLimits, runner: Runner, budget: int) -> Case:
    """Delete chunks of lines while the case fails the same way (at most ``budget`` runs)."""
    lines = case.text.splitlines(keepends=True)
    chunk = max(1, len(lines) // 2)
    runs = 0
    while chunk >= 1 and runs < budget:
        start, shrunk = 0, False
        while start < len(lines) and runs < budget:
            trial = lines[:start] + lines[start + chunk :]
            candidate = Case(case.target, case.seed, "".join(trial), case.argv, case.ident)
            runs += 1
            result = run_case(candidate, limits, runner)
            if result.failed and _same_failure(result.reason, outcome.reason):
                lines, shrunk = trial, True
            else:
                start += chunk
        if not shrunk:
            chunk //= 2
    return Case(case.target, case.seed, "".join(lines), case.argv, case.ident)


def campaign(
    targets: Sequence[str],
    *,
    seed: int | str = 0,
    cases: int | None = None,
    seconds: float | None = None,
    limits: CaseLimits | None = None,
    runner: Runner = run_forked,
    results: Path | None = RESULTS,
    minimise_budget: int = 0,
    skip: Callable[[Case], bool] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Run each target for ``cases`` cases or ``seconds`` seconds (whichever comes first)."""
    limits = limits or CaseLimits()
    report = Report()
    if runner is run_forked:
        warm_up()
    for name in targets:
        target = TARGETS[name]
        stop = time.monotonic() + seconds if seconds is not None else None
        count = 0
        for case in cases_for(target, seed):
            if cases is not None and count >= cases:
                break
            if stop is not None and time.monotonic() > stop:
                break
            count += 1
            if skip is not None and skip(case):
                continue
            outcome = run_case(case, limits, runner)
            if not outcome.failed:
                continue
            failure = Failure(case, outcome)
            if minimise_budget:
                failure.case = minimise(case, outcome, limits, runner, minimise_budget)
            if results is not None:
                failure.saved = save_failure(failure, results)
            report.failures.append(failure)
            if progress:
                progress(f"[{name}] {case.ident} {outcome.reason} -> {failure.saved}")
        report.cases[name] = count
        if progress:
            progress(f"[{name}] {count} cases")
    return report


def main(args: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("targets", nargs="*", help=f"default: all ({', '.join(TARGETS)})")
    parser.add_argument("--seconds", type=float, default=180.0, help="per target")
    parser.add_argument("--cases", type=int, default=None, help="per target (default: no cap)")
    parser.add_argument("--seed", default=str(int(time.time())))
    parser.add_argument("--memory-gib", type=float, default=3.0)
    parser.add_argument("--cpu-seconds", type=int, default=30)
    parser.add_argument("--wall-seconds", type=float, default=60.0)
    parser.add_argument("--subprocess", action="store_true", help="a fresh interpreter per case")
    parser.add_argument("--minimise", type=int, default=60, help="runs spent minimising a crash")
    parser.add_argument("--results", type=Path, default=RESULTS)
    options = parser.parse_args(args)
    unknown = [t for t in options.targets if t not in TARGETS]
    if unknown:
        parser.error(f"unknown target(s) {unknown}; known: {', '.join(TARGETS)}")
    limits = CaseLimits(
        memory_bytes=int(options.memory_gib * GIB),
        cpu_seconds=options.cpu_seconds,
        wall_seconds=options.wall_seconds,
    )
    print(f"seed {options.seed}; results in {options.results}", flush=True)
    report = campaign(
        options.targets or list(TARGETS),
        seed=options.seed,
        cases=options.cases,
        seconds=options.seconds,
        limits=limits,
        runner=run_subprocess if options.subprocess else run_forked,
        results=options.results,
        minimise_budget=options.minimise,
        progress=lambda line: print(line, flush=True),
    )
    total = sum(report.cases.values())
    print(f"{total} cases, {len(report.failures)} failure(s)")
    for failure in report.failures:
        print(f"  {failure.case.target} {failure.case.ident}: {failure.outcome.reason}")
        print(f"    saved: {failure.saved}")
    return 1 if report.failures else 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
