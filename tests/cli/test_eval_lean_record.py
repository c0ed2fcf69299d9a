"""The ``--jsonl`` record of ``eval`` (:func:`iamsim.cli.eval_cmd._lean_record`) is the full
record without its statement trace, written to the very same bytes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from iamsim.checks.scenarios import Scenario, load_scenarios
from iamsim.cli import eval_cmd
from iamsim.engine.decision import evaluate
from iamsim.report.inert import compact_json_bytes
from iamsim.report.json_report import scenario_to_json

ACCOUNT = "111122223333"
ALLOW_S3 = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "AllowS3", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}
ALLOW_PREFIX_THEN_ALL = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Prefix",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::b/*",
        },
        {"Sid": "All", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
    ],
}
DENY_PUT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}],
}
BUCKET_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::b/*",
        }
    ],
}


def scenario(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "s",
        "principal": f"arn:aws:iam::{ACCOUNT}:user/u",
        "action": "s3:GetObject",
        "resource": "arn:aws:s3:::b/k",
        "policies": {"identity": [ALLOW_S3], "scp": [[ALLOW_S3], [DENY_PUT]]},
    }
    base.update(fields)
    return base


SCENARIOS = [
    scenario(expect="Allow"),
    scenario(action="s3:PutObject", expect="ExplicitDeny"),
    scenario(name="no expectation \x1b[31m ☃"),
    scenario(action="s3:ListAllMyBuckets"),  # a scenario note
    scenario(principal="lambda.amazonaws.com"),  # a decision note (SCPs do not apply)
    scenario(principal="arn:aws:iam::444455556666:user/x", expect="Deny"),
    scenario(policies={"resource": BUCKET_POLICY}, expect="Allow"),
    scenario(policies={"identity": [ALLOW_S3], "boundary": DENY_PUT}),
    # A conditional Allow before a constant one: both listed in document order.
    scenario(policies={"identity": [ALLOW_PREFIX_THEN_ALL]}, expect="Allow"),
]


@pytest.mark.parametrize("recurring", [True, False])
@pytest.mark.parametrize("explain", [True, False])
def test_lean_record_is_the_full_record_without_the_trace(explain: bool, recurring: bool) -> None:
    loaded = load_scenarios(json.dumps(SCENARIOS * 2), "batch.json")  # twice: the memo
    for item in loaded:
        assert isinstance(item, Scenario)
        decision = evaluate(item.request, item.policies, explain=explain)
        full = scenario_to_json(item, decision)
        full.pop("statements", None)
        del full["missing_context_keys"]
        lean = eval_cmd._lean_record(item, decision, recurring)
        assert list(lean) == list(full)
        assert compact_json_bytes(lean) == compact_json_bytes(full)


def test_fragment_memo_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(eval_cmd, "_FRAGMENTS_LIMIT", 2)
    monkeypatch.setattr(eval_cmd, "_FRAGMENTS", {})
    monkeypatch.setattr(eval_cmd, "_FRAGMENTS_BY_ID", {})
    for item in load_scenarios(json.dumps(SCENARIOS), "batch.json"):
        assert isinstance(item, Scenario)
        decision = evaluate(item.request, item.policies, explain=False)
        eval_cmd._lean_record(item, decision, True)
        assert len(eval_cmd._FRAGMENTS) <= 2
        assert len(eval_cmd._FRAGMENTS_BY_ID) <= 2
