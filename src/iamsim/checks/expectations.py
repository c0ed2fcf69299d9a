"""Expectations files: "this principal may / may not do this", checked against the loaded world.

This module is the library side of ``iamsim test`` (usable without the CLI)::

    from iamsim.checks.expectations import load_expectations, run_expectations
    from iamsim.ingest import load_inputs

    suite = load_expectations("iam-expectations.yaml")
    world = load_inputs(suite.inputs or ["gaad.json", "org.yaml"])
    run = run_expectations(suite, world)
    print(run.summary())          # {'total': 12, 'passed': 11, 'failed': 1, 'errors': 0}

The file format (YAML or JSON, documented in ``docs/expectations.md``)::

    description: guardrails of the first application     # optional
    inputs: [gaad.json, org.yaml]                          # optional, relative to this file
    defaults:                                              # optional, fill missing fields
      context: {aws:SecureTransport: "true"}
    expectations:
      - name: developers read reports                      # optional
        principal: [alice, role/dev]                       # one or a list
        action: [s3:GetObject]                             # one or a list
        resource: arn:aws:s3:::first-bucket/reports/q1.csv # one or a list; default "*"
        context: {aws:SourceIp: 10.1.2.3}                  # optional, merged over defaults
        now: 2025-01-31T12:00:00Z                          # optional request time
        expect: Allow                   # Allow | Deny | ExplicitDeny | ImplicitDeny

Every (principal, action, resource) of the cross product is one case. ``Deny`` accepts either
kind of deny. A case whose request cannot be built (unknown principal or action, a resource the
action does not act on) is an *error*, reported with the others; the run goes on.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from iamsim.builder import RequestBuilder
from iamsim.checks.inputs import read_document
from iamsim.engine.decision import evaluate
from iamsim.engine.trace import Decision
from iamsim.errors import IamsimError, InputError
from iamsim.model import World
from iamsim.vocabulary.context_keys import check_context
from iamsim.vocabulary.request import ContextValue

EXPECT_VALUES = ("Allow", "Deny", "ExplicitDeny", "ImplicitDeny")
_EXPECT_BY_FOLDED = {v.lower(): v for v in EXPECT_VALUES}

_TOP_FIELDS = ("description", "inputs", "defaults", "expectations")
_CASE_FIELDS = ("name", "principal", "action", "resource", "context", "now", "expect")
_DEFAULT_FIELDS = ("principal", "action", "resource", "context", "now", "expect")
_PLURALS = {"principals": "principal", "actions": "action", "resources": "resource"}

Status = Literal["passed", "failed", "error"]


def expectation_met(expect: str, decision: str) -> bool:
    """Whether a decision value (``Allow``, ``ExplicitDeny``, ``ImplicitDeny``) meets ``expect``."""
    if expect == "Deny":
        return decision != "Allow"
    return decision == expect


@dataclass(frozen=True)
class Expectation:
    """One entry of an expectations file: a cross product of questions and the answer wanted."""

    principals: tuple[str, ...]
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    expect: str  # one of EXPECT_VALUES
    name: str | None = None
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    now: datetime | None = None
    index: int = 0
    path: str = ""  # JSON pointer of the entry in its file
    source: str = ""

    @property
    def label(self) -> str:
        """The entry's name, else its position (``expectations[3]``)."""
        return self.name or f"expectations[{self.index}]"

    def cases(self) -> Iterator[Case]:
        for principal in self.principals:
            for action in self.actions:
                for resource in self.resources:
                    yield Case(self, principal, action, resource)


@dataclass(frozen=True)
class Case:
    """One (principal, action, resource) question of an expectation."""

    expectation: Expectation
    principal: str
    action: str
    resource: str

    @property
    def id(self) -> str:
        return f"{self.principal} {self.action} {self.resource}"


@dataclass(frozen=True)
class CaseResult:
    """What happened to one case: passed, failed (with the decision), or error (with why)."""

    case: Case
    status: Status
    decision: Decision | None = None
    principal_arn: str | None = None
    error: str | None = None
    assumptions: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        """One paragraph: the outcome, the decision's reason and its decisive statements."""
        expect = self.case.expectation.expect
        if self.status == "error":
            return f"could not evaluate: {self.error}"
        assert self.decision is not None
        d = self.decision
        head = (
            f"{d.value.value} as expected"
            if self.status == "passed"
            else f"expected {expect}, got {d.value.value}"
        )
        parts = [f"{head}: {d.reason}"]
        if d.blocked_by:
            parts.append(f"blocked by {d.blocked_by}")
        if d.decisive:
            parts.append("decisive: " + "; ".join(ref.describe() for ref in d.decisive))
        if d.missing_context_keys:
            parts.append("absent context keys it depended on: " + ", ".join(d.missing_context_keys))
        if self.assumptions:
            parts.append("assumed: " + "; ".join(self.assumptions))
        return ". ".join(parts)


