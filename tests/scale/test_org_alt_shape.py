"""who-can on an organization of another shape (bench/gen_org_alt.py: users in groups,
shared managed policies, wildcard and NotAction grants, boundaries with a Deny, an SCP Deny on
a principal tag, an RCP): the per-account tasks answer as the single process, and callers of
another account with silent identity policies that share one asked caller's answer
(WhoCan._silent_elsewhere) get exactly the answer of asking each of them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from iamsim.analysis.who_can import WhoCan
from iamsim.builder import RequestBuilder
from iamsim.ingest import load_inputs
from iamsim.model import Role, User, World
from iamsim.scale.runner import SerialRunner
from iamsim.scale.tasks import org_who_can

BENCH = Path(__file__).resolve().parents[2] / "bench"
TARGET = "arn:aws:s3:::alt-shared/report.csv"
QUESTIONS = [
    (["s3:GetObject"], TARGET),
    (["s3:GetObject", "s3:PutObject", "sqs:SendMessage"], TARGET),
    (["s3:GetObject"], "arn:aws:s3:::app-300000000000-data/k"),
    (["s3:ListAllMyBuckets"], "*"),
]


@pytest.fixture(scope="module")
def alt_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(BENCH))
    try:
        import gen_org_alt
    finally:
        sys.path.remove(str(BENCH))
    return Path(gen_org_alt.write(tmp_path_factory.mktemp("alt"), accounts=6, principals=40))


@pytest.fixture(scope="module")
def world(alt_dir: Path) -> World:
    return load_inputs([alt_dir])


def _answer(world: World, actions: list[str], resource: str, region: str) -> dict[str, Any]:
    analyzer = WhoCan(world, builder=RequestBuilder(world, region=region))
    return analyzer.who_can(actions, resource).to_dict()


@pytest.mark.parametrize(("actions", "resource"), QUESTIONS)
def test_tasks_answer_as_the_single_process(
    alt_dir: Path, world: World, actions: list[str], resource: str
) -> None:
    single = _answer(world, actions, resource, "eu-west-1")
    merged = org_who_can(alt_dir, actions, resource, SerialRunner(), region="eu-west-1")
    assert merged.left_out == []
    out = merged.result.to_dict()
    for key, value in single.items():
        if key == "notes":
            assert set(out[key]) == set(value)
        else:
            assert out[key] == value, key


@pytest.mark.parametrize("region", ["eu-west-1", "ap-south-1"])
@pytest.mark.parametrize(("actions", "resource"), QUESTIONS)
def test_shared_answers_are_the_asked_answers(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    actions: list[str],
    resource: str,
    region: str,
) -> None:
    shared = 0
    original = WhoCan._silent_elsewhere

    def counted(self: WhoCan, *args: Any) -> Any:
        nonlocal shared
        found = original(self, *args)
        shared += found is not None
        return found

    monkeypatch.setattr(WhoCan, "_silent_elsewhere", counted)
    fast = _answer(world, actions, resource, region)
    monkeypatch.setattr(WhoCan, "_silent_elsewhere", lambda self, *args: None)
    full = _answer(world, actions, resource, region)
    assert fast == full
    if resource == TARGET and actions == ["s3:GetObject"]:
        # The SCP's tag Deny and the boundaries' Deny stop callers whose answers are shared.
        assert shared > 0
        assert any(b["blocked_by"] == "SCP at level 1" for b in fast["blocked"])
        assert any(b["blocked_by"] == "permissions boundary" for b in fast["blocked"])


def test_callers_differing_in_a_key_the_guardrails_read_are_asked(world: World) -> None:
    """The Prod OU's SCP denies callers tagged team=quarantine: exactly those callers of the
    Prod accounts are blocked by it, though most of them share their account, kind and
    boundary with untagged callers whose (empty) answer is shared."""
    answer = _answer(world, ["s3:GetObject"], TARGET, "eu-west-1")
    by_scp = {b["principal"] for b in answer["blocked"] if b["blocked_by"] == "SCP at level 1"}
    callers: list[User | Role] = [*world.users.values(), *world.roles.values()]
    prod = {"300000000000", "300000000007", "300000000014"}  # the first half: the Prod OU
    quarantined = {
        c.arn for c in callers if c.tags.get("team") == "quarantine" and c.account in prod
    }
    assert quarantined
    assert by_scp == quarantined


def test_the_holder_is_found_without_reading_exports_that_only_grant_it(
    alt_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Roles of every account have policies naming the shared bucket: their exports mention
    it, but an export defines no bucket, so only the folder with the bucket is read."""
    from iamsim.ingest.org_folder import OrgFolder

    folder = OrgFolder(alt_dir)
    mentioning = [
        a for a in folder.accounts if b"alt-shared" in (folder.folder(a) / "gaad.json").read_bytes()
    ]
    assert len(mentioning) > 2
    read: list[str] = []
    original = OrgFolder.account_world

    def recorded(self: OrgFolder, account: str) -> World:
        read.append(account)
        return original(self, account)

    monkeypatch.setattr(OrgFolder, "account_world", recorded)
    assert folder.holders(TARGET) == ("300000000000",)
    assert read == ["300000000000"]


def test_a_broken_export_that_mentions_the_target_is_still_read(
    alt_dir: Path, tmp_path: Path
) -> None:
    """Not JSON of an export's shape: no shortcut, the folder is loaded and its error told."""
    import shutil

    from iamsim.errors import InputError
    from iamsim.ingest.org_folder import OrgFolder

    copy = tmp_path / "org"
    shutil.copytree(alt_dir, copy)
    gaad = copy / "accounts" / "300000000007" / "gaad.json"
    gaad.write_text(gaad.read_text()[:-200])
    with pytest.raises(InputError, match="300000000007"):
        OrgFolder(copy).holders(TARGET)
