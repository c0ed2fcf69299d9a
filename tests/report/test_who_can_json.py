"""The streamed ``who-can --json`` writer prints exactly what ``json.dumps(indent=2)`` of the
result's document, made inert, prints: conditions (numbers from policies), non-ASCII and
terminal-controlling characters, empty lists, and input notes included."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from iamsim.analysis.who_can import WhoCanResult, who_can
from iamsim.ingest import load_inputs
from iamsim.model import World
from iamsim.report.inert import inert_json
from iamsim.report.schemas import versioned
from iamsim.report.who_can_json import who_can_json_pieces

REAL = Path(__file__).resolve().parents[1] / "real_inputs" / "gaad" / "cloudsplaining-example.json"


def expected(result: WhoCanResult, notes: list[str]) -> str:
    document = versioned("who-can", result.to_dict())
    if notes:
        document = {**document, "input_notes": notes}
    return inert_json(json.dumps(document, indent=2, ensure_ascii=False))


def streamed(result: WhoCanResult, notes: list[str]) -> str:
    return inert_json("".join(who_can_json_pieces(result, notes)))


def hostile_world(tmp_path: Path) -> World:
    """A user whose policy names odd characters and numbers (floats, a big integer)."""
    statement = {
        "Sid": "Odd",
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:PutObject"],
        "Resource": "*",
        "Condition": {
            "NumericLessThan": {"s3:max-keys": [1.5e16, 10, 123456789012345678901234567890]},
            "StringEquals": {"aws:RequestTag/t\u00fcr": "a\nb\u0085\x7f\u00e9\t"},
        },
    }
    deny = {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}
    gaad = {
        "UserDetailList": [
            {
                "UserName": "alice",
                "UserId": "AIDAEXAMPLE1",
                "Arn": "arn:aws:iam::111122223333:user/alice",
                "Path": "/",
                "UserPolicyList": [
                    {
                        "PolicyName": "pol",
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [statement, deny, {**deny, "Effect": "Allow"}],
                        },
                    }
                ],
            }
        ],
        "GroupDetailList": [],
        "RoleDetailList": [],
        "Policies": [],
    }
    path = tmp_path / "gaad.json"
    path.write_text(json.dumps(gaad, ensure_ascii=False), encoding="utf-8")
    return load_inputs([path])


@pytest.mark.parametrize("notes", [[], ["note \u00e9\u001b[31m"]])
def test_hostile_values_are_written_as_json_writes_them(tmp_path: Path, notes: list[str]) -> None:
    world = hostile_world(tmp_path)
    result = who_can(world, ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "*")
    assert result.principals and result.blocked
    assert any(grant.conditions for e in result.principals for grant in e.actions)
    assert streamed(result, notes) == expected(result, notes)


def test_nobody_can_writes_empty_lists(tmp_path: Path) -> None:
    world = hostile_world(tmp_path)
    # The account's root user can: the lists emptied as a question nobody can answers.
    result = dataclasses.replace(
        who_can(world, ["ec2:RunInstances"], "*"), principals=[], blocked=[]
    )
    assert streamed(result, []) == expected(result, [])


def test_real_export_many_actions() -> None:
    # Several thousand grants, blocked requests over more than one slice of the writer.
    result = who_can(load_inputs([REAL]), ["s3:*", "iam:*"], "*")
    assert len(result.blocked) > 0 and len(result.principals) > 1
    assert streamed(result, []) == expected(result, [])
