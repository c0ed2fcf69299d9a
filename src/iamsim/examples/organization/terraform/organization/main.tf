# The organization, managed from the management account (999988887777). It existed before this
# code: the import blocks adopt the organization, its OUs and the member accounts, so they keep
# their real IDs. The Workloads OU carries the guardrails SCP.
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
  region              = "us-east-1"
  allowed_account_ids = ["999988887777"]
}

resource "aws_organizations_organization" "this" {
  feature_set          = "ALL"
  enabled_policy_types = ["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"]
}

import {
  to = aws_organizations_organization.this
  id = "o-q7p2x9k4mb"
}

resource "aws_organizations_organizational_unit" "workloads" {
  name      = "Workloads"
  parent_id = aws_organizations_organization.this.roots[0].id
}

import {
  to = aws_organizations_organizational_unit.workloads
  id = "ou-q7p2-5hx8v1dm"
}

resource "aws_organizations_organizational_unit" "infrastructure" {
  name      = "Infrastructure"
  parent_id = aws_organizations_organization.this.roots[0].id
}

import {
  to = aws_organizations_organizational_unit.infrastructure
  id = "ou-q7p2-9ctw4nrb"
}

resource "aws_organizations_account" "workloads" {
  name      = "workloads"
  email     = "aws-workloads@example.com"
  parent_id = aws_organizations_organizational_unit.workloads.id
}

import {
  to = aws_organizations_account.workloads
  id = "111122223333"
}

resource "aws_organizations_account" "backup" {
  name      = "backup"
  email     = "aws-backup@example.com"
  parent_id = aws_organizations_organizational_unit.infrastructure.id
}

import {
  to = aws_organizations_account.backup
  id = "444455556666"
}

# Guardrails for the workloads: nobody leaves the organization, and nothing happens outside
# eu-west-1 and us-east-1 except in global services (AWS's example SCP, with an exception for
# the role Organizations uses to administer member accounts).
data "aws_iam_policy_document" "workloads_guardrails" {
  statement {
    sid       = "DenyLeavingOrganization"
    effect    = "Deny"
    actions   = ["organizations:LeaveOrganization"]
    resources = ["*"]
  }

  statement {
    sid    = "DenyOutsideAllowedRegions"
    effect = "Deny"
    not_actions = [
      "a4b:*",
      "acm:*",
      "aws-marketplace-management:*",
      "aws-marketplace:*",
      "aws-portal:*",
      "budgets:*",
      "ce:*",
      "chime:*",
      "cloudfront:*",
      "config:*",
      "cur:*",
      "directconnect:*",
      "ec2:DescribeRegions",
      "ec2:DescribeTransitGateways",
      "ec2:DescribeVpnGateways",
      "fms:*",
      "globalaccelerator:*",
      "health:*",
      "iam:*",
      "importexport:*",
      "kms:*",
      "mobileanalytics:*",
      "networkmanager:*",
      "organizations:*",
      "pricing:*",
      "route53:*",
      "route53domains:*",
      "route53-recovery-cluster:*",
      "route53-recovery-control-config:*",
      "route53-recovery-readiness:*",
      "s3:GetAccountPublic*",
      "s3:ListAllMyBuckets",
      "s3:ListMultiRegionAccessPoints",
      "s3:PutAccountPublic*",
      "shield:*",
      "sts:*",
      "support:*",
      "trustedadvisor:*",
      "waf-regional:*",
      "waf:*",
      "wafv2:*",
      "wellarchitected:*",
    ]
    resources = ["*"]

    condition {
      test     = "StringNotEquals"
      variable = "aws:RequestedRegion"
      values   = ["eu-west-1", "us-east-1"]
    }

    condition {
      test     = "ArnNotLike"
      variable = "aws:PrincipalARN"
      values   = ["arn:aws:iam::*:role/OrganizationAccountAccessRole"]
    }
  }
}

resource "aws_organizations_policy" "workloads_guardrails" {
  name        = "workloads-guardrails"
  description = "No leaving the organization; only eu-west-1 and us-east-1"
  type        = "SERVICE_CONTROL_POLICY"
  content     = data.aws_iam_policy_document.workloads_guardrails.json
}

resource "aws_organizations_policy_attachment" "workloads_guardrails" {
  policy_id = aws_organizations_policy.workloads_guardrails.id
  target_id = aws_organizations_organizational_unit.workloads.id
}
