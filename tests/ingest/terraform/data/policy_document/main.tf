# aws_iam_policy_document: every statement field, policy variables, merging by Sid.
locals {
  buckets = ["alpha", "beta"]
}

data "aws_iam_policy_document" "base" {
  statement {
    sid       = "Shared"
    actions   = ["s3:ListBucket"]
    resources = ["arn:aws:s3:::base"]
  }
  statement {
    sid       = "KeepMe"
    actions   = ["s3:GetBucketLocation"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "override" {
  statement {
    sid       = "Shared"
    effect    = "Deny"
    actions   = ["s3:DeleteBucket"]
    resources = ["*"]
  }
  statement {
    actions   = ["s3:ListAllMyBuckets"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "merged" {
  source_policy_documents   = [data.aws_iam_policy_document.base.json]
  override_policy_documents = [data.aws_iam_policy_document.override.json]
  policy_id                 = "merged-policy"

  statement {
    sid       = "KeepMe"
    actions   = ["s3:GetBucketPolicy"]
    resources = ["*"]
  }

  statement {
    sid           = "HomeDirectory"
    not_actions   = ["s3:DeleteObject"]
    not_resources = ["arn:aws:s3:::home/&{aws:username}/keep"]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["home/&{aws:username}/*", "home/$${aws:userid}/*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["true"]
    }
  }

  dynamic "statement" {
    for_each = local.buckets
    content {
      sid       = "Bucket${title(statement.value)}"
      actions   = ["s3:GetObject"]
      resources = ["arn:aws:s3:::${statement.value}/*"]
    }
  }
}

data "aws_iam_policy_document" "public" {
  statement {
    sid       = "NotPrincipal"
    effect    = "Deny"
    actions   = ["s3:DeleteObject"]
    resources = ["arn:aws:s3:::public/*"]
    not_principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:role/admin"]
    }
  }

  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::public/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}

resource "aws_iam_policy" "merged" {
  name   = "merged"
  policy = data.aws_iam_policy_document.merged.json
}

resource "aws_s3_bucket_policy" "public" {
  bucket = "public"
  policy = data.aws_iam_policy_document.public.minified_json
}
