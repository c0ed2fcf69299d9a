# One configuration, two accounts through provider aliases whose account IDs are variables: the
# same role name in each is two roles.
variable "prod_account_id" { type = string }
variable "dev_account_id" { type = string }

provider "aws" {
  alias  = "prod"
  region = "us-east-1"
  assume_role {
    role_arn = "arn:aws:iam::${var.prod_account_id}:role/terraform"
  }
}

provider "aws" {
  alias  = "dev"
  region = "us-east-1"
  assume_role {
    role_arn = "arn:aws:iam::${var.dev_account_id}:role/terraform"
  }
}

locals {
  readonly_trust = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${var.prod_account_id}:root" }
      Action    = "sts:AssumeRole"
      Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } }
    }]
  })
}

resource "aws_iam_role" "readonly_prod" {
  provider           = aws.prod
  name               = "readonly"
  assume_role_policy = local.readonly_trust
}

resource "aws_iam_role" "readonly_dev" {
  provider           = aws.dev
  name               = "readonly"
  assume_role_policy = local.readonly_trust
}

resource "aws_iam_role_policy_attachment" "readonly_prod" {
  provider   = aws.prod
  role       = aws_iam_role.readonly_prod.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

resource "aws_iam_role_policy_attachment" "readonly_dev" {
  provider   = aws.dev
  role       = aws_iam_role.readonly_dev.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

resource "aws_iam_role_policy" "dev_extra" {
  provider = aws.dev
  name     = "dev-extra"
  role     = aws_iam_role.readonly_dev.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "ec2:StartInstances", Resource = "*" }]
  })
}
