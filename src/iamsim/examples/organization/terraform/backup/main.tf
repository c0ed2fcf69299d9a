# The backup account (444455556666): one role that writes every application's backups into
# buckets named *-backups, in whichever account owns them. The bucket's owner must grant it
# too (see first-backups in ../workloads/storage.tf).
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
  region = "eu-west-1"
  assume_role {
    role_arn = "arn:aws:iam::444455556666:role/OrganizationAccountAccessRole"
  }
}

data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "trust_this_account" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

resource "aws_iam_role" "backup" {
  name               = "backup"
  assume_role_policy = data.aws_iam_policy_document.trust_this_account.json
  tags               = { purpose = "backup" }
}

data "aws_iam_policy_document" "backup_writer" {
  statement {
    sid       = "WorkloadBackupBuckets"
    actions   = ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:ListBucket"]
    resources = ["arn:aws:s3:::*-backups", "arn:aws:s3:::*-backups/*"]
  }
}

resource "aws_iam_policy" "backup_writer" {
  name   = "backup-writer"
  policy = data.aws_iam_policy_document.backup_writer.json
}

resource "aws_iam_role_policy_attachment" "backup_writer" {
  role       = aws_iam_role.backup.name
  policy_arn = aws_iam_policy.backup_writer.arn
}
