"""The untraced explanation shared between requests with the same outcome (``_Brief``).

``evaluate(..., explain=False)`` under a compiled set that has met the action before assembles
the explanation once per *outcome* (how each statement of the action's plan applies, the
caller's kind, service-linked or not, same account or not, the action as written). These
tests hold it to the evaluation's own answer: the whole Decision (value, reason, decisive
statements, guardrail, per-policy results, notes) equals the one a fresh compiled set gives.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st
from tests.engine.test_properties import laws, requests, scenarios

from iamsim.engine import PolicySet, evaluate, make_request
from iamsim.engine.decision import CompiledPolicySet
from iamsim.policy.model import PolicyType
from iamsim.policy.parser import parse_policy
from iamsim.vocabulary.request import Request


def _fresh(policy_set: PolicySet, request: Request):  # type: ignore[no-untyped-def]
    """The decision of a set never asked before (its first request takes no shortcut)."""
    return evaluate(request, CompiledPolicySet(policy_set), explain=False)


@laws(150)
@given(scenarios(), st.lists(requests(), min_size=1, max_size=8))
def test_shared_explanations_equal_the_evaluations_own(
    scenario: tuple[Request, PolicySet], others: list[Request]
) -> None:
    first, policy_set = scenario
    compiled = CompiledPolicySet(policy_set)
    for request in [first, *others, first, *others]:
        assert evaluate(request, compiled, explain=False) == _fresh(policy_set, request)


@laws(150)
@given(scenarios(), st.lists(requests(), max_size=3))
def test_untraced_explanations_are_the_traced_ones_without_the_trace(
    scenario: tuple[Request, PolicySet], others: list[Request]
) -> None:
    # The same reason, decisive statements, guardrail, per-policy results (statements in
    # document order, though the untraced path tries constant Allows first) and notes.
    first, policy_set = scenario
    compiled = CompiledPolicySet(policy_set)
    for request in [first, *others, first]:
        traced = evaluate(request, policy_set, explain=True)
        expected = replace(traced, statements=(), missing_context_keys=())
        assert evaluate(request, compiled, explain=False) == expected
        # A set compiled for itself alone (a scenario's own policy text) decides alike.
        alone = CompiledPolicySet(policy_set, shared=False)
        assert evaluate(request, alone, explain=False) == expected
        assert evaluate(request, alone, explain=True) == traced


def _policy(statements: list[dict[str, object]], policy_type: PolicyType, name: str):  # type: ignore[no-untyped-def]
    return parse_policy({"Version": "2012-10-17", "Statement": statements}, policy_type, name=name)


def test_requests_with_one_outcome_share_the_explanation_and_keep_their_own_request() -> None:
    identity = _policy(
        [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}],
        PolicyType.IDENTITY,
        "reader",
    )
    scp = _policy(
        [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {
                "Sid": "RegionLock",
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}},
            },
        ],
        PolicyType.SCP,
        "region",
    )
    compiled = CompiledPolicySet(PolicySet(identity=(identity,), scp=((scp,),)))

    def ask(user: str, key: str, region: str):  # type: ignore[no-untyped-def]
        request = make_request(
            f"arn:aws:iam::111122223333:user/{user}",
            "s3:GetObject",
            f"arn:aws:s3:::data/{key}",
            context={"aws:RequestedRegion": region},
        )
        return evaluate(request, compiled, explain=False)

    ask("first", "a", "eu-west-1")  # the action's first request: no memo yet
    allowed = ask("alice", "b", "eu-west-1")
    also_allowed = ask("bob", "c", "eu-west-1")
    denied = ask("carol", "d", "us-east-1")
    assert allowed.value.value == also_allowed.value.value == "Allow"
    assert denied.value.value == "ExplicitDeny"
    assert denied.reason == "explicitly denied by the SCPs at level 0"
    # Same outcome: the same parts, each Decision with its own request.
    assert also_allowed.policy_results is allowed.policy_results
    assert also_allowed.decisive is allowed.decisive
    assert also_allowed.request.caller.arn == "arn:aws:iam::111122223333:user/bob"
    assert also_allowed.request.resource == "arn:aws:s3:::data/c"
    assert denied.policy_results is not allowed.policy_results
