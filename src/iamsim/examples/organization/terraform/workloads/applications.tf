# The applications' roles. Their permissions policy is deliberately broad and shared; the
# boundary of each application is what keeps it inside its own resources.
data "aws_iam_policy_document" "workload_broad_access" {
  statement {
    sid = "BroadWorkloadAccess"
    actions = [
      "s3:*",
      "dynamodb:*",
      "logs:*",
      "sqs:*",
      "kms:Decrypt",
      "kms:Encrypt",
      "kms:GenerateDataKey",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "workload_broad_access" {
  name   = "workload-broad-access"
  policy = data.aws_iam_policy_document.workload_broad_access.json
}

data "aws_iam_policy_document" "trust_lambda" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "trust_ec2" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

# The first application's Lambda execution role: it may write into first-backups because
# that bucket is inside its boundary (first-*).
resource "aws_iam_role" "first_lambda_exec" {
  name                 = "first-lambda-exec"
  path                 = "/service-role/"
  assume_role_policy   = data.aws_iam_policy_document.trust_lambda.json
  permissions_boundary = aws_iam_policy.app_boundary["first"].arn
  tags                 = { app = "first" }
}

resource "aws_iam_role_policy_attachment" "first_lambda_exec_broad" {
  role       = aws_iam_role.first_lambda_exec.name
  policy_arn = aws_iam_policy.workload_broad_access.arn
}

resource "aws_iam_role_policy_attachment" "first_lambda_exec_basic" {
  role       = aws_iam_role.first_lambda_exec.name
  policy_arn = "${local.aws_managed}/service-role/AWSLambdaBasicExecutionRole"
}

# The second application's worker, on EC2.
resource "aws_iam_role" "second_worker" {
  name                 = "second-worker"
  assume_role_policy   = data.aws_iam_policy_document.trust_ec2.json
  permissions_boundary = aws_iam_policy.app_boundary["second"].arn
  tags                 = { app = "second" }
}

resource "aws_iam_role_policy_attachment" "second_worker" {
  role       = aws_iam_role.second_worker.name
  policy_arn = aws_iam_policy.workload_broad_access.arn
}

resource "aws_iam_instance_profile" "second_worker" {
  name = "second-worker"
  role = aws_iam_role.second_worker.name
}
