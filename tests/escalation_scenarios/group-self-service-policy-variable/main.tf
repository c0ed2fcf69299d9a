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

resource "aws_iam_group" "engineers" {
  name = "engineers"
}

resource "aws_iam_user" "eve" {
  name = "eve"
}

resource "aws_iam_group_membership" "engineers" {
  name  = "engineers"
  group = aws_iam_group.engineers.name
  users = [aws_iam_user.eve.name]
}

resource "aws_iam_group_policy" "self_service" {
  name  = "self-service"
  group = aws_iam_group.engineers.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "ManageOwnUser"
      Effect   = "Allow"
      Action   = ["iam:*AccessKey*", "iam:*LoginProfile", "iam:*UserPolicy*", "iam:GetUser"]
      Resource = "arn:aws:iam::*:user/$${aws:username}"
    }]
  })
}
