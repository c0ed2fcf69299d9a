variable "name" {
  type = string
}

variable "bucket_arn" {
  type = string
}

variable "trusted_arn" {
  type = string
}

variable "path" {
  type    = string
  default = "/modules/"
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = [var.trusted_arn]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = var.name
  path               = var.path
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role_policy" "bucket" {
  name = "bucket"
  role = aws_iam_role.this.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:*", Resource = ["${var.bucket_arn}", "${var.bucket_arn}/*"] }]
  })
}

output "role_name" {
  value = aws_iam_role.this.name
}
