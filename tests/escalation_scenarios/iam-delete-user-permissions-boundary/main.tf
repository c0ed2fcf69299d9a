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
  default     = "iam-delete-user-permissions-boundary"
}

data "aws_caller_identity" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  tags = {
    Scenario = var.scenario_name
  }
}

resource "aws_iam_policy" "boundary" {
  name = "${var.scenario_name}-boundary"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:List*", "iam:DeleteUserPermissionsBoundary", "iam:Get*"]
        Resource = "*"
      }
    ]
  })
}

  resource "aws_iam_user" "attacker" {
    name = "${var.scenario_name}-attacker"
    path = "/"
permissions_boundary = aws_iam_policy.boundary.arn
    tags = local.tags
  }

  resource "aws_iam_access_key" "attacker" {
    user = aws_iam_user.attacker.name
  }

resource "aws_iam_user_policy_attachment" "attacker_admin" {
  user       = aws_iam_user.attacker.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
