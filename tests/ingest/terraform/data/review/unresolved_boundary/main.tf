provider "aws" { allowed_account_ids = ["111122223333"] }
resource "aws_iam_user" "a" {
  name = "alice"
  permissions_boundary = aws_iam_policy.nosuch.arn
}
resource "aws_iam_user_policy" "p" {
  user = aws_iam_user.a.name
  policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", Action = "s3:*", Resource = "*"}]})
}
