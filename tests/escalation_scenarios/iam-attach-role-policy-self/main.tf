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
  default     = "iam-attach-role-policy-self"
}

data "aws_caller_identity" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  tags = {
    Scenario = var.scenario_name
  }
}

resource "aws_iam_role" "attacker" {
  name = "${var.scenario_name}-attacker-role"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${local.account_id}:root" }
        Action    = "sts:AssumeRole"
      }
    ]
  })
  tags = local.tags
}

resource "aws_iam_policy" "vulnerable" {
  name        = "${var.scenario_name}-policy"
  description = "Policy of the attacker role"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["iam:AttachRolePolicy", "iam:ListAttachedRolePolicies"]
        Resource = aws_iam_role.attacker.arn
      }
    ]
  })
}

resource "aws_iam_role_policy_attachment" "vulnerable" {
  role       = aws_iam_role.attacker.name
  policy_arn = aws_iam_policy.vulnerable.arn
}
