provider "aws" { allowed_account_ids = ["111122223333"] }
variable "blocked" {}
resource "aws_iam_user" "a" { name = "alice" }
resource "aws_iam_user_policy" "allow" {
  user = aws_iam_user.a.name
  policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", Action = "s3:*", Resource = "*"}]})
}
resource "aws_iam_user_policy" "deny" {
  user = aws_iam_user.a.name
  policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Deny", Action = "s3:GetObject", Resource = var.blocked}]})
}
