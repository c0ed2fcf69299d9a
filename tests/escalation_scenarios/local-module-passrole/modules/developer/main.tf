variable "name" {
  type = string
}

variable "passable_role_arns" {
  type = list(string)
}

resource "aws_iam_user" "this" {
  name = var.name
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "Builds"
    actions   = ["codebuild:CreateProject", "codebuild:StartBuild", "codebuild:BatchGetBuilds"]
    resources = ["*"]
  }
  statement {
    sid       = "PassBuildRoles"
    actions   = ["iam:PassRole"]
    resources = var.passable_role_arns
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["codebuild.amazonaws.com"]
    }
  }
}

resource "aws_iam_user_policy" "this" {
  name   = "developer"
  user   = aws_iam_user.this.name
  policy = data.aws_iam_policy_document.this.json
}
