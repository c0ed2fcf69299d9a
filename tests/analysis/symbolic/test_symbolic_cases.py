"""The symbolic layer's behaviour tables (tests/analysis/symbolic/cases), each case citing the
AWS page it encodes, and every witness replayed through the engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from iamsim.analysis.symbolic import CheckResult, compare, discover, no_public_access, not_granted
from iamsim.analysis.symbolic.questions import engine_decision, replay_request
from iamsim.engine import Context, PolicySet, Request, parse_caller
from iamsim.policy import Policy, PolicyType, parse_policy

CASES_DIR = Path(__file__).parent / "cases"


def _load(name: str) -> list[Any]:
    cases = yaml.safe_load((CASES_DIR / name).read_text())
    return [pytest.param(case, id=case["name"]) for case in cases]


CHECKS = _load("checks.yaml")
DISCOVER = _load("discover.yaml")


def _policy(document: dict[str, Any], policy_type: str = "identity") -> Policy:
    return parse_policy(document, PolicyType(policy_type))


def test_every_case_cites_aws_documentation() -> None:
    for param in [*CHECKS, *DISCOVER]:
        case = param.values[0]
        assert str(case["doc"]).startswith("https://docs.aws.amazon.com/"), case["name"]
        assert case["expect"], case["name"]


def _witness_request(record: dict[str, Any]) -> Request:
    principal = record.get("principal", "arn:aws:iam::111122223333:user/zz9user")
    return Request(
        caller=parse_caller(principal),
        action=record["action"],
        resource=record["resource"],
        context=Context(record["context"]),
    )


def _replayed(policy: Policy, record: dict[str, Any]) -> str:
    request = replay_request(policy.policy_type, _witness_request(record))
    return engine_decision(policy, request).value


@pytest.mark.parametrize("case", CHECKS)
def test_check_case(case: dict[str, Any]) -> None:
    ptype = case.get("type", "identity")
    result: CheckResult
    if case["check"] == "compare":
        old, new = _policy(case["old"], ptype), _policy(case["new"], ptype)
        result = compare(old, new)
        checked = [new]
    elif case["check"] == "not-granted":
        policy = _policy(case["policy"], ptype)
        result = not_granted(policy, case.get("actions", []), case.get("resources"))
        checked = [policy]
    else:
        rtype = case["resource_type"]
        ptype = "trust" if "AssumeRole" in rtype else "resource"
        policy = _policy(case["policy"], ptype)
        result = no_public_access(policy, rtype)
        checked = [policy]
    assert result.result == case["expect"], result.render()
    if result.result == "FAIL":
        assert result.witnesses
    for witness in result.witnesses:
        record = witness.to_dict()
        # Every witness replays through the engine to an Allow under the policy ...
        assert witness.engine_decision == "Allow"
        assert _replayed(checked[0], record) == "Allow"
        if case.get("not_root"):
            # ... by a principal the engine lets assume roles, not the account's root user.
            principal = str(record["principal"])
            assert not principal.endswith(":root") and not principal.isdigit(), record
        if case["check"] == "compare":
            # ... and a counterexample is not allowed by the old policy.
            assert _replayed(_policy(case["old"], ptype), record) != "Allow", record
    if "actions" in case and case["check"] == "compare":
        found = {str(w.request["action"]).lower() for w in result.witnesses}
        assert {a.lower() for a in case["actions"]} <= found


def _policy_set(case: dict[str, Any]) -> PolicySet:
    def many(key: str, ptype: str) -> tuple[Policy, ...] | None:
        return tuple(_policy(d, ptype) for d in case[key]) if key in case else None

    return PolicySet(
        identity=many("identity", "identity") or (),
        boundary=_policy(case["boundary"], "boundary") if "boundary" in case else None,
        session=many("session", "session"),
        resource=_policy(case["resource_policy"], "resource")
        if "resource_policy" in case
        else None,
        scp=tuple(tuple(_policy(d, "scp") for d in level) for level in case["scp"])
        if "scp" in case
        else None,
        rcp=tuple(tuple(_policy(d, "rcp") for d in level) for level in case["rcp"])
        if "rcp" in case
        else None,
    )


@pytest.mark.parametrize("case", DISCOVER)
def test_discover_case(case: dict[str, Any]) -> None:
    request = Request(
        caller=parse_caller(case.get("principal", "arn:aws:iam::111122223333:user/alice")),
        action=case["action"],
        resource=case.get("resource", "*"),
        resource_account=case.get("resource_account"),
        context=Context(case.get("context", {})),
    )
    unknown = case.get("unknown", True)
    policies = _policy_set(case)
    if unknown is True:
        result = discover(request, policies)
    else:
        result = discover(request, policies, statuses=unknown, all_unknown=False)
    assert result.decision == case["expect"], result.to_dict()
    if "residual" in case:
        assert [dict(b) for b in result.residual] == case["residual"]
    if result.witness is not None:
        # The witness context, added to the request, is allowed by the engine.
        from iamsim.engine import evaluate

        completed = Request(
            caller=request.caller,
            action=request.action,
            resource=request.resource,
            resource_account=request.resource_account,
            context=request.context.with_values(result.witness),  # type: ignore[arg-type]
        )
        assert evaluate(completed, policies).value.value == "Allow"
