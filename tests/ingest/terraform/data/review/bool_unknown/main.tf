provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["123456789012"]
}

variable "enforce_mfa" {
  type    = bool
  # no default and no value: whether the Deny exists is unknown
}

resource "aws_iam_user" "carol" {
  name = "carol"
}

resource "aws_iam_user_policy_attachment" "s3" {
  user       = aws_iam_user.carol.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
}

resource "aws_iam_user_policy" "require_mfa" {
  count = var.enforce_mfa ? 1 : 0
  name  = "require-mfa"
  user  = aws_iam_user.carol.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      NotAction = ["iam:*MFADevice*", "sts:GetSessionToken"]
      Resource  = "*"
      Condition = { BoolIfExists = { "aws:MultiFactorAuthPresent" = "false" } }
    }]
  })
}
