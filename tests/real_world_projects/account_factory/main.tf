# Landing-zone style: one execution role per managed account, trust written with a lowercase
# "allow" as a widely used account-factory project does.
variable "management_account_id" {
  type = string
}
variable "accounts" {
  type = map(object({ env = string }))
  default = {
    sandbox = { env = "dev" }
    payments = { env = "prod" }
  }
}

provider "aws" {
  region = "eu-west-1"
}

data "aws_caller_identity" "current" {}

resource "aws_iam_role" "execution" {
  name = "AWSAFTExecution"
  assume_role_policy = <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "allow",
      "Principal": { "AWS": "arn:aws:iam::${var.management_account_id}:root" },
      "Action": "sts:AssumeRole"
    }
  ]
}
POLICY
}

resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

module "baseline" {
  source   = "./modules/account_role"
  for_each = var.accounts
  name     = each.key
  env      = each.value.env
}
