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


# -- stand-ins for attributes known only after apply ----------------------------------------------

STANDINS = f"""
provider "aws" {{
  allowed_account_ids = ["{ACCT}"]
  region              = "eu-west-1"
}}
resource "aws_instance" "web" {{
  ami           = "ami-12345678"
  instance_type = "t3.micro"
}}
resource "aws_ecs_task_definition" "app" {{
  family                = "app"
  container_definitions = "[]"
}}
resource "aws_iam_user" "alice" {{
  name = "alice"
}}
resource "aws_iam_user_policy" "ops" {{
  user = aws_iam_user.alice.name
  name = "ops"
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{ Effect = "Allow", Action = "ec2:StopInstances", Resource = aws_instance.web.arn }},
      {{ Effect = "Allow", Action = "ecs:RunTask", Resource = aws_ecs_task_definition.app.arn }},
      {{ Effect = "Allow", Action = "ec2:DescribeTags", Resource = "*",
        Condition = {{ StringEquals = {{ "ec2:ResourceTag/Id" = aws_instance.web.id }} }} }}
    ]
  }})
}}
"""


def test_after_apply_attributes_get_deterministic_stand_ins(tmp_path: Path) -> None:
    from iamsim.builder import RequestBuilder
    from iamsim.engine import evaluate

    (tmp_path / "main.tf").write_text(STANDINS)
    world = load_terraform_dir(tmp_path)
    alice = f"arn:aws:iam::{ACCT}:user/alice"
    assert not world.unresolved.get(alice)  # the policy is known, not refused
    (policy,) = world.users[alice].inline_policies
    instance_arn = policy.statements[0].resources[0]
    assert instance_arn.startswith(f"arn:aws:ec2:eu-west-1:{ACCT}:instance/i-")
    assert len(instance_arn.rsplit("/", 1)[1]) == len("i-") + 17
    assert "*" not in instance_arn and "?" not in instance_arn  # never a wildcard
    assert policy.statements[1].resources == (
        f"arn:aws:ecs:eu-west-1:{ACCT}:task-definition/app:1",
    )
    # deterministic: a second load gives the same stand-in
    again = load_terraform_dir(tmp_path).users[alice].inline_policies[0]
    assert again.statements[0].resources[0] == instance_arn

    def decide(action: str, resource: str) -> str:
        built = RequestBuilder(world).build(alice, action, resource)
        return str(evaluate(built.request, built.policies).value)

    assert decide("ec2:StopInstances", instance_arn) == "Allow"
    # the stand-in names that one instance: another one is not allowed
    other = f"arn:aws:ec2:eu-west-1:{ACCT}:instance/i-0123456789abcdef0"
    assert decide("ec2:StopInstances", other) != "Allow"
    notes = "\n".join(world.notes)
    assert f"stand-in for aws_instance.web.arn (known after apply): {instance_arn}" in notes
    assert "stand-in for aws_instance.web.id" in notes


def test_a_configured_wildcard_is_never_a_stand_in(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_glue_job" "j" {\n  name = "etl-*"\n  role_arn = "x"\n'
        '  command {\n    script_location = "s3://b/k"\n  }\n}\n'
        'resource "aws_iam_user" "u" {\n  name = "u"\n}\n'
        'resource "aws_iam_user_policy" "p" {\n  user = aws_iam_user.u.name\n  name = "p"\n'
        '  policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", '
        'Action = "glue:StartJobRun", Resource = aws_glue_job.j.arn}]})\n}\n'
    )
    world = load_terraform_dir(tmp_path)
    user = "arn:aws:iam::000000000000:user/u"
    assert world.users[user].inline_policies == () or world.unresolved.get(user)
    assert "wildcard" in "\n".join(world.notes)


# -- AWS managed policies named in the configuration ---------------------------------------------

