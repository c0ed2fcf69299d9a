provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["123456789012"]
}

locals {
  services = {
    billing = {}
    search  = { boundary = "arn:aws:iam::123456789012:policy/search-boundary" }
  }
}

resource "aws_iam_policy" "default_boundary" {
  name = "default-boundary"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject", "logs:*"], Resource = "*" }]
  })
}

resource "aws_iam_policy" "search_boundary" {
  name = "search-boundary"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["es:*", "s3:GetObject"], Resource = "*" }]
  })
}

module "svc" {
  source   = "./modules/role"
  for_each = local.services

  name     = each.key
  boundary = lookup(each.value, "boundary", null)
}
