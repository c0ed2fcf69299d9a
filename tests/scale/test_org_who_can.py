"""who-can over an organization folder: per-account tasks merge into exactly the answer of the
whole organization loaded in one process; a bad account is left out, loudly."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from iamsim.analysis.who_can import WhoCan
from iamsim.builder import RequestBuilder
from iamsim.cli.main import cli
from iamsim.errors import IamsimError, InputError
from iamsim.ingest import detect_format, load_inputs
from iamsim.ingest.org_folder import OrgFolder, is_org_folder
from iamsim.scale.runner import ProcessRunner, SerialRunner, runner_for
from iamsim.scale.tasks import org_who_can

FIRST = "200000000000"
SECOND = "200000001001"
THIRD = "200000002002"
QUESTIONS = [
    (["s3:GetObject"], "arn:aws:s3:::org-shared-data/report.csv"),
    (["s3:PutObject", "s3:GetObject"], "arn:aws:s3:::org-shared-data/x"),
    (["s3:GetObject", "s3:ListBucket"], "arn:aws:s3:::a00001-app000-bucket-000"),
    (["sts:AssumeRole"], "FIRST_ROLE_OF_SECOND"),
    (["iam:ListRoles"], "*"),
    (["s3:GetObject"], "arn:aws:s3:::not-in-any-account/x"),
]


def _single(org_dir: Path, actions: list[str], resource: str) -> dict[str, Any]:
    world = load_inputs([org_dir])
    analyzer = WhoCan(world, builder=RequestBuilder(world, region="eu-west-1"))
    return analyzer.who_can(actions, resource).to_dict()


def _same(single: dict[str, Any], merged: dict[str, Any]) -> None:
    for key, value in single.items():
        if key == "notes":  # the same notes; their order follows the tasks'
            assert set(merged[key]) == set(value)
        else:
            assert merged[key] == value, key


@pytest.mark.parametrize(("actions", "resource"), QUESTIONS)
def test_per_account_tasks_answer_as_the_single_process(
    org_dir: Path, actions: list[str], resource: str
) -> None:
    if resource == "FIRST_ROLE_OF_SECOND":  # a role as the resource: its trust policy decides
        gaad = json.loads((org_dir / "accounts" / SECOND / "gaad.json").read_text())
        resource = gaad["RoleDetailList"][0]["Arn"]
    single = _single(org_dir, actions, resource)
    merged = org_who_can(org_dir, actions, resource, SerialRunner(), region="eu-west-1")
    assert merged.left_out == []
    assert merged.accounts == 5
    _same(single, merged.result.to_dict())


def test_the_answer_crosses_accounts(org_dir: Path) -> None:
    """The shared bucket is read by roles of every account (the organization-wide grant)."""
    merged = org_who_can(
        org_dir, ["s3:GetObject"], QUESTIONS[0][1], SerialRunner(), region="eu-west-1"
    )
    accounts = {e.principal.split(":")[4] for e in merged.result.principals if e.kind == "role"}
    assert len(accounts) == 5


def test_worker_processes_give_the_same_answer(org_dir: Path) -> None:
    actions, resource = QUESTIONS[1]
    runner = ProcessRunner(2)
    try:
        merged = org_who_can(org_dir, actions, resource, runner, region="eu-west-1")
    finally:
        runner.close()
    _same(_single(org_dir, actions, resource), merged.result.to_dict())


def test_the_folder_is_one_registered_input(org_dir: Path) -> None:
    assert detect_format(org_dir).name == "organization-folder"
    folder = OrgFolder(org_dir)
    assert list(folder.accounts)[:2] == [FIRST, SECOND]
    assert folder.holders("arn:aws:s3:::org-shared-data/x") == (FIRST,)
    assert folder.holders("arn:aws:s3:::nobody-has-it") == ()


def _broken_copy(org_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "org"
    shutil.copytree(org_dir, copy)
    (copy / "accounts" / THIRD / "gaad.json").write_text('{"RoleDetailList": [')
    return copy


def test_a_bad_account_is_left_out_and_the_others_answered(org_dir: Path, tmp_path: Path) -> None:
    copy = _broken_copy(org_dir, tmp_path)
    actions, resource = QUESTIONS[0]
    merged = org_who_can(copy, actions, resource, SerialRunner(), region="eu-west-1")
    assert [g.account for g in merged.left_out] == [THIRD]
    assert merged.left_out[0].path.endswith(f"accounts/{THIRD}")
    assert "gaad.json" in merged.left_out[0].error
    full = org_who_can(org_dir, actions, resource, SerialRunner(), region="eu-west-1")
    expected = [e.principal for e in full.result.principals if THIRD not in e.principal]
    assert [e.principal for e in merged.result.principals] == expected


def test_the_command_reports_accounts_left_out(org_dir: Path, tmp_path: Path) -> None:
    copy = _broken_copy(org_dir, tmp_path)
    args = ["who-can", "s3:GetObject", QUESTIONS[0][1], "-i", str(copy), "--region", "eu-west-1"]
    result = CliRunner().invoke(cli, [*args, "--workers", "1", "--json"])
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert [g["account"] for g in document["accounts_left_out"]] == [THIRD]
    assert document["principals"]
    text = CliRunner().invoke(cli, [*args, "--workers", "1"])
    assert text.exit_code == 2
    assert f"account left out: {THIRD}" in text.stdout


def test_jsonl_streams_principals_and_a_summary(org_dir: Path) -> None:
    args = ["who-can", "s3:GetObject", QUESTIONS[0][1], "-i", str(org_dir), "--region", "eu-west-1"]
    result = CliRunner().invoke(cli, [*args, "--workers", "1", "--jsonl"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records[-1]["type"] == "summary"
    principals = sorted(r["principal"] for r in records if r["type"] == "principal")
    single = _single(org_dir, ["s3:GetObject"], QUESTIONS[0][1])
    assert principals == sorted(p["principal"] for p in single["principals"])


def test_scale_options_need_an_organization_folder(org_dir: Path) -> None:
    gaad = org_dir / "accounts" / FIRST / "gaad.json"
    result = CliRunner().invoke(
        cli, ["who-can", "s3:GetObject", "*", "-i", str(gaad), "--workers", "2"]
    )
    assert result.exit_code == 2
    assert "organization folder" in result.stderr


def test_an_account_folder_holding_another_account_fails_loudly(
    org_dir: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "org"
    shutil.copytree(org_dir, copy)
    shutil.copy(copy / "accounts" / FIRST / "gaad.json", copy / "accounts" / SECOND / "gaad.json")
    with pytest.raises(InputError, match="holds entities of account"):
        OrgFolder(copy).account_world(SECOND)


def test_ray_without_the_extra_is_a_clear_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now raises ImportError
    monkeypatch.delitem(sys.modules, "iamsim.scale.ray_runner", raising=False)
    # Either layer may notice first (runner_for or the Ray runner's own import): both are
    # IamsimErrors (exit status 2) carrying the install hint.
    with pytest.raises(IamsimError, match=r"pip install 'iamsim\[ray\]'"):
        runner_for(ray="auto")


def test_an_organization_file_of_another_name_is_found_when_it_is_the_only_one(
    org_dir: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "org"
    shutil.copytree(org_dir, copy)
    (copy / "organization.json").rename(copy / "org-tree.json")
    assert detect_format(copy).name == "organization-folder"
    assert OrgFolder(copy).org_file.name == "org-tree.json"
    actions, resource = QUESTIONS[0]
    renamed = org_who_can(copy, actions, resource, SerialRunner(), region="eu-west-1")
    original = org_who_can(org_dir, actions, resource, SerialRunner(), region="eu-west-1")
    assert renamed.result.to_dict() == original.result.to_dict()
    # Two candidates: which one is the organization is not guessed.
    (copy / "notes.yaml").write_text("a: 1\n")
    assert not is_org_folder(copy)
