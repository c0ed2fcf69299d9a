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
      default     = "cross-account-trap-untrusted"
    }

variable "dev_account_id" {
  description = "Account the developers work in"
  type        = string
  default     = "111111111111"
}

variable "prod_account_id" {
  description = "Production account"
  type        = string
  default     = "222222222222"
}

provider "aws" {
  alias  = "dev"
  region = var.region
  assume_role {
    role_arn = "arn:aws:iam::${var.dev_account_id}:role/OrganizationAccountAccessRole"
  }
}

provider "aws" {
  alias               = "prod"
  region              = var.region
  allowed_account_ids = [var.prod_account_id]
  assume_role {
    role_arn = "arn:aws:iam::${var.prod_account_id}:role/OrganizationAccountAccessRole"
  }
}

    data "aws_caller_identity" "current" {}

    locals {
      account_id = data.aws_caller_identity.current.account_id
      tags = {
        Scenario = var.scenario_name
      }
    }

resource "aws_iam_user" "attacker" {
  provider = aws.dev
  name     = "${var.scenario_name}-attacker"
}

resource "aws_iam_user_policy" "attacker" {
  provider = aws.dev
  name     = "cross-account"
  user     = aws_iam_user.attacker.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "sts:AssumeRole"
      Resource = "*"
    }]
  })
}

resource "aws_iam_role" "ci" {
  provider = aws.dev
  name     = "${var.scenario_name}-ci"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "codebuild.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role" "admin" {
  provider = aws.prod
  name     = "${var.scenario_name}-admin-role"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = aws_iam_role.ci.arn }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "admin" {
  provider   = aws.prod
  role       = aws_iam_role.admin.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
