variable "name" { type = string }
variable "env" { type = string }
variable "readonly" {
  type    = bool
  default = true
}

locals {
  statements = [
    {
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:ListBucket"]
      Resource = ["arn:aws:s3:::${var.name}-${var.env}", "arn:aws:s3:::${var.name}-${var.env}/*"]
    },
  ]
}

resource "aws_iam_role" "this" {
  name = "${var.name}-${var.env}-operator"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_policy" "this" {
  count  = var.readonly ? 1 : 0
  name   = "${var.name}-${var.env}-read"
  policy = jsonencode({ Version = "2012-10-17", Statement = local.statements })
}

resource "aws_iam_role_policy_attachment" "this" {
  count      = var.readonly ? 1 : 0
  role       = aws_iam_role.this.name
  policy_arn = aws_iam_policy.this[0].arn
}

resource "aws_iam_instance_profile" "this" {
  name = "${var.name}-${var.env}"
  role = aws_iam_role.this.name
}
