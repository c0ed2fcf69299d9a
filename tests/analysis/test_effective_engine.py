"""The effective-permissions algebra checked against the engine.

For sampled (action, concrete resource, context) triples, the category the algebra's result
gives (:meth:`EffectivePermissions.decision_at`) must agree with the engine's decision on the
request the builder builds for the same question: allowed exactly when the engine allows, an
explicit deny when the result names a Deny, the same guardrail when the result says "cut".
Resources are examples drawn from the result's own resource sets and from the actions' ARN
formats, inside the principal's account and without a resource-based policy (the scope of the
analysis).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from iamsim.analysis.arnsets import ArnSet, example, resource_set
from iamsim.analysis.effective import EffectiveAnalyzer, EffectivePermissions, Verdict
from iamsim.analysis.synthesize import synthesize
from iamsim.builder import RequestBuilder
from iamsim.engine import CompiledPolicySet, DecisionValue, PolicySet, decide, evaluate
from iamsim.engine.decision import compile_policy_set
from iamsim.errors import RequestError
from iamsim.ingest import load_inputs
from iamsim.patterns.variables import parse_template

DATA = Path(__file__).parent / "data"
GAAD = Path(__file__).resolve().parents[1] / "real_inputs" / "gaad"
TRUST_ACTIONS = {"sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity"}
TRUST_ACTIONS |= {"sts:tagsession", "sts:setsourceidentity", "sts:setcontext"}


def load_test_world() -> object:
    return load_inputs([DATA / "gaad.yaml", DATA / "org.yaml", DATA / "resources.yaml"])


def _sets_of(result: EffectivePermissions, action: str) -> Iterator[ArnSet]:
    found = result.get(action)
    if found is None:
        return
    case = found.case
    for term in (*case.granted, *case.terms):
        yield from term.scope.include
        yield from term.scope.exclude
        yield from term.denied
        for slot in (*term.conditions, *term.unless):
            yield from slot.sets()
    for removal in case.removals:
        yield from removal.term.scope.include
        yield from removal.term.scope.exclude
        if removal.slot is not None:
            yield from removal.slot.sets()
        for scope, _slot in removal.allowed:
            yield from scope.include
            yield from scope.exclude


def _policy_sets(
    analyzer: EffectiveAnalyzer, principal: str, result: EffectivePermissions
) -> list[ArnSet]:
    """Every Resource/NotResource entry of the principal's policies, independent of the result."""
    _built, compiled = analyzer.policy_set(principal)
    policies = [*compiled.identity, *(compiled.session or ())]
    if compiled.boundary is not None:
        policies.append(compiled.boundary)
    for level in (*(compiled.scp or ()), *(compiled.rcp or ())):
        policies.extend(level)
    out: list[ArnSet] = []
    for policy in policies:
        for statement in policy.statements:
            for pattern in (*(statement.resources or ()), *(statement.not_resources or ())):
                out.append(
                    resource_set(
                        pattern.text,
                        variables_enabled=policy.policy.variables_enabled,
                        facts=result._facts,
                    )
                )
    return list(dict.fromkeys(out))


def _resources(
    result: EffectivePermissions, action: str, policy_sets: Iterable[ArnSet] = ()
) -> list[str]:
    index = result.index
    action_id = index.id_of(action)
    assert action_id is not None
    rkey = index.resource_key[action_id]
    if rkey == 0:
        return ["*"]
    account = result.account
    out: list[str] = []
    formats = index.formats(rkey)
    for fmt in formats:
        for filler in ("x", "zz9"):
            found = example(fmt, account=account, filler=filler)
            if found:
                out.append(found)
    for s in dict.fromkeys([*_sets_of(result, action), *policy_sets]):
        for fmt in formats:
            for filler in ("x", "q7"):
                found = example(s, fmt, account=account, filler=filler)
                if found:
                    out.append(found)
    return list(dict.fromkeys(out))


def _context_variants(result: EffectivePermissions, action: str) -> list[dict[str, Any]]:
    found = result.get(action)
    variants: list[dict[str, Any]] = [{}, {"aws:RequestedRegion": "eu-west-1"}]
    if found is None:
        return variants
    case = found.case
    slots = [s for t in (*case.granted, *case.terms) for s in (*t.conditions, *t.unless)]
    slots += [r.slot for r in case.removals if r.slot is not None]
    slots += [slot for r in case.removals for _scope, slot in r.allowed]
    satisfied: dict[str, Any] = {}
    for slot in slots:
        for condition in slot.clauses:
            clause = condition.clause
            if not clause.values:
                continue
            raw = str(clause.values[0])
            text = parse_template(raw, enabled=True).text_value(result._facts.context)
            value = text if text is not None else raw
            satisfied[clause.key] = value.replace("*", "x").replace("?", "q")
    if satisfied:
        variants.append(satisfied)
        variants.append({**satisfied, "aws:RequestedRegion": "eu-west-1"})
    return variants


