# The workloads account (111122223333): two applications, "first" and "second", isolated from
# each other by the name prefix of everything they own and by permissions boundaries.
terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = [var.workloads_account_id]
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

variable "workloads_account_id" {
  description = "The account this configuration deploys to."
  type        = string
  default     = "111122223333"
}

variable "backup_account_id" {
  description = "The account whose backup role writes the first application's backups."
  type        = string
  default     = "444455556666"
}

locals {
  account   = data.aws_caller_identity.current.account_id
  partition = data.aws_partition.current.partition

  # One entry per application: its log groups' prefix.
  apps = {
    first  = { log_prefix = "/aws/lambda/" }
    second = { log_prefix = "/app/" }
  }

  aws_managed = "arn:${local.partition}:iam::aws:policy"
}
