"""Malformed input fails closed, located: duplicate keys, excessive nesting, wrong types
that used to read as empty, misspelled keys, and incomplete organization bundles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ingest_paths import DATA

from iamsim import limits
from iamsim.errors import InputError
from iamsim.ingest import load_input, parse_text
from iamsim.ingest.documents import MAX_NESTING, load_json
from iamsim.ingest.policy_documents import decode_document_string

A = "222222222222"
ROLE = 0  # RoleDetailList index of role/app/app in gaad-small.json

DENY_THEN_ALLOW = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", '
    '"Resource": "*", "Effect": "Allow"}]}'
)


def _write(tmp_path: Path, doc: Any, name: str = "input.json") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return path


def _error(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        load_input(path)
    return info.value


# -- duplicate keys --------------------------------------------------------------------------


def test_duplicate_json_key_is_located() -> None:
    with pytest.raises(InputError) as info:
        parse_text('{"a": {"b": [{"Effect": "Deny", "Effect": "Allow"}]}}', "f.json")
    assert info.value.source == "f.json"
    assert info.value.path == "/a/b/0/Effect"
    assert info.value.reason == "duplicate key 'Effect'"


def test_duplicate_yaml_key_is_located_with_its_line() -> None:
    text = "a:\n  b:\n    - Effect: Deny\n      Action: s3:*\n      Effect: Allow\n"
    with pytest.raises(InputError) as info:
        parse_text(text, "f.yaml")
    assert info.value.path == "/a/b/0/Effect"
    assert "duplicate key 'Effect'" in info.value.reason
    assert "line 5" in info.value.reason and "first at line 3" in info.value.reason


def test_yaml_merge_keys_may_be_overridden() -> None:
    doc = parse_text("base: &b {Effect: Deny, Action: x}\nstmt:\n  <<: *b\n  Effect: Allow\n", "f")
    assert doc["stmt"] == {"Effect": "Allow", "Action": "x"}


def test_same_key_in_different_objects_is_fine() -> None:
    assert parse_text('[{"Effect": "Deny"}, {"Effect": "Allow"}]', "f") == [
        {"Effect": "Deny"},
        {"Effect": "Allow"},
    ]


def test_policy_strings_reject_duplicate_keys() -> None:
    with pytest.raises(InputError) as info:
        decode_document_string(DENY_THEN_ALLOW)
    assert info.value.path == "/Statement/0/Effect"
    # URL-encoded, as the raw IAM API returns documents.
    with pytest.raises(InputError, match="duplicate key 'Effect'"):
        decode_document_string(DENY_THEN_ALLOW.replace('"', "%22").replace("{", "%7B"))


def test_gaad_duplicate_key_in_a_document_object(tmp_path: Path) -> None:
    text = (DATA / "gaad-small.json").read_text()
    doc = json.loads(text)
    doc["RoleDetailList"][ROLE]["RolePolicyList"] = [{"PolicyName": "p", "PolicyDocument": {}}]
    raw = json.dumps(doc).replace('"PolicyDocument": {}', f'"PolicyDocument": {DENY_THEN_ALLOW}')
    err = _error(_write(tmp_path, raw))
    assert err.path == f"/RoleDetailList/{ROLE}/RolePolicyList/0/PolicyDocument/Statement/0/Effect"
    assert err.reason == "duplicate key 'Effect'"


def test_gaad_duplicate_key_in_a_document_string(tmp_path: Path) -> None:
    doc = json.loads((DATA / "gaad-small.json").read_text())
    doc["RoleDetailList"][ROLE]["RolePolicyList"] = [
        {"PolicyName": "p", "PolicyDocument": DENY_THEN_ALLOW}
    ]
    err = _error(_write(tmp_path, doc))
    assert err.path == f"/RoleDetailList/{ROLE}/RolePolicyList/0/PolicyDocument/Statement/0/Effect"
    assert "duplicate key 'Effect'" in err.reason


def test_org_bundle_duplicate_key_in_policy_content(tmp_path: Path) -> None:
    bundle = json.loads((DATA / "org-cli.json").read_text())
    bundle["Policies"]["p-regions01"]["Policy"]["Content"] = DENY_THEN_ALLOW
    err = _error(_write(tmp_path, bundle))
    assert err.path == "/Policies/p-regions01/Policy/Content/Statement/0/Effect"
    assert "duplicate key 'Effect'" in err.reason


def test_org_tree_policy_file_with_duplicate_key(tmp_path: Path) -> None:
    (tmp_path / "scp.json").write_text(DENY_THEN_ALLOW)
    path = _write(
        tmp_path, {"organization": {"id": "o-x", "root": {"id": "r-1", "scps": ["scp.json"]}}}
    )
    err = _error(path)
    assert err.source == str(tmp_path / "scp.json")
    assert err.path == "/Statement/0/Effect"


# -- nesting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "[" * 5000 + "]" * 5000,  # beyond Python's recursion limit
        '{"a": ' * 5000 + "1" + "}" * 5000,
        "[" * (MAX_NESTING + 5) + "]" * (MAX_NESTING + 5),  # parses, but too deep to walk
        "- " * 5000 + "x\n",
        "a:\n" + "".join("  " * i + "- \n" for i in range(1, 400)),
    ],
    ids=["json-lists", "json-objects", "json-just-over", "yaml-block", "yaml-indented"],
)
def test_deep_nesting_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_text(text, "deep")
    assert info.value.source == "deep"
    assert "nested too deeply" in info.value.reason


def test_deep_nesting_through_load_input(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, "[" * 5000 + "]" * 5000))
    assert "nested too deeply" in err.reason
    err = _error(_write(tmp_path, "[" * 5000 + "]" * 5000, "deep.yaml"))
    assert "nested too deeply" in err.reason


def test_deep_policy_string_is_an_input_error() -> None:
    with pytest.raises(InputError, match="nested too deeply"):
        decode_document_string('{"a": ' + "[" * 5000 + "]" * 5000 + "}")


def test_nesting_up_to_the_limit_is_fine() -> None:
    depth = MAX_NESTING
    assert load_json("[" * depth + "]" * depth) is not None


def test_yaml_alias_inside_its_own_anchor_is_refused() -> None:
    with pytest.raises(InputError, match="alias refers to a node that contains it"):
        parse_text("a: &x [1, *x]\n", "f")


def test_yaml_shared_aliases_are_checked_once() -> None:
    # Nine levels of ten aliases: a walk that expanded aliases would visit 10**9 nodes. The
    # default limit refuses it (see tests/ingest/test_yaml_bombs.py); raised, the checks still
    # visit each composed node once.
    lines = ['l0: &l0 ["a", "a", "a", "a", "a", "a", "a", "a", "a", "a"]']
    for i in range(1, 10):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]")
    with limits.override(max_yaml_nodes=10**12):
        doc = parse_text("\n".join(lines) + "\n", "f")
    assert len(doc["l9"]) == 10


# -- GAAD: wrong types, misspelled keys, inconsistent entries ----------------------------------


def _gaad(tmp_path: Path, mutate: Any) -> Path:
    doc = json.loads((DATA / "gaad-small.json").read_text())
    mutate(doc)
    return _write(tmp_path, doc)


def _role(doc: dict[str, Any]) -> dict[str, Any]:
    role: dict[str, Any] = doc["RoleDetailList"][ROLE]
    return role


@pytest.mark.parametrize(
    ("value", "found"),
    [({}, "an empty object"), ("", "an empty string"), (False, "boolean"), ([], "array")],
)
def test_gaad_empty_or_wrong_boundary_is_an_error(tmp_path: Path, value: Any, found: str) -> None:
    err = _error(_gaad(tmp_path, lambda d: _role(d).update(PermissionsBoundary=value)))
    assert err.path == f"/RoleDetailList/{ROLE}/PermissionsBoundary"
    assert err.reason == f"expected an object with PermissionsBoundaryArn, found {found}"


def test_gaad_null_boundary_is_no_boundary(tmp_path: Path) -> None:
    world = load_input(_gaad(tmp_path, lambda d: _role(d).update(PermissionsBoundary=None)))
    assert world.roles[f"arn:aws:iam::{A}:role/app/app"].boundary_arn is None


def test_gaad_malformed_boundary_arn(tmp_path: Path) -> None:
    def mutate(doc: dict[str, Any]) -> None:
        _role(doc)["PermissionsBoundary"]["PermissionsBoundaryArn"] = "notanarn"

    err = _error(_gaad(tmp_path, mutate))
    assert err.path == f"/RoleDetailList/{ROLE}/PermissionsBoundary/PermissionsBoundaryArn"
    assert err.reason == "expected an IAM policy ARN, found 'notanarn'"


def test_gaad_malformed_attached_policy_arn(tmp_path: Path) -> None:
    def mutate(doc: dict[str, Any]) -> None:
        _role(doc)["AttachedManagedPolicies"] = [
            {"PolicyName": "x", "PolicyArn": f"arn:aws:iam::{A}:role/x"}
        ]

    err = _error(_gaad(tmp_path, mutate))
    assert err.path == f"/RoleDetailList/{ROLE}/AttachedManagedPolicies/0/PolicyArn"
    assert "expected an IAM policy ARN" in err.reason


@pytest.mark.parametrize(
    "key", ["AttachedManagedPolicies", "RolePolicyList", "InstanceProfileList"]
)
@pytest.mark.parametrize(("value", "found"), [({}, "object"), ("", "string"), (False, "boolean")])
def test_gaad_lists_of_the_wrong_type_are_errors(
    tmp_path: Path, key: str, value: Any, found: str
) -> None:
    err = _error(_gaad(tmp_path, lambda d: _role(d).update({key: value})))
    assert err.path == f"/RoleDetailList/{ROLE}/{key}"
    assert err.reason == f"expected an array, found {found}"


def test_gaad_user_group_list_of_the_wrong_type(tmp_path: Path) -> None:
    err = _error(_gaad(tmp_path, lambda d: d["UserDetailList"][0].update(GroupList={})))
    assert err.path == "/UserDetailList/0/GroupList"


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("PermissionBoundary", "PermissionsBoundary"),
        ("AttachedManagedPolicy", "AttachedManagedPolicies"),
        ("rolepolicylist", "RolePolicyList"),
    ],
)
def test_gaad_misspelled_entity_key_is_an_error(tmp_path: Path, typo: str, meant: str) -> None:
    def mutate(doc: dict[str, Any]) -> None:
        role = _role(doc)
        role[typo] = role.pop(meant)

    err = _error(_gaad(tmp_path, mutate))
    assert err.path == f"/RoleDetailList/{ROLE}/{typo}"
    assert err.reason == f"unknown key {typo!r} (did you mean {meant!r}?)"


def test_gaad_misspelled_nested_key_is_an_error(tmp_path: Path) -> None:
    def mutate(doc: dict[str, Any]) -> None:
        boundary = _role(doc)["PermissionsBoundary"]
        boundary["PermissionsBoundaryARN"] = boundary.pop("PermissionsBoundaryArn")

    err = _error(_gaad(tmp_path, mutate))
    assert err.path == f"/RoleDetailList/{ROLE}/PermissionsBoundary/PermissionsBoundaryARN"
    assert "did you mean 'PermissionsBoundaryArn'" in err.reason


def test_gaad_other_unknown_keys_are_noted_once(tmp_path: Path) -> None:
    def mutate(doc: dict[str, Any]) -> None:
        for role in doc["RoleDetailList"]:
            role["Description"] = "added by a newer API"

    world = load_input(_gaad(tmp_path, mutate))
    notes = [n for n in world.notes if "'Description'" in n]
    assert len(notes) == 1
    assert "RoleDetailList" in notes[0] and f"/RoleDetailList/{ROLE}/Description" in notes[0]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("RoleName", "other", "RoleName 'other' does not match the name in the ARN"),
        ("Path", "/", "Path '/' does not match the path in the ARN"),
    ],
)
def test_gaad_name_or_path_disagreeing_with_the_arn(
    tmp_path: Path, key: str, value: str, message: str
) -> None:
    err = _error(_gaad(tmp_path, lambda d: _role(d).update({key: value})))
    assert err.path == f"/RoleDetailList/{ROLE}/{key}"
    assert message in err.reason


def test_gaad_missing_path_comes_from_the_arn(tmp_path: Path) -> None:
    world = load_input(_gaad(tmp_path, lambda d: _role(d).pop("Path")))
    assert world.roles[f"arn:aws:iam::{A}:role/app/app"].path == "/app/"


def test_gaad_policy_name_disagreeing_with_the_arn(tmp_path: Path) -> None:
    err = _error(_gaad(tmp_path, lambda d: d["Policies"][0].update(PolicyName="other")))
    assert err.path == "/Policies/0/PolicyName"


def test_gaad_empty_policy_document(tmp_path: Path) -> None:
    def mutate(doc: dict[str, Any]) -> None:
        _role(doc)["RolePolicyList"] = [{"PolicyName": "p", "PolicyDocument": ""}]

    err = _error(_gaad(tmp_path, mutate))
    assert err.path == f"/RoleDetailList/{ROLE}/RolePolicyList/0/PolicyDocument"
    assert err.reason == "the policy is empty"


# -- organizations ---------------------------------------------------------------------------


def _bundle(tmp_path: Path, mutate: Any) -> Path:
    bundle = json.loads((DATA / "org-cli.json").read_text())
    mutate(bundle)
    return _write(tmp_path, bundle)


def test_bundle_target_without_listing_is_an_error(tmp_path: Path) -> None:
    err = _error(_bundle(tmp_path, lambda b: b["PoliciesForTarget"].pop("ou-ab12-22222222")))
    assert err.path == "/PoliciesForTarget"
    assert "no list-policies-for-target output for ou-ab12-22222222 (Prod)" in err.reason


def test_bundle_without_any_listing_is_an_error(tmp_path: Path) -> None:
    err = _error(_bundle(tmp_path, lambda b: b.pop("PoliciesForTarget")))
    assert "no list-policies-for-target output for r-ab12 (Root)" in err.reason


def test_bundle_listing_missing_one_enabled_type_is_an_error(tmp_path: Path) -> None:
    def mutate(bundle: dict[str, Any]) -> None:
        del bundle["PoliciesForTarget"]["ou-ab12-22222222"]["RESOURCE_CONTROL_POLICY"]

    err = _error(_bundle(tmp_path, mutate))
    assert err.path == "/PoliciesForTarget/ou-ab12-22222222"
    assert "no RESOURCE_CONTROL_POLICY is listed for ou-ab12-22222222 (Prod)" in err.reason


def test_bundle_status_in_the_wrong_case_is_an_error(tmp_path: Path) -> None:
    def mutate(bundle: dict[str, Any]) -> None:
        bundle["Roots"]["Roots"][0]["PolicyTypes"][0]["Status"] = "Enabled"

    err = _error(_bundle(tmp_path, mutate))
    assert err.path == "/Roots/Roots/0/PolicyTypes/0/Status"
    assert "found 'Enabled'" in err.reason


def test_bundle_scps_attached_but_not_enabled_is_an_error(tmp_path: Path) -> None:
    def mutate(bundle: dict[str, Any]) -> None:
        bundle["Roots"]["Roots"][0]["PolicyTypes"] = []

    err = _error(_bundle(tmp_path, mutate))
    assert err.path == "/PoliciesForTarget/r-ab12/SERVICE_CONTROL_POLICY/Policies/1"
    assert "does not enable SERVICE_CONTROL_POLICY" in err.reason


def test_bundle_only_builtins_attached_for_a_disabled_type_is_fine(tmp_path: Path) -> None:
    def mutate(bundle: dict[str, Any]) -> None:
        bundle["Roots"]["Roots"][0]["PolicyTypes"] = [
            {"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}
        ]

        def keep(summary: dict[str, Any]) -> bool:
            rcp = summary["Type"] == "RESOURCE_CONTROL_POLICY"
            return not rcp or summary["Id"] == "p-RCPFullAWSAccess"

        for target, listing in bundle["PoliciesForTarget"].items():
            if isinstance(listing, list):
                bundle["PoliciesForTarget"][target] = [s for s in listing if keep(s)]
                continue
            for output in listing.values():
                summaries = output["Policies"] if isinstance(output, dict) else output
                summaries[:] = [s for s in summaries if keep(s)]

    world = load_input(_bundle(tmp_path, mutate))
    assert world.organization is not None and not world.organization.rcp_enabled


@pytest.mark.parametrize(("section", "value"), [("OrganizationalUnits", []), ("Policies", "")])
def test_bundle_sections_of_the_wrong_type(tmp_path: Path, section: str, value: Any) -> None:
    err = _error(_bundle(tmp_path, lambda b: b.update({section: value})))
    assert err.path == f"/{section}"


def test_bundle_with_absurdly_deep_ous(tmp_path: Path) -> None:
    def mutate(bundle: dict[str, Any]) -> None:
        parent = "ou-ab12-22222222"
        for i in range(600):
            child = f"ou-deep-{i}"
            bundle["OrganizationalUnits"][parent] = [{"Id": child, "Name": child}]
            bundle["PoliciesForTarget"][child] = bundle["PoliciesForTarget"][parent]
            parent = child

    err = _error(_bundle(tmp_path, mutate))
    assert err.path == "/OrganizationalUnits"
    assert err.reason == "the OU tree is nested too deeply"


def test_tree_children_map_is_an_error(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "organization:\n  id: o-x\n  root:\n    id: r-1\n    children: {}\n", "o.yaml"
    )
    err = _error(path)
    assert err.path == "/organization/root/children"
    assert err.reason == "expected an array, found object"


# -- resources file ----------------------------------------------------------------------------


@pytest.mark.parametrize("policy", ['""', "'  '"])
def test_resources_empty_policy_says_so(tmp_path: Path, policy: str) -> None:
    path = _write(
        tmp_path,
        f'resources:\n  - {{arn: "arn:aws:s3:::b", account: "{A}", policy: {policy}}}\n',
        "r.yaml",
    )
    err = _error(path)
    assert err.path == "/resources/0/policy"
    assert err.reason == "the policy is empty"


def test_very_deep_json_is_refused_before_parsing_with_its_line() -> None:
    # 100,000 brackets: refused by the linear pre-scan (no RecursionError, no deep stack),
    # at the bracket that goes one level past the limit.
    text = "{\n" + '"a": ' + "[" * 100_000
    with pytest.raises(InputError) as info:
        load_json(text)
    assert "nested too deeply" in info.value.reason
    assert f"line 2 column {6 + MAX_NESTING - 1}" in info.value.reason


def test_brackets_inside_json_strings_are_not_levels() -> None:
    deep = "[" * (MAX_NESTING + 5)
    assert load_json(f'["{deep}", {{"k\\"[": "\\\\{deep}"}}]') == [deep, {'k"[': "\\" + deep}]


def test_the_nesting_limit_is_read_per_run() -> None:
    with limits.override(max_nesting=3), pytest.raises(InputError, match="nested too deeply"):
        load_json("[[[[1]]]]")
    with limits.override(max_nesting=3), pytest.raises(InputError, match="nested too deeply"):
        parse_text("a: {b: {c: {d: 1}}}\n", "f")
    assert parse_text("a: {b: {c: {d: 1}}}\n", "f") == {"a": {"b": {"c": {"d": 1}}}}
