"""Property: for any valid policy document, rendering the parsed policy is lossless.

``json.loads(policy_to_json(parse_policy(x))) == x`` and parsing the rendering again gives an
equal Policy. The generator covers every shape the grammar allows: statement object or list,
scalar or list elements, empty lists (not for Action/Resource, which AWS refuses), principal
maps with scalar or list values, condition values of every JSON type, set operators and
IfExists.
Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from iamsim.policy import parse_policy, policy_to_dict, policy_to_json

ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
# IAM's character set minus '$' (variables are generated on purpose, below).
LATIN1 = "".join(chr(c) for c in range(0x20, 0x100) if chr(c) != "$")

names = st.text(ALNUM, min_size=1, max_size=8)
services = st.sampled_from(["s3", "iam", "ec2", "sts", "kms", "dynamodb", "execute-api"])
action_names = st.text(ALNUM + "*?", min_size=1, max_size=12)
actions = st.one_of(st.just("*"), st.builds(lambda s, n: f"{s}:{n}", services, action_names))
arns = st.one_of(
    st.just("*"),
    st.builds(lambda b, k: f"arn:aws:s3:::{b}/{k}", names, st.text(ALNUM + "/*?-", max_size=10)),
    st.builds(
        lambda r, a, n: f"arn:aws:dynamodb:{r}:{a}:table/{n}",
        st.sampled_from(["us-east-1", "*", "eu-west-?"]),
        st.sampled_from(["123456789012", "*"]),
        names,
    ),
    st.builds(lambda n: f"arn:aws:s3:::home/${{aws:username}}/{n}", names),
)
aws_principals = st.one_of(
    st.just("*"),
    st.sampled_from(["123456789012", "111122223333"]),
    st.builds(lambda n: f"arn:aws:iam::123456789012:role/{n}", names),
    st.builds(lambda n: f"arn:aws:sts::123456789012:assumed-role/R/{n}", names),
)
principal_values = {
    "AWS": aws_principals,
    "Service": st.sampled_from(["ec2.amazonaws.com", "lambda.amazonaws.com"]),
    "Federated": st.sampled_from(
        ["cognito-identity.amazonaws.com", "arn:aws:iam::123456789012:saml-provider/P"]
    ),
    "CanonicalUser": st.just("79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"),
}


def scalar_or_list(values: st.SearchStrategy[Any], min_size: int = 0) -> st.SearchStrategy[Any]:
    return st.one_of(values, st.lists(values, min_size=min_size, max_size=4))


@st.composite
def principals(draw: st.DrawFn) -> Any:
    if draw(st.booleans()):
        return "*"
    keys = draw(st.lists(st.sampled_from(list(principal_values)), unique=True, max_size=4))
    return {key: draw(scalar_or_list(principal_values[key])) for key in keys}


string_values = st.one_of(
    st.text(LATIN1, max_size=12),
    st.sampled_from(["${aws:username}", "home/${aws:PrincipalTag/team, 'x y'}/*", "a${*}b"]),
)
numbers = st.one_of(
    st.integers(-(10**12), 10**12), st.floats(allow_nan=False, allow_infinity=False)
)
# operator family -> value strategy
OPERATORS = {
    "StringEquals": string_values,
    "StringNotLike": string_values,
    "ForAnyValue:StringEqualsIgnoreCase": string_values,
    "ForAllValues:StringLikeIfExists": string_values,
    "ArnLike": st.builds(lambda n: f"arn:aws:iam::${{aws:PrincipalAccount}}:role/{n}", names),
    "NumericLessThanEquals": st.one_of(numbers, st.just("10")),
    "DateGreaterThan": st.sampled_from(["2019-07-16T12:00:00Z", "2020-01-01", 1563278400]),
    "IpAddressIfExists": st.sampled_from(["203.0.113.0/24", "2001:DB8::/32"]),
    "Null": st.sampled_from(["true", "false", True]),
}
keys = st.sampled_from(
    ["aws:username", "aws:PrincipalTag/team", "s3:prefix", "aws:SourceIp", "aws:TagKeys", "k:x"]
)


@st.composite
def conditions(draw: st.DrawFn) -> dict[str, Any]:
    block: dict[str, Any] = {}
    for operator in draw(st.lists(st.sampled_from([*OPERATORS, "Bool"]), unique=True, max_size=3)):
        entries: dict[str, Any] = {}
        for key in draw(st.lists(keys, unique_by=str.lower, max_size=3)):
            if operator == "Bool":
                value = draw(st.sampled_from(["true", False, ["false"]]))
            else:
                value = draw(scalar_or_list(OPERATORS[operator]))
            entries[key] = value
        block[operator] = entries
    return block


@st.composite
def statements(draw: st.DrawFn, index: int, with_principal: bool) -> dict[str, Any]:
    statement: dict[str, Any] = {}
    if draw(st.booleans()):
        statement["Sid"] = f"S{index}x{draw(names)}"  # the index keeps Sids unique
    effect = draw(st.sampled_from(["Allow", "Deny"]))
    statement["Effect"] = effect
    if with_principal:
        if effect == "Deny" and draw(st.booleans()):
            statement["NotPrincipal"] = draw(principals())
        else:
            statement["Principal"] = draw(principals())
    statement[draw(st.sampled_from(["Action", "NotAction"]))] = draw(
        scalar_or_list(actions, min_size=1)
    )
    statement[draw(st.sampled_from(["Resource", "NotResource"]))] = draw(
        scalar_or_list(arns, min_size=1)
    )
    if draw(st.booleans()):
        statement["Condition"] = draw(conditions())
    return statement


@st.composite
def documents(draw: st.DrawFn, with_principal: bool) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    version = draw(st.sampled_from(["2012-10-17", "2012-10-17", "2008-10-17", None]))
    if version is not None:
        doc["Version"] = version
    if with_principal and draw(st.booleans()):
        doc["Id"] = draw(st.text(LATIN1, max_size=20))
    count = draw(st.integers(1, 4))
    items = [draw(statements(i, with_principal)) for i in range(count)]
    doc["Statement"] = items[0] if count == 1 and draw(st.booleans()) else items
    return doc


def _check(doc: dict[str, Any], policy_type: str) -> None:
    policy = parse_policy(doc, policy_type)
    assert policy_to_dict(policy) == doc
    rendered = policy_to_json(policy)
    assert json.loads(rendered) == doc
    assert parse_policy(rendered, policy_type) == policy
    pretty = policy_to_json(policy, indent=2)
    assert parse_policy(pretty, policy_type) == policy


@settings(max_examples=200, deadline=None)
@given(documents(with_principal=False))
def test_identity_policies_round_trip(doc: dict[str, Any]) -> None:
    _check(doc, "identity")


@settings(max_examples=200, deadline=None)
@given(documents(with_principal=True))
def test_resource_policies_round_trip(doc: dict[str, Any]) -> None:
    _check(doc, "resource")
