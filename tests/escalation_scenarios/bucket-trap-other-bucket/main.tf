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
  default     = "bucket-trap-other-bucket"
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

resource "aws_s3_bucket" "sensitive" {
  bucket        = "${var.scenario_name}-sensitive-data"
  force_destroy = true
  tags          = local.tags
}

resource "aws_s3_object" "secret" {
  bucket  = aws_s3_bucket.sensitive.id
  key     = "customers.csv"
  content = "name,card\n"
}

resource "aws_s3_bucket" "public_assets" {
  bucket = "${var.scenario_name}-public-assets"
}
resource "aws_iam_role" "assets" {
  name = "${var.scenario_name}-assets"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${local.account_id}:root" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "assets" {
  name = "${var.scenario_name}-assets"
  role = aws_iam_role.assets.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "s3:GetObject"
        Resource = "${aws_s3_bucket.public_assets.arn}/*"
      }
    ]
  })
}

resource "aws_iam_policy" "vulnerable" {
  name        = "${var.scenario_name}-policy"
  description = "Policy of the attacker user"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "sts:AssumeRole"
        Resource = aws_iam_role.assets.arn
      }
    ]
  })
}

resource "aws_iam_user_policy_attachment" "vulnerable" {
  user       = aws_iam_user.attacker.name
  policy_arn = aws_iam_policy.vulnerable.arn
}
