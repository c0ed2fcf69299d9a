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

resource "aws_ecs_cluster" "jobs" {
  name = "jobs"
}

resource "aws_iam_role" "task" {
  name = "jobs-task"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ecs-tasks.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "task" {
  role       = aws_iam_role.task.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_ecs_task_definition" "migrate" {
  family                   = "db-migrate"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  task_role_arn            = aws_iam_role.task.arn
  container_definitions = jsonencode([{
    name      = "migrate"
    image     = "public.ecr.aws/docker/library/python:3.12"
    essential = true
  }])
}

resource "aws_iam_user" "oncall" {
  name = "oncall"
}

resource "aws_iam_user_policy" "oncall" {
  name = "run-migrations"
  user = aws_iam_user.oncall.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = ["ecs:RunTask", "ecs:DescribeTasks"]
      Resource  = "*"
      Condition = { ArnEquals = { "ecs:cluster" = aws_ecs_cluster.jobs.arn } }
    }]
  })
}
