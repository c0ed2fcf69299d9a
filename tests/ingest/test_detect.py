"""Format detection from content, and malformed inputs as located InputErrors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from ingest_paths import DATA

from iamsim.errors import InputError
from iamsim.ingest import (
    InputFile,
    InputFormat,
    detect_format,
    formats,
    load_input,
    load_inputs,
    register_format,
    unregister_format,
)
from iamsim.model import World


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("gaad-small.json", "gaad"),
        ("org-tree.yaml", "organization"),
        ("org-cli.json", "organization-cli"),
        ("resources.yaml", "resources"),
    ],
)
def test_detected_from_content_not_extension(tmp_path: Path, fixture: str, expected: str) -> None:
    # Misleading names: the content decides.
    copy = tmp_path / "input.txt"
    shutil.copy(DATA / fixture, copy)
    assert detect_format(InputFile(copy)).name == expected


def test_gaad_as_yaml(tmp_path: Path) -> None:
    import yaml

    doc = json.loads((DATA / "gaad-small.json").read_text())
    path = tmp_path / "export"
    path.write_text(yaml.safe_dump(doc))
    assert len(load_input(path).users) == 2


def test_policy_listing_is_not_an_export(tmp_path: Path) -> None:
    path = tmp_path / "policies.json"
    path.write_text(json.dumps({"Policies": [{"Id": "p-1", "Name": "x", "Type": "SCP"}]}))
    with pytest.raises(InputError, match="not a recognised input"):
        load_input(path)
    only_policies = json.loads((DATA / "gaad-small.json").read_text())
    del only_policies["UserDetailList"], only_policies["GroupDetailList"]
    del only_policies["RoleDetailList"]
    path.write_text(json.dumps(only_policies))
    assert len(load_input(path).managed_policies) == 2


def test_unrecognised_content(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"Something": []}')
    with pytest.raises(InputError, match="not a recognised input") as info:
        load_input(path)
    assert info.value.source == str(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_inputs([tmp_path / "nope.json"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"UserDetailList": [}', "invalid JSON at line 1 column 21"),
        ("organization:\n  id: [unclosed\n", "invalid YAML at line 3"),
    ],
)
def test_syntax_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load_input(path)
    assert info.value.source == str(path)
    assert message in info.value.reason


def _gaad(tmp_path: Path, mutate) -> Path:  # type: ignore[no-untyped-def]
    doc = json.loads((DATA / "gaad-small.json").read_text())
    mutate(doc)
    path = tmp_path / "gaad.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize(
    ("mutate", "pointer", "message"),
    [
        (lambda d: d.update(UserDetailList={}), "/UserDetailList", "expected an array"),
        (lambda d: d["UserDetailList"][0].pop("Arn"), "/UserDetailList/0", "'Arn'"),
        (
            lambda d: d["UserDetailList"][1].update(Arn="arn:aws:iam::22:user/bob"),
            "/UserDetailList/1/Arn",
            "12-digit account",
        ),
        (
            lambda d: d["RoleDetailList"][0].update(AssumeRolePolicyDocument="%7B%22Version"),
            "/RoleDetailList/0/AssumeRolePolicyDocument",
            "not valid JSON",
        ),
        (
            lambda d: d["RoleDetailList"][0]["RolePolicyList"][0].update(
                PolicyDocument={"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]}
            ),
            "/RoleDetailList/0/RolePolicyList/0/PolicyDocument/Statement/0",
            "",
        ),
        (
            lambda d: d["Policies"][0]["PolicyVersionList"][1].update(IsDefaultVersion=False),
            "/Policies/0/PolicyVersionList",
            "exactly one default version",
        ),
        (
            lambda d: d["UserDetailList"][0].update(Tags=[{"Key": "a", "Value": 3}]),
            "/UserDetailList/0/Tags/0/Value",
            "tag value",
        ),
        (
            lambda d: d["UserDetailList"].append(d["UserDetailList"][0]),
            "/UserDetailList/2/Arn",
            "listed twice (first at /UserDetailList/0)",
        ),
    ],
)
def test_gaad_errors_are_located(tmp_path: Path, mutate, pointer: str, message: str) -> None:  # type: ignore[no-untyped-def]
    path = _gaad(tmp_path, mutate)
    with pytest.raises(InputError) as info:
        load_input(path)
    assert info.value.source == str(path)
    assert info.value.path.startswith(pointer), info.value.path
    assert message in info.value.reason


def test_conflicting_duplicate_across_files(tmp_path: Path) -> None:
    changed = _gaad(tmp_path, lambda d: d["UserDetailList"][0].update(GroupList=[]))
    with pytest.raises(InputError, match="defined differently") as info:
        load_inputs([DATA / "gaad-small.json", changed])
    assert info.value.source == str(changed)
    assert "gaad-small.json" in info.value.reason


def test_yaml_keeps_leading_zero_account_ids(tmp_path: Path) -> None:
    # YAML 1.1 would read 011122223333 as an octal number.
    path = tmp_path / "org.yaml"
    path.write_text(
        "organization:\n  id: o-x\n  root:\n    id: r-1\n    children:\n"
        "      - account: 011122223333\n      - account: 111122223333\n"
    )
    world = load_input(path)
    assert sorted(world.accounts) == ["011122223333", "111122223333"]


def test_registry_accepts_new_formats(tmp_path: Path) -> None:
    fmt = InputFormat(
        name="test-marker",
        description="a file whose text starts with MARKER",
        detect=lambda f: not f.is_dir and f.text.startswith("MARKER"),
        load=lambda f: World(),
        priority=1,
    )
    register_format(fmt)
    try:
        path = tmp_path / "m"
        path.write_text("MARKER\n")
        assert detect_format(InputFile(path)).name == "test-marker"
        assert formats()[0].name == "test-marker"
        with pytest.raises(ValueError, match="already registered"):
            register_format(fmt)
    finally:
        unregister_format("test-marker")
    assert "test-marker" not in {f.name for f in formats()}


def test_directory_of_inputs_loads_each_file(tmp_path: Path) -> None:
    # A directory no format reads as a whole stands for its JSON and YAML files.
    shutil.copy(DATA / "gaad-small.json", tmp_path / "gaad.json")
    shutil.copy(DATA / "org-tree.yaml", tmp_path / "org.yaml")
    shutil.copytree(DATA / "scps", tmp_path / "scps")  # files the tree refers to
    (tmp_path / "README.md").write_text("notes are not inputs")
    (tmp_path / "nested").mkdir()
    world = load_input(tmp_path)
    assert len(world.users) == 2 and world.organization is not None
    # Every JSON or YAML file in it must be a recognised input: nothing is skipped silently.
    (tmp_path / "stray.json").write_text('{"Something": []}')
    with pytest.raises(InputError, match="not a recognised input") as info:
        load_input(tmp_path)
    assert info.value.source == str(tmp_path / "stray.json")


def test_example_model_directory_loads_as_one_input() -> None:
    from iamsim.cli.demo_cmd import example_dir

    world = load_inputs([example_dir() / "model"])
    assert len(world.accounts) >= 2 and world.organization is not None


def test_inputs_sharing_the_placeholder_account_are_said(tmp_path: Path) -> None:
    # Two Terraform configurations that do not say their account both land in the placeholder
    # account; the merged world says so, since a cross-account request would look same-account.
    for name in ("app", "data"):
        directory = tmp_path / name
        directory.mkdir()
        (directory / "main.tf").write_text(f'resource "aws_iam_user" "u" {{ name = "{name}" }}\n')
    world = load_inputs([tmp_path / "app", tmp_path / "data"])
    assert any("share the placeholder account 000000000000" in n for n in world.notes)
    single = load_inputs([tmp_path / "app"])
    assert not any("share the placeholder account" in n for n in single.notes)
