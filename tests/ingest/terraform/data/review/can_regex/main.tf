provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["123456789012"]
}

data "aws_caller_identity" "current" {}

variable "trusted_principals" {
  description = "Role names in this account, or full ARNs of roles elsewhere"
  type        = list(string)
  default     = ["ci-runner", "arn:aws:iam::999988887777:role/deployer"]
}

locals {
  trusted_arns = [
    for p in var.trusted_principals :
    can(regex("^arn:", p)) ? p : "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/${p}"
  ]
}

resource "aws_iam_role" "deploy" {
  name = "deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = local.trusted_arns }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role" "ci_runner" {
  name = "ci-runner"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "codebuild.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  inline_policy {
    name = "assume-deploy"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Resource = "arn:aws:iam::123456789012:role/deploy" }]
    })
  }
}
