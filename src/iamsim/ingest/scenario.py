"""Scenario documents for ``iamsim eval``: one request plus the policies that apply to it.

The format (JSON or YAML; a file holds one scenario or a list) is documented in the README:
``name``, ``principal``, ``action``, ``resource``, ``resource_account``, ``context``,
``policies`` (``identity``, ``boundary``, ``session``, ``resource``, ``scp``, ``rcp``,
``endpoint``) and ``expect``. Every error names the file, the scenario and the JSON path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import yaml

from iamsim.engine.context import make_request
from iamsim.engine.decision import TRUST_ACTIONS
from iamsim.engine.policies import PolicySet
from iamsim.engine.request import Request
from iamsim.errors import IamsimError, InputError
from iamsim.policy.model import Policy, PolicyType
from iamsim.policy.parser import parse_policy

_FIELDS = {
    "name",
    "principal",
    "action",
    "resource",
    "resource_account",
    "context",
    "policies",
    "expect",
    "now",
}
_POLICY_FIELDS = {"identity", "boundary", "session", "resource", "scp", "rcp", "endpoint"}
EXPECTATIONS = {
    "allow": "Allow",
    "explicitdeny": "ExplicitDeny",
    "implicitdeny": "ImplicitDeny",
    "deny": "Deny",
}


@dataclass(frozen=True)
class Scenario:
    name: str
    request: Request
    policies: PolicySet
    expect: str | None  # Allow | ExplicitDeny | ImplicitDeny | Deny (either deny)

    def expectation_met(self, decision: str) -> bool | None:
        if self.expect is None:
            return None
        if self.expect == "Deny":
            return decision != "Allow"
        return decision == self.expect


@dataclass(frozen=True)
class ScenarioError:
    """A scenario that could not be read; evaluation of the others goes on."""

    name: str
    error: InputError


def read_documents(text: str, source: str) -> Any:
    """Parse JSON or YAML text (JSON is tried first for exact error positions)."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", source=source
            ) from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", source=source) from exc


def load_scenarios(text: str, source: str) -> list[Scenario | ScenarioError]:
    """All scenarios of one file, in order; a bad scenario becomes a ScenarioError."""
    data = read_documents(text, source)
    if isinstance(data, Mapping):
        items: list[Any] = [data]
        prefix = ""
    elif isinstance(data, list):
        items = data
        prefix = "/"
    else:
        raise InputError(
            "a scenario file holds one scenario (a mapping) or a list of them", source=source
        )
    out: list[Scenario | ScenarioError] = []
    for index, item in enumerate(items):
        path = f"{prefix}{index}" if prefix else ""
        fallback = f"#{index + 1}"
        name = str(item.get("name", fallback)) if isinstance(item, Mapping) else fallback
        label = f"{source}, scenario {name!r}"
        try:
            out.append(parse_scenario(item, name=name, path=path, source=label))
        except InputError as exc:
            out.append(ScenarioError(name, exc))
        except IamsimError as exc:
            out.append(ScenarioError(name, InputError(str(exc), path=path, source=label)))
    return out


def parse_scenario(item: Any, *, name: str, path: str = "", source: str = "") -> Scenario:
    if not isinstance(item, Mapping):
        raise InputError("a scenario must be a mapping", path=path or "/", source=source)
    unknown = sorted(set(item) - _FIELDS)
    if unknown:
        raise InputError(
            f"unknown scenario field {unknown[0]!r} (known: {', '.join(sorted(_FIELDS))})",
            path=f"{path}/{unknown[0]}",
            source=source,
        )
    principal = _required_text(item, "principal", path, source)
    action = _required_text(item, "action", path, source)
    if ":" not in action or "*" in action or "?" in action:
        raise InputError(
            "action must be one service:Action name without wildcards",
            path=f"{path}/action",
            source=source,
        )
    resource = item.get("resource", "*")
    if not isinstance(resource, str) or not resource:
        raise InputError('resource must be an ARN or "*"', path=f"{path}/resource", source=source)
    resource_account = item.get("resource_account")
    if resource_account is not None:
        resource_account = str(resource_account)
    context = item.get("context") or {}
    if not isinstance(context, Mapping):
        raise InputError(
            "context must be a mapping of condition keys to values",
            path=f"{path}/context",
            source=source,
        )
    now = item.get("now")
    moment = _parse_now(now, f"{path}/now", source) if now is not None else None
    try:
        request = make_request(
            principal,
            action,
            resource,
            resource_account=resource_account,
            context=context,
            now=moment,
        )
    except InputError as exc:
        raise exc.located(
            source=source, prefix=f"{path}/principal" if not exc.path else path
        ) from exc
    policies = _policies(item.get("policies") or {}, request, f"{path}/policies", source)
    expect = item.get("expect")
    if expect is not None:
        normalized = EXPECTATIONS.get(str(expect).replace(" ", "").lower())
        if normalized is None:
            raise InputError(
                "expect must be Allow, ExplicitDeny, ImplicitDeny or Deny",
                path=f"{path}/expect",
                source=source,
            )
        expect = normalized
    return Scenario(name=name, request=request, policies=policies, expect=expect)


