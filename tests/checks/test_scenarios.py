"""Scenario documents (``iamsim eval``): the request fields are checked, never silently emptied.

Every malformed field is an InputError naming the scenario's JSON path; none evaluates.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from iamsim.checks.scenarios import Scenario, ScenarioError, load_scenarios, parse_scenario
from iamsim.engine.decision import evaluate
from iamsim.errors import InputError

ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
DENY_OUTSIDE_EU = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}},
        }
    ],
}
BASE: dict[str, Any] = {
    "principal": "arn:aws:iam::111122223333:user/alice",
    "action": "s3:GetObject",
    "resource": "arn:aws:s3:::bucket/key",
    "policies": {"identity": [ALLOW_ALL]},
}


def parse(**fields: Any) -> Scenario:
    item = {**BASE, **fields}
    return parse_scenario({k: v for k, v in item.items() if v is not ...}, name="t", source="s")


def error(**fields: Any) -> InputError:
    with pytest.raises(InputError) as info:
        parse(**fields)
    return info.value


def test_the_base_scenario_allows() -> None:
    scenario = parse()
    assert evaluate(scenario.request, scenario.policies).value.value == "Allow"


@pytest.mark.parametrize(
    "resource", ["bucket/key", "arn:aws:s3", "arn:aws::::x", "arn:nope:s3:::b", "", 5, None]
)
def test_resource_must_be_star_or_an_arn(resource: Any) -> None:
    assert error(resource=resource).path == "/resource"


def test_resource_wildcards_only_in_the_resource_part() -> None:
    assert error(resource="arn:aws:s3:*::bucket/key").path == "/resource"
    parse(resource="arn:aws:s3:::bucket/odd*key")  # S3 keys may hold '*'
    parse(resource="*")


@pytest.mark.parametrize(
    "action", ["s3:", ":GetObject", "s3:Get Object", "s3:Get:Object", "s3:Get*", "s3", "s3:?"]
)
def test_action_must_be_one_service_action(action: str) -> None:
    assert error(action=action).path == "/action"


def test_unknown_but_well_formed_actions_are_accepted_offline() -> None:
    parse(action="foo:Bar")
    parse(action="vpc-lattice:AssociateViaAWSService-EventsAndStates")


@pytest.mark.parametrize("principal", ["arn:aws:iam::111122223333:user/*", "*", "user/?"])
def test_principal_must_not_be_a_pattern(principal: str) -> None:
    exc = error(principal=principal)
    assert exc.path == "/principal"
    assert "pattern" in exc.reason


@pytest.mark.parametrize("account", ["abc", [1, 2], "11112222333", True, 1234, {"a": 1}])
def test_resource_account_must_be_an_account_id(account: Any) -> None:
    exc = error(resource_account=account)
    assert exc.path == "/resource_account"
    assert "12-digit account ID" in exc.reason


def test_resource_account_accepts_twelve_digits() -> None:
    assert parse(resource_account="444455556666").request.resource_account == "444455556666"
    assert parse(resource_account=444455556666).request.resource_account == "444455556666"


@pytest.mark.parametrize("value", [[], "", False, 0, "aws:SourceIp=1"])
def test_context_of_the_wrong_type_is_an_error(value: Any) -> None:
    exc = error(context=value)
    assert exc.path == "/context"
    assert "mapping" in exc.reason


@pytest.mark.parametrize("value", [[], "", False, 0])
def test_policies_of_the_wrong_type_is_an_error(value: Any) -> None:
    exc = error(policies=value)
    assert exc.path == "/policies"


def test_null_context_and_policies_are_absent() -> None:
    assert parse(context=None).request.context.get_values("aws:SourceIp") is None
    assert parse(policies=None).policies.identity == ()


@pytest.mark.parametrize(
    ("context", "path"),
    [
        ({"aws:SourceIp": {"a": 1}}, "/context/aws:SourceIp"),
        ({"aws:SourceIp": None}, "/context/aws:SourceIp"),
        ({"aws:TagKeys": [["a"]]}, "/context/aws:TagKeys/0"),
        ({"aws:RequestedRegion": ["ap-south-1"]}, "/context/aws:RequestedRegion"),
        (
            {"aws:RequestedRegion": "ap-south-1", "aws:requestedRegion": "x"},
            "/context/aws:requestedRegion",
        ),
    ],
)
def test_context_errors_point_at_the_key(context: dict[str, Any], path: str) -> None:
    assert error(context=context).path == path


def test_a_one_element_region_list_cannot_switch_off_a_negated_deny() -> None:
    scenario = parse(
        context={"aws:RequestedRegion": "ap-south-1"},
        policies={"identity": [ALLOW_ALL, DENY_OUTSIDE_EU]},
    )
    assert evaluate(scenario.request, scenario.policies).value.value == "ExplicitDeny"
    exc = error(
        context={"aws:RequestedRegion": ["ap-south-1"]},
        policies={"identity": [ALLOW_ALL, DENY_OUTSIDE_EU]},
    )
    assert "aws:RequestedRegion is single-valued" in exc.reason


def test_multivalued_context_keys_keep_lists() -> None:
    scenario = parse(context={"aws:TagKeys": ["team", "env"], "aws:CalledVia": []})
    assert scenario.request.context.get_values("aws:TagKeys") == ("team", "env")
    assert scenario.request.context.is_multi("aws:CalledVia")


def test_scp_levels() -> None:
    # An empty level is accepted: a node with no SCP attached allows nothing.
    assert parse(policies={"identity": [ALLOW_ALL], "scp": [[]]}).policies.scp == ((),)
    exc = error(policies={"identity": [ALLOW_ALL], "scp": []})
    assert exc.path == "/policies/scp"
    assert "empty list of levels" in exc.reason


def test_error_paths_inside_a_list_of_scenarios() -> None:
    text = (
        '[{"principal": "arn:aws:iam::111122223333:user/a", "action": "s3:GetObject"},'
        ' {"principal": "arn:aws:iam::111122223333:user/a", "action": "s3:GetObject",'
        ' "context": {"aws:SourceIp": null}}]'
    )
    first, second = load_scenarios(text, "f.json")
    assert isinstance(first, Scenario)
    assert isinstance(second, ScenarioError)
    assert second.error.path == "/1/context/aws:SourceIp"


UNQUOTED_VERSION = (
    "principal: arn:aws:iam::111122223333:user/a\n"
    "action: s3:GetObject\n"
    "now: 2025-06-30T23:59:59Z\n"
    "policies:\n"
    "  identity:\n"
    "    - Version: 2012-10-17\n"
    "      Statement: [{Effect: Allow, Action: '*', Resource: '*'}]\n"
)


def test_unquoted_yaml_dates_stay_the_text_written() -> None:
    # As in JSON (and CloudFormation): the input readers make no date objects.
    (item,) = load_scenarios(UNQUOTED_VERSION, "v.yaml")
    assert isinstance(item, Scenario), item
    assert item.policies.identity[0].version == "2012-10-17"
    assert item.request.context["aws:CurrentTime"] == ("2025-06-30T23:59:59Z",)


def test_a_date_object_as_version_says_to_quote_it() -> None:
    # parse_scenario fed by another YAML reader (yaml.safe_load makes dates) still explains.
    document = yaml.safe_load(UNQUOTED_VERSION)
    with pytest.raises(InputError) as info:
        parse_scenario(document, name="v", source="v.yaml")
    assert info.value.path == "/policies/identity/0/Version"
    assert 'quote it in YAML (Version: "2012-10-17")' in info.value.reason


def test_yaml_syntax_errors_use_the_input_file_wording() -> None:
    with pytest.raises(InputError, match=r"invalid YAML at line 3 column 1"):
        load_scenarios("name: x\nprincipal: [a\n", "s.yaml")
