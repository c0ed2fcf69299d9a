provider "aws" {
  region = var.region
  default_tags {
    tags = { Project = "iam-privesc-lab" }
  }
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

variable "function_name" {
  type    = string
  default = "cg-policy-applier"
}

data "archive_file" "applier" {
  type        = "zip"
  source_file = "${path.module}/lambda/main.py"
  output_path = "${path.module}/lambda.zip"
}

resource "aws_iam_role" "applier" {
  name = "${var.function_name}-role"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "applier" {
  role       = aws_iam_role.applier.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_lambda_function" "applier" {
  function_name    = var.function_name
  filename         = data.archive_file.applier.output_path
  source_code_hash = data.archive_file.applier.output_base64sha256
  handler          = "main.handler"
  runtime          = "python3.12"
  role             = aws_iam_role.applier.arn
}

resource "aws_iam_user" "bilbo" {
  name = "cg-bilbo"
}

resource "aws_iam_user_policy" "bilbo" {
  name = "cg-bilbo-lambda"
  user = aws_iam_user.bilbo.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Action = ["lambda:UpdateFunctionCode", "lambda:InvokeFunction", "lambda:GetFunction"]
      Resource = "arn:${data.aws_partition.current.partition}:lambda:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:function:${var.function_name}"
    }]
  })
}
