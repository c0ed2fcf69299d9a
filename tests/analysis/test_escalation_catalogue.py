"""The technique catalogue is data: every action exists, every resource template is a resource
the action acts on, malformed entries are refused, and the public lists are covered."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from iamsim.analysis.escalation.edges import BECOME_EDGES, CHANGE_EDGES, CREATE_EDGES
from iamsim.analysis.techniques import (
    KINDS,
    default_catalogue_path,
    load_catalogue,
    parse_catalogue,
    substitute,
)
from iamsim.builder import RequestBuilder
from iamsim.catalog import service_reference
from iamsim.errors import InputError
from iamsim.ingest import parse_text
from iamsim.model import Account, Role, User, World

ACCOUNT = "111111111111"
VALUES = {
    "Partition": "aws",
    "Account": ACCOUNT,
    "Region": "eu-west-1",
    "Target": f"arn:aws:iam::{ACCOUNT}:role/target",
    "New": "iamsim-escalation",
    "Service": "lambda.amazonaws.com",
    "TargetBoundary": f"arn:aws:iam::{ACCOUNT}:policy/boundary",
    "PolicyChoice": "arn:aws:iam::aws:policy/AdministratorAccess",
    "BoundaryChoice": f"arn:aws:iam::{ACCOUNT}:policy/boundary",
    "Actor": f"arn:aws:iam::{ACCOUNT}:user/actor",
}
# The 21 methods of Rhino Security Labs' list, by the technique that covers each.
RHINO = {
    "1 CreatePolicyVersion": "iam-create-policy-version",
    "2 SetDefaultPolicyVersion": "iam-set-default-policy-version",
    "3 PassRole + ec2:RunInstances": "passrole-ec2-run-instances",
    "4 CreateAccessKey": "iam-create-access-key",
    "5 CreateLoginProfile": "iam-create-login-profile",
    "6 UpdateLoginProfile": "iam-update-login-profile",
    "7 AttachUserPolicy": "iam-attach-user-policy",
    "8 AttachGroupPolicy": "iam-attach-group-policy",
    "9 AttachRolePolicy": "iam-attach-role-policy",
    "10 PutUserPolicy": "iam-put-user-policy",
    "11 PutGroupPolicy": "iam-put-group-policy",
    "12 PutRolePolicy": "iam-put-role-policy",
    "13 AddUserToGroup": "iam-add-user-to-group",
    "14 UpdateAssumeRolePolicy + AssumeRole": "iam-update-assume-role-policy",
    "15 PassRole + Lambda CreateFunction + InvokeFunction": "passrole-lambda-invoke",
    "16 PassRole + Lambda CreateFunction + CreateEventSourceMapping": "passrole-lambda-event-source",
    "17 lambda:UpdateFunctionCode": "lambda-update-function-code",
    "18 PassRole + glue:CreateDevEndpoint": "passrole-glue-dev-endpoint",
    "19 glue:UpdateDevEndpoint": "glue-update-dev-endpoint",
    "20 PassRole + cloudformation:CreateStack": "passrole-cloudformation-create-stack",
    "21 PassRole + Data Pipeline": "passrole-datapipeline",
}


ACTOR = User(arn=VALUES["Actor"], name="actor", account=ACCOUNT)


def _builder() -> RequestBuilder:
    target = Role(arn=VALUES["Target"], name="target", account=ACCOUNT)
    return RequestBuilder(World.of(accounts=[Account(ACCOUNT)], roles=[target], users=[ACTOR]))


def _target(action: str) -> str:
    """An IAM ARN of the kind the action acts on (user, group, role or policy)."""
    kinds = [t.name for t in service_reference().resource_types(action)]
    kind = next((k for k in ("user", "group", "role", "policy") if k in kinds), "role")
    return f"arn:aws:iam::{ACCOUNT}:{kind}/target"


def _templates() -> list[tuple[str, str, str]]:
    out = []
    catalogue = load_catalogue()
    for technique in catalogue.techniques:
        values = dict(VALUES)
        if technique.candidate:
            values["Resource"] = substitute(technique.candidate, VALUES)
        for group in technique.steps:
            for step in group.options:
                out.append(
                    (
                        technique.id,
                        step.action,
                        step.resource.replace("${Resource}", values.get("Resource") or ""),
                    )
                )
    for probe in catalogue.admin_probes:
        out.append(("admin-probe", probe.action, probe.resource))
    return out


def test_catalogue_loads_and_has_unique_ids() -> None:
    catalogue = load_catalogue()
    ids = [t.id for t in catalogue.techniques]
    assert len(ids) == len(set(ids)) >= 45
    assert {t.kind for t in catalogue.techniques} == set(KINDS)
    assert all(
        t.references and all(r.startswith("https://") for r in t.references)
        for t in catalogue.techniques
    )
    assert len(catalogue.admin_probes) >= 20


@pytest.mark.parametrize("name", sorted(RHINO))
def test_public_list_is_covered(name: str) -> None:
    load_catalogue().technique(RHINO[name])


@pytest.mark.parametrize(("technique", "action", "template"), _templates())
def test_actions_exist_and_resources_fit(technique: str, action: str, template: str) -> None:
    reference = service_reference()
    assert reference.canonical_action(action) == action, f"{technique}: {action}"
    resource = substitute(template, {**VALUES, "Target": _target(action)})
    assert resource is not None, template
    if resource == "*":
        assert not reference.supports_resource_level_permissions(action), action
    else:
        assert reference.matching_resource_types(action, resource), (action, resource)
    if action != "sts:AssumeRole":  # trust requests on roles not created yet use a stand-in
        built = _builder().build(ACTOR, action, resource)
        assert built.request.resource == resource, built.warnings


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["techniques"][0].update(kind="teleport"), "unknown kind"),
        (lambda d: d["techniques"][1].update(id=d["techniques"][0]["id"]), "used twice"),
        (
            lambda d: d["techniques"][0]["steps"][0].update(resource="${Nowhere}"),
            "unknown placeholder",
        ),
        (lambda d: d["techniques"][0].pop("steps"), "needs 'steps'"),
        (lambda d: d["techniques"][0].update(colour="red"), "unknown technique field"),
        (lambda d: d["techniques"][0]["steps"][0].update(trust="someone"), "trust"),
    ],
)
def test_malformed_catalogue_is_refused(mutate: object, message: str) -> None:
    doc = yaml.safe_load(default_catalogue_path().read_text())
    mutate(doc)  # type: ignore[operator]
    with pytest.raises(InputError, match=message):
        parse_catalogue(doc, "test.yaml")


def test_targeted_kinds_need_a_target() -> None:
    doc = yaml.safe_load(default_catalogue_path().read_text())
    attach = next(t for t in doc["techniques"] if t["kind"] == "attach-policy")
    attach.pop("target")
    with pytest.raises(InputError, match="needs a target"):
        parse_catalogue(doc, "test.yaml")


def test_a_catalogue_can_grow_from_another_file(tmp_path: Path) -> None:
    doc = yaml.safe_load(default_catalogue_path().read_text())
    lambda_tech = next(t for t in doc["techniques"] if t["id"] == "passrole-lambda-invoke")
    extra = dict(lambda_tech, id="passrole-lambda-url", name="Lambda function URL")
    extra["steps"] = [
        lambda_tech["steps"][0],
        lambda_tech["steps"][1],
        {
            "action": "lambda:CreateFunctionUrlConfig",
            "resource": "arn:${Partition}:lambda:${Region}:${Account}:function:${New}",
        },
    ]
    doc["techniques"].append(extra)
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(doc))
    catalogue = parse_catalogue(parse_text(path.read_text(), str(path)), str(path))
    assert catalogue.technique("passrole-lambda-url").service == "lambda.amazonaws.com"
    only = catalogue.only(["passrole-lambda-url"])
    assert [t.id for t in only.techniques] == ["passrole-lambda-url"]
    with pytest.raises(KeyError):
        catalogue.only(["nope"])


def test_every_kind_has_exactly_one_edge_function() -> None:
    """The catalogue's kinds and the edge modules agree: a kind the catalogue accepts always
    yields edges, and no edge function waits for a kind the catalogue refuses."""
    tables = [set(BECOME_EDGES), set(CHANGE_EDGES), set(CREATE_EDGES)]
    assert set().union(*tables) == KINDS
    assert sum(len(t) for t in tables) == len(KINDS)  # no kind in two tables


def test_every_technique_cites_the_api_pages_it_uses() -> None:
    # Each API a technique calls has its AWS API reference page among the references.
    for technique in load_catalogue().techniques:
        pages = [r for r in technique.references if r.startswith("https://docs.aws.amazon.com/")]
        for action in set(technique.actions) - {"iam:PassRole"}:
            operation = "Invoke" if action == "lambda:InvokeFunction" else action.split(":")[1]
            assert any(p.endswith(f"API_{operation}.html") for p in pages), (technique.id, action)


def test_a_service_without_an_api_page_is_a_catalogue_error() -> None:
    doc = {
        "api_pages": {},
        "techniques": [
            {
                "id": "x",
                "name": "x",
                "category": "x",
                "kind": "assume-role",
                "steps": [{"action": "sts:AssumeRole", "resource": "${Target}"}],
            }
        ],
    }
    with pytest.raises(InputError, match="no API reference page"):
        parse_catalogue(doc)
