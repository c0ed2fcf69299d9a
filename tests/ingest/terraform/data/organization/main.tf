# An organization with an OU, a member account, an SCP and an RCP.
resource "aws_organizations_organization" "org" {
  feature_set          = "ALL"
  enabled_policy_types = ["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"]
}

resource "aws_organizations_organizational_unit" "workloads" {
  name      = "workloads"
  parent_id = aws_organizations_organization.org.roots[0].id
}

resource "aws_organizations_organizational_unit" "prod" {
  name      = "prod"
  parent_id = aws_organizations_organizational_unit.workloads.id
}

resource "aws_organizations_account" "app" {
  name      = "app"
  email     = "app@example.com"
  parent_id = aws_organizations_organizational_unit.prod.id
}

resource "aws_organizations_policy" "deny_leave" {
  name = "deny-leave"
  content = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }]
  })
}

resource "aws_organizations_policy" "rcp" {
  name = "rcp-https"
  type = "RESOURCE_CONTROL_POLICY"
  content = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = "*"
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}

resource "aws_organizations_policy" "tags" {
  name    = "tag-policy"
  type    = "TAG_POLICY"
  content = jsonencode({ tags = {} })
}

resource "aws_organizations_policy_attachment" "deny_leave" {
  policy_id = aws_organizations_policy.deny_leave.id
  target_id = aws_organizations_organizational_unit.workloads.id
}

resource "aws_organizations_policy_attachment" "rcp" {
  policy_id = aws_organizations_policy.rcp.id
  target_id = aws_organizations_account.app.id
}

resource "aws_organizations_policy_attachment" "elsewhere" {
  policy_id = aws_organizations_policy.deny_leave.id
  target_id = "ou-zzzz-99999999"
}
