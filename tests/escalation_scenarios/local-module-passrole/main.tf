provider "aws" {
  region = var.region
  default_tags {
    tags = { Project = "iam-privesc-lab" }
  }
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

module "pipeline_role" {
  source      = "./modules/service-role"
  name        = "mod-pipeline-admin"
  service     = "codebuild.amazonaws.com"
  policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess"]
}

module "developer" {
  source = "./modules/developer"
  name   = "mod-developer"
  passable_role_arns = [module.pipeline_role.arn]
}
