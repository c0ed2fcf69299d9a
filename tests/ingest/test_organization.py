"""Organization loaders: our tree format and the assembled aws organizations CLI output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ingest_paths import DATA, SHARED

from iamsim.errors import InputError
from iamsim.ingest import load_input, load_inputs
from iamsim.model import (
    NodeKind,
    Organization,
)
from iamsim.policy.builtin import (
    FULL_AWS_ACCESS,
    RCP_FULL_AWS_ACCESS,
)
from iamsim.policy.model import Effect, PolicyType

MGMT, PROD, DEV, SANDBOX = "111111111111", "222222222222", "333333333333", "444444444444"


def _org(path: Path, allow_read: tuple[Path, ...] = ()) -> Organization:
    org = load_inputs([path], allow_read=allow_read).organization
    assert org is not None
    return org


def _names(levels: tuple[tuple[object, ...], ...]) -> list[list[str]]:
    return [[p.name for p in level] for level in levels]  # type: ignore[attr-defined]


@pytest.mark.parametrize("fixture", ["org-tree.yaml", "org-cli.json"])
def test_tree_shape_and_paths(fixture: str) -> None:
    org = _org(DATA / fixture)
    assert org.id == "o-a1b2c3d4e5"
    assert org.management_account == MGMT
    assert org.account_ids == (MGMT, PROD, DEV, SANDBOX)
    assert [n.id for n in org.path_to(PROD)] == [
        "r-ab12",
        "ou-ab12-11111111",
        "ou-ab12-22222222",
        PROD,
    ]
    assert [n.kind for n in org.path_to(PROD)] == [
        NodeKind.ROOT,
        NodeKind.OU,
        NodeKind.OU,
        NodeKind.ACCOUNT,
    ]
    assert org.org_path_string(PROD) == "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/"
    assert org.org_path_string(DEV) == "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"
    assert org.org_path_string(MGMT) == "o-a1b2c3d4e5/r-ab12/"


@pytest.mark.parametrize("fixture", ["org-tree.yaml", "org-cli.json"])
def test_attached_policies_per_level(fixture: str) -> None:
    org = _org(DATA / fixture)
    scps = _names(org.scp_levels(PROD))
    assert scps[0] == [FULL_AWS_ACCESS, "deny-leave-organization"]
    assert scps[1] == [FULL_AWS_ACCESS, "regions"]
    assert scps[2] == [FULL_AWS_ACCESS]
    assert scps[3][0] == FULL_AWS_ACCESS and len(scps[3]) == 2
    # FullAWSAccess detached from the Sandbox OU: only the replacement remains there.
    assert _names(org.scp_levels(SANDBOX))[1] == ["only-s3"]
    # RCPFullAWSAccess is on every node, first.
    for account in org.account_ids:
        assert all(level[0].name == RCP_FULL_AWS_ACCESS for level in org.rcp_levels(account))
    assert _names(org.rcp_levels(PROD))[0] == [RCP_FULL_AWS_ACCESS, "deny-external-s3"]
    rcp = org.rcp_levels(PROD)[0][1]
    assert rcp.policy_type is PolicyType.RCP and rcp.statements[0].effect is Effect.DENY
    assert org.scp_levels(PROD)[0][0].policy_type is PolicyType.SCP


def test_both_formats_agree() -> None:
    tree, cli = _org(DATA / "org-tree.yaml"), _org(DATA / "org-cli.json")
    for account in tree.account_ids:
        assert tree.org_path_string(account) == cli.org_path_string(account)
        for a, b in zip(tree.scp_levels(account), cli.scp_levels(account), strict=True):
            assert [p.statements for p in a] == [p.statements for p in b]
        for a, b in zip(tree.rcp_levels(account), cli.rcp_levels(account), strict=True):
            assert [p.statements for p in a] == [p.statements for p in b]


def test_accounts_named_from_the_organization() -> None:
    world = load_inputs([DATA / "org-cli.json"])
    assert world.accounts[PROD].name == "prod"
    assert world.accounts[PROD].email == "prod@example.com"


def test_every_real_scp_example_loads(tmp_path: Path) -> None:
    """The 57 SCPs of aws-samples/service-control-policy-examples, one OU each.

    One of them carries a ``//`` comment, which is not JSON (AWS rejects it too): it must fail
    with its own file name and line, and the other 56 must load.
    """
    root = SHARED / "scp-examples"
    files = sorted(root.rglob("*.json"))
    assert len(files) == 57
    commented = [f for f in files if "//" in f.read_text().replace("://", "")]
    assert [f.name for f in commented] == ["deny-service-specific-credential-by-type.json"]

    def tree(scp_files: list[Path]) -> Path:
        children: list[dict[str, object]] = [
            {"ou": f"ou-ab12-{i:08d}", "name": f.stem, "scps": [str(f)]}
            for i, f in enumerate(scp_files)
        ]
        children.append({"account": PROD, "name": "prod"})
        doc = {
            "organization": {"id": "o-a1b2c3d4e5", "root": {"id": "r-ab12", "children": children}}
        }
        return _write(tmp_path, doc)

    valid = [f for f in files if f not in commented]
    # The SCP files are outside the organization file's folder: allowed explicitly.
    org = _org(tree(valid), allow_read=(root,))
    loaded = [n for n in org.nodes() if n.kind is NodeKind.OU]
    assert len(loaded) == 56
    assert all(len(n.scps) == 2 and n.scps[1].statements for n in loaded)
    assert all(n.scps[1].name == Path(f).stem for n, f in zip(loaded, valid, strict=True))
    assert org.management_account is None

    with pytest.raises(InputError) as info:
        load_input(tree(commented), allow_read=(root,))
    assert info.value.source == str(commented[0])
    assert "invalid JSON at line 15" in info.value.reason


def _write(tmp_path: Path, doc: object, name: str = "org.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize(
    ("mutate", "pointer", "message"),
    [
        (lambda o: o["root"].pop("id"), "/organization/root", "missing required field 'id'"),
        (
            lambda o: o["root"]["children"].append({"account": "12345"}),
            "/organization/root/children/1/account",
            "12-digit account ID",
        ),
        (
            lambda o: o["root"]["children"].append({"ou": "ou-x", "account": "111111111111"}),
            "/organization/root/children/1",
            "exactly one of 'ou' or 'account'",
        ),
        (
            lambda o: o["root"].update(scps=[{"Statement": [{"Effect": "Maybe"}]}]),
            "/organization/root/scps/0/Statement/0/Effect",
            "",
        ),
        (
            lambda o: o["root"].update(scps=["missing.json"]),
            "/organization/root/scps/0",
            "cannot read policy file",
        ),
        (
            lambda o: o["root"].update(colour="blue"),
            "/organization/root/colour",
            "unknown field 'colour'",
        ),
        (
            lambda o: o.update(management_account="999999999999"),
            "/organization/management_account",
            "does not appear in the tree",
        ),
    ],
)
def test_tree_errors_are_located(tmp_path: Path, mutate, pointer: str, message: str) -> None:  # type: ignore[no-untyped-def]
    org = {
        "id": "o-a1b2c3d4e5",
        "management_account": MGMT,
        "root": {"id": "r-ab12", "children": [{"account": MGMT}]},
    }
    mutate(org)
    path = _write(tmp_path, {"organization": org})
    with pytest.raises(InputError) as info:
        load_input(path)
    assert info.value.source == str(path)
    assert info.value.path == pointer
    assert message in info.value.reason


def test_scp_file_errors_name_the_scp_file(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"Version": "2012-10-17", "Statement": [{"Effect": 1}]}')
    path = _write(
        tmp_path,
        {"organization": {"id": "o-x", "root": {"id": "r-1", "scps": ["bad.json"]}}},
    )
    with pytest.raises(InputError) as info:
        load_input(path)
    assert info.value.source == str(tmp_path / "bad.json")
    assert info.value.path.startswith("/Statement/0")


def test_cli_bundle_errors_are_located(tmp_path: Path) -> None:
    bundle = json.loads((DATA / "org-cli.json").read_text())
    del bundle["Policies"]["p-regions01"]
    path = _write(tmp_path, bundle)
    with pytest.raises(InputError) as info:
        load_input(path)
    assert (
        info.value.path
        == "/PoliciesForTarget/ou-ab12-11111111/SERVICE_CONTROL_POLICY/Policies/1/Id"
    )
    assert "describe-policy" in info.value.reason

    bundle = json.loads((DATA / "org-cli.json").read_text())
    bundle["Policies"]["p-prod0001"]["Policy"]["Content"] = '{"Statement": [}'
    path = _write(tmp_path, bundle)
    with pytest.raises(InputError) as info:
        load_input(path)
    assert info.value.path == "/Policies/p-prod0001/Policy/Content"


def test_cli_bundle_policy_type_of_the_wrong_type_is_located(tmp_path: Path) -> None:
    # Found by the fuzzer (tests/fuzz): a list as Type was a traceback (unhashable type).
    bundle = json.loads((DATA / "org-cli.json").read_text())
    bundle["PoliciesForTarget"]["r-ab12"]["SERVICE_CONTROL_POLICY"]["Policies"][0]["Type"] = [
        "SERVICE_CONTROL_POLICY"
    ]
    path = _write(tmp_path, bundle)
    with pytest.raises(InputError) as info:
        load_input(path)
    assert info.value.path == "/PoliciesForTarget/r-ab12/SERVICE_CONTROL_POLICY/Policies/0/Type"
    assert info.value.reason == "the policy type must be a string"


def test_cli_bundle_without_policy_listing_is_an_error(tmp_path: Path) -> None:
    # Assuming FullAWSAccess alone would hide the node's own Deny SCPs.
    bundle = json.loads((DATA / "org-cli.json").read_text())
    del bundle["PoliciesForTarget"][DEV]
    with pytest.raises(InputError) as info:
        load_input(_write(tmp_path, bundle))
    assert info.value.path == "/PoliciesForTarget"
    assert f"no list-policies-for-target output for {DEV} (dev)" in info.value.reason


def test_two_different_organizations_conflict(tmp_path: Path) -> None:
    other = {"organization": {"id": "o-other00000", "root": {"id": "r-zz99"}}}
    with pytest.raises(InputError, match="second organization"):
        load_inputs([DATA / "org-tree.yaml", _write(tmp_path, other)])


def test_conflicting_account_details() -> None:
    with pytest.raises(InputError, match=r"management@example\.com"):
        load_inputs([DATA / "org-tree.yaml", DATA / "org-cli.json"])


def test_same_organization_twice_merges() -> None:
    world = load_inputs([DATA / "org-cli.json", DATA / "org-cli.json"])
    assert world.organization is not None
