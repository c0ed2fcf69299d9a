provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["123456789012"]
}

variable "apps" {
  type = map(object({
    bucket       = string
    allow_delete = optional(bool, false)
  }))
  default = {
    first = { bucket = "first-data" }
  }
}

resource "aws_iam_role" "app" {
  for_each = var.apps
  name     = "${each.key}-app"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ecs-tasks.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "app" {
  for_each = var.apps
  name     = "data"
  role     = aws_iam_role.app[each.key].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = concat(["s3:GetObject", "s3:PutObject"], each.value.allow_delete ? ["s3:DeleteObject"] : [])
      Resource = "arn:aws:s3:::${each.value.bucket}/*"
    }]
  })
}
