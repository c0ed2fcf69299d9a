# Roles named by name_prefix (the name is chosen at apply time) with inline policies, an
# instance profile and a launch template: nothing may be dropped.
resource "aws_iam_role" "node" {
  name_prefix = "eks-node-"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  inline_policy {
    name = "ecr-pull"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect   = "Allow"
        Action   = ["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
        Resource = "*"
      }]
    })
  }
}

resource "aws_iam_role_policy" "node_logs" {
  name_prefix = "logs-"
  role        = aws_iam_role.node.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "logs:PutLogEvents", Resource = "*" }]
  })
}

resource "aws_iam_policy" "node_extra" {
  name_prefix = "node-extra-"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "ssm:GetParameter", Resource = "*" }]
  })
}

resource "aws_iam_role_policy_attachment" "node_extra" {
  role       = aws_iam_role.node.name
  policy_arn = aws_iam_policy.node_extra.arn
}

resource "aws_iam_instance_profile" "node" {
  name_prefix = "eks-node-"
  role        = aws_iam_role.node.name
}

resource "aws_launch_template" "node" {
  name_prefix = "node-"
  iam_instance_profile {
    arn = aws_iam_instance_profile.node.arn
  }
}