@dataclass(frozen=True)
class ExpectationFile:
    """A parsed expectations file."""

    expectations: tuple[Expectation, ...]
    inputs: tuple[Path, ...] = ()
    description: str | None = None
    source: str = "<expectations>"

    def cases(self) -> Iterator[Case]:
        for expectation in self.expectations:
            yield from expectation.cases()


@dataclass(frozen=True)
class ExpectationRun:
    """The results of running an expectations file, in file order."""

    results: tuple[CaseResult, ...]
    source: str = "<expectations>"

    @property
    def passed(self) -> list[CaseResult]:
        return [r for r in self.results if r.status == "passed"]

    @property
    def failed(self) -> list[CaseResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def errors(self) -> list[CaseResult]:
        return [r for r in self.results if r.status == "error"]

    @property
    def ok(self) -> bool:
        return all(r.status == "passed" for r in self.results)

    def summary(self) -> dict[str, int]:
        return {
            "total": len(self.results),
            "passed": len(self.passed),
            "failed": len(self.failed),
            "errors": len(self.errors),
        }


# -- reading ------------------------------------------------------------------------------------


def load_expectations(path: Path | str) -> ExpectationFile:
    """Read and parse an expectations file (YAML or JSON); ``inputs`` resolve next to it."""
    file = Path(path)
    document = read_document(file, str(path))
    return parse_expectations(document, source=str(path), base_dir=file.parent)


def parse_expectations(
    data: Any, *, source: str = "<expectations>", base_dir: Path | None = None
) -> ExpectationFile:
    """An ExpectationFile from decoded JSON/YAML (a mapping, or a bare list of entries)."""
    if isinstance(data, list):
        data = {"expectations": data}
        prefix = ""
    else:
        prefix = "/expectations"
    if not isinstance(data, Mapping):
        raise InputError(
            "an expectations file is a mapping with an 'expectations' list (or a bare list)",
            source=source,
        )
    _unknown(data, _TOP_FIELDS, "", source)
    description = data.get("description")
    if description is not None and not isinstance(description, str):
        raise InputError("description must be a string", path="/description", source=source)
    inputs = _inputs(data.get("inputs"), source, base_dir)
    defaults_raw = data.get("defaults")
    if defaults_raw is None:
        defaults_raw = {}
    if not isinstance(defaults_raw, Mapping):
        raise InputError(
            "defaults must be a mapping of expectation fields (principal, action, resource, "
            "context, now, expect)",
            path="/defaults",
            source=source,
        )
    _unknown(defaults_raw, _DEFAULT_FIELDS, "/defaults", source)
    entries = data.get("expectations")
    if entries is None:
        raise InputError("missing required field 'expectations' (a list)", source=source)
    if not isinstance(entries, list):
        raise InputError("expectations must be a list", path="/expectations", source=source)
    if not entries:
        raise InputError("expectations is empty", path="/expectations", source=source)
    expectations = tuple(
        _expectation(entry, index, f"{prefix}/{index}", defaults_raw, source)
        for index, entry in enumerate(entries)
    )
    return ExpectationFile(expectations, inputs, description, source)


def _unknown(obj: Mapping[str, Any], allowed: Sequence[str], path: str, source: str) -> None:
    for key in obj:
        if key in allowed:
            continue
        text = str(key)
        hint = _PLURALS.get(text)
        if hint is None or hint not in allowed:
            close = difflib.get_close_matches(text, allowed, n=1)
            hint = close[0] if close else None
        suffix = (
            f"; did you mean {hint!r}?" if hint else f" (expected one of: {', '.join(allowed)})"
        )
        raise InputError(f"unknown field {text!r}{suffix}", path=f"{path}/{text}", source=source)


def _inputs(value: Any, source: str, base_dir: Path | None) -> tuple[Path, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
        raise InputError("inputs must be a path or a list of paths", path="/inputs", source=source)
    out = []
    for item in items:
        path = Path(item)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        out.append(path)
    return tuple(out)


def _strings(value: Any, field_name: str, path: str, source: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    out = []
    for i, item in enumerate(items):
        if isinstance(item, bool) or not isinstance(item, str | int) or not str(item).strip():
            where = f"{path}/{field_name}" + (f"/{i}" if isinstance(value, list) else "")
            raise InputError(
                f"{field_name} must be a non-empty string or a list of them",
                path=where,
                source=source,
            )
        out.append(str(item).strip())
    if not out:
        raise InputError(
            f"{field_name} is an empty list", path=f"{path}/{field_name}", source=source
        )
    return tuple(out)


def _context(value: Any, path: str, source: str) -> dict[str, ContextValue]:
    """A context mapping, checked by :func:`iamsim.vocabulary.context_keys.check_context` (lists only
    for multivalued keys, one spelling per key, scalar values; YAML dates become text)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InputError(
            "context must be a mapping of condition keys to values", path=path, source=source
        )
    try:
        return check_context(value)
    except InputError as exc:
        raise exc.located(source=source, prefix=path) from None


def _merge_context(
    defaults: Mapping[str, ContextValue], own: Mapping[str, ContextValue]
) -> dict[str, ContextValue]:
    """The defaults' context with the expectation's keys over it (names are case-insensitive,
    so ``aws:requestedregion`` in an expectation replaces a default ``aws:RequestedRegion``)."""
    folded = {key.lower() for key in own}
    merged = {key: value for key, value in defaults.items() if key.lower() not in folded}
    merged.update(own)
    return merged


def _now(value: Any, path: str, source: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            moment = None
        if moment is not None:
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    raise InputError(
        "now must be an ISO 8601 date-time such as 2025-01-31T12:00:00Z", path=path, source=source
    )


def _expectation(
    entry: Any, index: int, path: str, defaults: Mapping[str, Any], source: str
) -> Expectation:
    if not isinstance(entry, Mapping):
        raise InputError("an expectation is a mapping", path=path, source=source)
    _unknown(entry, _CASE_FIELDS, path, source)

    def pick(name: str) -> tuple[Any, str]:
        if entry.get(name) is not None:
            return entry[name], path
        return defaults.get(name), "/defaults"

    values: dict[str, tuple[str, ...]] = {}
    for required in ("principal", "action"):
        raw, where = pick(required)
        if raw is None:
            raise InputError(f"missing required field {required!r}", path=path, source=source)
        values[required] = _strings(raw, required, where, source)
    raw, where = pick("resource")
    resources = _strings(raw, "resource", where, source) if raw is not None else ("*",)
    raw, where = pick("expect")
    if raw is None:
        raise InputError(
            f"missing required field 'expect' ({' | '.join(EXPECT_VALUES)})",
            path=path,
            source=source,
        )
    expect = _EXPECT_BY_FOLDED.get(str(raw).replace(" ", "").replace("-", "").lower())
    if expect is None:
        raise InputError(
            f"expect is {raw!r}; it must be one of {', '.join(EXPECT_VALUES)}",
            path=f"{where}/expect",
            source=source,
        )
    context = _merge_context(
        _context(defaults.get("context"), "/defaults/context", source),
        _context(entry.get("context"), f"{path}/context", source),
    )
    raw, where = pick("now")
    now = _now(raw, f"{where}/now", source)
    name = entry.get("name")
    if name is not None and not isinstance(name, str | int):
        raise InputError("name must be a string", path=f"{path}/name", source=source)
    return Expectation(
        principals=values["principal"],
        actions=values["action"],
        resources=resources,
        expect=expect,
        name=str(name) if name is not None else None,
        context=context,
        now=now,
        index=index,
        path=path,
        source=source,
    )


# -- running ------------------------------------------------------------------------------------


def run_case(case: Case, builder: RequestBuilder, *, now: datetime | None = None) -> CaseResult:
    """Build and decide one case; a request that cannot be built is an error result."""
    expectation = case.expectation
    try:
        built = builder.build(
            case.principal,
            case.action,
            case.resource,
            context=expectation.context,
            now=expectation.now or now,
        )
    except IamsimError as exc:
        reason = exc.describe() if isinstance(exc, InputError) else str(exc)
        return CaseResult(case, "error", error=reason)
    decision = evaluate(built.request, built.policies, explain=False)
    met = expectation_met(expectation.expect, decision.value.value)
    if not met:
        # The full trace only for failures: it names the context keys the decision missed.
        decision = evaluate(built.request, built.policies, explain=True)
    principal_arn = getattr(built.principal, "arn", None)
    return CaseResult(
        case,
        "passed" if met else "failed",
        decision=decision,
        principal_arn=principal_arn if isinstance(principal_arn, str) else None,
        assumptions=built.warnings,
    )


def run_expectations(
    expectations: ExpectationFile | Iterable[Expectation],
    world: World,
    *,
    builder: RequestBuilder | None = None,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ExpectationRun:
    """Check every case of ``expectations`` against ``world``.

    ``now`` is the request time for entries that do not set their own (default: the present).
    ``progress`` hears ``(cases done, cases in all)`` after each case (the command line draws
    it as a bar).
    """
    if isinstance(expectations, ExpectationFile):
        source = expectations.source
        entries: Iterable[Expectation] = expectations.expectations
    else:
        entries, source = expectations, "<expectations>"
    builder = builder or RequestBuilder(world)
    moment = now or datetime.now(UTC)
    cases = [case for entry in entries for case in entry.cases()]
    results = []
    for done, case in enumerate(cases, 1):
        results.append(run_case(case, builder, now=moment))
        if progress is not None:
            progress(done, len(cases))
    return ExpectationRun(tuple(results), source)
