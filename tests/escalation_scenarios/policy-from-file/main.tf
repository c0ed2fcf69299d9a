provider "aws" {
  region = var.region
  default_tags {
    tags = { Project = "iam-privesc-lab" }
  }
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

resource "aws_iam_role" "lambda_admin" {
  name = "file-lambda-admin"
  assume_role_policy = file("${path.module}/policies/lambda-trust.json")
}

resource "aws_iam_role_policy_attachment" "lambda_admin" {
  role       = aws_iam_role.lambda_admin.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_user" "deployer" {
  name = "file-deployer"
}

resource "aws_iam_user_policy" "deployer" {
  name   = "deploy-functions"
  user   = aws_iam_user.deployer.name
  policy = file("${path.module}/policies/deployer.json")
}
