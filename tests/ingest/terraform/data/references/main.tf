# Variables, locals, interpolation, count/for_each, modules, file() and templatefile().
variable "env" {
  type    = string
  default = "dev"
}

variable "people" {
  type    = set(string)
  default = ["carol", "dave"]
}

variable "bucket_suffix" {
  type = string
}

locals {
  prefix      = "${var.env}-app"
  bucket_name = "${local.prefix}-${var.bucket_suffix}"
  account_id  = data.aws_caller_identity.current.account_id
  admin_arn   = "arn:${data.aws_partition.current.partition}:iam::${local.account_id}:root"
  teams = {
    blue  = { path = "/blue/" }
    green = { path = "/green/" }
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

resource "aws_iam_user" "people" {
  for_each = var.people
  name     = "${local.prefix}-${each.key}"
}

resource "aws_iam_group" "team" {
  for_each = local.teams
  name     = each.key
  path     = each.value.path
}

resource "aws_iam_role" "numbered" {
  count              = 2
  name               = format("%s-worker-%d", local.prefix, count.index)
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = local.admin_arn }
    }]
  })
}

resource "aws_s3_bucket" "data" {
  bucket = local.bucket_name
}

resource "aws_iam_policy" "from_file" {
  name   = "from-file"
  policy = file("${path.module}/policies/read.json")
}

resource "aws_iam_policy" "from_template" {
  name = "from-template"
  policy = templatefile("${path.module}/policies/bucket.json.tftpl", {
    bucket_arn = aws_s3_bucket.data.arn
    actions    = ["s3:GetObject", "s3:PutObject"]
  })
}

resource "aws_iam_policy" "heredoc" {
  name   = "heredoc"
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [{
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": "${aws_s3_bucket.data.arn}",
        "Condition": {"StringLike": {"s3:prefix": "home/$${aws:username}/*"}}
      }]
    }
  EOT
}

resource "aws_iam_user_policy_attachment" "people" {
  for_each   = aws_iam_user.people
  user       = each.value.name
  policy_arn = aws_iam_policy.from_template.arn
}

module "app_role" {
  source      = "./modules/app_role"
  name        = "${local.prefix}-module-role"
  bucket_arn  = aws_s3_bucket.data.arn
  trusted_arn = aws_iam_role.numbered[0].arn
}

resource "aws_iam_role_policy_attachment" "module_role" {
  role       = module.app_role.role_name
  policy_arn = aws_iam_policy.from_file.arn
}

output "region" {
  value = data.aws_region.current.name
}
