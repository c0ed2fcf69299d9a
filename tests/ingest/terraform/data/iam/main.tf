# Every IAM resource type the loader maps, referring to each other by attribute.
provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["111122223333"]

  default_tags {
    tags = {
      team = "platform"
    }
  }
}

resource "aws_iam_user" "alice" {
  name                 = "alice"
  path                 = "/people/"
  permissions_boundary = aws_iam_policy.boundary.arn
  tags = {
    project = "red"
  }
}

resource "aws_iam_user" "bob" {
  name = "bob"
}

resource "aws_iam_group" "devs" {
  name = "developers"
  path = "/teams/"
}

resource "aws_iam_group" "ops" {
  name = "ops"
}

resource "aws_iam_group_membership" "devs" {
  name  = "devs-membership"
  group = aws_iam_group.devs.name
  users = [aws_iam_user.alice.name, aws_iam_user.bob.name]
}

resource "aws_iam_user_group_membership" "bob_ops" {
  user   = aws_iam_user.bob.name
  groups = [aws_iam_group.ops.name]
}

resource "aws_iam_policy" "boundary" {
  name = "boundary"
  path = "/boundaries/"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:*", "sqs:*"], Resource = "*" }]
  })
}

resource "aws_iam_policy" "read" {
  name_prefix = "read-"
  policy      = data.aws_iam_policy_document.read.json
}

data "aws_iam_policy_document" "read" {
  statement {
    sid       = "Read"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::data/*"]
  }
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "app" {
  name                 = "app"
  path                 = "/service/"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  permissions_boundary = aws_iam_policy.boundary.arn
  managed_policy_arns  = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]

  inline_policy {
    name = "logs"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = "logs:*", Resource = "*" }]
    })
  }

  tags = {
    app = "one"
  }
}

resource "aws_iam_role" "worker" {
  name               = "worker"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_user_policy" "alice_inline" {
  name   = "alice-inline"
  user   = aws_iam_user.alice.name
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "iam:*", Resource = "*" }] })
}

resource "aws_iam_group_policy" "devs_inline" {
  name   = "devs-inline"
  group  = aws_iam_group.devs.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "ec2:Describe*", Resource = "*" }] })
}

resource "aws_iam_role_policy" "app_inline" {
  name   = "app-inline"
  role   = aws_iam_role.app.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sqs:SendMessage", Resource = "*" }] })
}

resource "aws_iam_user_policy_attachment" "alice_read" {
  user       = aws_iam_user.alice.name
  policy_arn = aws_iam_policy.read.arn
}

resource "aws_iam_group_policy_attachment" "ops_admin" {
  group      = aws_iam_group.ops.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_role_policy_attachment" "app_read" {
  role       = aws_iam_role.app.name
  policy_arn = aws_iam_policy.read.arn
}

resource "aws_iam_policy_attachment" "shared" {
  name       = "shared"
  users      = [aws_iam_user.bob.name]
  roles      = [aws_iam_role.worker.name]
  groups     = [aws_iam_group.ops.name]
  policy_arn = aws_iam_policy.read.arn
}

resource "aws_iam_role_policy_attachments_exclusive" "worker" {
  role_name   = aws_iam_role.worker.name
  policy_arns = ["arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess"]
}

resource "aws_iam_instance_profile" "worker" {
  name = "worker-profile"
  role = aws_iam_role.worker.name
}

resource "aws_iam_access_key" "bob" {
  user = aws_iam_user.bob.name
}
