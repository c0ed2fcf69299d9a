"""A Principal element's shaped matcher (``CompiledPrincipal.matcher``) equals ``match``.

The matcher tests IAM callers only against the sets the element has; it must name every
caller exactly as ``match`` does (DIRECT, ENTITY, ACCOUNT, SERVICE, FEDERATED or nothing):
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from test_properties import CALLERS, PRINCIPALS, laws

from iamsim.engine.principals import CompiledPrincipal, parse_caller
from iamsim.policy.model import PolicyType
from iamsim.policy.parser import parse_policy

A = "111122223333"
EXTRA: list[object] = [
    {"AWS": [f"arn:aws:iam::{A}:role/app", f"arn:aws:sts::{A}:assumed-role/app/s1"]},
    {"AWS": [A, f"arn:aws:iam::{A}:user/alice"]},
    {"AWS": f"arn:aws:iam::{A}:role/path/app"},
    {"AWS": "AIDAEXAMPLEUNIQUEID"},
    {"Federated": "cognito-identity.amazonaws.com"},
]


def _principal(spec: object) -> CompiledPrincipal:
    policy = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": spec, "Action": "*", "Resource": "*"}],
        },
        PolicyType.RESOURCE,
        name="p",
    )
    principal = policy.statements[0].principal
    assert principal is not None
    return CompiledPrincipal.compile(principal)


@laws(300)
@given(
    st.lists(st.sampled_from([*PRINCIPALS, *EXTRA]), min_size=1, max_size=3),
    st.sampled_from(CALLERS),
)
def test_matcher_equals_match(specs: list[object], caller_text: str) -> None:
    merged: dict[str, list[str]] = {}
    wildcard = False
    for spec in specs:
        if spec == "*":
            wildcard = True
            continue
        assert isinstance(spec, dict)
        for key, value in spec.items():
            merged.setdefault(key, []).extend([value] if isinstance(value, str) else value)
    principal = _principal("*" if wildcard else merged)
    caller = parse_caller(caller_text)
    assert principal.matcher()(caller) == principal.match(caller)
