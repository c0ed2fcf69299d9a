# An organization's guardrails kept as JSON files, attached to OUs with for_each.
variable "workload_ous" {
  type = map(string)
}

locals {
  scps = {
    deny-leave-org      = "policies/deny-leave-org.json"
    region-lock         = "policies/region-lock.json"
  }
}

resource "aws_organizations_organization" "org" {
  feature_set          = "ALL"
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
}

resource "aws_organizations_policy" "scp" {
  for_each = local.scps
  name     = each.key
  type     = "SERVICE_CONTROL_POLICY"
  content  = file("${path.module}/${each.value}")
}

resource "aws_organizations_organizational_unit" "workloads" {
  for_each  = var.workload_ous
  name      = each.value
  parent_id = aws_organizations_organization.org.roots[0].id
}

resource "aws_organizations_policy_attachment" "workloads" {
  for_each  = aws_organizations_organizational_unit.workloads
  policy_id = aws_organizations_policy.scp["region-lock"].id
  target_id = each.value.id
}

resource "aws_organizations_policy_attachment" "root" {
  policy_id = aws_organizations_policy.scp["deny-leave-org"].id
  target_id = aws_organizations_organization.org.roots[0].id
}
