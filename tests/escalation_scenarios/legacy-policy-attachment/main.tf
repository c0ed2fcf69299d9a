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

resource "aws_iam_user" "ci" {
  name = "legacy-ci"
}

resource "aws_iam_role" "build" {
  name               = "legacy-build"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

resource "aws_iam_policy" "deploy" {
  name = "legacy-deploy"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["iam:PutUserPolicy", "iam:PutRolePolicy", "iam:List*"]
      Resource = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:user/legacy-*",
                  "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/legacy-*"]
    }]
  })
}

resource "aws_iam_policy_attachment" "deploy" {
  name       = "legacy-deploy"
  users      = [aws_iam_user.ci.name]
  roles      = [aws_iam_role.build.name]
  policy_arn = aws_iam_policy.deploy.arn
}