def check_against_engine(
    world: object,
    principals: Iterable[str],
    *,
    actions_per_principal: int = 60,
    extra_actions: Iterable[str] = (),
    seed: int = 7,
    synthesized: bool = False,
) -> tuple[int, list[str]]:
    """(requests compared, disagreements) for every principal.

    With ``synthesized``, the synthesized policy (alone, as the principal's only policy) is
    decided by the engine too and must allow exactly what the result allows.
    """
    builder = RequestBuilder(world)  # type: ignore[arg-type]
    analyzer = EffectiveAnalyzer(world, builder=builder)  # type: ignore[arg-type]
    rng = random.Random(seed)
    compared = 0
    problems: list[str] = []
    for principal in principals:
        result = analyzer.permissions(principal)
        policy_sets = _policy_sets(analyzer, principal, result)
        synthetic = None
        if synthesized:
            made = synthesize(result)
            synthetic = CompiledPolicySet(PolicySet(identity=(made.policy(),)))
            assert not made.approximations, made.approximations
        granted = [p.action for p in result]
        chosen = set(rng.sample(granted, min(actions_per_principal, len(granted))))
        chosen.update(a for a in extra_actions if result.index.id_of(a) is not None)
        # a few actions the identity policies do not grant at all
        chosen.update(rng.sample(result.index.actions, 5))
        for action in sorted(chosen):
            for resource in _resources(result, action, policy_sets):
                if action.lower() in TRUST_ACTIONS and ":role/" in resource:
                    continue
                for context in _context_variants(result, action):
                    try:
                        built = builder.build(principal, action, resource, context=context)
                    except RequestError:
                        continue
                    request = built.request
                    if not request.same_account or built.policies.resource is not None:
                        continue
                    decision = evaluate(request, compile_policy_set(built.policies), explain=False)
                    verdict, by = result.decision_at(action, resource, request.context)
                    compared += 1
                    problem = _disagreement(verdict, by, decision.value, decision.blocked_by)
                    if problem is None and synthetic is not None:
                        value = decide(request, synthetic)
                        if value.allowed != (verdict is Verdict.ALLOWED):
                            problem = (
                                f"synthesized policy says {value.value}, result {verdict.value}"
                            )
                    if problem:
                        problems.append(
                            f"{principal} {action} {resource} {context}: {problem} "
                            f"(engine: {decision.reason})"
                        )
    return compared, problems


def _disagreement(
    verdict: Verdict, by: str | None, value: DecisionValue, blocked_by: str | None
) -> str | None:
    if (verdict is Verdict.ALLOWED) != (value is DecisionValue.ALLOW):
        return f"result says {verdict.value}, engine says {value.value}"
    if verdict is Verdict.DENIED and value is not DecisionValue.EXPLICIT_DENY:
        return f"result says denied by {by}, engine says {value.value}"
    if verdict is Verdict.CUT and (value is not DecisionValue.IMPLICIT_DENY or blocked_by != by):
        return f"result says cut by {by}, engine says {value.value} blocked by {blocked_by}"
    return None


def test_algebra_agrees_with_engine_on_the_test_account() -> None:
    world = load_test_world()
    principals = [
        "admin",
        "dev",
        "limited",
        "auditor",
        "arn:aws:iam::222222222222:role/app/app",
        "arn:aws:iam::222222222222:role/ops",
    ]
    extra = [
        "s3:GetObject",
        "s3:ListBucket",
        "s3:DeleteObject",
        "s3:PutObject",
        "iam:CreateUser",
        "iam:DeleteUser",
        "iam:PutUserPermissionsBoundary",
        "ec2:StartInstances",
        "ec2:DescribeInstances",
        "kms:Decrypt",
        "dynamodb:GetItem",
        "sqs:SendMessage",
        "secretsmanager:GetSecretValue",
        "secretsmanager:DeleteSecret",
        "lambda:InvokeFunction",
        "logs:PutLogEvents",
    ]
    compared, problems = check_against_engine(
        world, principals, extra_actions=extra, synthesized=True
    )
    assert compared > 2000
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize(
    "name", ["cloudsplaining-example.json", "cloudsplaining-test-authz-details.json"]
)
def test_algebra_agrees_with_engine_on_real_exports(name: str) -> None:
    path = GAAD / name
    world = load_inputs([path])
    principals = [*world.users, *world.roles]
    # Every third principal keeps the run short; the sample is deterministic.
    compared, problems = check_against_engine(world, principals[::3], actions_per_principal=20)
    assert compared > 200
    assert not problems, "\n".join(problems[:20])
