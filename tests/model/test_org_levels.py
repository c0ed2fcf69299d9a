"""Organization level names: the one home of how the levels of an account's path are named
(the explanation's SCP/RCP levels, the demo's "denied by an SCP at OU Sandbox")."""

from __future__ import annotations

from iamsim.model.organization import NodeKind, Organization, OrgNode

ACCOUNT = "111122223333"
UNNAMED = "444455556666"
ORG = Organization(
    id="o-exampleorgid",
    management_account=None,
    root=OrgNode(
        "r-root",
        NodeKind.ROOT,
        "Root",
        children=(
            OrgNode(
                "ou-root-sandbox",
                NodeKind.OU,
                "Sandbox",
                children=(OrgNode(ACCOUNT, NodeKind.ACCOUNT, "dev"),),
            ),
            OrgNode("ou-root-unnamed", NodeKind.OU, children=(OrgNode(UNNAMED, NodeKind.ACCOUNT),)),
        ),
    ),
)


def test_level_names_follow_the_path_root_first() -> None:
    assert ORG.level_names(ACCOUNT) == ["Root", "Sandbox", "dev"]
    # A node without a name is named by its ID.
    assert ORG.level_names(UNNAMED) == ["Root", "ou-root-unnamed", UNNAMED]


def test_level_names_of_an_account_outside_the_organization_are_empty() -> None:
    assert ORG.level_names("999999999999") == []
    assert ORG.level_names(None) == []


def test_level_label_names_each_level_in_words() -> None:
    assert [ORG.level_label(ACCOUNT, level) for level in range(3)] == [
        "the root",
        "OU Sandbox",
        "account dev",
    ]
    assert ORG.level_label(UNNAMED, 1) == "OU"
    assert ORG.level_label(UNNAMED, 2) == "account"


def test_level_label_past_the_path_or_outside_the_organization_is_none() -> None:
    assert ORG.level_label(ACCOUNT, 3) is None
    assert ORG.level_label("999999999999", 0) is None
    assert ORG.level_label(None, 0) is None
