"""``iamsim eval``: evaluate scenario documents (a request plus the policies that apply).

Exit status: 0 when every scenario evaluated and every ``expect`` held, 1 when an expectation
failed, 2 when any input was invalid.

The run ends with a summary line (scenarios, decisions by kind, expectations met and failed):
the last line of the text report, or on standard error with ``--json``. It is not a JSON Lines
record because consumers of ``eval --json`` read standard output as one record per scenario
(``json.loads`` of a single scenario's output, ``all(... eval-record ...)`` over the lines): a
trailing record of another kind would break them, a line on standard error breaks no one.
``--quiet`` leaves it out.

JSON Lines (``--jsonl``, and any ``.jsonl`` file): the scenarios are read one line at a time
and each record written as soon as its scenario is decided, so memory stays constant however
long the batch. A ``--jsonl`` record carries what the output asks for: the decision, the
expectation and whether it held, the reason, the decisive statements and the policy results,
decided without tracing statements; the statement-by-statement trace (``statements``,
``missing_context_keys``) is built only for a scenario whose expectation failed, or for every
scenario with ``--explain``. ``--json`` keeps its full records.

With ``--json``/``--jsonl``, a named scenario file of 2 MiB or more (JSON Lines, JSON or YAML)
is decided by worker processes, one per CPU by default (``--workers``): the same records in the
same order, the same summary and exit status, in less wall time (:mod:`iamsim.cli.eval_workers`).
"""

from __future__ import annotations

import os
import sys
import weakref
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click

from iamsim.checks.batch_gc import batch_collector
from iamsim.checks.inputs import STDIN, STDIN_SOURCE, read_texts
from iamsim.checks.jsonl import is_jsonl_name, open_lines, scenario_lines, stdin_lines
from iamsim.checks.scenarios import (
    Scenario,
    ScenarioError,
    ScenarioItems,
    parse_scenario,
    scenario_at,
    scenario_items,
)
from iamsim.cli._common import limit_option
from iamsim.cli.progress import ProgressCallback, progress_bar
from iamsim.engine.decision import CompiledPolicySet, compile_policy_set, evaluate
from iamsim.engine.policies import PolicySet
from iamsim.engine.trace import Decision, PolicyTypeResult, StatementRef
from iamsim.errors import IamsimError, InputError
from iamsim.report.inert import compact_json_bytes, echo
from iamsim.report.json_report import scenario_to_json
from iamsim.report.schemas import schema_version, versioned
from iamsim.report.text import render_decision

if TYPE_CHECKING:
    from iamsim.cli.eval_workers import WorkerPlan

EXIT_OK, EXIT_EXPECTATION, EXIT_INVALID = 0, 1, 2


