"""A synthetic Terraform project for the loader benchmark: 100 ``.tf`` files (by default) in the
shapes real IAM projects use, generated deterministically from a seed.

The root module holds a provider with default tags and an aliased provider, ``variables.tf``
and ``terraform.tfvars``, ``locals`` tables (teams, environments, services), and per-team files
with roles made with ``for_each`` over those tables, ``aws_iam_policy_document`` data sources
with several statements, conditions and ``dynamic`` blocks, managed policies, attachments,
inline policies, users and groups, S3 buckets and their policies, SQS queues, KMS keys and
Lambda functions. A local module (``modules/service_role``) is called with ``for_each`` from
several files, and itself calls a nested module for its boundary.

Use as a library (``write(directory, files=100, seed=7)``) or from the shell::

    python bench/gen_terraform.py OUT_DIR [--files 100] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

TEAMS = ["payments", "search", "identity", "data", "ml", "web", "mobile", "ops", "sec", "infra"]
ENVS = ["dev", "staging", "prod"]
SERVICES = ["s3", "sqs", "dynamodb", "kms", "lambda", "sns", "logs", "ecr"]

PROVIDERS = """\
terraform {
  required_version = ">= 1.5"
}

provider "aws" {
  region              = var.region
  allowed_account_ids = [var.account_id]
  default_tags {
    tags = {
      project = "bench"
      owner   = "platform"
    }
  }
}

provider "aws" {
  alias               = "replica"
  region              = "eu-west-1"
  allowed_account_ids = [var.account_id]
}
"""

VARIABLES = """\
variable "account_id" {
  type = string
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "org_id" {
  type = string
}

variable "enable_breakglass" {
  type    = bool
  default = false
}

variable "extra_readers" {
  type    = list(string)
  default = []
}
"""

TFVARS = """\
account_id    = "111122223333"
org_id        = "o-abc123def4"
extra_readers = ["arn:aws:iam::444455556666:root"]
"""

LOCALS = """\
locals {{
  teams    = {teams}
  envs     = {envs}
  services = {services}
  team_envs = {{
    for pair in setproduct(local.teams, local.envs) : "${{pair[0]}}-${{pair[1]}}" => {{
      team = pair[0]
      env  = pair[1]
    }}
  }}
  common_tags = merge({{ managed_by = "terraform" }}, {{ cost_center = "1234" }})
  boundary_arn = "arn:aws:iam::${{var.account_id}}:policy/boundaries/workload"
}}
"""

MODULE_MAIN = """\
variable "name" {
  type = string
}

variable "services" {
  type = list(string)
}

variable "trusted_service" {
  type    = string
  default = "lambda.amazonaws.com"
}

variable "tags" {
  type    = map(string)
  default = {}
}

module "boundary" {
  source = "./boundary"
  name   = var.name
}

data "aws_iam_policy_document" "trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = [var.trusted_service]
    }
  }
}

data "aws_iam_policy_document" "access" {
  dynamic "statement" {
    for_each = toset(var.services)
    content {
      sid       = "Use${replace(statement.value, "-", "")}"
      effect    = "Allow"
      actions   = ["${statement.value}:Get*", "${statement.value}:List*", "${statement.value}:Describe*"]
      resources = ["arn:aws:${statement.value}:*:*:${var.name}-*"]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = "svc-${var.name}"
  path                 = "/services/"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  permissions_boundary = module.boundary.arn
  tags                 = var.tags
}

resource "aws_iam_role_policy" "access" {
  name   = "access"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.access.json
}

output "role_arn" {
  value = aws_iam_role.this.arn
}
"""

BOUNDARY_MAIN = """\
variable "name" {
  type = string
}

resource "aws_iam_policy" "boundary" {
  name = "boundary-${var.name}"
  path = "/boundaries/"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:*", "sqs:*", "dynamodb:*", "kms:Decrypt", "logs:*"]
        Resource = "*"
      },
      {
        Effect   = "Deny"
        Action   = ["iam:*", "organizations:*"]
        Resource = "*"
      }
    ]
  })
}

output "arn" {
  value = aws_iam_policy.boundary.arn
}
"""


def _team_file(team: str, index: int, rng: random.Random) -> str:
    """One team's file: roles per environment (for_each), a policy document with conditions,
    a managed policy and its attachments, users, a group, a bucket with its policy, a queue,
    a key and a function; every few files, a module call."""
    suffix = f"{team}_{index}"
    services = rng.sample(["s3", "sqs", "dynamodb", "sns", "logs"], 3)
    actions = ", ".join(f'"{s}:{a}"' for s in services for a in ("Get*", "List*", "Put*"))
    module_call = ""
    if index % 4 == 0:
        module_call = f"""
module "svc_{suffix}" {{
  source   = "./modules/service_role"
  for_each = toset(local.envs)
  name     = "{team}-{index}-${{each.key}}"
  services = {services!r}
  tags     = local.common_tags
}}
""".replace("'", '"')
    return f"""\
# Team {team}, slice {index}: generated by bench/gen_terraform.py

data "aws_iam_policy_document" "{suffix}_trust" {{
  statement {{
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {{
      type        = "AWS"
      identifiers = concat(["arn:aws:iam::${{var.account_id}}:root"], var.extra_readers)
    }}
    condition {{
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = [var.org_id]
    }}
  }}
}}

