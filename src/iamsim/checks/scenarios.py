"""Scenario documents for ``iamsim eval``: one request plus the policies that apply to it.

A scenario describes a question, not a world: it builds the engine's request and policy set
directly, which is why it lives with the checks and not with the loaders of :mod:`iamsim.ingest`.

The format (JSON or YAML; a file holds one scenario or a list) is documented in the README:
``name``, ``principal``, ``action``, ``resource``, ``resource_account``, ``context``,
``policies`` (``identity``, ``boundary``, ``session``, ``resource``, ``scp``, ``rcp``,
``endpoint``) and ``expect``. Every error names the file, the scenario and the JSON path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from iamsim.checks.inputs import parse_document
from iamsim.checks.policy_cache import cached_policy, cached_set
from iamsim.checks.scenario_request import scenario_request
from iamsim.engine.policies import PolicySet
from iamsim.errors import IamsimError, InputError
from iamsim.ingest import fast_json
from iamsim.patterns.arn import KNOWN_PARTITIONS, arn_problem
from iamsim.policy.jsondoc import json_type
from iamsim.policy.model import Policy, PolicyType
from iamsim.policy.parser import parse_policy
from iamsim.vocabulary.arn import parse_arn
from iamsim.vocabulary.context_keys import check_context
from iamsim.vocabulary.request import Request
from iamsim.vocabulary.targets import resource_policy_kind

SCENARIO_FIELDS = frozenset(
    {
        "name",
        "principal",
        "action",
        "resource",
        "resource_account",
        "context",
        "policies",
        "expect",
        "now",
        "discover",
    }
)
# Statuses of a context key in discover mode (iamsim.analysis.symbolic.discover).
DISCOVER_STATUSES = ("unknown", "present", "absent")
_POLICY_FIELDS = {"identity", "boundary", "session", "resource", "scp", "rcp", "endpoint"}
EXPECTATIONS = {
    "allow": "Allow",
    "explicitdeny": "ExplicitDeny",
    "implicitdeny": "ImplicitDeny",
    "deny": "Deny",
    "conditional": "Conditional",  # discover mode only
}


@dataclass(frozen=True)
class Scenario:
    name: str
    request: Request
    policies: PolicySet
    expect: str | None  # Allow | ExplicitDeny | ImplicitDeny | Deny (either deny) | Conditional
    # Discover mode (``discover:``): None = off; otherwise whether every key the scenario does
    # not give is unknown, and the statuses given key by key.
    discover: tuple[bool, dict[str, str]] | None = None
    notes: tuple[str, ...] = ()  # what the request assumes (e.g. Resource "*" for an action)

    def expectation_met(self, decision: str) -> bool | None:
        if self.expect is None:
            return None
        if self.expect == "Deny":
            return decision in ("ExplicitDeny", "ImplicitDeny")
        return decision == self.expect


@dataclass(frozen=True)
class ScenarioError:
    """A scenario that could not be read; evaluation of the others goes on."""

    name: str
    error: InputError


def load_scenarios(text: str, source: str) -> list[Scenario | ScenarioError]:
    """All scenarios of one file, in order; a bad scenario becomes a ScenarioError."""
    items = scenario_items(text, source)
    return [scenario_at(items, index) for index in range(len(items.values))]


@dataclass(frozen=True)
class ScenarioItems:
    """The decoded items of one scenario file, each read by :func:`scenario_at`."""

    values: list[Any]
    prefix: str  # the JSON pointer of the items ("" for a file of one scenario, "/" for a list)
    source: str
    from_json: bool


def scenario_items(text: str, source: str) -> ScenarioItems:
    """The items of one scenario file (one scenario, or a list of them), decoded; InputError
    when the file is not one of those."""
    from_json = text.lstrip("\ufeff \t\r\n").startswith(("{", "["))
    data = fast_json.loads(text, source) if from_json else parse_document(text, source)
    if isinstance(data, Mapping):
        return ScenarioItems([data], "", source, from_json)
    if isinstance(data, list):
        return ScenarioItems(data, "/", source, from_json)
    raise InputError(
        "a scenario file holds one scenario (a mapping) or a list of them", source=source
    )


def scenario_at(items: ScenarioItems, index: int) -> Scenario | ScenarioError:
    """The scenario of item ``index``, or the ScenarioError saying why it is not one."""
    item = items.values[index]
    path = f"{items.prefix}{index}" if items.prefix else ""
    fallback = f"#{index + 1}"
    name = str(item.get("name", fallback)) if isinstance(item, Mapping) else fallback
    label = f"{items.source}, scenario {name!r}"
    try:
        return parse_scenario(
            item,
            name=name,
            path=path,
            source=label,
            file=items.source,
            from_json=items.from_json,
        )
    except InputError as exc:
        return ScenarioError(name, exc)
    except IamsimError as exc:
        return ScenarioError(name, InputError(str(exc), path=path, source=label))


def parse_scenario(
    item: Any,
    *,
    name: str,
    path: str = "",
    source: str = "",
    file: str | None = None,
    from_json: bool = False,
) -> Scenario:
    """One scenario. ``source`` labels its errors; ``file`` (the scenario file, when the
    scenario is one of several in it) is the source its policies carry, so that the scenarios
    of one file share each distinct policy document (:mod:`iamsim.checks.policy_cache`).
    ``from_json``: ``item`` was read from JSON text, so it holds no YAML-made values (dates)
    to look for, and its policies are cached by their JSON text."""
    if not isinstance(item, Mapping):
        raise InputError("a scenario must be a mapping", path=path or "/", source=source)
    unknown = [] if SCENARIO_FIELDS.issuperset(item) else sorted(set(item) - SCENARIO_FIELDS)
    if unknown:
        raise InputError(
            f"unknown scenario field {unknown[0]!r} (known: {', '.join(sorted(SCENARIO_FIELDS))})",
            path=f"{path}/{unknown[0]}",
            source=source,
        )
    principal = _required_text(item, "principal", path, source)
    if "*" in principal or "?" in principal:
        raise InputError(
            f"principal {principal!r} is a pattern; a request has one caller (write "
            "anonymous for an unsigned request)",
            path=f"{path}/principal",
            source=source,
        )
    action = _required_text(item, "action", path, source)
    problem = _action_problem(action)
    if problem:
        raise InputError(
            f"action {action!r} {problem}: a request names one action, service:ActionName "
            "(s3:GetObject)",
            path=f"{path}/action",
            source=source,
        )
    resource = item.get("resource", "*")
    problem = _resource_problem(resource)
    if problem:
        raise InputError(problem, path=f"{path}/resource", source=source)
    resource_account = _account(item.get("resource_account"), f"{path}/resource_account", source)
    raw_context = item.get("context")
    if raw_context is not None and not isinstance(raw_context, Mapping):
        raise InputError(
            f"context must be a mapping of condition keys to values, not {_a_type(raw_context)}",
            path=f"{path}/context",
            source=source,
        )
    try:
        context = _checked_context(raw_context) if raw_context else {}
    except InputError as exc:
        raise exc.located(source=source, prefix=f"{path}/context") from exc
    now = item.get("now")
    moment = _parse_now(now, f"{path}/now", source) if now is not None else None
    try:
        request = scenario_request(
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
    notes: list[str] = []
    if request.resource != resource:
        # AWS authorizes an action without resource-level permissions against Resource "*"
        # whatever the caller names (make_request asks it on "*", authorized_resource); say so.
        notes.append(
            f"{action} supports no resource-level permissions; AWS evaluates it against "
            f'Resource "*", not {resource}'
        )
    raw_policies = item.get("policies")
    if raw_policies is None:
        raw_policies = {}
    policies = _policies(
        raw_policies, request, f"{path}/policies", source, file or source, from_json
    )
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
    discover = _discover(item.get("discover"), f"{path}/discover", source)
    if expect == "Conditional" and discover is None:
        raise InputError(
            "expect Conditional needs discover mode (discover: true or a mapping of keys)",
            path=f"{path}/expect",
            source=source,
        )
    return Scenario(
        name=name,
        request=request,
        policies=policies,
        expect=expect,
        discover=discover,
        notes=tuple(notes),
    )


def _checked_context(raw: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`check_context` of ``raw``, answered without it in the common case: every key a
    string ``prefix:name`` spelled once (case folded), every value a string, which is then
    the checked context as given. Anything else, including every error, is check_context's.
    The keys' verdict is remembered per tuple of keys (a batch repeats its context keys)."""
    keys = tuple(raw)
    if keys not in _PLAIN_KEYS:
        folded = set()
        for key in keys:
            if type(key) is not str:
                return check_context(raw)
            prefix, _, name = key.partition(":")
            if not prefix.strip() or not name.strip():
                return check_context(raw)
            folded.add(key.lower())
        if len(folded) != len(keys):
            return check_context(raw)
        if len(_PLAIN_KEYS) >= _PLAIN_KEYS_LIMIT:
            _PLAIN_KEYS.clear()
        _PLAIN_KEYS.add(keys)
    for value in raw.values():
        if type(value) is not str:
            return check_context(raw)
    return dict(raw)


