"""Policy documents are parsed once per content; each policy keeps its own label."""

from __future__ import annotations

import datetime

from iamsim.ingest.policy_documents import _content_key, load_policy
from iamsim.policy.model import PolicyType

DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}


def test_the_same_document_shares_statements_and_keeps_labels() -> None:
    first = load_policy(DOC, PolicyType.IDENTITY, source="a.json", path="/x", name="one")
    again = dict(reversed(list(DOC.items())))  # the same content, keys in another order
    second = load_policy(again, PolicyType.IDENTITY, source="b.json", path="/y", name="two")
    assert second.statements is first.statements
    assert (first.name, first.source) == ("one", "a.json")
    assert (second.name, second.source) == ("two", "b.json")
    assert second.variables_enabled
    assert _content_key(DOC, PolicyType.IDENTITY) != _content_key(DOC, PolicyType.SCP)


def test_values_json_cannot_spell_exactly_are_never_keys() -> None:
    assert _content_key({"Version": datetime.date(2012, 10, 17)}, PolicyType.IDENTITY) is None
    assert _content_key({"Version": float("nan")}, PolicyType.IDENTITY) is None
    assert _content_key({"Version": 2**70}, PolicyType.IDENTITY) is None
    assert _content_key({"Version": "2012-10-17"}, PolicyType.IDENTITY) is not None
