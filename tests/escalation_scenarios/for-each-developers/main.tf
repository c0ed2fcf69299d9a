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

variable "developers" {
  type    = set(string)
  default = ["alice", "bob", "carol"]
}

variable "lead" {
  type    = string
  default = "carol"
}

resource "aws_iam_user" "dev" {
  for_each = var.developers
  name     = "dev-${each.key}"
}

resource "aws_iam_user" "breakglass" {
  name = "breakglass"
}

resource "aws_iam_user_policy_attachment" "breakglass" {
  user       = aws_iam_user.breakglass.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_user_policy" "self_service" {
  for_each = aws_iam_user.dev
  name     = "self-service"
  user     = each.value.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat([
      {
        Sid      = "OwnKeys"
        Effect   = "Allow"
        Action   = ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys"]
        Resource = each.value.arn
      }],
      each.key == var.lead ? [{
        Sid      = "LeadRotatesBreakglass"
        Effect   = "Allow"
        Action   = "iam:CreateAccessKey"
        Resource = aws_iam_user.breakglass.arn
      }] : []
    )
  })
}
