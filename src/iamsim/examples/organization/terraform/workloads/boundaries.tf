# Each application's permissions boundary: the most its roles can ever do, whatever their
# permissions policies say. Everything an application owns starts with its name, and its KMS
# keys carry its "app" tag.
data "aws_iam_policy_document" "app_boundary" {
  for_each = local.apps

  statement {
    sid       = "OwnBuckets"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"]
    resources = ["arn:${local.partition}:s3:::${each.key}-*", "arn:${local.partition}:s3:::${each.key}-*/*"]
  }

  statement {
    sid = "OwnTables"
    actions = [
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
      "dynamodb:Query",
    ]
    resources = ["arn:${local.partition}:dynamodb:*:${local.account}:table/${each.key}-*"]
  }

  statement {
    sid     = "OwnLogGroups"
    actions = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [
      "arn:${local.partition}:logs:*:${local.account}:log-group:${each.value.log_prefix}${each.key}-*",
      "arn:${local.partition}:logs:*:${local.account}:log-group:${each.value.log_prefix}${each.key}-*:*",
    ]
  }

  statement {
    sid       = "OwnKeys"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = ["arn:${local.partition}:kms:*:${local.account}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/app"
      values   = [each.key]
    }
  }
}

resource "aws_iam_policy" "app_boundary" {
  for_each = local.apps

  name        = "${each.key}-app-boundary"
  path        = "/boundaries/"
  description = "Permissions boundary of the ${each.key} application's roles"
  policy      = data.aws_iam_policy_document.app_boundary[each.key].json
}

# The developers' boundary: workload services and IAM, but never creating roles or attaching
# policies to users, so a developer cannot mint a more powerful identity.
data "aws_iam_policy_document" "developer_boundary" {
  statement {
    sid = "WorkloadServices"
    actions = [
      "iam:*",
      "s3:*",
      "dynamodb:*",
      "lambda:*",
      "logs:*",
      "cloudwatch:*",
      "kms:*",
      "ec2:Describe*",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "NoRoleCreationNoUserPolicies"
    effect    = "Deny"
    actions   = ["iam:CreateRole", "iam:AttachUserPolicy"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "developer_boundary" {
  name        = "developer-boundary"
  path        = "/boundaries/"
  description = "Permissions boundary of the developer role"
  policy      = data.aws_iam_policy_document.developer_boundary.json
}
