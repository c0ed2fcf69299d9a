# Values that cannot be computed offline: each must be reported, none guessed.
variable "trusted_account" {
  type = string
}

data "aws_iam_role" "existing" {
  name = "existing-role"
}

module "remote" {
  source = "terraform-aws-modules/iam/aws"
}

resource "aws_iam_role" "needs_var" {
  name = "needs-var"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "arn:aws:iam::${var.trusted_account}:root" } }]
  })
}

resource "aws_iam_policy" "existing_role" {
  name = "existing-role"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = data.aws_iam_role.existing.arn }]
  })
}

resource "aws_iam_policy" "timestamped" {
  name   = "stamped-${timestamp()}"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:ListAllMyBuckets", Resource = "*" }] })
}

resource "aws_iam_role_policy_attachment" "from_module" {
  role       = module.remote.iam_role_name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

resource "aws_iam_user_policy" "ghost" {
  name   = "ghost"
  user   = "not-in-this-configuration"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:ListAllMyBuckets", Resource = "*" }] })
}

resource "aws_iam_role" "resolvable" {
  name               = "resolvable"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })
}
