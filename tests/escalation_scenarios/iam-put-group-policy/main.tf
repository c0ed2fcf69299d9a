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
  default     = "iam-put-group-policy"
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

resource "aws_iam_group" "developers" {
  name = "${var.scenario_name}-developers"
}

resource "aws_iam_user_group_membership" "attacker" {
  user   = aws_iam_user.attacker.name
  groups = [aws_iam_group.developers.name]
}

resource "aws_iam_group_policy" "developers" {
  name  = "${var.scenario_name}-developers"
  group = aws_iam_group.developers.name
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["iam:PutGroupPolicy", "iam:GetGroupPolicy"],
      "Resource": "arn:aws:iam::${local.account_id}:group/${var.scenario_name}-developers"
    }
  ]
}
EOF
}
