# Delegated administration, after the AWS permissions-boundary delegation example: junior
# admins may create and change first-* roles only with first-app-boundary attached, and may
# neither remove boundaries nor edit the boundary policies.
data "aws_iam_policy_document" "delegated_role_admin" {
  statement {
    sid = "CreateOrChangeOnlyWithBoundary"
    actions = [
      "iam:CreateRole",
      "iam:PutRolePermissionsBoundary",
      "iam:AttachRolePolicy",
      "iam:DetachRolePolicy",
      "iam:PutRolePolicy",
      "iam:DeleteRolePolicy",
    ]
    resources = ["arn:${local.partition}:iam::${local.account}:role/first-*"]

    condition {
      test     = "ArnEquals"
      variable = "iam:PermissionsBoundary"
      values   = [aws_iam_policy.app_boundary["first"].arn]
    }
  }

  statement {
    sid       = "ReadIam"
    actions   = ["iam:Get*", "iam:List*"]
    resources = ["*"]
  }

  statement {
    sid    = "NoBoundaryPolicyEdit"
    effect = "Deny"
    actions = [
      "iam:CreatePolicyVersion",
      "iam:DeletePolicy",
      "iam:DeletePolicyVersion",
      "iam:SetDefaultPolicyVersion",
    ]
    resources = ["arn:${local.partition}:iam::${local.account}:policy/boundaries/*"]
  }

  statement {
    sid       = "NoBoundaryDelete"
    effect    = "Deny"
    actions   = ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "delegated_role_admin" {
  name   = "delegated-role-admin"
  policy = data.aws_iam_policy_document.delegated_role_admin.json
}

resource "aws_iam_group" "junior_admins" {
  name = "junior-admins"
  path = "/admins/"
}

resource "aws_iam_group_policy_attachment" "junior_admins" {
  group      = aws_iam_group.junior_admins.name
  policy_arn = aws_iam_policy.delegated_role_admin.arn
}

resource "aws_iam_user" "zhang" {
  name = "zhang"
  path = "/admins/"
  tags = { team = "platform" }
}

resource "aws_iam_user_group_membership" "zhang" {
  user   = aws_iam_user.zhang.name
  groups = [aws_iam_group.junior_admins.name]
}

# &{aws:username} is the provider's spelling of the IAM policy variable ${aws:username}.
data "aws_iam_policy_document" "self_service_credentials" {
  statement {
    sid = "ManageOwnCredentials"
    actions = [
      "iam:ChangePassword",
      "iam:GetUser",
      "iam:CreateAccessKey",
      "iam:DeleteAccessKey",
      "iam:ListAccessKeys",
      "iam:UpdateAccessKey",
    ]
    resources = ["arn:${local.partition}:iam::${local.account}:user/admins/&{aws:username}"]
  }
}

resource "aws_iam_user_policy" "zhang_self_service" {
  name   = "self-service-credentials"
  user   = aws_iam_user.zhang.name
  policy = data.aws_iam_policy_document.self_service_credentials.json
}
