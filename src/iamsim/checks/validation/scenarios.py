"""Validation of ``iamsim eval`` scenario files: each scenario's request (what ``iamsim eval``
would reject) and each of its policies, with the type the scenario gives it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from iamsim.checks.scenarios import parse_scenario
from iamsim.checks.validation.documents import check_document
from iamsim.checks.validation.results import ValidationFinding, locate
from iamsim.errors import InputError, PolicyError
from iamsim.policy.model import PolicyType
from iamsim.vocabulary.targets import resource_policy_kind

_SCENARIO_SINGLE = {"boundary": PolicyType.BOUNDARY, "resource": PolicyType.RESOURCE}
_SCENARIO_MANY = {
    "identity": PolicyType.IDENTITY,
    "session": PolicyType.SESSION,
    "endpoint": PolicyType.ENDPOINT,
}
_SCENARIO_LEVELS = {"scp": PolicyType.SCP, "rcp": PolicyType.RCP}


def _scenario_documents(
    scenario: Mapping[str, Any], prefix: str
) -> Iterator[tuple[Any, PolicyType, str, str | None]]:
    """(document, type, pointer, name) of each policy of one scenario."""
    policies = scenario.get("policies")
    if not isinstance(policies, Mapping):
        return
    action = str(scenario.get("action", "")).lower()
    resource = str(scenario.get("resource", ""))
    trust = resource_policy_kind(action, resource) == "trust"

    def unwrap(value: Any, path: str) -> tuple[Any, str, str | None]:
        if isinstance(value, Mapping) and "document" in value:
            name = value.get("name")
            return value["document"], f"{path}/document", str(name) if name else None
        return value, path, None

    for key, ptype in _SCENARIO_SINGLE.items():
        value = policies.get(key)
        if value is None:
            continue
        if key == "resource" and trust:
            ptype = PolicyType.TRUST
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            path = f"{prefix}/policies/{key}" + (f"/{i}" if isinstance(value, list) else "")
            doc, where, name = unwrap(item, path)
            yield doc, ptype, where, name
    for key, ptype in _SCENARIO_MANY.items():
        value = policies.get(key)
        if value is None:
            continue
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            path = f"{prefix}/policies/{key}" + (f"/{i}" if isinstance(value, list) else "")
            doc, where, name = unwrap(item, path)
            yield doc, ptype, where, name
    for key, ptype in _SCENARIO_LEVELS.items():
        levels = policies.get(key)
        if not isinstance(levels, list):
            continue
        for i, level in enumerate(levels):
            for j, item in enumerate(level if isinstance(level, list) else [level]):
                doc, where, name = unwrap(item, f"{prefix}/policies/{key}/{i}/{j}")
                yield doc, ptype, where, name


def _scenario_request_findings(
    scenario: Any, file: str, prefix: str, index: int, catalog: Any
) -> list[ValidationFinding]:
    """What ``iamsim eval`` would reject in the scenario besides its policies (the request's
    principal, action, resource, context, ...) as an error, and an action the service
    reference does not know as a warning (eval evaluates it as written)."""
    name = scenario.get("name") if isinstance(scenario, Mapping) else None
    try:
        parsed = parse_scenario(scenario, name=str(name or f"#{index}"), path=prefix, source=file)
    except PolicyError:
        return []  # the policy checks below report it, with more detail
    except InputError as exc:
        policies = scenario.get("policies") if isinstance(scenario, Mapping) else None
        if isinstance(policies, Mapping) and (exc.path or "").startswith(f"{prefix}/policies/"):
            return []  # inside the policies block: the checks below report it, located
        return [ValidationFinding("error", "invalid-scenario", exc.reason, file, exc.path)]
    action = parsed.request.action
    if catalog.canonical_action(action) is None:
        suggestions = catalog.suggest_actions(action)
        hint = f"; did you mean: {', '.join(suggestions)}" if suggestions else ""
        message = f"the service reference knows no action {action!r}{hint}"
        return [ValidationFinding("warning", "unknown-action", message, file, f"{prefix}/action")]
    return []


def validate_scenarios(data: Any, file: str, catalog: Any) -> tuple[int, list[ValidationFinding]]:
    scenarios = data if isinstance(data, list) else [data]
    count = 0
    out: list[ValidationFinding] = []
    for index, scenario in enumerate(scenarios):
        prefix = f"/{index}" if isinstance(data, list) else ""
        out += _scenario_request_findings(scenario, file, prefix, index, catalog)
        policies = scenario.get("policies") if isinstance(scenario, Mapping) else None
        boundary = policies.get("boundary") if isinstance(policies, Mapping) else None
        if isinstance(boundary, list) and len(boundary) > 1:
            out.append(
                ValidationFinding(
                    "error",
                    "multiple-boundaries",
                    f"{len(boundary)} permissions boundaries are given; a principal has at most "
                    "one (combine them into one policy)",
                    file,
                    f"{prefix}/policies/boundary",
                    None,
                    PolicyType.BOUNDARY.value,
                )
            )
        for doc, ptype, path, name in _scenario_documents(scenario, prefix):
            count += 1
            if not isinstance(doc, str | Mapping):
                out.append(
                    ValidationFinding(
                        "error",
                        "not-an-object",
                        "a policy must be a JSON object or a JSON string",
                        file,
                        path,
                        name,
                        ptype.value,
                    )
                )
                continue
            _, findings = check_document(doc, ptype, source=file, catalog=catalog)
            out += locate(findings, file=file, prefix=path, policy=name, policy_type=ptype)
    return count, out
