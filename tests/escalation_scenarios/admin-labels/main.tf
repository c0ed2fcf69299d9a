terraform {
  required_version = ">= 1.3"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  description = "AWS region to deploy the scenario in"
  type        = string
  default     = "us-east-1"
}

variable "scenario_name" {
  description = "Prefix of every resource of the scenario"
  type        = string
  default     = "admin-labels"
}

data "aws_caller_identity" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  tags = {
    Scenario = var.scenario_name
  }
}

resource "aws_iam_user" "full_admin" {
  name = "${var.scenario_name}-full-admin"
  path = "/"
  tags = local.tags
}

resource "aws_iam_access_key" "full_admin" {
  user = aws_iam_user.full_admin.name
}

resource "aws_iam_user_policy_attachment" "full_admin" {
  user       = aws_iam_user.full_admin.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_user" "star" {
  name = "${var.scenario_name}-star"
  path = "/"
  tags = local.tags
}

resource "aws_iam_access_key" "star" {
  user = aws_iam_user.star.name
}

resource "aws_iam_user_policy" "star" {
  name = "${var.scenario_name}-star"
  user = aws_iam_user.star.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "*"
        Resource = "*"
      }
    ]
  })
}

resource "aws_iam_user" "iam_full" {
  name = "${var.scenario_name}-iam-full"
  path = "/"
  tags = local.tags
}

resource "aws_iam_access_key" "iam_full" {
  user = aws_iam_user.iam_full.name
}

resource "aws_iam_user_policy_attachment" "iam_full" {
  user       = aws_iam_user.iam_full.name
  policy_arn = "arn:aws:iam::aws:policy/IAMFullAccess"
}

resource "aws_iam_policy" "cap" {
  name = "${var.scenario_name}-cap"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:*", "ec2:*"], Resource = "*" }]
  })
}

  resource "aws_iam_user" "capped" {
    name = "${var.scenario_name}-capped"
    path = "/"
permissions_boundary = aws_iam_policy.cap.arn
    tags = local.tags
  }

  resource "aws_iam_access_key" "capped" {
    user = aws_iam_user.capped.name
  }

resource "aws_iam_user_policy_attachment" "capped" {
  user       = aws_iam_user.capped.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_user" "denied" {
  name = "${var.scenario_name}-denied"
  path = "/"
  tags = local.tags
}

resource "aws_iam_access_key" "denied" {
  user = aws_iam_user.denied.name
}

resource "aws_iam_user_policy_attachment" "denied" {
  user       = aws_iam_user.denied.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_user_policy" "denied" {
  name = "deny-iam"
  user = aws_iam_user.denied.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Deny", Action = "iam:*", Resource = "*" }]
  })
}

resource "aws_iam_role" "ops" {
  name = "${var.scenario_name}-ops-admin"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Principal = {
          Service = "ec2.amazonaws.com"
        }
        Action = "sts:AssumeRole"
      }
    ]
  })
  tags = local.tags
}

resource "aws_iam_role_policy_attachment" "ops_administrator" {
  role       = aws_iam_role.ops.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
