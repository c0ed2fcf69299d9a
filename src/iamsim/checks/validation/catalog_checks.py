"""The checks of a policy that need the AWS service reference (:mod:`iamsim.catalog`).

===================================  ==========  ================================================
code                                 severity    meaning
===================================  ==========  ================================================
``unknown-service``                  error       the action's service prefix does not exist
                                                 (AWS stores the policy: ``aws_rejects`` false)
``unknown-action``                   error       no such action in the service (suggestions
                                                 given; AWS stores the policy)
``action-matches-nothing``           warning     an action pattern matches no action
``resource-type-mismatch``           warning     none of the statement's resources can be a
                                                 resource the action acts on
``action-needs-wildcard-resource``   warning     the action supports no resource-level
                                                 permissions (AWS matches it against ``"*"``)
                                                 and no resource of the statement is ``"*"``
``resource-matches-no-action``       suggestion  a resource none of the statement's actions
                                                 act on
``unknown-condition-key``            error       the condition key does not exist (AWS stores
                                                 the policy; the key is never present)
``condition-key-not-applicable``     warning     AWS never supplies the key for some of the
                                                 statement's actions: the condition sees it
                                                 absent
===================================  ==========  ================================================

How a resource pattern is matched against the action's resource types is
:mod:`iamsim.checks.validation.resource_fit`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from typing import Any

from iamsim.catalog import service_reference
from iamsim.checks.validation.resource_fit import PatternFit, has_wildcard
from iamsim.policy import Finding
from iamsim.policy.model import Policy, Statement


def resolve_catalog(catalog: Any) -> Any:
    """``catalog``, or the packaged service reference when None (loaded on first use)."""
    if catalog is not None:
        return catalog
    return service_reference()


def _entries(st: Statement, element: str, values: tuple[str, ...] | None) -> list[tuple[str, str]]:
    """(value, JSON pointer) of each entry of an Action/Resource-like element."""
    if values is None:
        return []
    if element in st.scalar_elements and len(values) == 1:
        return [(values[0], f"{st.path}/{element}")]
    return [(value, f"{st.path}/{element}/{i}") for i, value in enumerate(values)]


def catalog_findings(policy: Policy, *, catalog: Any = None) -> list[Finding]:
    """The service-reference checks of ``policy`` (see the module docstring), in order.

    Paths are JSON pointers into the policy document.
    """
    cat = resolve_catalog(catalog)
    checker = _Checker(cat)
    out: list[Finding] = []
    for statement in policy.statements:
        out.extend(checker.statement(statement))
    return out


class _Checker:
    def __init__(self, catalog: Any) -> None:
        self.cat = catalog
        self.fit = PatternFit(catalog)

    # -- actions ------------------------------------------------------------------------------

    def actions_of(self, text: str) -> list[str] | None:
        """The canonical actions an Action entry covers (None for "*" or an unknown entry)."""
        if text.strip() == "*":
            return None
        if has_wildcard(text):
            return list(self.cat.expand_action_pattern(text))
        canonical = self.cat.canonical_action(text)
        return [canonical] if canonical else None

    def action_entry(self, text: str, path: str, element: str) -> Iterator[Finding]:
        if text.strip() == "*" or ":" not in text:
            return
        prefix, _, name = text.partition(":")
        if has_wildcard(prefix):
            if not self.cat.expand_action_pattern(text):
                yield Finding(
                    "warning",
                    "action-matches-nothing",
                    f"{element} pattern {text!r} matches no action of any service",
                    path,
                )
            return
        if not self.cat.service_exists(prefix):
            hint = _did_you_mean(self.cat.suggest_actions(text))
            close = difflib.get_close_matches(prefix.lower(), self.cat.services(), n=3)
            if not hint and close:
                hint = f"; did you mean the service {', '.join(close)}?"
            yield Finding(
                "error",
                "unknown-service",
                f"{text!r}: there is no service with the prefix {prefix!r}{hint}",
                path,
            )
            return
        if has_wildcard(name):
            if not self.cat.expand_action_pattern(text):
                yield Finding(
                    "warning",
                    "action-matches-nothing",
                    f"{element} pattern {text!r} matches no {prefix.lower()} action",
                    path,
                )
            return
        if self.cat.canonical_action(text) is None:
            hint = _did_you_mean(self.cat.suggest_actions(text))
            yield Finding(
                "error",
                "unknown-action",
                f"{text!r} is not an action of {self.cat.service_name(prefix) or prefix}{hint}",
                path,
            )

    # -- one statement ---------------------------------------------------------------------------

    def statement(self, st: Statement) -> Iterator[Finding]:
        for element, values in (("Action", st.actions), ("NotAction", st.not_actions)):
            for text, path in _entries(st, element, values):
                yield from self.action_entry(text, path, element)
        action_entries = _entries(st, "Action", st.actions)
        covered: list[tuple[str, str, list[str]]] = []  # (entry text, path, actions)
        every_action = st.actions is None  # NotAction: the statement covers nearly everything
        for text, path in action_entries:
            actions = self.actions_of(text)
            if actions is None:
                if text.strip() == "*":
                    every_action = True
                continue
            covered.append((text, path, actions))
        if st.resources is not None and covered:
            yield from self.resources(st, covered, every_action)
        if st.conditions:
            yield from self.conditions(st, covered, every_action)

    def resources(
        self, st: Statement, covered: list[tuple[str, str, list[str]]], every_action: bool
    ) -> Iterator[Finding]:
        resources = _entries(st, "Resource", st.resources)
        if any(r.strip() == "*" for r, _ in resources):
            return
        used: set[str] = set()
        for text, path, actions in covered:
            fitting = []
            for action in actions:
                hits = [r for r, _ in resources if self.fits(action, r)]
                if hits:
                    fitting.append(action)
                    used.update(hits)
            if fitting or not actions:
                continue
            shown = ", ".join(r for r, _ in resources)
            if len(actions) == 1 and not self.cat.supports_resource_level_permissions(actions[0]):
                yield Finding(
                    "warning",
                    "action-needs-wildcard-resource",
                    f"{actions[0]} supports no resource-level permissions: AWS matches it "
                    f'against Resource "*", which none of this statement\'s resources ({shown}) '
                    "matches, so the statement never applies to it",
                    path,
                )
                continue
            expected = self.expected_types(actions)
            if len(actions) == 1:
                message = (
                    f"none of this statement's resources ({shown}) can be a resource "
                    f"{actions[0]} acts on ({expected}), so the statement never applies to it"
                )
            else:
                message = (
                    f"none of this statement's resources ({shown}) can be a resource any action "
                    f"matched by {text!r} acts on ({expected}), so the statement never applies "
                    "to those actions"
                )
            yield Finding("warning", "resource-type-mismatch", message, path)
        if every_action or not used:
            return  # nothing fits at all: the mismatch findings above already say so
        for resource, path in resources:
            if resource not in used:
                yield Finding(
                    "suggestion",
                    "resource-matches-no-action",
                    f"{resource} is not a resource any action of this statement acts on; it "
                    "can be removed",
                    path,
                )

    def fits(self, action: str, resource: str) -> bool:
        if resource.strip() == "*" or all(ch == "*" for ch in resource):
            return True
        if not self.cat.supports_resource_level_permissions(action):
            return False
        return self.fit.fits(action, resource)

    def expected_types(self, actions: Sequence[str]) -> str:
        seen: dict[str, None] = {}
        for action in actions[:20]:
            for rtype in self.cat.resource_types(action):
                for fmt in rtype.arn_formats:
                    seen.setdefault(f"{rtype.name}: {fmt}", None)
        listed = list(seen)
        text = "; ".join(listed[:4])
        return text + ("; ..." if len(listed) > 4 else "") if text else 'only Resource "*"'

    def conditions(
        self, st: Statement, covered: list[tuple[str, str, list[str]]], every_action: bool
    ) -> Iterator[Finding]:
        for clause in st.conditions:
            key = clause.key
            if "${" in key:
                continue
            if not self.cat.is_known_condition_key(key):
                yield Finding(
                    "error",
                    "unknown-condition-key",
                    f"{key!r} is not a condition key AWS defines{self.key_hint(key, covered)}",
                    clause.path,
                )
                continue
            if every_action or not covered:
                continue
            operator = clause.operator
            if operator.if_exists or operator.base == "Null":
                continue  # written for the key's absence on purpose
            missing = []
            applies_somewhere = False
            for text, _, actions in covered:
                if any(self.cat.is_known_condition_key(key, a) for a in actions):
                    applies_somewhere = True
                else:
                    missing.append(text)
            if not missing:
                continue
            listed = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
            if applies_somewhere:
                message = (
                    f"AWS never supplies {key} in requests for {listed}: for those actions the "
                    f"condition sees the key absent ({operator.text} on an absent key); split the "
                    "statement or use ...IfExists if that is not intended"
                )
            else:
                message = (
                    f"{key} is not a condition key of {listed}: AWS never supplies it for these "
                    f"actions, so {operator.text} always sees it absent"
                )
            yield Finding("warning", "condition-key-not-applicable", message, clause.path)

    def key_hint(self, key: str, covered: list[tuple[str, str, list[str]]]) -> str:
        candidates: set[str] = set()
        if key.lower().startswith("aws:"):
            candidates = {g.key for g in self.cat.global_condition_keys()}
        else:
            for _, _, actions in covered:
                for action in actions[:50]:
                    candidates.update(self.cat.condition_keys(action))
        lowered = {c.lower(): c for c in candidates}
        close = difflib.get_close_matches(key.lower(), list(lowered), n=3, cutoff=0.6)
        return _did_you_mean([lowered[c] for c in close])


def _did_you_mean(options: Sequence[str]) -> str:
    return f"; did you mean: {', '.join(options)}?" if options else ""
