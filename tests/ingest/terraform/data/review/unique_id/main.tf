provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["123456789012"]
}

resource "aws_iam_role" "app" {
  name = "restricted-app"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ecs-tasks.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "app" {
  name = "s3"
  role = aws_iam_role.app.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.restricted.arn}/*" }]
  })
}

resource "aws_s3_bucket" "restricted" {
  bucket = "restricted-data-123456789012"
}

resource "aws_s3_bucket_policy" "restricted" {
  bucket = aws_s3_bucket.restricted.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "OnlyAppRole"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.restricted.arn, "${aws_s3_bucket.restricted.arn}/*"]
      Condition = {
        StringNotLike = { "aws:userid" = ["${aws_iam_role.app.unique_id}:*", "123456789012"] }
      }
    }]
  })
}
