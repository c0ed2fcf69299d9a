# A data platform: an ETL pipeline, a build project and a container task, each running as a
# role the configuration defines.
variable "env" { type = string }

provider "aws" {
  region = "eu-central-1"
}

locals {
  services = {
    build    = "codebuild.amazonaws.com"
    pipeline = "datapipeline.amazonaws.com"
    task     = "ecs-tasks.amazonaws.com"
    ec2      = "ec2.amazonaws.com"
  }
}

data "aws_iam_policy_document" "trust" {
  for_each = local.services
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = [each.value]
    }
  }
}

resource "aws_iam_role" "svc" {
  for_each           = local.services
  name               = "${var.env}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.trust[each.key].json
}

resource "aws_iam_instance_profile" "ec2" {
  name = aws_iam_role.svc["ec2"].name
  role = aws_iam_role.svc["ec2"].name
}

resource "aws_iam_role_policy" "build" {
  name = "build"
  role = aws_iam_role.svc["build"].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["ecr:PutImage", "ecr:InitiateLayerUpload"], Resource = "*" },
      { Effect = "Allow", Action = "iam:PassRole", Resource = aws_iam_role.svc["task"].arn,
        Condition = { StringEquals = { "iam:PassedToService" = "ecs-tasks.amazonaws.com" } } },
    ]
  })
}

resource "aws_codebuild_project" "image" {
  name         = "${var.env}-image"
  service_role = aws_iam_role.svc["build"].arn
}

resource "aws_ecs_task_definition" "etl" {
  family        = "${var.env}-etl"
  task_role_arn = aws_iam_role.svc["task"].arn
}

resource "aws_datapipeline_pipeline" "etl" {
  name = "${var.env}-etl"
}

resource "aws_datapipeline_definition" "etl" {
  pipeline_id = aws_datapipeline_pipeline.etl.id
  pipeline_object {
    id   = "Default"
    name = "Default"
    field {
      key          = "role"
      string_value = aws_iam_role.svc["pipeline"].name
    }
    field {
      key          = "resourceRole"
      string_value = aws_iam_instance_profile.ec2.name
    }
  }
}
