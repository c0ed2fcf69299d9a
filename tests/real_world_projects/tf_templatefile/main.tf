# Policies kept as files next to the code: templatefile() with variables and a for loop in the
# template, file() for a static one.
variable "environment" { type = string }
variable "table_names" {
  type    = list(string)
  default = ["orders", "customers"]
}

locals {
  account_id = data.aws_caller_identity.current.account_id
}

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

resource "aws_iam_role" "worker" {
  name               = "worker-${var.environment}"
  assume_role_policy = file("${path.module}/policies/trust.json")
}

resource "aws_iam_policy" "dynamodb" {
  name = "dynamodb-${var.environment}"
  policy = templatefile("${path.module}/policies/dynamodb.json.tpl", {
    region     = data.aws_region.current.name
    account_id = local.account_id
    tables     = var.table_names
    env        = var.environment
  })
}

resource "aws_iam_role_policy_attachment" "dynamodb" {
  role       = aws_iam_role.worker.name
  policy_arn = aws_iam_policy.dynamodb.arn
}
