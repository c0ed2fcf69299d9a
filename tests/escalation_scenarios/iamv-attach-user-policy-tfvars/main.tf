# The shape of the "one role and one user per technique" libraries: the principal under test
# is assumed from an ARN given in terraform.tfvars.
variable "aws_assume_role_arn" {
  description = "ARN of the principal allowed to assume the privesc roles"
  type        = string
}

data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}

resource "aws_iam_policy" "privesc4_attach_user_policy" {
  name        = "privesc4-AttachUserPolicy"
  path        = "/"
  description = "Allows privesc via iam:AttachUserPolicy"

  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "iam:AttachUserPolicy",
      "Resource": "*"
    }
  ]
}
EOF
}

resource "aws_iam_role" "privesc4_attach_user_policy_role" {
  name = "privesc4-AttachUserPolicy-role"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Action    = "sts:AssumeRole"
        Effect    = "Allow"
        Sid       = ""
        Principal = {
          AWS = var.aws_assume_role_arn
        }
      },
    ]
  })
}

resource "aws_iam_user" "privesc4_attach_user_policy_user" {
  name = "privesc4-AttachUserPolicy-user"
  path = "/"
}

resource "aws_iam_access_key" "privesc4_attach_user_policy_user" {
  user = aws_iam_user.privesc4_attach_user_policy_user.name
}

resource "aws_iam_user_policy_attachment" "privesc4_attach_user_policy_user_attach_policy" {
  user       = aws_iam_user.privesc4_attach_user_policy_user.name
  policy_arn = aws_iam_policy.privesc4_attach_user_policy.arn
}

resource "aws_iam_role_policy_attachment" "privesc4_attach_user_policy_role_attach_policy" {
  role       = aws_iam_role.privesc4_attach_user_policy_role.name
  policy_arn = aws_iam_policy.privesc4_attach_user_policy.arn
}