data "aws_iam_policy_document" "{suffix}_app" {{
  statement {{
    sid       = "AppAccess"
    effect    = "Allow"
    actions   = [{actions}]
    resources = ["arn:aws:s3:::{team}-{index}-*", "arn:aws:sqs:*:${{var.account_id}}:{team}-*"]
  }}
  statement {{
    sid       = "Keys"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.{suffix}.arn]
    condition {{
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${{var.region}}.amazonaws.com"]
    }}
  }}
  statement {{
    sid       = "NoDelete"
    effect    = "Deny"
    actions   = ["s3:DeleteBucket", "s3:PutBucketPolicy"]
    resources = ["*"]
  }}
}}

resource "aws_iam_role" "{suffix}" {{
  for_each             = {{ for k, v in local.team_envs : k => v if v.team == "{team}" }}
  name                 = "{team}-{index}-${{each.value.env}}"
  path                 = "/teams/{team}/"
  assume_role_policy   = data.aws_iam_policy_document.{suffix}_trust.json
  permissions_boundary = local.boundary_arn
  max_session_duration = each.value.env == "prod" ? 3600 : 43200
  tags                 = merge(local.common_tags, {{ team = "{team}", env = each.value.env }})
}}

resource "aws_iam_policy" "{suffix}_app" {{
  name        = "{team}-{index}-app"
  path        = "/teams/{team}/"
  description = "Application access for {team} slice {index}"
  policy      = data.aws_iam_policy_document.{suffix}_app.json
}}

resource "aws_iam_role_policy_attachment" "{suffix}_app" {{
  for_each   = aws_iam_role.{suffix}
  role       = each.value.name
  policy_arn = aws_iam_policy.{suffix}_app.arn
}}

resource "aws_iam_role_policy" "{suffix}_logs" {{
  for_each = aws_iam_role.{suffix}
  name     = "logs"
  role     = each.value.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "arn:aws:logs:${{var.region}}:${{var.account_id}}:log-group:/{team}/${{each.key}}:*"
    }}]
  }})
}}

resource "aws_iam_group" "{suffix}" {{
  name = "{team}-{index}"
  path = "/teams/"
}}

resource "aws_iam_user" "{suffix}" {{
  count = {1 + index % 3}
  name  = "{team}-{index}-user-${{count.index}}"
  path  = "/people/"
  tags  = local.common_tags
}}

resource "aws_iam_user_group_membership" "{suffix}" {{
  count  = length(aws_iam_user.{suffix})
  user   = aws_iam_user.{suffix}[count.index].name
  groups = [aws_iam_group.{suffix}.name]
}}

resource "aws_iam_group_policy" "{suffix}" {{
  name  = "assume-team-roles"
  group = aws_iam_group.{suffix}.name
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Resource  = [for r in aws_iam_role.{suffix} : r.arn]
      Condition = {{ Bool = {{ "aws:MultiFactorAuthPresent" = "true" }} }}
    }}]
  }})
}}

resource "aws_s3_bucket" "{suffix}" {{
  bucket = "{team}-{index}-data-${{var.account_id}}"
}}

resource "aws_s3_bucket_policy" "{suffix}" {{
  bucket = aws_s3_bucket.{suffix}.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{
        Sid       = "TeamRoles"
        Effect    = "Allow"
        Principal = {{ AWS = [for r in aws_iam_role.{suffix} : r.arn] }}
        Action    = ["s3:GetObject", "s3:PutObject"]
        Resource  = "${{aws_s3_bucket.{suffix}.arn}}/*"
      }},
      {{
        Sid       = "TLSOnly"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.{suffix}.arn, "${{aws_s3_bucket.{suffix}.arn}}/*"]
        Condition = {{ Bool = {{ "aws:SecureTransport" = "false" }} }}
      }}
    ]
  }})
}}

resource "aws_sqs_queue" "{suffix}" {{
  name = "{team}-{index}-jobs"
}}

resource "aws_kms_key" "{suffix}" {{
  description = "{team} slice {index}"
}}

resource "aws_lambda_function" "{suffix}" {{
  function_name = "{team}-{index}-worker"
  role          = aws_iam_role.{suffix}["{team}-prod"].arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "worker.zip"
}}
{module_call}"""


def generate(files: int = 100, seed: int = 7) -> dict[str, str]:
    """Relative path -> text of every file of the project (``files`` root ``.tf`` files)."""
    rng = random.Random(seed)
    hcl_list = lambda items: "[" + ", ".join(f'"{i}"' for i in items) + "]"  # noqa: E731
    out = {
        "providers.tf": PROVIDERS,
        "variables.tf": VARIABLES,
        "locals.tf": LOCALS.format(
            teams=hcl_list(TEAMS), envs=hcl_list(ENVS), services=hcl_list(SERVICES)
        ),
        "terraform.tfvars": TFVARS,
        "modules/service_role/main.tf": MODULE_MAIN,
        "modules/service_role/boundary/main.tf": BOUNDARY_MAIN,
    }
    fixed = sum(1 for name in out if name.endswith(".tf") and "/" not in name)
    for index in range(max(files - fixed, 0)):
        team = TEAMS[index % len(TEAMS)]
        out[f"team_{team}_{index:03d}.tf"] = _team_file(team, index, rng)
    return out


def write(directory: Path, files: int = 100, seed: int = 7) -> Path:
    """Write the project into ``directory`` (created); returns it."""
    for name, text in generate(files, seed).items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return directory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write(args.out, args.files, args.seed)
    print(f"wrote {args.files} .tf files (and a module) to {args.out}")


if __name__ == "__main__":
    main()
