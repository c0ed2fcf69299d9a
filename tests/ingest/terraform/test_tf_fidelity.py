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


# -- provider aliases and module paths in accounts of their own -----------------------------------

TRUST = (
    'jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", '
    'Action = "sts:AssumeRole", Principal = {Service = "ec2.amazonaws.com"}}]})'
)
ALIASES = f"""
variable "prod_account" {{
  type = string
}}
provider "aws" {{
  region = "eu-west-1"
}}
provider "aws" {{
  alias  = "prod"
  region = "eu-west-1"
  assume_role {{
    role_arn = "arn:aws:iam::${{var.prod_account}}:role/deploy"
  }}
}}
provider "aws" {{
  alias   = "dev"
  profile = "dev"
}}
provider "aws" {{
  alias  = "east"
  region = "us-east-1"
}}
resource "aws_iam_role" "default" {{
  name               = "app"
  assume_role_policy = {TRUST}
}}
resource "aws_iam_role" "prod" {{
  provider           = aws.prod
  name               = "app"
  assume_role_policy = {TRUST}
}}
resource "aws_iam_role" "dev" {{
  provider           = aws.dev
  name               = "app"
  assume_role_policy = {TRUST}
}}
resource "aws_iam_role" "east" {{
  provider           = aws.east
  name               = "east"
  assume_role_policy = {TRUST}
}}
"""


def test_aliases_with_unknown_accounts_get_placeholder_accounts_of_their_own(
    tmp_path: Path,
) -> None:
    (tmp_path / "main.tf").write_text(ALIASES)
    world = load_terraform_dir(tmp_path)
    accounts = sorted({arn.split(":")[4] for arn in world.roles if arn.endswith("role/app")})
    # the same role name under three providers: three roles in three distinct accounts
    assert len(accounts) == 3 and "000000000000" in accounts
    again = load_terraform_dir(tmp_path)
    assert set(again.roles) == set(world.roles)  # deterministic
    # an alias that only changes the region keeps the default account (same credentials)
    assert "arn:aws:iam::000000000000:role/east" in world.roles
    notes = "\n".join(world.notes)
    assert "provider.aws.prod" in notes and "--account prod=ID" in notes


def test_aliases_given_on_the_command_line_win(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(ALIASES)
    world = load_terraform_dir(tmp_path, accounts={"prod": ACCT, "aws.dev": "444455556666"})
    assert f"arn:aws:iam::{ACCT}:role/app" in world.roles
    assert "arn:aws:iam::444455556666:role/app" in world.roles
    assert "provider.aws.prod" not in "\n".join(world.notes)


def test_module_path_accounts(tmp_path: Path) -> None:
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "main.tf").write_text(
        f'resource "aws_iam_role" "r" {{\n  name = "app"\n  assume_role_policy = {TRUST}\n}}\n'
    )
    (tmp_path / "main.tf").write_text(
        'module "a" {\n  source = "./mod"\n}\n'
        'module "b" {\n  source = "./mod"\n  for_each = toset(["x"])\n}\n'
        'module "c" {\n  source = "./mod"\n}\n'
    )
    world = load_terraform_dir(tmp_path, accounts={"module.a": ACCT, "module.b": "444455556666"})
    assert set(world.roles) == {
        f"arn:aws:iam::{ACCT}:role/app",
        "arn:aws:iam::444455556666:role/app",  # module.b["x"]: keys may be left out
        "arn:aws:iam::000000000000:role/app",
    }
