# Policies assembled with jsonencode from locals: merged maps, conditional statements, flatten()
# over a list of services, and a role per entry of a map.
variable "project" {
  type    = string
  default = "atlas"
}
variable "enable_secrets" {
  type    = bool
  default = true
}
variable "services" {
  type = map(object({ principal = string, actions = list(string) }))
  default = {
    batch = { principal = "batch.amazonaws.com", actions = ["s3:GetObject"] }
    glue  = { principal = "glue.amazonaws.com", actions = ["s3:GetObject", "s3:PutObject"] }
  }
}

locals {
  common_tags = { Project = var.project, ManagedBy = "terraform" }
  bucket_arn  = "arn:aws:s3:::${var.project}-lake"
  secrets_statement = var.enable_secrets ? [{
    Sid      = "Secrets"
    Effect   = "Allow"
    Action   = ["secretsmanager:GetSecretValue"]
    Resource = ["arn:aws:secretsmanager:*:*:secret:${var.project}/*"]
  }] : []
  service_statements = {
    for name, svc in var.services : name => concat([
      {
        Sid      = "Lake"
        Effect   = "Allow"
        Action   = svc.actions
        Resource = [local.bucket_arn, "${local.bucket_arn}/*"]
      }
    ], local.secrets_statement)
  }
  all_actions = distinct(flatten([for svc in values(var.services) : svc.actions]))
}

resource "aws_iam_role" "service" {
  for_each = var.services
  name     = "${var.project}-${each.key}"
  tags     = merge(local.common_tags, { Service = each.key })
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = each.value.principal }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "service" {
  for_each = aws_iam_role.service
  name     = "lake"
  role     = each.value.id
  policy   = jsonencode({ Version = "2012-10-17", Statement = local.service_statements[each.key] })
}

resource "aws_iam_policy" "auditor" {
  name = "${var.project}-auditor"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = [for a in local.all_actions : a if startswith(a, "s3:Get")]
      Resource = "${local.bucket_arn}/*"
      Condition = {
        StringEquals = { "aws:ResourceTag/Project" = var.project }
      }
    }]
  })
  tags = local.common_tags
}
