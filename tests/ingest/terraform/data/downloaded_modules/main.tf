# A root module whose modules come from the registry and git: `terraform init` downloaded them
# into .terraform/modules, and modules.json says where.
provider "aws" {
  allowed_account_ids = ["111122223333"]
  region              = "eu-west-1"
}

module "app_role" {
  source  = "example/roles/aws//modules/role"
  version = "1.2.0"
  name    = "app"
}

module "ci_roles" {
  source   = "git::https://example.com/roles.git//modules/role?ref=v1.2.0"
  for_each = toset(["build", "deploy"])
  name     = "ci-${each.key}"
}

module "never_fetched" {
  source = "example/other/aws"
}

module "escapes" {
  source = "example/escape/aws"
}
