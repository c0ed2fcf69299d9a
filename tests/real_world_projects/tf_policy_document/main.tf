# aws_iam_policy_document composed the way shared modules do it: a base document, source and
# override documents, dynamic statements from a variable, and for_each over a map.
variable "buckets" {
  type = map(list(string))
  default = {
    logs    = ["s3:GetObject", "s3:PutObject"]
    reports = ["s3:GetObject"]
  }
}
variable "extra_statements" {
  type = list(object({ sid = string, actions = list(string), resources = list(string) }))
  default = [
    { sid = "Kms", actions = ["kms:Decrypt"], resources = ["*"] },
  ]
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "base" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["arn:aws:logs:*:*:*"]
  }
}

data "aws_iam_policy_document" "bucket" {
  for_each = var.buckets
  statement {
    sid     = "Bucket${title(each.key)}"
    actions = each.value
    resources = [
      "arn:aws:s3:::${each.key}-data",
      "arn:aws:s3:::${each.key}-data/*",
    ]
  }
}

data "aws_iam_policy_document" "override" {
  statement {
    sid       = "Logs"
    actions   = ["logs:PutLogEvents"]
    resources = ["arn:aws:logs:eu-west-1:*:*"]
  }
}

data "aws_iam_policy_document" "combined" {
  source_policy_documents   = concat([data.aws_iam_policy_document.base.json], [for d in data.aws_iam_policy_document.bucket : d.json])
  override_policy_documents = [data.aws_iam_policy_document.override.json]

  dynamic "statement" {
    for_each = var.extra_statements
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }

  statement {
    sid    = "DenyInsecure"
    effect = "Deny"
    actions = ["s3:*"]
    resources = ["*"]
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_iam_role" "task" {
  name               = "task"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy" "task" {
  name   = "task"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.combined.json
}

resource "aws_iam_policy" "per_bucket" {
  for_each = data.aws_iam_policy_document.bucket
  name     = "bucket-${each.key}"
  policy   = each.value.json
}

resource "aws_iam_role_policy_attachment" "per_bucket" {
  for_each   = aws_iam_policy.per_bucket
  role       = aws_iam_role.task.name
  policy_arn = each.value.arn
}
