# The developer role: read access to everything (AWS managed ReadOnlyAccess), build and debug
# rights, and IAM rights that its boundary cuts back.
data "aws_iam_policy_document" "developer_access" {
  statement {
    sid       = "BuildAndDebug"
    actions   = ["lambda:*", "logs:*", "dynamodb:*", "s3:*", "kms:Decrypt", "kms:Encrypt"]
    resources = ["*"]
  }

  statement {
    sid = "IamForWorkloads"
    actions = [
      "iam:CreateRole",
      "iam:AttachRolePolicy",
      "iam:PutRolePolicy",
      "iam:TagRole",
      "iam:PassRole",
      "iam:AttachUserPolicy",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "developer_access" {
  name   = "developer-access"
  policy = data.aws_iam_policy_document.developer_access.json
}

data "aws_iam_policy_document" "trust_account_with_mfa" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account}:root"]
    }
    condition {
      test     = "Bool"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["true"]
    }
  }
}

resource "aws_iam_role" "developer" {
  name                 = "developer"
  assume_role_policy   = data.aws_iam_policy_document.trust_account_with_mfa.json
  permissions_boundary = aws_iam_policy.developer_boundary.arn
  tags                 = { team = "platform" }
}

resource "aws_iam_role_policy_attachment" "developer_read_only" {
  role       = aws_iam_role.developer.name
  policy_arn = "${local.aws_managed}/ReadOnlyAccess"
}

resource "aws_iam_role_policy_attachment" "developer_access" {
  role       = aws_iam_role.developer.name
  policy_arn = aws_iam_policy.developer_access.arn
}
