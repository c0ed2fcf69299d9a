variable "profile" {
  description = "The AWS profile to use"
  type        = string
  default     = "default"
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "cgid" {
  description = "CGID variable for unique naming"
  type        = string
  default     = "cgidx1y2z3"
}

provider "aws" {
  profile = var.profile
  region  = var.region
}

data "aws_caller_identity" "aws-account-id" {}

data "aws_iam_policy" "administrator" {
  name = "AdministratorAccess"
}

resource "aws_iam_role" "cg-ops" {
  name = "cg-ops-${var.cgid}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.aws-account-id.account_id}:root" }
      Action    = "sts:AssumeRole"
    }]
  })
  managed_policy_arns = [data.aws_iam_policy.administrator.arn]
}

resource "aws_iam_role" "cg-dev" {
  name = "cg-dev-${var.cgid}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.aws-account-id.account_id}:root" }
      Action    = "sts:AssumeRole"
    }]
  })

  inline_policy {
    name = "cg-dev-policy"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["iam:Get*", "iam:List*"], Resource = "*" },
        { Effect = "Allow", Action = "sts:AssumeRole", Resource = "arn:aws:iam::*:role/cg-ops-*" }
      ]
    })
  }
}

resource "aws_iam_user" "cg-raynor" {
  name = "raynor-${var.cgid}"
  tags = {
    Name     = "cg-raynor-${var.cgid}"
    Stack    = "CloudGoat"
    Scenario = "ops-role"
  }
}

resource "aws_iam_access_key" "cg-raynor" {
  user = aws_iam_user.cg-raynor.name
}

resource "aws_iam_user_policy" "cg-raynor" {
  name = "cg-raynor-policy"
  user = aws_iam_user.cg-raynor.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Resource = aws_iam_role.cg-dev.arn }]
  })
}
