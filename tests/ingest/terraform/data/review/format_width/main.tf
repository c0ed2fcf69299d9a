provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["123456789012"]
}

variable "shard_count" {
  type    = number
  default = 3
}

# audit-logs-000, audit-logs-001, audit-logs-002
resource "aws_s3_bucket" "audit" {
  count  = var.shard_count
  bucket = format("audit-logs-%03d", count.index)
}

data "aws_iam_policy_document" "audit_worm" {
  count = var.shard_count

  statement {
    sid     = "NoDeletes"
    effect  = "Deny"
    actions = ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutLifecycleConfiguration"]
    resources = [
      aws_s3_bucket.audit[count.index].arn,
      "${aws_s3_bucket.audit[count.index].arn}/*",
    ]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}

resource "aws_s3_bucket_policy" "audit" {
  count  = var.shard_count
  bucket = aws_s3_bucket.audit[count.index].id
  policy = data.aws_iam_policy_document.audit_worm[count.index].json
}

resource "aws_iam_role" "ops" {
  name = "ops-admin"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::123456789012:root" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "ops" {
  role       = aws_iam_role.ops.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
}
