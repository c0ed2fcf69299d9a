"""Which compiled form ``eval`` hands the engine for a scenario's policy set
(:class:`iamsim.cli.eval_cmd._SeenSets`): its own compilation the first time a set is met,
the engine's cached one from the second time on, the same decisions either way."""

from __future__ import annotations

import pytest

from iamsim.cli import eval_cmd
from iamsim.engine.context import make_request
from iamsim.engine.decision import compile_policy_set, evaluate
from iamsim.engine.policies import PolicySet
from iamsim.policy.model import PolicyType
from iamsim.policy.parser import parse_policy

DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}


def policy_set() -> PolicySet:
    return PolicySet(identity=(parse_policy(DOCUMENT, PolicyType.IDENTITY, name="p"),))


def test_first_meeting_compiled_apart_then_the_engine_cache() -> None:
    seen = eval_cmd._SeenSets()
    policies = policy_set()
    again, first = seen.compiled(policies)
    assert not again
    assert first is not compile_policy_set(policies)  # not the engine's cached compilation
    again, second = seen.compiled(policies)
    assert again and second is compile_policy_set(policies)
    again, third = seen.compiled(policies)
    assert again and third is second
    request = make_request("arn:aws:iam::111122223333:user/a", "s3:GetObject", "*")
    for compiled in (first, second):
        decision = evaluate(request, compiled, explain=False)
        assert decision.value.value == "Allow"
        assert decision.to_dict() == evaluate(request, policies, explain=False).to_dict()


def test_another_set_is_met_for_the_first_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(eval_cmd._SeenSets, "_LIMIT", 4)
    seen = eval_cmd._SeenSets()
    kept = [policy_set() for _ in range(10)]  # alive: distinct ids
    for policies in kept:
        assert seen.compiled(policies)[0] is False
        assert len(seen._once) <= 4
    for policies in kept[-2:]:
        assert seen.compiled(policies)[0] is True
        assert seen.compiled(policies)[1] is compile_policy_set(policies)


def test_a_set_met_once_is_never_taken_for_a_later_set_with_its_id() -> None:
    # Sets made and dropped one after another: CPython hands a dropped set's memory, and so
    # its id, to the next one. Each is met for the first time and must be seen so.
    seen = eval_cmd._SeenSets()
    for _ in range(200):
        again, _compiled = seen.compiled(policy_set())
        assert not again
