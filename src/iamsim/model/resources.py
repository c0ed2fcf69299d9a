"""Resources of the world model: anything with an ARN that may carry tags or a policy.

S3 buckets and objects, KMS keys, SQS queues, SNS topics, Lambda functions, Secrets Manager
secrets, ECR repositories, and any other ARN given a resource policy. IAM roles are principals
(their trust policy lives on :class:`~iamsim.model.principals.Role`), not resources here.
"""

from __future__ import annotations

from dataclasses import dataclass

from iamsim.model.tags import EMPTY_TAGS, Tags
from iamsim.policy.model import Policy
from iamsim.vocabulary.arn import parse_entity_arn


@dataclass(frozen=True, slots=True)
class Resource:
    """A resource. ``account`` is the owner (needed for S3, whose ARNs carry none)."""

    arn: str
    account: str | None = None
    tags: Tags = EMPTY_TAGS
    policy: Policy | None = None
    kind: str = ""

    def __post_init__(self) -> None:
        if not self.kind:
            object.__setattr__(self, "kind", resource_kind(self.arn))
        if self.account is None:
            parsed = parse_entity_arn(self.arn)
            if parsed is not None and parsed.account:
                object.__setattr__(self, "account", parsed.account)


# Friendly kinds for the resource types people attach policies to; others become
# ``<service>-<type>`` (or ``<service>`` for types without a prefix).
_KINDS: dict[tuple[str, str], str] = {
    ("kms", "key"): "kms-key",
    ("kms", "alias"): "kms-alias",
    ("lambda", "function"): "lambda-function",
    ("lambda", "layer"): "lambda-layer",
    ("secretsmanager", "secret"): "secretsmanager-secret",
    ("ecr", "repository"): "ecr-repository",
    ("iam", "role"): "iam-role",
    ("iam", "user"): "iam-user",
    ("iam", "group"): "iam-group",
    ("iam", "policy"): "iam-policy",
    ("logs", "log-group"): "logs-log-group",
    ("glacier", "vaults"): "glacier-vault",
    ("events", "event-bus"): "events-event-bus",
    ("es", "domain"): "es-domain",
    ("backup", "backup-vault"): "backup-vault",
}


def resource_kind(arn: str) -> str:
    """A short kind name for an ARN: ``s3-bucket``, ``s3-object``, ``kms-key``, ``sqs-queue``..."""
    parsed = parse_entity_arn(arn)
    if parsed is None:
        return "unknown"
    service, rtype = parsed.service, parsed.resource_type
    if service == "s3":
        if parsed.account or parsed.region:
            return f"s3-{rtype}" if rtype else "s3"
        return "s3-object" if "/" in parsed.resource else "s3-bucket"
    if service == "sqs":
        return "sqs-queue"
    if service == "sns":
        return "sns-topic"
    known = _KINDS.get((service, rtype))
    if known:
        return known
    return f"{service}-{rtype}" if rtype else service


def s3_bucket_arn(arn: str) -> str | None:
    """The bucket ARN of an S3 bucket or object ARN (``arn:aws:s3:::b/k`` -> ``arn:aws:s3:::b``)."""
    parsed = parse_entity_arn(arn)
    if parsed is None or parsed.service != "s3" or parsed.account or parsed.region:
        return None
    bucket = parsed.resource.split("/", 1)[0]
    return f"arn:{parsed.partition}:s3:::{bucket}" if bucket else None


def governing_arns(arn: str) -> tuple[str, ...]:
    """The ARNs whose resource-based policy also governs ``arn``, nearest first.

    * S3: a bucket policy covers the bucket's objects
      (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html).
    * OpenSearch: a domain's access policy covers its subresources, ``domain/NAME/*``
      (https://docs.aws.amazon.com/opensearch-service/latest/developerguide/ac.html).
    * DynamoDB: a table's policy covers its indexes, ``table/NAME/index/*``
      (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/access-control-resource-based.html).
    * Glue: the Data Catalog's policy covers the catalog's databases, tables and functions
      (https://docs.aws.amazon.com/glue/latest/dg/glue-resource-policies.html).
    """
    bucket = s3_bucket_arn(arn)
    if bucket is not None:
        return (bucket,) if bucket != arn else ()
    parsed = parse_entity_arn(arn)
    if parsed is None:
        return ()
    prefix = f"arn:{parsed.partition}:{parsed.service}:{parsed.region}:{parsed.account}:"
    parts = parsed.resource.split("/")
    if parsed.service == "es" and parts[0] == "domain" and len(parts) > 2:
        return (prefix + "/".join(parts[:2]),)
    if parsed.service == "dynamodb" and parts[0] == "table" and parts[2:3] == ["index"]:
        return (prefix + "/".join(parts[:2]),)
    if parsed.service == "glue" and parts[0] in ("database", "table", "userDefinedFunction"):
        return (prefix + "catalog",)
    return ()
