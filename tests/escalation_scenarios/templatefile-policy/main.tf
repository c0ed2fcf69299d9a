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

locals {
  prefix = "tpl"
}

resource "aws_iam_role" "glue_admin" {
  name = "${local.prefix}-glue-admin"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "glue.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  managed_policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess"]
}

resource "aws_iam_user" "analyst" {
  name = "${local.prefix}-analyst"
}

resource "aws_iam_policy" "analyst" {
  name = "${local.prefix}-analyst"
  policy = templatefile("${path.module}/analyst.json.tftpl", {
    account_id = data.aws_caller_identity.current.account_id
    role_name  = aws_iam_role.glue_admin.name
  })
}

resource "aws_iam_user_policy_attachment" "analyst" {
  user       = aws_iam_user.analyst.name
  policy_arn = aws_iam_policy.analyst.arn
}
