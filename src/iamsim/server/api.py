"""The questions the web playground answers, as plain functions of already-read request bodies.

Each function returns exactly the object the matching command prints with ``--json`` (built by
the same library functions, so the two cannot drift) and raises :class:`InputError`, located,
for bad input. Nothing here reads a file: the scenario arrives as text, and the world was
loaded from the ``-i`` inputs named on the command line when the server started.

* :func:`eval_scenario` — ``iamsim eval --json`` for one scenario;
* :func:`check` — ``iamsim check --json`` (``--explain`` with ``full``);
* :func:`who_can` — ``iamsim who-can --json``;
* :func:`permissions` — ``iamsim permissions --json``;
* :func:`escalation` — ``iamsim escalation --json`` (goal: administrator);
* :func:`world_summary` — the principals, resources and accounts the pickers offer.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from iamsim.analysis.admin import admin_report
from iamsim.analysis.effective import EffectiveAnalyzer
from iamsim.analysis.escalation import EscalationGraph, analyze_escalation
from iamsim.analysis.synthesize import synthesize
from iamsim.analysis.techniques import Oracle, load_catalogue
from iamsim.analysis.who_can import WhoCan, expand_actions
from iamsim.builder import RequestBuilder
from iamsim.checks.scenarios import ScenarioError, load_scenarios
from iamsim.engine.decision import evaluate
from iamsim.errors import IamsimError, InputError
from iamsim.model import World
from iamsim.report.escalation import escalation_json
from iamsim.report.json_report import decision_to_json, scenario_to_json
from iamsim.report.permissions import permissions_to_dict
from iamsim.report.schemas import versioned
from iamsim.vocabulary.context_keys import check_context
from iamsim.vocabulary.request import ContextValue

# How the scenario sent to POST /api/eval is named in error messages.
EVAL_SOURCE = "request body"


class ScenarioRejected(IamsimError):
    """A scenario that could not be read: its name and the located error, the two fields of
    the line ``eval --json`` prints for it."""

    def __init__(self, name: str | None, error: InputError) -> None:
        super().__init__(error.describe())
        self.name = name
        self.error = error

    def to_dict(self) -> dict[str, Any]:
        return versioned("eval-error", {"name": self.name, "error": self.error.describe()})


def eval_scenario(text: str) -> dict[str, Any]:
    """One scenario (JSON or YAML text, ``eval``'s format) evaluated: ``eval --json``'s object."""
    try:
        scenarios = load_scenarios(text, EVAL_SOURCE)
    except RecursionError:
        raise InputError("the document is nested too deeply", source=EVAL_SOURCE) from None
    if len(scenarios) != 1:
        raise InputError(
            f"send one scenario (a mapping), not a list of {len(scenarios)}", source=EVAL_SOURCE
        )
    item = scenarios[0]
    if isinstance(item, ScenarioError):
        raise ScenarioRejected(item.name, item.error)
    decision = evaluate(item.request, item.policies, explain=True)
    return scenario_to_json(item, decision)


# -- questions about the loaded world ------------------------------------------------------


def check(world: World, body: Mapping[str, Any]) -> dict[str, Any]:
    """``check --json``: ``principal``, ``action``, ``resource`` (default ``*``), optional
    ``context`` (a mapping), ``now`` (ISO 8601), ``region`` and ``full`` (the whole trace)."""
    fields = _Fields(body, {"principal", "action", "resource", "context", "now", "region", "full"})
    principal = fields.text("principal")
    action = fields.text("action")
    resource = fields.text("resource", default="*")
    region = fields.optional_text("region")
    context = fields.context()
    now = fields.now()
    full = fields.flag("full")
    built = RequestBuilder(world, region=region).build(
        principal, action, resource, context=context, now=now
    )
    decision = evaluate(built.request, built.policies, explain=True)
    record = decision_to_json(decision, principal=principal, assumptions=built.warnings)
    if not full:
        record.pop("statements", None)
    return _with_notes(world, record, "decision")


def who_can(world: World, body: Mapping[str, Any]) -> dict[str, Any]:
    """``who-can --json``: ``action`` (patterns and commas allowed), ``resource``, ``context``,
    ``region``."""
    fields = _Fields(body, {"action", "resource", "context", "region"})
    action = fields.text("action")
    resource = fields.text("resource")
    context = fields.context() or None
    region = fields.optional_text("region")
    if not any(part.strip() for part in action.split(",")):
        raise InputError(f"action {action!r} names no action (expected s3:GetObject, s3:Get*, ...)")
    analyzer = WhoCan(world, builder=RequestBuilder(world, region=region))
    actions = expand_actions([action], analyzer.builder.catalog)
    return _with_notes(
        world, analyzer.who_can(actions, resource, context=context).to_dict(), "who-can"
    )


def permissions(world: World, body: Mapping[str, Any]) -> dict[str, Any]:
    """``permissions --json``: ``principal``, optional ``service``, ``compare_boundary``,
    ``context``."""
    fields = _Fields(body, {"principal", "service", "compare_boundary", "context"})
    principal = fields.text("principal")
    service = fields.optional_text("service")
    compare = fields.flag("compare_boundary")
    context = fields.context() or None
    analyzer = EffectiveAnalyzer(world)
    if service is not None and not analyzer.builder.catalog.service_exists(service):
        raise InputError(f"service: unknown service prefix {service!r}")
    result = analyzer.permissions(
        principal, service=service, compare_boundary=compare, context=context
    )
    made = synthesize(result)
    return _with_notes(world, permissions_to_dict(result, policy=made.document), "permissions")


# Paths per principal, as escalation's --max-paths default.
ESCALATION_MAX_PATHS = 5


def escalation(world: World, body: Mapping[str, Any]) -> dict[str, Any]:
    """``escalation --json`` towards an administrator: optional ``from`` (a principal),
    ``context`` and ``region`` (default us-east-1)."""
    fields = _Fields(body, {"from", "context", "region"})
    start = fields.optional_text("from")
    context = fields.context() or None
    region = fields.optional_text("region") or "us-east-1"
    catalogue = load_catalogue()
    oracle = Oracle(world, region=region, context=context)
    graph = EscalationGraph(world, oracle=oracle, catalogue=catalogue, runs_as={})
    report = analyze_escalation(
        world, start=start, to="admin", max_paths=ESCALATION_MAX_PATHS, graph=graph
    )
    principals = [graph.actors[r.start] for r in report.results]
    verdicts = admin_report(world, oracle=oracle, catalogue=catalogue, principals=principals)
    return _with_notes(world, escalation_json(report, verdicts), "escalation")


def world_summary(world: World | None) -> dict[str, Any]:
    """What the pickers offer: principals (users, then roles), resources and accounts."""
    if world is None:
        return {"loaded": False, "principals": [], "resources": [], "accounts": []}
    return {
        "loaded": True,
        "principals": sorted(world.users) + sorted(world.roles),
        "resources": sorted(world.resources),
        "accounts": sorted(world.accounts),
        "input_notes": list(world.notes),
    }


def _with_notes(world: World, record: dict[str, Any], kind: str) -> dict[str, Any]:
    """As the commands' ``echo_json``: the document's ``schema_version`` first, the inputs'
    notes under ``input_notes`` when any."""
    if world.notes and "input_notes" not in record:
        record["input_notes"] = list(world.notes)
    return versioned(kind, record)


class _Fields:
    """The fields of one JSON request body, each checked for its type (errors say which)."""

    def __init__(self, body: Mapping[str, Any], known: set[str]) -> None:
        if not isinstance(body, Mapping):
            raise InputError("the request body must be a JSON object")
        unknown = sorted(str(k) for k in body if k not in known)
        if unknown:
            raise InputError(
                f"unknown field {unknown[0]!r} (known: {', '.join(sorted(known))})",
                path=f"/{unknown[0]}",
            )
        self.body = body

    def text(self, name: str, *, default: str | None = None) -> str:
        value = self.body.get(name, default)
        if not isinstance(value, str) or not value.strip():
            raise InputError(f"{name} is required and must be a non-empty string", path=f"/{name}")
        return value.strip()

    def optional_text(self, name: str) -> str | None:
        value = self.body.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise InputError(f"{name} must be a string", path=f"/{name}")
        return value.strip() or None

    def flag(self, name: str) -> bool:
        value = self.body.get(name, False)
        if not isinstance(value, bool):
            raise InputError(f"{name} must be true or false", path=f"/{name}")
        return value

    def context(self) -> dict[str, ContextValue]:
        value = self.body.get("context")
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise InputError(
                "context must be a mapping of condition keys to values", path="/context"
            )
        try:
            return check_context(value)
        except InputError as exc:
            raise exc.located(source="", prefix="/context") from exc

    def now(self) -> datetime | None:
        value = self.optional_text("now")
        if value is None:
            return None
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise InputError(
                f"now {value!r}: expected an ISO 8601 date-time such as 2025-01-31T12:00:00Z",
                path="/now",
            ) from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
