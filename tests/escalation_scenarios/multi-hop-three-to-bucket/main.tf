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

resource "aws_s3_bucket" "cardholder" {
  bucket        = "cg-cardholder-data-bucket-${var.cgid}"
  force_destroy = true
}

resource "aws_iam_role" "glue-etl" {
  name = "cg-glue-etl-${var.cgid}"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "glue.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "glue-etl" {
  name = "read-cardholder"
  role = aws_iam_role.glue-etl.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:ListBucket"]
      Resource = [aws_s3_bucket.cardholder.arn, "${aws_s3_bucket.cardholder.arn}/*"]
    }]
  })
}

resource "aws_iam_role" "etl-operator" {
  name = "cg-etl-operator-${var.cgid}"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = aws_iam_user.ci.arn }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "etl-operator" {
  name = "run-etl"
  role = aws_iam_role.etl-operator.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["glue:CreateJob", "glue:StartJobRun", "glue:GetJob*"], Resource = "*" },
      { Effect = "Allow", Action = "iam:PassRole", Resource = aws_iam_role.glue-etl.arn }
    ]
  })
}

resource "aws_iam_user" "ci" {
  name = "cg-ci-${var.cgid}"
}

resource "aws_iam_user" "intern" {
  name = "cg-intern-${var.cgid}"
}

resource "aws_iam_user_policy" "intern" {
  name = "rotate-ci-keys"
  user = aws_iam_user.intern.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["iam:CreateAccessKey", "iam:ListAccessKeys"], Resource = aws_iam_user.ci.arn }]
  })
}

resource "aws_iam_user_policy" "ci" {
  name = "assume-etl"
  user = aws_iam_user.ci.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Resource = aws_iam_role.etl-operator.arn }]
  })
}
