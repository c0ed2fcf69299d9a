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
  default     = "trap-explicit-deny"
}

data "aws_caller_identity" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  tags = {
    Scenario = var.scenario_name
  }
}

resource "aws_iam_user" "attacker" {
  name = "${var.scenario_name}-attacker"
  path = "/"
  tags = local.tags
}

resource "aws_iam_access_key" "attacker" {
  user = aws_iam_user.attacker.name
}

resource "aws_iam_policy" "iam_full" {
  name        = "${var.scenario_name}-iam-full"
  description = "Policy of the attacker user"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "iam:*"
        Resource = "*"
      }
    ]
  })
}

resource "aws_iam_user_policy_attachment" "iam_full" {
  user       = aws_iam_user.attacker.name
  policy_arn = aws_iam_policy.iam_full.arn
}

resource "aws_iam_policy" "deny_writes" {
  name        = "${var.scenario_name}-deny-writes"
  description = "Policy of the attacker user"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [
      {
        Effect   = "Deny"
        Action   = ["iam:Create*", "iam:Put*", "iam:Attach*", "iam:Update*", "iam:Delete*", "iam:AddUserToGroup", "iam:SetDefaultPolicyVersion", "iam:PassRole"]
        Resource = "*"
      }
    ]
  })
}

resource "aws_iam_user_policy_attachment" "deny_writes" {
  user       = aws_iam_user.attacker.name
  policy_arn = aws_iam_policy.deny_writes.arn
}