def _parse_now(value: Any, path: str, source: str) -> datetime:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise InputError("now must be an ISO 8601 date-time", path=path, source=source) from exc


def _required_text(item: Mapping[str, Any], field: str, path: str, source: str) -> str:
    value = item.get(field)
    if not isinstance(value, str | int) or not str(value).strip():
        raise InputError(
            f"{field} is required and must be a string", path=f"{path}/{field}", source=source
        )
    return str(value).strip()


def _policies(block: Any, request: Request, path: str, source: str) -> PolicySet:
    if not isinstance(block, Mapping):
        raise InputError("policies must be a mapping of policy types", path=path, source=source)
    unknown = sorted(set(block) - _POLICY_FIELDS)
    if unknown:
        raise InputError(
            f"unknown policy type {unknown[0]!r} (known: {', '.join(sorted(_POLICY_FIELDS))})",
            path=f"{path}/{unknown[0]}",
            source=source,
        )

    def one(key: str, policy_type: PolicyType) -> Policy | None:
        value = block.get(key)
        if value is None:
            return None
        return _policy(value, policy_type, f"{path}/{key}", source, default_name=key)

    def many(key: str, policy_type: PolicyType) -> tuple[Policy, ...] | None:
        value = block.get(key)
        if value is None:
            return None
        if not isinstance(value, list):
            value = [value]
        return tuple(
            _policy(v, policy_type, f"{path}/{key}/{i}", source, default_name=f"{key}[{i}]")
            for i, v in enumerate(value)
        )

    def levels(key: str, policy_type: PolicyType) -> tuple[tuple[Policy, ...], ...] | None:
        value = block.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(level, list) for level in value):
            raise InputError(
                f"{key} must be a list of organization levels, root first, each a list of policies",
                path=f"{path}/{key}",
                source=source,
            )
        return tuple(
            tuple(
                _policy(
                    v, policy_type, f"{path}/{key}/{i}/{j}", source, default_name=f"{key}[{i}][{j}]"
                )
                for j, v in enumerate(level)
            )
            for i, level in enumerate(value)
        )

    trust = request.action.lower() in TRUST_ACTIONS and ":role/" in request.resource
    identity = many("identity", PolicyType.IDENTITY)
    session = many("session", PolicyType.SESSION)
    return PolicySet(
        identity=identity or (),
        boundary=one("boundary", PolicyType.BOUNDARY),
        session=session if session else None,
        resource=one("resource", PolicyType.TRUST if trust else PolicyType.RESOURCE),
        scp=levels("scp", PolicyType.SCP),
        rcp=levels("rcp", PolicyType.RCP),
        endpoint=many("endpoint", PolicyType.ENDPOINT),
    )


def _policy(
    value: Any, policy_type: PolicyType, path: str, source: str, *, default_name: str
) -> Policy:
    name = default_name
    document = value
    doc_path = path
    if isinstance(value, Mapping) and "document" in value:
        extra = sorted(set(value) - {"name", "document"})
        if extra:
            raise InputError(
                f"unknown field {extra[0]!r} beside name/document",
                path=f"{path}/{extra[0]}",
                source=source,
            )
        name = str(value.get("name") or default_name)
        document = value["document"]
        doc_path = f"{path}/document"
    if not isinstance(document, str | Mapping):
        raise InputError(
            "a policy must be a JSON object or a JSON string", path=doc_path, source=source
        )
    try:
        return parse_policy(document, policy_type, name=name, source=source)
    except InputError as exc:
        raise exc.located(source=source, prefix=doc_path) from exc