# Tuples of context keys found plain (strings ``prefix:name``, each once case folded).
_PLAIN_KEYS: set[tuple[Any, ...]] = set()
_PLAIN_KEYS_LIMIT = 1024


_ACTION_PROBLEMS: dict[str, str | None] = {}
_ACTION_PROBLEMS_LIMIT = 4096


def _action_problem(action: str) -> str | None:
    """:func:`_find_action_problem`, remembered per action text (a batch repeats its actions)."""
    try:
        return _ACTION_PROBLEMS[action]
    except KeyError:
        pass
    problem = _find_action_problem(action)
    if len(_ACTION_PROBLEMS) >= _ACTION_PROBLEMS_LIMIT:
        _ACTION_PROBLEMS.clear()
    _ACTION_PROBLEMS[action] = problem
    return problem


def _discover(value: Any, path: str, source: str) -> tuple[bool, dict[str, str]] | None:
    """``discover: true`` or ``{KEY: unknown | present | absent}`` (see Scenario.discover)."""
    if value is None or value is False:
        return None
    if value is True:
        return (True, {})
    if not isinstance(value, dict):
        raise InputError(
            "discover must be true, false or a mapping of context keys to "
            "unknown, present or absent",
            path=path,
            source=source,
        )
    statuses: dict[str, str] = {}
    for key, status in value.items():
        if not isinstance(key, str) or ":" not in key:
            raise InputError(f"discover: {key!r} is not a context key", path=path, source=source)
        if status not in DISCOVER_STATUSES:
            raise InputError(
                f"discover: the status of {key} must be unknown, present or absent",
                path=f"{path}/{key.replace('~', '~0').replace('/', '~1')}",
                source=source,
            )
        statuses[key] = status
    return (True, statuses)


