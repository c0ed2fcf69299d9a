"""Terraform loader fidelity: modules downloaded by ``terraform init`` (modules.json), provider
aliases in accounts of their own, stand-ins for attributes known only after apply, and AWS
managed policies named in the configuration."""

from __future__ import annotations

from pathlib import Path

from iamsim.ingest.terraform.loader import load_terraform_dir, read_terraform_dir

DATA = Path(__file__).parent / "data"
ACCT = "111122223333"


# -- modules downloaded by terraform init ---------------------------------------------------------


def test_downloaded_modules_are_loaded_from_the_manifest() -> None:
    world, warnings = read_terraform_dir(DATA / "downloaded_modules")
    names = sorted(r.rsplit("/", 1)[-1] for r in world.roles)
    assert names == ["app", "ci-build", "ci-deploy"]
    # the nested module (manifest key app_role.inner) is loaded too: its inline policy is there
    app = world.roles[f"arn:aws:iam::{ACCT}:role/app"]
    assert [p.name for p in app.inline_policies] == ["read"]
    by_address = {w.address: w.message for w in warnings}
    never = by_address["module.never_fetched"]
    assert "not downloaded" in never and "terraform init" in never
    # a manifest entry pointing outside the input is refused, not read
    assert "outside the input" in by_address["module.escapes"]


def test_without_a_manifest_the_note_says_to_run_terraform_init(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('module "m" {\n  source = "example/m/aws"\n}\n')
    world = load_terraform_dir(tmp_path)
    (note,) = [n for n in world.notes if "module.m" in n]
    assert "`terraform init`" in note and "is not loaded" in note


def test_an_unreadable_manifest_is_a_note(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('module "m" {\n  source = "example/m/aws"\n}\n')
    (tmp_path / ".terraform" / "modules").mkdir(parents=True)
    (tmp_path / ".terraform" / "modules" / "modules.json").write_text("{not json")
    world = load_terraform_dir(tmp_path)
    assert any("module manifest cannot be read" in n for n in world.notes)
