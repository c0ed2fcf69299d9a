# Resources with policies: S3, KMS (with and without a key policy), SQS, SNS, Lambda.
provider "aws" {
  region = "us-west-2"
}

provider "aws" {
  alias  = "backup"
  region = "us-east-1"
  assume_role {
    role_arn = "arn:aws:iam::444455556666:role/terraform"
  }
}

data "aws_caller_identity" "current" {}

resource "aws_s3_bucket" "backup" {
  provider = aws.backup
  bucket   = "org-backups"
  tags = {
    purpose = "backup"
  }
}

resource "aws_s3_bucket_policy" "backup" {
  provider = aws.backup
  bucket   = aws_s3_bucket.backup.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AllowBackupRole"
      Effect    = "Allow"
      Principal = { AWS = aws_iam_role.backup.arn }
      Action    = ["s3:PutObject"]
      Resource  = "${aws_s3_bucket.backup.arn}/*"
    }]
  })
}

resource "aws_iam_role" "backup" {
  name = "backup"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "backup.amazonaws.com" } }]
  })
}

resource "aws_kms_key" "data" {
  description = "data key"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Root"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}

resource "aws_kms_key" "defaulted" {
  description = "no policy"
}

resource "aws_sqs_queue" "jobs" {
  name = "jobs"
}

resource "aws_sqs_queue_policy" "jobs" {
  queue_url = aws_sqs_queue.jobs.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "sns.amazonaws.com" }, Action = "sqs:SendMessage", Resource = aws_sqs_queue.jobs.arn }]
  })
}

resource "aws_sns_topic" "events" {
  name = "events"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "sns:Subscribe", Resource = "*" }]
  })
}

resource "aws_lambda_function" "fn" {
  function_name = "handler"
  role          = aws_iam_role.backup.arn
  handler       = "index.handler"
  runtime       = "python3.12"
}

resource "aws_lambda_permission" "from_sns" {
  statement_id  = "AllowSNS"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.fn.function_name
  principal     = "sns.amazonaws.com"
  source_arn    = aws_sns_topic.events.arn
}

resource "aws_ecr_repository_policy" "unmapped_target" {
  repository = "images"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "ecr:BatchGetImage" }]
  })
}

resource "aws_api_gateway_rest_api_policy" "unmodeled" {
  rest_api_id = "abc123"
  policy      = jsonencode({ Version = "2012-10-17", Statement = [] })
}