def _parse_now(value: Any, path: str, source: str) -> datetime:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise InputError("now must be an ISO 8601 date-time", path=path, source=source) from exc


def _required_text(item: Mapping[str, Any], field: str, path: str, source: str) -> str:
    value = item.get(field)
    if type(value) is str:  # the common case: one strip
        stripped = value.strip()
        if stripped:
            return stripped
    if not isinstance(value, str | int) or not str(value).strip():
        raise InputError(
            f"{field} is required and must be a string", path=f"{path}/{field}", source=source
        )
    return str(value).strip()


_ACTION = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*:[A-Za-z0-9][A-Za-z0-9_.-]*")


def _find_action_problem(action: str) -> str | None:
    """Why ``action`` is not one ``service:ActionName`` (the catalogue is not consulted)."""
    if "*" in action or "?" in action:
        return "is a pattern (patterns belong in policies)"
    if any(c.isspace() for c in action):
        return "contains whitespace"
    service, sep, name = action.partition(":")
    if not sep:
        return "has no service prefix"
    if not service or not name:
        return "has an empty part"
    if ":" in name:
        return "has more than one ':'"
    if not _ACTION.fullmatch(action):
        return "is not well-formed"
    return None


# Whitespace or a wildcard in an ARN's partition, service, Region or account (a fixed pattern).
_ODD_HEAD = re.compile(r"[\s*?]")


def _resource_problem(resource: Any) -> str | None:
    """Why ``resource`` is not ``"*"`` or one well-formed ARN, or None."""
    if type(resource) is str and _plain_arn(resource):
        return None
    return _resource_problem_of(resource)


def _plain_arn(resource: str) -> bool:
    """True for the common well-formed ARN, answered at once: ``arn``, a known partition, a
    service, no whitespace or wildcard before the resource part, a resource part, no policy
    variable syntax anywhere (False is no verdict: :func:`_resource_problem_of` decides)."""
    parts = resource.split(":", 5)
    return (
        len(parts) == 6
        and parts[0] == "arn"
        and parts[1] in KNOWN_PARTITIONS
        and bool(parts[2])
        and bool(parts[5])
        and "${" not in resource
        and not _ODD_HEAD.search(resource, 0, len(resource) - len(parts[5]))
    )


def _resource_problem_of(resource: Any) -> str | None:
    """:func:`_resource_problem` the long way."""
    if not isinstance(resource, str) or not resource.strip():
        found = "an empty string" if resource == "" else _a_type(resource)
        return f'resource must be an ARN or "*", not {found}'
    if resource == "*":
        return None
    arn = parse_arn(resource)
    if arn is None:
        return (
            f"resource {resource!r} is not an ARN (arn:partition:service:region:account-id:"
            'resource) or "*"'
        )
    problem = arn_problem(resource)
    if problem:
        return f"resource {resource!r}: {problem}"
    head = f"{arn.partition}:{arn.service}:{arn.region}:{arn.account}"  # "arn" has neither
    if "*" in head or "?" in head:
        return (
            f"resource {resource!r} has a wildcard in its partition, service, Region or account; "
            "a request names one resource"
        )
    return None


