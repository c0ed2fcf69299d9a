provider "aws" {
  alias  = "security"
  region = "us-east-1"
}

provider "aws" {
  alias  = "workload"
  region = "us-east-1"
}

data "aws_caller_identity" "security" {
  provider = aws.security
}

resource "aws_iam_role" "auditor" {
  provider = aws.security
  name     = "auditor"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.security.account_id}:root" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "auditor" {
  provider = aws.security
  name     = "assume-workload-admin"
  role     = aws_iam_role.auditor.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Resource = "arn:aws:iam::*:role/workload-admin" }]
  })
}

resource "aws_iam_role" "workload_admin" {
  provider = aws.workload
  name     = "workload-admin"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = aws_iam_role.auditor.arn }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "workload_admin" {
  provider   = aws.workload
  role       = aws_iam_role.workload_admin.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
