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

resource "aws_iam_role" "builder" {
  name = "cg-builder-${var.cgid}"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "codebuild.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "builder" {
  role       = aws_iam_role.builder.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_codebuild_project" "release" {
  name         = "cg-release-${var.cgid}"
  service_role = aws_iam_role.builder.arn

  artifacts {
    type = "NO_ARTIFACTS"
  }

  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/amazonlinux2-x86_64-standard:5.0"
    type         = "LINUX_CONTAINER"
  }

  source {
    type     = "GITHUB"
    location = "https://github.com/example/release.git"
  }
}

resource "aws_iam_user" "dev" {
  name = "cg-dev-${var.cgid}"
}

resource "aws_iam_user_policy" "dev" {
  name = "edit-release-project"
  user = aws_iam_user.dev.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["codebuild:UpdateProject", "codebuild:StartBuild", "codebuild:BatchGet*"]
      Resource = aws_codebuild_project.release.arn
    }]
  })
}