def _account(value: Any, path: str, source: str) -> str | None:
    """``resource_account``: a 12-digit account ID (a string; YAML/JSON numbers of 12 digits
    are accepted)."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and len(str(value)) == 12:
        return str(value)
    if isinstance(value, str) and len(value) == 12 and value.isdigit():
        return value
    raise InputError(
        f'resource_account must be a 12-digit account ID (a string such as "111122223333"), '
        f"not {value!r}",
        path=path,
        source=source,
    )


def _policies(
    block: Any, request: Request, path: str, source: str, file: str, from_json: bool
) -> PolicySet:
    """The scenario's policy set; the same object for every scenario of the process carrying
    the same block from the same file (:func:`iamsim.checks.policy_cache.cached_set`)."""
    # The one thing besides the block the set depends on: whether the request reads the
    # resource policy as a role trust policy.
    trust = resource_policy_kind(request.action, request.resource) == "trust"
    if not isinstance(block, Mapping):
        return _policy_set(block, trust, path, source, file, from_json)
    return cached_set(
        block,
        trust,
        file,
        lambda: _policy_set(block, trust, path, source, file, from_json),
        from_json=from_json,
    )


def _policy_set(
    block: Any, trust: bool, path: str, source: str, file: str, from_json: bool
) -> PolicySet:
    if not isinstance(block, Mapping):
        raise InputError(
            f"policies must be a mapping of policy types, not {_a_type(block)}",
            path=path,
            source=source,
        )
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
        return _policy(
            value, policy_type, f"{path}/{key}", source, file, from_json, default_name=key
        )

    def many(key: str, policy_type: PolicyType) -> tuple[Policy, ...] | None:
        value = block.get(key)
        if value is None:
            return None
        if not isinstance(value, list):
            value = [value]
        return tuple(
            _policy(
                v,
                policy_type,
                f"{path}/{key}/{i}",
                source,
                file,
                from_json,
                default_name=f"{key}[{i}]",
            )
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
        if not value:
            raise InputError(
                f"{key} is an empty list of levels: omit {key} when "
                f"{key.upper()}s do not apply, else give one list per organization level, "
                "root first",
                path=f"{path}/{key}",
                source=source,
            )
        # An empty level ([[]]) is kept: a node with no SCP attached allows nothing (AWS
        # requires one on every node), and RCPFullAWSAccess is always added to RCP levels.
        return tuple(
            tuple(
                _policy(
                    v,
                    policy_type,
                    f"{path}/{key}/{i}/{j}",
                    source,
                    file,
                    from_json,
                    default_name=f"{key}[{i}][{j}]",
                )
                for j, v in enumerate(level)
            )
            for i, level in enumerate(value)
        )

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
    value: Any,
    policy_type: PolicyType,
    path: str,
    source: str,
    file: str,
    from_json: bool,
    *,
    default_name: str,
) -> Policy:
    """The policy at ``path``: errors are labelled ``source`` (the scenario); the Policy carries
    ``file``, which it shares with every scenario of the file holding the same document."""
    name = default_name
    document = value
    doc_path = path
    if (type(value) is dict or isinstance(value, Mapping)) and "document" in value:
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
    if type(document) is not dict and not isinstance(document, str | Mapping):
        raise InputError(
            "a policy must be a JSON object or a JSON string", path=doc_path, source=source
        )

    def parse() -> Policy:
        if not from_json:  # JSON has no dates: only YAML makes them
            _reject_yaml_dates(document, doc_path, source)
        try:
            # Parsed as carrying ``file`` (the source the parser gives the Policy), not copied
            # afterwards: an error's source is the parser's only other use of it, and that is
            # replaced by the scenario's label here.
            return parse_policy(document, policy_type, name=name, source=file)
        except InputError as exc:
            raise exc.located(source=source, prefix=doc_path) from exc

    # Scenarios of a batch repeat their organization's policies: each distinct one is parsed
    # (and so compiled, by the engine's identity-keyed caches) once per process.
    return cached_policy(document, policy_type, name, file, parse, from_json=from_json)


def _reject_yaml_dates(value: Any, path: str, source: str) -> None:
    """Refuse the dates YAML makes of unquoted ``2012-10-17`` (a policy holds only JSON)."""
    if isinstance(value, date):
        text = value.isoformat()
        if path.endswith("/Version"):
            reason = (
                f'Version must be the string "{text}": quote it in YAML '
                f'(Version: "{text}"); unquoted, YAML reads it as a date'
            )
        else:
            reason = f'YAML read this value as a date; quote it ("{text}") to keep it as text'
        raise InputError(reason, path=path, source=source)
    if isinstance(value, Mapping):
        for key, item in value.items():
            token = str(key).replace("~", "~0").replace("/", "~1")
            _reject_yaml_dates(item, f"{path}/{token}", source)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _reject_yaml_dates(item, f"{path}/{index}", source)


def _a_type(value: Any) -> str:
    return json_type(value, article=True)
