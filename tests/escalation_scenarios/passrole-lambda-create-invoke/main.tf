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
  default     = "passrole-lambda-create-invoke"
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

resource "aws_iam_role" "admin" {
  name = "${var.scenario_name}-admin-role"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Principal = {
          Service = "lambda.amazonaws.com"
        }
        Action = "sts:AssumeRole"
      }
    ]
  })
  tags = local.tags
}

resource "aws_iam_role_policy_attachment" "admin_administrator" {
  role       = aws_iam_role.admin.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_policy" "vulnerable" {
  name        = "${var.scenario_name}-policy"
  description = "Policy of the attacker user"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [
      {
        Sid      = "PassAdmin"
        Effect   = "Allow"
        Action   = "iam:PassRole"
        Resource = aws_iam_role.admin.arn
      },
      {
        Sid      = "Service"
        Effect   = "Allow"
        Action   = ["lambda:CreateFunction", "lambda:InvokeFunction", "lambda:GetFunction"]
        Resource = "*"
      }
    ]
  })
}

resource "aws_iam_user_policy_attachment" "vulnerable" {
  user       = aws_iam_user.attacker.name
  policy_arn = aws_iam_policy.vulnerable.arn
}