MANAGED = f"""
provider "aws" {{
  allowed_account_ids = ["{ACCT}"]
}}
data "aws_iam_policy" "read_only" {{
  name = "ReadOnlyAccess"
}}
data "aws_iam_policy" "lambda_basic" {{
  arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}}
data "aws_iam_policy" "mine" {{
  name = "my-own-policy"
}}
resource "aws_iam_role" "auditor" {{
  name                = "auditor"
  assume_role_policy  = {TRUST}
  managed_policy_arns = [data.aws_iam_policy.lambda_basic.arn]
}}
resource "aws_iam_role_policy_attachment" "ro" {{
  role       = aws_iam_role.auditor.name
  policy_arn = data.aws_iam_policy.read_only.arn
}}
data "aws_iam_policy_document" "combined" {{
  source_policy_documents = [data.aws_iam_policy.read_only.policy]
  statement {{
    effect    = "Deny"
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }}
}}
resource "aws_iam_policy" "combined" {{
  name   = "combined"
  policy = data.aws_iam_policy_document.combined.json
}}
resource "aws_iam_policy" "from_mine" {{
  name   = "from-mine"
  policy = data.aws_iam_policy.mine.policy
}}
"""


def test_aws_managed_policies_by_name_resolve_from_the_snapshot(tmp_path: Path) -> None:
    from iamsim.builder import RequestBuilder
    from iamsim.engine import evaluate

    (tmp_path / "main.tf").write_text(MANAGED)
    world = load_terraform_dir(tmp_path)
    auditor = world.roles[f"arn:aws:iam::{ACCT}:role/auditor"]
    assert set(auditor.managed_policy_arns) == {
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    }
    built = RequestBuilder(world).build(auditor.arn, "iam:GetRole", auditor.arn)
    assert str(evaluate(built.request, built.policies).value) == "Allow"
    # the snapshot's document is the data source's `policy`: merged into another document
    combined = world.managed_policies[f"arn:aws:iam::{ACCT}:policy/combined"]
    effects = {str(s.effect) for s in combined.document.statements}
    assert len(combined.document.statements) > 1 and len(effects) == 2
    # a customer managed policy looked up by name stays unknown, with the reason
    assert f"arn:aws:iam::{ACCT}:policy/from-mine" not in world.managed_policies
    assert "not an AWS managed policy" in "\n".join(world.notes)


# -- names from name_prefix -------------------------------------------------------------------------


def test_inline_policies_of_a_role_named_by_name_prefix_are_kept(tmp_path: Path) -> None:
    allow = (
        'jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", '
        'Action = "s3:*", Resource = "*"}]})'
    )
    (tmp_path / "main.tf").write_text(
        f'resource "aws_iam_role" "r" {{\n  name_prefix = "app-"\n'
        f"  assume_role_policy = {TRUST}\n"
        f'  inline_policy {{\n    name = "inl-0"\n    policy = {allow}\n  }}\n}}\n'
        f'resource "aws_iam_role_policy" "p" {{\n  role = aws_iam_role.r.name\n'
        f'  name_prefix = "pol-"\n  policy = {allow}\n}}\n'
    )
    world = load_terraform_dir(tmp_path)
    (role,) = world.roles.values()
    assert role.name.startswith("app-")
    names = sorted(p.name[:4] for p in role.inline_policies)
    assert names == ["inl-", "pol-"]
    notes = "\n".join(world.notes)
    assert "so the placeholder 'app-" in notes


def test_setproduct(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'locals {\n  pairs = { for p in setproduct(["a", "b"], ["dev", "prod"]) : '
        '"${p[0]}-${p[1]}" => p }\n}\n'
        'resource "aws_iam_user" "u" {\n  for_each = local.pairs\n  name = each.key\n}\n'
    )
    world = load_terraform_dir(tmp_path)
    names = sorted(arn.rsplit("/", 1)[1] for arn in world.users)
    assert names == ["a-dev", "a-prod", "b-dev", "b-prod"]