@click.command("eval")
@click.argument("files", nargs=-1, type=click.Path(allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per scenario (JSON Lines).")
@click.option(
    "--jsonl",
    "as_jsonl",
    is_flag=True,
    help="JSON Lines in and out, streamed: standard input read one scenario a line; one "
    "record a line, the statement trace only for failed expectations (or --explain).",
)
@click.option("--explain", is_flag=True, help="With --jsonl: the statement trace in every record.")
@click.option("--brief", is_flag=True, help="Only the verdict and decisive statements.")
@click.option("--quiet", "-q", is_flag=True, help="No summary line and no progress bar.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes deciding a large scenario file with --json/--jsonl (default: one "
    "per CPU, at most 8, for a file of 2 MiB or more; 1: this process only). Same output.",
)
@limit_option()
def eval_command(
    files: tuple[str, ...],
    as_json: bool,
    as_jsonl: bool,
    explain: bool,
    brief: bool,
    quiet: bool,
    workers: int | None,
) -> None:
    """Evaluate scenario FILES (JSON, YAML or JSON Lines (.jsonl); standard input when none).

    Exit status: 0 when every scenario was evaluated and every "expect" held, 1 when an
    expectation failed, 2 when a file or a scenario is invalid (2 wins over 1).

    \b
    Examples:
      iamsim eval examples/scenarios/lambda-first-bucket.yaml
      iamsim eval --json scenarios/*.yaml
      cat scenario.json | iamsim eval
      iamsim eval --jsonl batch.jsonl > decisions.jsonl
      generate-scenarios | iamsim eval --jsonl > decisions.jsonl
    """
    mode = Mode("jsonl" if as_jsonl else "json" if as_json else "text", brief, explain)
    machine = mode.kind != "text"
    with progress_bar("evaluating scenarios", machine=machine, quiet=quiet) as progress:
        try:
            with batch_collector():
                status, tally = _eval_all(files, mode, progress, _plan(files, mode, workers))
        except IamsimError as exc:  # a worker process lost: the run has no whole answer
            sys.stdout.flush()
            echo(f"error: {exc}", err=True)
            sys.exit(EXIT_INVALID)
        finally:
            if machine:
                sys.stdout.flush()
    if not quiet:
        echo(tally.line(), err=machine)
    sys.exit(status)


def _plan(files: tuple[str, ...], mode: Mode, requested: int | None) -> WorkerPlan | None:
    """The run's worker processes (:func:`iamsim.cli.eval_workers.worker_plan`), looked at only
    when some file is named (standard input is read in this process)."""
    if requested == 1 or not any(name != STDIN for name in files):
        return None
    from iamsim.cli.eval_workers import worker_plan

    return worker_plan(requested, machine=mode.kind != "text")


@dataclass(frozen=True)
class Mode:
    """What the output asks for: ``text``, ``json`` (full records) or ``jsonl`` (lean records,
    the trace only for failures or with ``explain``)."""

    kind: str
    brief: bool = False
    explain: bool = False


class EvalRun:
    """One run of ``eval``: the output mode, the tally, the exit status, the progress."""

    def __init__(
        self, mode: Mode, progress: ProgressCallback, workers: WorkerPlan | None = None
    ) -> None:
        self.mode = mode
        self.progress = progress
        self.tally = Tally()
        self.status = EXIT_OK
        self.done = 0
        self.total = 0
        self.seen = _SeenSets()
        # The worker processes that decide large named files (iamsim.cli.eval_workers).
        self.workers = workers

    def error(self, name: str | None, error: InputError) -> None:
        _emit_error(self.mode, name, error)
        self.tally.errors += 1
        self.status = EXIT_INVALID

    def scenario(self, item: Scenario | ScenarioError) -> None:
        self.done += 1
        self.total = max(self.total, self.done)
        self.progress(self.done, self.total)
        if isinstance(item, ScenarioError):
            self.error(item.name, item.error)
        elif not _run(item, self.mode, self.tally, self.seen) and self.status == EXIT_OK:
            self.status = EXIT_EXPECTATION

    def merge(self, tally: Tally, status: int, handled: int) -> None:
        """Take in what a worker did with ``handled`` lines (in file order): its tally and
        its status, as if this run had done it."""
        self.done += handled
        self.total = max(self.total, self.done)
        self.progress(self.done, self.total)
        self.tally.merge(tally)
        if status == EXIT_INVALID or (status == EXIT_EXPECTATION and self.status == EXIT_OK):
            self.status = status


def _eval_all(
    files: tuple[str, ...],
    mode: Mode,
    progress: ProgressCallback,
    workers: WorkerPlan | None = None,
) -> tuple[int, Tally]:
    """Evaluate and print every scenario of ``files`` in order; the exit status and the tally.

    ``progress`` hears (scenarios done, scenarios read so far) after each scenario (each
    block of scenarios decided by ``workers``)."""
    run = EvalRun(mode, progress, workers)
    names = files or (STDIN,)
    for name in names:
        if (name == STDIN and mode.kind == "jsonl") or (name != STDIN and is_jsonl_name(name)):
            _eval_lines(name, run)
        else:
            _eval_file(name, run)
    return run.status, run.tally


def _eval_file(name: str, run: EvalRun) -> None:
    """The scenarios of one JSON or YAML file (read whole: one document)."""
    for source, text in read_texts([name], kind="scenario file"):
        if isinstance(text, InputError):
            run.error(None, text)
            continue
        try:
            items = scenario_items(text, source)
        except InputError as exc:
            run.error(None, exc)
            continue
        except RecursionError:
            run.error(None, InputError("the document is nested too deeply", source=source))
            continue
        count = len(items.values)
        run.total += count
        if run.workers is not None and count > 1 and run.workers.applies(len(text)):
            with run.workers.start(run.mode, items) as workers:
                workers.eval_items(count, run)
            continue
        for index in range(count):
            eval_item(run, items, index)


def eval_item(run: EvalRun, items: ScenarioItems, index: int) -> None:
    """Item ``index`` of a decoded scenario file: its scenario decided, or its error
    reported."""
    try:
        scenario = scenario_at(items, index)
    except RecursionError:
        scenario = ScenarioError(
            f"#{index + 1}", InputError("the document is nested too deeply", source=items.source)
        )
    run.scenario(scenario)


def _eval_lines(name: str, run: EvalRun) -> None:
    """The scenarios of one JSON Lines file (or standard input), one line at a time; a named
    file by the run's worker processes when it has them."""
    source = STDIN_SOURCE if name == STDIN else name
    try:
        stream = stdin_lines() if name == STDIN else open_lines(name, source)
    except InputError as exc:
        run.error(None, exc)
        return
    try:
        if run.workers is not None and name != STDIN:
            size = os.fstat(stream.fileno()).st_size
            if run.workers.applies(size):
                with run.workers.start(run.mode) as workers:
                    workers.eval_lines(stream, name, run)
                return
        for number, label, item in scenario_lines(stream, source):
            eval_line(run, source, number, label, item)
    except InputError as exc:
        run.error(None, exc)
    finally:
        if name != STDIN:
            stream.close()


def eval_line(
    run: EvalRun, source: str, number: int, label: str, item: dict[str, Any] | InputError
) -> None:
    """Line ``number`` of the JSON Lines file ``source`` (labelled ``label``): its scenario
    decided, or its error reported."""
    if isinstance(item, InputError):
        run.scenario(ScenarioError(f"line {number}", item))
        return
    scenario_name = str(item["name"]) if "name" in item else f"line {number}"
    where = f"{label}, scenario {scenario_name!r}"
    try:
        scenario: Scenario | ScenarioError = parse_scenario(
            item, name=scenario_name, source=where, file=source, from_json=True
        )
    except InputError as exc:
        scenario = ScenarioError(scenario_name, exc)
    except IamsimError as exc:
        scenario = ScenarioError(scenario_name, InputError(str(exc), source=where))
    except RecursionError:
        scenario = ScenarioError(
            scenario_name, InputError("the document is nested too deeply", source=where)
        )
    run.scenario(scenario)


@dataclass
class Tally:
    """What a run of ``eval`` did, for its closing summary line."""

    decisions: Counter[str] = field(default_factory=Counter)
    met: int = 0
    failed: int = 0
    errors: int = 0

    def add(self, decision: str, met: bool | None) -> None:
        self.decisions[decision] += 1
        if met is True:
            self.met += 1
        elif met is False:
            self.failed += 1

    def merge(self, other: Tally) -> None:
        """Add ``other``'s counts (a later part of the same run: kinds keep the order in which
        they first appeared)."""
        self.decisions.update(other.decisions)
        self.met += other.met
        self.failed += other.failed
        self.errors += other.errors

    def line(self) -> str:
        """E.g. ``12 scenarios: 7 Allow, 3 ExplicitDeny, 2 ImplicitDeny; expectations 11 met,
        1 failed`` (kinds in order of first appearance; ``; N invalid`` when some were)."""
        count = sum(self.decisions.values())
        text = f"{count} scenario{'' if count == 1 else 's'}"
        if self.decisions:
            text += ": " + ", ".join(f"{n} {kind}" for kind, n in self.decisions.items())
        text += f"; expectations {self.met} met, {self.failed} failed"
        if self.errors:
            text += f"; {self.errors} invalid"
        return text


class _SeenSets:
    """The policy sets this run has decided before (bounded; forgetting costs only speed).

    A set met again is worth the engine's cache of compiled sets, where its compilation, its
    per-action plans and its explanations by outcome (:func:`iamsim.engine.decision.evaluate`)
    serve every later scenario; a set met once (a batch where every scenario carries its own
    policy text) is not: it is compiled for its scenario alone, and its record's lists are
    written directly instead of through the cache of written lists. Both paths decide alike;
    this only picks the cheaper one.

    Scenarios carrying the same policies share one PolicySet object
    (:func:`iamsim.checks.policy_cache.cached_set`), so a set is recognised by its identity: a
    set met once is remembered by its ``id`` with a weak reference (a later set that takes
    over the id of one gone is not the same object, and is not mistaken for it; holding the
    sets instead kept thousands of them alive in a batch where each is met once, and the
    collector walked them all), a set met again is kept with its compiled form, handed to the
    engine directly from then on (no key to compute per scenario)."""

    _LIMIT = 4096

    def __init__(self) -> None:
        self._once: dict[int, weakref.ref[PolicySet]] = {}
        self._again: dict[int, tuple[PolicySet, CompiledPolicySet]] = {}

    def compiled(self, policies: PolicySet) -> tuple[bool, CompiledPolicySet]:
        """(whether the set was met before, its compiled form): met before, the engine's
        (cached) compilation; met for the first time, one for this scenario only."""
        key = id(policies)
        entry = self._again.get(key)
        if entry is not None and entry[0] is policies:
            return True, entry[1]
        once = self._once.get(key)
        if (once is not None and once() is policies) or entry is not None:
            compiled = compile_policy_set(policies)
            if len(self._again) >= self._LIMIT:
                self._again.clear()
            self._again[key] = (policies, compiled)
            return True, compiled
        if len(self._once) >= self._LIMIT:
            self._once.clear()
        self._once[key] = weakref.ref(policies)
        # Compiled outside the engine's caches of compiled sets and policies: a batch where
        # every scenario carries its own policy text would otherwise keep thousands of
        # compiled forms alive (500 MB for 20,000) that nothing asks for again. From its
        # second scenario on, a set goes through those caches.
        return False, CompiledPolicySet(policies, shared=False)


def _run(scenario: Scenario, mode: Mode, tally: Tally, seen: _SeenSets) -> bool:
    if scenario.discover is not None:
        return _run_discover(scenario, mode, tally)
    # The trace of every statement is what costs: built only when the output shows it.
    lean = mode.kind == "jsonl" and not mode.explain
    again, policies = seen.compiled(scenario.policies)
    decision = evaluate(scenario.request, policies, explain=not lean)
    met = scenario.expectation_met(decision.value.value)
    if lean and met is False:  # a failure is shown with its full trace
        decision = evaluate(scenario.request, policies, explain=True)
        lean = False
    tally.add(decision.value.value, met)
    if mode.kind != "text":
        # The statement trace is shown only for failures or with --explain.
        _write(
            _lean_record(scenario, decision, again)
            if lean
            else scenario_to_json(scenario, decision)
        )
    else:
        header = f"== {scenario.name}"
        if met is not None:
            header += f"  [expect {scenario.expect}: {'ok' if met else 'FAILED'}]"
        echo(header)
        echo(render_decision(decision, verbose=not mode.brief))
        for note in scenario.notes:
            echo(f"  assumed: {note}")
        echo()
    return met is not False


_EVAL_RECORD = schema_version("eval-record")
_FRAGMENTS: dict[tuple[object, ...], Any] = {}
# The same lists by identity: the engine shares a Decision's parts between requests with the
# same outcome, so most look-ups end here, without hashing the values.
_FRAGMENTS_BY_ID: dict[int, tuple[tuple[object, ...], Any]] = {}
_FRAGMENTS_LIMIT = 4096


def _fragment(items: tuple[StatementRef, ...] | tuple[PolicyTypeResult, ...]) -> Any:
    """The JSON list of ``items`` (their ``to_dict``) as an orjson fragment, written once per
    distinct tuple: a batch under the same policies repeats its decisive statements and
    policy results (frozen values, equal only when their JSON is equal)."""
    held = _FRAGMENTS_BY_ID.get(id(items))
    if held is not None and held[0] is items:
        return held[1]
    found = _FRAGMENTS.get(items)
    if found is None:
        import orjson  # the batch writers only

        found = orjson.Fragment(orjson.dumps([item.to_dict() for item in items]))
        if len(_FRAGMENTS) >= _FRAGMENTS_LIMIT:
            _FRAGMENTS.clear()
        _FRAGMENTS[items] = found
    if len(_FRAGMENTS_BY_ID) >= _FRAGMENTS_LIMIT:
        _FRAGMENTS_BY_ID.clear()
    # The tuple is held with its fragment, so its id cannot pass to another while remembered.
    _FRAGMENTS_BY_ID[id(items)] = (items, found)
    return found


def _dicts(items: tuple[StatementRef, ...] | tuple[PolicyTypeResult, ...]) -> list[Any]:
    """The JSON list of ``items``, written for this record alone."""
    return [item.to_dict() for item in items]


def _lean_record(scenario: Scenario, decision: Decision, recurring: bool) -> dict[str, Any]:
    """:func:`scenario_to_json` without the statement trace (``statements``,
    ``missing_context_keys``): the same keys in the same order, the same JSON once written,
    its lists of statements and results written once per distinct value when the policy set
    ``recurring`` (met before), where they repeat; a set met once has lists of its own."""
    value = decision.value.value
    record: dict[str, Any] = {"schema_version": _EVAL_RECORD, "name": scenario.name}
    record["decision"] = value
    if scenario.expect is not None:
        record["expect"] = scenario.expect
        record["expectation_met"] = scenario.expectation_met(value)
    request = decision.request
    record["reason"] = decision.reason
    record["request"] = {
        "principal": request.caller.display,
        "action": request.action,
        "resource": request.resource,
        "resource_account": request.resource_account,
        "same_account": request.same_account,
    }
    as_json = _fragment if recurring else _dicts
    record["decisive_statements"] = as_json(decision.decisive)
    record["blocked_by"] = decision.blocked_by
    record["policy_results"] = as_json(decision.policy_results)
    if decision.notes:
        record["notes"] = list(decision.notes)
    if scenario.notes:
        record["notes"] = list(scenario.notes)
    return record


def _run_discover(scenario: Scenario, mode: Mode, tally: Tally) -> bool:
    """A scenario in discover mode: the three-valued decision over its unknown keys."""
    from iamsim.analysis.symbolic import discover
    from iamsim.cli.discover_opts import render

    assert scenario.discover is not None
    all_unknown, statuses = scenario.discover
    found = discover(
        scenario.request, scenario.policies, statuses=statuses, all_unknown=all_unknown
    )
    met = scenario.expectation_met(found.decision)
    tally.add(found.decision, met)
    if mode.kind != "text":
        record: dict[str, Any] = {
            "schema_version": schema_version("eval-record"),
            "name": scenario.name,
            **found.to_dict(),
        }
        if scenario.expect is not None:
            record["expect"] = scenario.expect
            record["expectation_met"] = met
        _write(record)
    else:
        header = f"== {scenario.name}"
        if met is not None:
            header += f"  [expect {scenario.expect}: {'ok' if met else 'FAILED'}]"
        echo(header)
        echo(render(found, scenario.request))
        echo()
    return met is not False


def _emit_error(mode: Mode, name: str | None, error: InputError) -> None:
    """One error: a JSON object on standard output with --json/--jsonl (the stream stays JSON
    Lines), else a line on standard error."""
    if mode.kind != "text":
        _write(versioned("eval-error", {"name": name, "error": error.describe()}))
    else:
        echo(f"error: {error.describe()}", err=True)


def _write(record: dict[str, Any]) -> None:
    """One JSON Lines record on standard output (UTF-8, inert), buffered: written in blocks,
    flushed at the end of the run, not once per record."""
    sys.stdout.buffer.write(compact_json_bytes(record) + b"\n")
