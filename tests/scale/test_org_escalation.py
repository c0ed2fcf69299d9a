"""Escalation and boundary audit over an organization folder: per-account tasks (joined by the
index of cross-account grants) merge into exactly the answer of the whole organization loaded
in one process, in this process and in worker processes; a bad account is left out, loudly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from org_reference import single_audit, single_escalation

from iamsim import limits
from iamsim.cli.main import cli
from iamsim.ingest.org_folder import OrgFolder
from iamsim.scale.org_tasks import (
    AccountIndex,
    OrgQuestion,
    build_index,
    closure,
    org_audit_boundaries,
    org_escalation,
)
from iamsim.scale.runner import ProcessRunner, SerialRunner

FIRST = "200000000000"
SECOND = "200000001001"
BASE = OrgQuestion(org_dir="", account="", load=())


def test_escalation_tasks_answer_as_the_single_process(org_dir: Path) -> None:
    merged = org_escalation(org_dir, SerialRunner(), BASE)
    assert merged.left_out == []
    assert merged.accounts == 5
    single = single_escalation(org_dir)
    assert single["summary"]["escalate"] > 0  # the comparison covers real paths
    assert merged.document == single


def test_escalation_to_a_resource_answers_as_the_single_process(org_dir: Path) -> None:
    """A --to goal: the resource's holder is in every task's world."""
    to = "arn:aws:s3:::org-shared-data/*"
    merged = org_escalation(org_dir, SerialRunner(), OrgQuestion("", "", (), to=to))
    assert merged.document == single_escalation(org_dir, to=to)


def test_worker_processes_give_the_same_escalation(org_dir: Path) -> None:
    runner = ProcessRunner(2)
    try:
        merged = org_escalation(org_dir, runner, BASE)
    finally:
        runner.close()
    assert merged.document == single_escalation(org_dir)


def test_audit_tasks_answer_as_the_single_process(org_dir: Path) -> None:
    single = single_audit(org_dir)
    merged = org_audit_boundaries(org_dir, SerialRunner(), BASE)
    assert merged.document == single
    runner = ProcessRunner(2)
    try:
        pooled = org_audit_boundaries(org_dir, runner, BASE)
    finally:
        runner.close()
    assert pooled.document == single


def test_the_index_names_accounts_not_principals(org_dir: Path) -> None:
    index = build_index(OrgFolder(org_dir), SerialRunner(), (), limits.current())
    assert set(index) == set(OrgFolder(org_dir).accounts)
    for item in index.values():
        assert item.account not in item.grants_to
        assert all(g == "*" or g.isdigit() for g in item.grants_to)


def test_closure_follows_trust_transitively_and_only_grants() -> None:
    index = {
        "111111111111": AccountIndex("111111111111"),
        "222222222222": AccountIndex("222222222222", grants_to=frozenset({"111111111111"})),
        "333333333333": AccountIndex("333333333333", grants_to=frozenset({"222222222222"})),
        "444444444444": AccountIndex("444444444444"),
        # A public bucket that runs no code: no escalation edge into its account.
        "555555555555": AccountIndex(
            "555555555555",
            resource_grants=(("arn:aws:s3:::public", frozenset({"*"})),),
        ),
    }
    assert closure(index, "111111111111") == ("111111111111", "222222222222", "333333333333")
    assert closure(index, "333333333333") == ("333333333333",)
    # A Lambda function open to anyone that runs as a role of a third account.
    index["555555555555"] = AccountIndex(
        "555555555555",
        resource_grants=(("arn:aws:lambda:us-east-1:555555555555:function:f", frozenset("*")),),
        links=(
            ("arn:aws:lambda:us-east-1:555555555555:function:f", "555555555555", "444444444444"),
        ),
    )
    assert closure(index, "333333333333") == ("333333333333", "444444444444", "555555555555")


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout


def test_cli_escalation_over_the_folder(org_dir: Path) -> None:
    code, out = _cli("escalation", "-i", str(org_dir), "--workers", "1", "--json", "-q")
    assert code == 0, out
    document = json.loads(out)
    single = single_escalation(org_dir)
    for key, value in single.items():
        assert document[key] == value, key


def test_a_bad_account_is_left_out_of_escalation(org_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "org"
    shutil.copytree(org_dir, broken)
    (broken / "accounts" / SECOND / "gaad.json").write_text("{not json")
    merged = org_escalation(broken, SerialRunner(), BASE)
    gone = {item.account: item for item in merged.left_out}
    # The broken account, and every account whose principals may reach it (its trust named
    # them), whose answer would lack edges: none is answered from part of its world.
    assert SECOND in gone and str(broken / "accounts" / SECOND) == gone[SECOND].path
    assert all(r["principal"].split(":")[4] not in gone for r in merged.document["results"])
    code, out = _cli("audit", "boundaries", "-i", str(broken), "--workers", "1", "-q")
    assert code == 2
    assert f"account left out: {SECOND}" in out


@pytest.mark.parametrize("command", [["escalation"], ["audit", "boundaries"]])
def test_prefix_and_from_stay_on_the_one_world_path(org_dir: Path, command: list[str]) -> None:
    extra = ["--from", f"arn:aws:iam::{FIRST}:role/app000-role-0004"]
    if command != ["escalation"]:
        extra = ["--prefix", "app000-", "--prefix", "app001-"]
    code, out = _cli(*command, "-i", str(org_dir), "--json", "-q", *extra)
    assert code == 0, out


@pytest.mark.parametrize("account", [FIRST, SECOND])
def test_permissions_of_one_principal_read_only_its_account(
    org_dir: Path, tmp_path: Path, account: str
) -> None:
    """The same effective permissions as the whole organization, and another account's
    folder is never read (it is broken here, and the answer is still given)."""
    from iamsim.analysis.effective import EffectiveAnalyzer
    from iamsim.ingest import load_inputs
    from iamsim.report.permissions import permissions_to_dict

    gaad = json.loads((org_dir / "accounts" / account / "gaad.json").read_text())
    principal = gaad["RoleDetailList"][0]["Arn"]
    single = permissions_to_dict(EffectiveAnalyzer(load_inputs([org_dir])).permissions(principal))
    code, out = _cli("permissions", principal, "-i", str(org_dir), "--json", "-q")
    assert code == 0, out
    document = json.loads(out)
    for key, value in single.items():
        if key != "policy":
            assert document[key] == value, key
    broken = tmp_path / "org"
    shutil.copytree(org_dir, broken)
    other = SECOND if account == FIRST else FIRST
    (broken / "accounts" / other / "gaad.json").write_text("{not json")
    code, out = _cli("permissions", principal, "-i", str(broken), "--json", "-q")
    assert code == 0, out
    assert json.loads(out) == document
