variable "name" { type = string }

variable "boundary" {
  description = "Permissions boundary; the platform default unless overridden"
  type        = string
  default     = "arn:aws:iam::123456789012:policy/default-boundary"
  nullable    = false
}

resource "aws_iam_role" "this" {
  name                 = "svc-${var.name}"
  permissions_boundary = var.boundary
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ecs-tasks.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.this.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
