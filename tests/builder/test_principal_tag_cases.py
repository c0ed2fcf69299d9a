"""Runs tests/builder/cases/principal_tags.yaml: the aws:PrincipalTag keys the builder derives
for a session from the tags of the entity behind it and the session tags, each case with the AWS
documentation URL it encodes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from iamsim.builder.context import principal_keys
from iamsim.model.principals import Role, Session, SessionKind, User
from iamsim.model.tags import Tags

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "principal_tags.yaml").read_text())
ACCOUNT = "111122223333"


def test_every_case_cites_aws_documentation() -> None:
    assert CASES
    for case in CASES:
        assert str(case["source"]).startswith("https://docs.aws.amazon.com/"), case["name"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_principal_tags(case: dict[str, Any]) -> None:
    entity_tags = Tags(case["entity_tags"])
    session_tags = Tags(case["session_tags"])
    if case["kind"] == "federated-user":
        user = User(
            arn=f"arn:aws:iam::{ACCOUNT}:user/carol",
            name="carol",
            account=ACCOUNT,
            tags=entity_tags,
        )
        session = Session(
            kind=SessionKind.FEDERATED_USER,
            account=ACCOUNT,
            name="carol-app",
            user_arn=user.arn,
            tags=session_tags,
        )
        keys = principal_keys(session, user=user)
    else:
        role = Role(
            arn=f"arn:aws:iam::{ACCOUNT}:role/deploy",
            name="deploy",
            account=ACCOUNT,
            tags=entity_tags,
        )
        session = Session(
            kind=SessionKind.ASSUMED_ROLE,
            account=ACCOUNT,
            name="s",
            role_arn=role.arn,
            tags=session_tags,
        )
        keys = principal_keys(session, role=role)
    found = {k.split("/", 1)[1]: v for k, v in keys.items() if k.startswith("aws:PrincipalTag/")}
    assert found == case["expect"]
