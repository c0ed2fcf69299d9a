"""Properties of the symbolic layer against the concrete engine (hypothesis).

* discover: the witness replays to Allow; ``Allow`` means every sampled completion of the
  context allows, a Deny that none does, ``Conditional`` that the residual conditions hold
  exactly on the completions the engine allows. Completions mix the layer's own class
  representatives with values drawn independently, so a class the partition missed shows up.
* compare / not-granted: every counterexample replays (NEW allows, OLD does not); a PASS is
  checked on independently drawn requests.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from iamsim.analysis.symbolic import compare, discover, not_granted
from iamsim.analysis.symbolic.questions import engine_decision, replay_request
from iamsim.conditions import coerce, compile_conditions, parse_operator
from iamsim.engine import Context, PolicySet, Request, evaluate, parse_caller
from iamsim.policy import Policy, PolicyType, parse_policy
from iamsim.policy.model import ConditionClause

ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:Get*", "s3:*", "s3:*Object", "ec2:Run*", "*"]
REQUEST_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:GetBucketPolicy", "ec2:RunInstances"]
RESOURCES = ["*", "arn:aws:s3:::b/*", "arn:aws:s3:::b/x", "arn:aws:s3:::c*"]
REQUEST_RESOURCES = ["arn:aws:s3:::b/x", "arn:aws:s3:::b/y", "arn:aws:s3:::cc", "arn:aws:s3:::d"]
STRING_VALUES = ["vpc-1", "vpc-2", "VPC-1", "vpc-*", "a", "b"]
CONDITIONS: list[tuple[str, str, list[str]]] = [
    (op, "aws:SourceVpc", [v])
    for op in (
        "StringEquals",
        "StringNotEquals",
        "StringLike",
        "StringNotLike",
        "StringEqualsIgnoreCase",
        "StringEqualsIfExists",
        "StringNotEqualsIfExists",
    )
    for v in ("vpc-1", "vpc-*")
] + [
    ("NumericLessThan", "s3:max-keys", ["10"]),
    ("NumericGreaterThanEquals", "s3:max-keys", ["5"]),
    ("IpAddress", "aws:SourceIp", ["10.0.0.0/8"]),
    ("NotIpAddressIfExists", "aws:SourceIp", ["10.1.0.0/16"]),
    ("Bool", "aws:SecureTransport", ["true"]),
    ("BoolIfExists", "aws:MultiFactorAuthPresent", ["false"]),
    ("Null", "aws:SourceVpc", ["true"]),
    ("Null", "aws:SourceIp", ["false"]),
    ("ForAnyValue:StringEquals", "aws:TagKeys", ["a", "b"]),
    ("ForAllValues:StringEquals", "aws:TagKeys", ["a"]),
    ("ForAnyValue:StringLike", "aws:TagKeys", ["b*"]),
    ("StringLike", "s3:prefix", ["${aws:username}/*"]),
    ("StringEquals", "s3:prefix", ["${aws:username}"]),
    ("DateGreaterThan", "aws:CurrentTime", ["2026-01-01T00:00:00Z"]),
]
SAMPLE_VALUES: dict[str, list[Any]] = {
    "aws:SourceVpc": ["vpc-1", "vpc-2", "VPC-1", "vpc-", "x", None],
    # Well-typed values only: a Numeric/Date key holds a number/date in every AWS request
    # (docs/semantics.md section 5), and the layer decides over those.
    "s3:max-keys": ["4", "5", "7", "10", "11", "5.5", None],
    "aws:SourceIp": ["10.0.0.1", "10.1.2.3", "192.0.2.1", None],
    "aws:SecureTransport": ["true", "false", None],
    "aws:MultiFactorAuthPresent": ["true", "false", None],
    "aws:TagKeys": [["a"], ["b"], ["a", "c"], ["bz"], [], None],
    "aws:username": ["alice", "bob", None],
    "s3:prefix": ["alice/x", "alice", "bob/", "x", None],
    "aws:CurrentTime": [
        "2025-12-31T23:59:59Z",
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:01Z",
        None,
    ],
}

statement = st.fixed_dictionaries(
    {
        "Effect": st.sampled_from(["Allow", "Allow", "Deny"]),
        "Action": st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=2),
        "Resource": st.lists(st.sampled_from(RESOURCES), min_size=1, max_size=2),
        "Condition": st.lists(st.sampled_from(CONDITIONS), max_size=2),
    }
)


def _document(statements: list[dict[str, Any]]) -> dict[str, Any]:
    out = []
    for item in statements:
        condition: dict[str, dict[str, list[str]]] = {}
        for op, key, values in item["Condition"]:
            condition.setdefault(op, {})[key] = values
        body = {k: v for k, v in item.items() if k != "Condition"}
        if condition:
            body["Condition"] = condition
        out.append(body)
    return {"Version": "2012-10-17", "Statement": out}


def _policy(statements: list[dict[str, Any]]) -> Policy:
    return parse_policy(_document(statements), PolicyType.IDENTITY)


def _context(draw_values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in draw_values.items() if v is not None}


contexts = st.fixed_dictionaries({k: st.sampled_from(v) for k, v in SAMPLE_VALUES.items()})
CALLER = parse_caller("arn:aws:iam::111122223333:user/alice")

# Derandomized: the suite runs the same examples on every machine, so CI never flakes on a
# newly drawn counterexample. To explore beyond these examples, set derandomize to False
# locally and raise max_examples.
PROPERTY_SETTINGS: dict[str, Any] = {
    "deadline": None,
    "derandomize": True,
    "suppress_health_check": [HealthCheck.too_slow],
}


def _holds(block: dict[str, dict[str, list[str]]], context: Context) -> bool:
    clauses = [
        ConditionClause(parse_operator(op), key, tuple(values), True, "")
        for op, by_key in block.items()
        for key, values in by_key.items()
    ]
    return compile_conditions(clauses, variables_enabled=True).evaluate(context)


@settings(**PROPERTY_SETTINGS, max_examples=60)
@given(
    statements=st.lists(statement, min_size=1, max_size=3),
    action=st.sampled_from(REQUEST_ACTIONS),
    resource=st.sampled_from(REQUEST_RESOURCES),
    samples=st.lists(contexts, min_size=5, max_size=12),
)
@example(  # a key every class of which allows (given the rest) is dropped, not named by 'zz9'
    statements=[
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": ["*"],
            "Condition": [("StringEquals", "aws:SourceVpc", ["vpc-1"])],
        },
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": ["*"],
            "Condition": [("NumericLessThan", "s3:max-keys", ["10"])],
        },
    ],
    action="s3:GetObject",
    resource="arn:aws:s3:::b/x",
    samples=[
        {**{k: None for k in SAMPLE_VALUES}, "aws:SourceVpc": "vpc-1", "s3:max-keys": v}
        for v in ("4", "10", "11", "5.5", None)
    ],
)
def test_discover_agrees_with_the_engine_on_every_completion(
    statements: list[dict[str, Any]],
    action: str,
    resource: str,
    samples: list[dict[str, Any]],
) -> None:
    policies = PolicySet(identity=(_policy(statements),))
    request = Request(caller=CALLER, action=action, resource=resource, context=Context())
    result = discover(request, policies)
    outcomes = []
    for sample in samples:
        context = Context(_context(sample))
        completed = Request(caller=CALLER, action=action, resource=resource, context=context)
        allowed = evaluate(completed, policies, explain=False).value.value == "Allow"
        outcomes.append(allowed)
        if result.decision == "Allow":
            assert allowed, (sample, result.to_dict())
        elif result.decision in ("ExplicitDeny", "ImplicitDeny"):
            assert not allowed, (sample, result.to_dict())
        else:
            assert result.decision == "Conditional"
            assert any(_holds(b, context) for b in result.residual) == allowed, (
                sample,
                result.to_dict(),
            )
    if result.witness is not None:
        completed = Request(
            caller=CALLER,
            action=action,
            resource=resource,
            context=Context(result.witness),  # type: ignore[arg-type]
        )
        assert evaluate(completed, policies).value.value == "Allow"


def _allows(policy: Policy, action: str, resource: str, context: dict[str, Any]) -> bool:
    request = Request(caller=CALLER, action=action, resource=resource, context=Context(context))
    return engine_decision(policy, replay_request(policy.policy_type, request)).value == "Allow"


@settings(**PROPERTY_SETTINGS, max_examples=60)
@given(
    old=st.lists(statement, min_size=1, max_size=3),
    new=st.lists(statement, min_size=1, max_size=3),
    probes=st.lists(
        st.tuples(st.sampled_from(REQUEST_ACTIONS), st.sampled_from(REQUEST_RESOURCES), contexts),
        min_size=5,
        max_size=12,
    ),
)
def test_compare_counterexamples_replay_and_pass_holds(
    old: list[dict[str, Any]],
    new: list[dict[str, Any]],
    probes: list[tuple[str, str, dict[str, Any]]],
) -> None:
    old_policy, new_policy = _policy(old), _policy(new)
    result = compare(old_policy, new_policy)
    for witness in result.witnesses:
        record = witness.request
        context = record["context"]
        assert isinstance(context, dict)
        assert _allows(new_policy, str(record["action"]), str(record["resource"]), context)
        assert not _allows(old_policy, str(record["action"]), str(record["resource"]), context)
    if result.passed:
        for action, resource, sample in probes:
            if _allows(new_policy, action, resource, _context(sample)):
                assert _allows(old_policy, action, resource, _context(sample)), (
                    action,
                    resource,
                    sample,
                )


@settings(**PROPERTY_SETTINGS, max_examples=40)
@given(
    statements=st.lists(statement, min_size=1, max_size=3),
    action=st.sampled_from(REQUEST_ACTIONS),
    probes=st.lists(st.tuples(st.sampled_from(REQUEST_RESOURCES), contexts), min_size=5),
)
def test_not_granted_pass_means_no_sampled_request_is_allowed(
    statements: list[dict[str, Any]],
    action: str,
    probes: list[tuple[str, dict[str, Any]]],
) -> None:
    policy = _policy(statements)
    result = not_granted(policy, [action])
    for witness in result.witnesses:
        context = witness.request["context"]
        assert isinstance(context, dict)
        assert _allows(policy, action, str(witness.request["resource"]), context)
    if result.passed:
        for resource, sample in probes:
            assert not _allows(policy, action, resource, _context(sample))


# -- Numeric and Date keys: well-typed classes, residuals in their own operators ------------

TYPED_CONDITIONS: list[tuple[str, str, list[str]]] = (
    [
        (op, "s3:max-keys", [v])
        for op in (
            "NumericEquals",
            "NumericNotEquals",
            "NumericLessThan",
            "NumericLessThanEquals",
            "NumericGreaterThan",
            "NumericGreaterThanEqualsIfExists",
            "NumericNotEqualsIfExists",
        )
        for v in ("5", "10")
    ]
    + [
        (op, "aws:CurrentTime", [v])
        for op in (
            "DateEquals",
            "DateNotEquals",
            "DateLessThan",
            "DateGreaterThanEquals",
            "DateLessThanIfExists",
            "DateNotEqualsIfExists",
        )
        for v in ("2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z")
    ]
    + [("Null", "s3:max-keys", ["true"]), ("Null", "aws:CurrentTime", ["false"])]
)
TYPED_SAMPLES: dict[str, list[Any]] = {
    "s3:max-keys": ["4", "5", "7", "10", "11", "-3", "5.0", None],
    "aws:CurrentTime": [
        "2025-12-31T23:59:59Z",
        "2026-01-01T00:00:00Z",
        "2026-03-01T00:00:00Z",
        "2026-06-01T00:00:00Z",
        "2026-06-01T00:00:01Z",
        "1767225600",  # 2026-01-01T00:00:00Z as epoch seconds: the same instant
        None,
    ],
}
typed_statement = st.fixed_dictionaries(
    {
        "Effect": st.sampled_from(["Allow", "Allow", "Deny"]),
        "Action": st.just(["s3:ListBucket"]),
        "Resource": st.just(["*"]),
        "Condition": st.lists(st.sampled_from(TYPED_CONDITIONS), max_size=2),
    }
)
typed_contexts = st.fixed_dictionaries({k: st.sampled_from(v) for k, v in TYPED_SAMPLES.items()})
FAMILY_OPERATORS = {"s3:max-keys": "Numeric", "aws:CurrentTime": "Date"}


@settings(**PROPERTY_SETTINGS, max_examples=80)
@given(
    statements=st.lists(typed_statement, min_size=1, max_size=3),
    samples=st.lists(typed_contexts, min_size=5, max_size=12),
)
def test_typed_keys_get_typed_classes_and_residuals(
    statements: list[dict[str, Any]], samples: list[dict[str, Any]]
) -> None:
    """Numeric/Date keys: the decision agrees with the engine on every well-typed completion,
    the witness replays, and a residual names their classes with Numeric/Date operators or
    Null only (never a sample value)."""
    policies = PolicySet(identity=(_policy(statements),))
    request = Request(caller=CALLER, action="s3:ListBucket", resource="*", context=Context())
    result = discover(request, policies)
    for block in result.residual:
        for op, by_key in block.items():
            for key in by_key:
                assert op == "Null" or op.startswith(FAMILY_OPERATORS[key]), result.to_dict()
    for sample in samples:
        context = Context(_context(sample))
        completed = Request(caller=CALLER, action="s3:ListBucket", resource="*", context=context)
        allowed = evaluate(completed, policies, explain=False).value.value == "Allow"
        if result.decision == "Allow":
            assert allowed, (sample, result.to_dict())
        elif result.decision in ("ExplicitDeny", "ImplicitDeny"):
            assert not allowed, (sample, result.to_dict())
        else:
            assert any(_holds(b, context) for b in result.residual) == allowed, (
                sample,
                result.to_dict(),
            )
    if result.witness is not None:
        completed = Request(
            caller=CALLER,
            action="s3:ListBucket",
            resource="*",
            context=Context(result.witness),  # type: ignore[arg-type]
        )
        assert evaluate(completed, policies).value.value == "Allow"
        for key, value in result.witness.items():
            assert isinstance(value, str)
            parse = coerce.parse_number if key == "s3:max-keys" else coerce.parse_date
            assert parse(value) is not None, result.witness
