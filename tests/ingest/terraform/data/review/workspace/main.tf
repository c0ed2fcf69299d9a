provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["123456789012"]
}

locals {
  env     = terraform.workspace
  is_prod = local.env == "prod"
}

resource "aws_iam_role" "deployer" {
  name = "deployer-${local.env}"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "codebuild.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "deployer" {
  role       = aws_iam_role.deployer.name
  policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess"
}

resource "aws_iam_role_policy" "prod_guard" {
  count = local.is_prod ? 1 : 0
  name  = "prod-guard"
  role  = aws_iam_role.deployer.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Deny", Action = ["rds:Delete*", "s3:DeleteBucket"], Resource = "*" }]
  })
}
