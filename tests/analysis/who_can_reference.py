"""The who-can loop as it was before actions were grouped into classes of alike actions:
every (principal, action) pair built and decided on its own. Kept as the reference the
grouped implementation must equal (tests/analysis/test_who_can_classes.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence

from iamsim.analysis.who_can import (
    ASSUMED_IDENTITY,
    KIND_ORDER,
    Blocked,
    WhoCan,
    WhoCanEntry,
    WhoCanResult,
    _could_allow,
)
from iamsim.engine import PolicySet
from iamsim.engine.compiled import CompiledPolicy
from iamsim.engine.decision import NO_PERMISSION_ACTIONS, compile_policy_set
from iamsim.errors import RequestError
from iamsim.model import Anonymous
from iamsim.vocabulary.request import CallerKind, ContextValue


class ReferenceWhoCan(WhoCan):
    """:class:`WhoCan` answering every (principal, action) pair with its own request."""

    def who_can(
        self,
        actions: Sequence[str],
        resource: str,
        *,
        context: Mapping[str, ContextValue] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> WhoCanResult:
        """Every principal that can perform any of ``actions`` on ``resource``.

        ``progress`` hears ``(candidates answered, candidates in all)`` after each candidate
        principal (the command line draws it as a bar)."""
        resource = resource.strip() or "*"
        entries: list[WhoCanEntry] = []
        blocked: list[Blocked] = []
        notes: list[str] = []
        evaluated = 0
        usable: list[str] = []
        request_resource: dict[str, str] = {}
        for action in actions:
            try:
                probe = self.builder.build(Anonymous(), action, resource)
            except RequestError as exc:
                notes.append(f"{action} skipped: {exc}")
                continue
            usable.append(action)
            request_resource[action] = probe.request.resource
            notes.extend(probe.warnings)  # what the resource's side assumes (owner, Region)
        if not usable and actions:
            raise RequestError(notes[0] if notes else "no action applies to the resource")
        actions = usable
        if actions and all(request_resource[a] == "*" for a in actions):
            # Actions without resource-level permissions are asked on "*" whatever ARN was
            # named (the builder's note says so): the candidates and the owner follow "*".
            resource = "*"
        on_star = any(request_resource[a] == "*" for a in actions)
        owner_unknown = resource != "*" and self.world.resource_account(resource) is None
        if owner_unknown and len(self.world.accounts) > 1:
            notes.append(
                f"the owner of {resource} is unknown, so each principal is answered as if it "
                "were in the principal's own account; name the owner in a resources file "
                "for an exact answer across accounts"
            )
        candidates = self.candidates(actions, resource, on_star=on_star)
        everyone = self._wildcard_actions(actions, resource)
        # Actions that need no permission (sts:GetCallerIdentity) are allowed whatever the
        # policies say, so no prefilter on identity statements may skip them.
        everyone.update(a for a in actions if a.lower() in NO_PERMISSION_ACTIONS)
        for done, candidate in enumerate(candidates):
            if progress is not None:  # before the candidate: its body has several exits
                progress(done, len(candidates))
            entry = WhoCanEntry(candidate.name, candidate.kind)
            identity: tuple[CompiledPolicy, ...] | None = None
            for action in actions:
                if identity is not None and not (
                    candidate.always
                    or action in everyone
                    or _could_allow(identity, action.lower(), request_resource[action])
                ):
                    continue  # no identity statement can allow it and no resource policy names it
                try:
                    built = self.builder.build(
                        candidate.principal, action, resource, context=context
                    )
                except RequestError as exc:
                    notes.append(f"{candidate.name}: {exc}")
                    break
                policies: PolicySet = built.policies
                if candidate.assumed:
                    policies = dataclasses.replace(policies, identity=(ASSUMED_IDENTITY,))
                compiled = compile_policy_set(policies)
                if built.request.caller.kind is CallerKind.ROOT:
                    identity = ()
                    candidate = dataclasses.replace(candidate, always=True)
                else:
                    identity = compiled.identity
                if not (
                    candidate.always
                    or action in everyone
                    or _could_allow(identity, action.lower(), built.request.resource)
                ):
                    continue
                evaluated += 1
                grant, stopped = self._ask(
                    candidate, built, policies, compiled, action, given=context or {}
                )
                if grant is not None:
                    entry.actions.append(grant)
                if stopped is not None:
                    blocked.append(stopped)
            if entry.actions:
                entries.append(entry)
        if progress is not None:
            progress(len(candidates), len(candidates))
        entries.sort(key=lambda e: (KIND_ORDER.get(e.kind, 99), e.principal))
        return WhoCanResult(
            actions=list(actions),
            resource=resource,
            principals=entries,
            blocked=blocked,
            considered=len(candidates),
            evaluated=evaluated,
            notes=list(dict.fromkeys(notes)),
        )
