"""The effective-permissions analyzer: collects a principal's policy set through the request
builder, turns each compiled statement into slots per action signature (with the conditions
the principal fixes decided once), and solves each signature with :mod:`.algebra`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from iamsim.analysis.actions_index import ActionIndex, index_for
from iamsim.analysis.arnsets import ArnSet, intersects, resource_set
from iamsim.analysis.collector import collector_paused
from iamsim.analysis.effective.algebra import Case, Layer, Slot, solve
from iamsim.analysis.effective.results import EffectivePermissions
from iamsim.analysis.facts import Facts, principal_facts
from iamsim.builder import BuiltRequest, RequestBuilder
from iamsim.engine.decision import CompiledPolicySet, compile_policy_set
from iamsim.errors import RequestError
from iamsim.model import Principal, World
from iamsim.patterns.arn import ResourcePattern
from iamsim.vocabulary.request import Caller, CallerKind, ContextValue

# Caller kinds whose permissions this analysis describes.
_SUPPORTED = frozenset(
    {CallerKind.USER, CallerKind.ROLE_SESSION, CallerKind.FEDERATED_USER, CallerKind.ROOT}
)
_BOUNDED = frozenset({CallerKind.USER, CallerKind.ROLE_SESSION, CallerKind.FEDERATED_USER})

# An action every principal may call; used to ask the builder for the principal's policies.
_PROBE_ACTION = "sts:GetCallerIdentity"


# ---------------------------------------------------------------------------- the analyzer


class EffectiveAnalyzer:
    """Computes effective permissions for principals of one world, sharing every cache
    (compiled policies, resource sets, action expansions) between principals."""

    def __init__(
        self,
        world: World,
        *,
        builder: RequestBuilder | None = None,
        index: ActionIndex | None = None,
    ) -> None:
        self.world = world
        self.builder = builder if builder is not None else RequestBuilder(world)
        self._index = index
        self._sets: dict[tuple[str, bool], ArnSet] = {}
        self._rcp_services: frozenset[str] | None = None
        self._rcp_memo: dict[tuple[str | None, bool, str], bool] = {}

    def index(self, service: str | None = None) -> ActionIndex:
        if service is not None:
            return index_for(service)
        if self._index is None:
            self._index = index_for(None)
        return self._index

    # -- principal ----------------------------------------------------------------------------

    def policy_set(
        self, principal: str | Principal, context: Mapping[str, ContextValue] | None = None
    ) -> tuple[BuiltRequest, CompiledPolicySet]:
        """(the builder's answer for a probe request, the compiled policy set)."""
        built = self.builder.build(principal, _PROBE_ACTION, "*", context=context)
        return built, compile_policy_set(built.policies)

    def layers(self, caller: Caller, compiled: CompiledPolicySet) -> list[Layer]:
        """Every layer of the policy set that applies to ``caller``, in the engine's order."""
        kind = caller.kind
        layers = [Layer("identity", None, compiled.identity)]
        for i, level in enumerate(compiled.rcp or ()):
            layers.append(Layer("rcp", i, level))
        for i, level in enumerate(compiled.scp or ()):
            layers.append(Layer("scp", i, level))
        if compiled.boundary is not None and kind in _BOUNDED:
            layers.append(Layer("boundary", None, (compiled.boundary,)))
        if caller.is_session and (
            compiled.session is not None or kind is CallerKind.FEDERATED_USER
        ):
            layers.append(Layer("session", None, compiled.session or ()))
        return layers

    def _set(self, pattern: ResourcePattern, enabled: bool, facts: Facts) -> ArnSet:
        if pattern.has_variables:
            return resource_set(
                pattern.text, variables_enabled=enabled, facts=facts, engine=pattern
            )
        key = (pattern.text, enabled)
        found = self._sets.get(key)
        if found is None:
            found = resource_set(pattern.text, variables_enabled=enabled, engine=pattern)
            self._sets[key] = found
        return found

    def slots(
        self, caller: Caller, layers: Sequence[Layer], facts: Facts, index: ActionIndex
    ) -> list[Slot]:
        """Every statement that can apply to this principal, as slots (statement order)."""
        out: list[Slot] = []
        rcp_ids: frozenset[int] | None = None
        for layer in layers:
            for policy in layer.policies:
                enabled = policy.policy.variables_enabled
                for statement in policy.statements:
                    if (
                        statement.principal is not None
                        and statement.principal.match(caller) is None
                    ):
                        continue
                    clauses = facts.residual(statement.conditions)
                    if clauses is None:
                        continue
                    coverage = index.coverage(statement)
                    if layer.kind == "rcp":
                        if rcp_ids is None:
                            rcp_ids = index.service_ids(self.rcp_services())
                        coverage = coverage.intersect(rcp_ids)
                    resources = (
                        tuple(self._set(p, enabled, facts) for p in statement.resources)
                        if statement.resources is not None
                        else None
                    )
                    not_resources = (
                        tuple(self._set(p, enabled, facts) for p in statement.not_resources)
                        if statement.not_resources is not None
                        else None
                    )
                    out.append(
                        Slot(
                            len(out), layer, statement, coverage, resources, not_resources, clauses
                        )
                    )
        return out

    def rcp_services(self) -> frozenset[str]:
        if self._rcp_services is None:
            catalog = self.builder.catalog
            self._rcp_services = frozenset(s.lower() for s in catalog.rcp_supported_services())
        return self._rcp_services

    def _relevant(self, rkey: int, index: ActionIndex) -> Callable[[ArnSet], bool]:
        if rkey == 0:
            return _is_all
        formats = index.formats(rkey)
        memo = index.relevance

        def relevant(s: ArnSet) -> bool:
            if s.is_all:
                return True
            key = (s, rkey)
            found = memo.get(key)
            if found is None:
                found = any(intersects(s, f) for f in formats)
                memo[key] = found
            return found

        return relevant

    # -- the analysis -------------------------------------------------------------------------

    def permissions(
        self,
        principal: str | Principal,
        *,
        service: str | None = None,
        compare_boundary: bool = False,
        context: Mapping[str, ContextValue] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> EffectivePermissions:
        """The effective permissions of ``principal`` over the catalogue (or one service).

        ``context`` fixes keys for every request (``aws:RequestedRegion``, ``aws:SourceIp``):
        conditions on them are decided instead of being reported as conditions.
        ``progress`` hears ``(action groups solved, action groups in all)`` (the command
        line draws it as a bar)."""
        with collector_paused():  # see iamsim.analysis.collector
            return self._permissions(principal, service, compare_boundary, context or {}, progress)

    def _permissions(
        self,
        principal: str | Principal,
        service: str | None,
        compare_boundary: bool,
        context: Mapping[str, ContextValue],
        progress: Callable[[int, int], None] | None = None,
    ) -> EffectivePermissions:
        built, compiled = self.policy_set(principal, context)
        caller: Caller = built.request.caller
        if caller.kind not in _SUPPORTED:
            kind = caller.kind.value.replace("-", " ")
            article = "an" if kind[:1] in "aeiou" else "a"
            raise RequestError(
                f"effective permissions describe IAM users, roles, sessions and root users; "
                f"{caller.display} is {article} {kind} caller (use who-can instead)"
            )
        index = self.index(service)
        facts = principal_facts(built.request.context, given=context)
        layers = self.layers(caller, compiled)
        slots = self.slots(caller, layers, facts, index)
        ceilings = [layer for layer in layers if layer.kind != "identity"]
        rcp_layers = [layer for layer in ceilings if layer.kind == "rcp"]
        no_rcp = [layer for layer in ceilings if layer.kind != "rcp"]
        rcp_action_ids = self._rcp_action_ids(principal, caller, rcp_layers, slots, index)

        # Signatures: the statements (beyond those covering every action) covering each
        # granted action. Only actions some identity Allow covers are looked at.
        count = len(index)
        everywhere = [s for s in slots if s.coverage.everything]
        identity_everywhere = any(s.layer.kind == "identity" and not s.deny for s in everywhere)
        root = caller.kind is CallerKind.ROOT
        if root or identity_everywhere:
            granted: Iterable[int] = range(count)
        else:
            found: set[int] = set()
            for slot in slots:
                if slot.layer.kind != "identity" or slot.deny:
                    continue
                coverage = slot.coverage
                if coverage.negated:
                    found.update(i for i in range(count) if i not in coverage.ids)
                else:
                    found.update(coverage.ids)
            granted = sorted(found)
        specific: dict[int, list[int]] = {action_id: [] for action_id in granted}
        for slot in slots:
            coverage = slot.coverage
            if coverage.everything:
                continue
            if coverage.negated:
                excluded = coverage.ids
                for action_id, listed in specific.items():
                    if action_id not in excluded:
                        listed.append(slot.index)
            else:
                for action_id in coverage.ids:
                    members = specific.get(action_id)
                    if members is not None:
                        members.append(slot.index)
        resource_key = index.resource_key
        groups: dict[tuple[tuple[int, ...], int, bool], list[int]] = {}
        for action_id, listed in specific.items():
            key = (tuple(listed), resource_key[action_id], action_id in rcp_action_ids)
            groups.setdefault(key, []).append(action_id)

        cases: dict[int, Case] = {}
        solved: dict[tuple[tuple[int, ...], bool, tuple[bool, ...]], Case] = {}
        for done, ((signature, rkey, rcp_applies), action_ids) in enumerate(groups.items()):
            if progress is not None:
                progress(done, len(groups))
            case_slots = sorted(
                [*everywhere, *(slots[i] for i in signature)], key=lambda s: s.index
            )
            if not rcp_applies:
                case_slots = [s for s in case_slots if s.layer.kind != "rcp"]
            relevant = self._relevant(rkey, index)
            bits = tuple(relevant(s) for slot in case_slots for s in slot.sets())
            memo_key = (signature, rcp_applies, bits)
            case = solved.get(memo_key)
            if case is None:
                case = solve(
                    case_slots,
                    ceilings if rcp_applies else no_rcp,
                    relevant,
                    root=root,
                    boundary_view=compare_boundary,
                )
                solved[memo_key] = case
            if case.status is None:
                continue
            for action_id in action_ids:
                cases[action_id] = case
        if progress is not None:
            progress(len(groups), len(groups))

        notes = list(built.warnings)
        if any(layer.kind == "session" and not layer.policies for layer in layers):
            notes.append("a federated-user session without a session policy has no permissions")
        return EffectivePermissions(
            principal=_principal_name(built.principal, caller),
            caller=caller,
            account=caller.account,
            layers=tuple(layers),
            index=index,
            notes=tuple(dict.fromkeys(notes)),
            _cases=cases,
            _facts=facts,
            slots=tuple(slots),
        )

    def _rcp_action_ids(
        self,
        principal: str | Principal,
        caller: Caller,
        rcp_layers: Sequence[Layer],
        slots: Sequence[Slot],
        index: ActionIndex,
    ) -> frozenset[int]:
        """The actions the RCP layers stand in front of, for resources of the caller's account.

        Whether RCPs apply is the builder's call (services RCPs support, exempt actions), asked
        per action; only the actions some RCP statement could change are asked: where every
        level allows everything unconditionally, the other actions decide the same either way.
        """
        if not rcp_layers:
            return frozenset()
        supported = index.service_ids(self.rcp_services())
        full = {
            s.layer
            for s in slots
            if s.layer.kind == "rcp"
            and not s.deny
            and not s.conditional
            and index.coverage(s.statement).everything
            and s.resources is not None
            and any(r.is_all for r in s.resources)
        }
        if all(layer in full for layer in rcp_layers):
            sensitive: set[int] = set()
            for slot in slots:
                if slot.layer.kind == "rcp" and slot.deny:
                    sensitive.update(i for i in supported if i in slot.coverage)
            candidates: Iterable[int] = sensitive
        else:
            candidates = supported
        out = []
        for action_id in candidates:
            action = index.actions[action_id]
            key = (caller.account, caller.service_linked, action)
            found = self._rcp_memo.get(key)
            if found is None:
                try:
                    found = self.builder.build(principal, action, "*").policies.rcp is not None
                except RequestError:
                    found = True
                self._rcp_memo[key] = found
            if found:
                out.append(action_id)
        return frozenset(out)


def _is_all(s: ArnSet) -> bool:
    return s.is_all


def _principal_name(principal: Principal, caller: Caller) -> str:
    arn = getattr(principal, "arn", None)  # Anonymous and Root have none
    if isinstance(arn, str):
        return arn
    if caller.role_arn:
        return caller.role_arn
    return caller.display


def effective_permissions(
    world: World,
    principal: str | Principal,
    *,
    service: str | None = None,
    compare_boundary: bool = False,
    analyzer: EffectiveAnalyzer | None = None,
) -> EffectivePermissions:
    """The effective permissions of one principal (see :class:`EffectiveAnalyzer`)."""
    analyzer = analyzer or EffectiveAnalyzer(world)
    return analyzer.permissions(principal, service=service, compare_boundary=compare_boundary)
