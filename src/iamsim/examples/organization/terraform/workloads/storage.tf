# The applications' data: a bucket and a table each, tagged with the application, plus the
# first application's backup bucket and KMS key.
resource "aws_s3_bucket" "data" {
  for_each = local.apps

  bucket = "${each.key}-data"
  tags   = { app = each.key }
}

resource "aws_dynamodb_table" "orders" {
  for_each = local.apps

  name         = "${each.key}-orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "order_id"

  attribute {
    name = "order_id"
    type = "S"
  }

  tags = { app = each.key }
}

resource "aws_s3_bucket" "first_backups" {
  bucket = "first-backups"
  tags   = { app = "first", purpose = "backup" }
}

# The backup role of the backup account writes and restores through this policy; the first
# application's own Lambda needs no grant here (same account, inside its boundary).
data "aws_iam_policy_document" "first_backups" {
  statement {
    sid     = "BackupAccountWritesAndRestores"
    actions = ["s3:PutObject", "s3:GetObject", "s3:ListBucket"]
    resources = [
      aws_s3_bucket.first_backups.arn,
      "${aws_s3_bucket.first_backups.arn}/*",
    ]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${var.backup_account_id}:role/backup"]
    }
  }

  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.first_backups.arn,
      "${aws_s3_bucket.first_backups.arn}/*",
    ]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "first_backups" {
  bucket = aws_s3_bucket.first_backups.id
  policy = data.aws_iam_policy_document.first_backups.json
}

# The first application's key. IAM policies may grant its administration only; using it
# needs the key policy to name the caller. The key predates this code and was adopted with an
# import block, so its ID is known here.
data "aws_iam_policy_document" "first_data_key" {
  policy_id = "first-data-key-policy"

  statement {
    sid = "KeyAdministrationThroughIam"
    actions = [
      "kms:Create*",
      "kms:Describe*",
      "kms:Enable*",
      "kms:List*",
      "kms:Put*",
      "kms:Update*",
      "kms:Revoke*",
      "kms:Disable*",
      "kms:Get*",
      "kms:Delete*",
      "kms:TagResource",
      "kms:UntagResource",
      "kms:ScheduleKeyDeletion",
      "kms:CancelKeyDeletion",
    ]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account}:root"]
    }
  }

  statement {
    sid       = "FirstAppUsesTheKey"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.first_lambda_exec.arn]
    }
  }
}

resource "aws_kms_key" "first_data" {
  description         = "first application data"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.first_data_key.json
  tags                = { app = "first" }
}

import {
  to = aws_kms_key.first_data
  id = "6f3c2a1e-8b4d-4e7a-9c15-2d7e8f90a4b3"
}

resource "aws_kms_alias" "first_data" {
  name          = "alias/first-data"
  target_key_id = aws_kms_key.first_data.key_id
}
