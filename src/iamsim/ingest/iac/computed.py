"""The attributes the AWS provider computes (``arn``, ``id``, ``unique_id``, ...).

This module owns :func:`computed_attributes`: derived from configured ones, so references such as
``aws_iam_role.app.arn`` evaluate to ``arn:aws:iam::<account>:role/<path><name>``; values AWS
chooses at apply time are placeholders (see :mod:`iamsim.ingest.iac.placeholders`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from iamsim.catalog.managed_policies import managed_policy
from iamsim.ingest.iac.placeholders import (
    Env,
    dns_suffix,
    placeholder_account_id,
    placeholder_alnum,
    placeholder_name,
    placeholder_uuid,
)
from iamsim.ingest.iac.unknown import Unknown
from iamsim.policy.jsondoc import json_type as type_name

# -- computed attributes ------------------------------------------------------------------------

Values = Mapping[str, Any]


def value_of(values: Values, key: str) -> Any:
    try:
        return values[key]
    except KeyError:
        return None


def _generated_name(values: Values, address: str, key: str = "name") -> Any:
    name = value_of(values, key)
    if name is not None:
        return name
    prefix = value_of(values, f"{key}_prefix" if key != "bucket" else "bucket_prefix")
    if isinstance(prefix, Unknown):
        return prefix
    return placeholder_name(address, prefix if isinstance(prefix, str) else None)


def _join(*parts: Any) -> Any:
    """Concatenate string parts; an Unknown (or missing) part makes the whole Unknown."""
    for part in parts:
        if isinstance(part, Unknown):
            return part
        if part is None:
            return Unknown("a value it is built from is not set")
        if not isinstance(part, str | int):
            return Unknown(f"expected a string, found {type_name(part)}")
    return "".join(str(p) for p in parts)


def _path(values: Values) -> Any:
    path = value_of(values, "path")
    return "/" if path is None else path


def _iam_arn(env: Env, kind: str, values: Values, name: Any) -> Any:
    return _join(f"arn:{env.partition}:iam::{env.account}:{kind}", _path(values), name)


def _unique_id(prefix: str, address: str) -> str:
    return prefix + placeholder_alnum(address, 17)


def _regional_arn(env: Env, service: str, resource: Any) -> Any:
    return _join(f"arn:{env.partition}:{service}:{env.region}:{env.account}:", resource)


def _computed_managed(rtype: str, address: str, v: Values, env: Env) -> dict[str, Any]:
    p, a, r = env.partition, env.account, env.region
    if rtype == "aws_iam_user":
        name = value_of(v, "name")
        return {
            "id": name,
            "arn": _iam_arn(env, "user", v, name),
            "unique_id": _unique_id("AIDA", address),
            "path": _path(v),
        }
    if rtype == "aws_iam_group":
        name = value_of(v, "name")
        return {
            "id": name,
            "arn": _iam_arn(env, "group", v, name),
            "unique_id": _unique_id("AGPA", address),
            "path": _path(v),
        }
    if rtype == "aws_iam_role":
        name = _generated_name(v, address)
        return {
            "id": name,
            "name": name,
            "arn": _iam_arn(env, "role", v, name),
            "unique_id": _unique_id("AROA", address),
            "path": _path(v),
        }
    if rtype == "aws_iam_policy":
        name = _generated_name(v, address)
        arn = _iam_arn(env, "policy", v, name)
        return {
            "id": arn,
            "arn": arn,
            "name": name,
            "path": _path(v),
            "policy_id": _unique_id("ANPA", address),
        }
    if rtype == "aws_iam_instance_profile":
        name = _generated_name(v, address)
        return {
            "id": name,
            "name": name,
            "arn": _iam_arn(env, "instance-profile", v, name),
            "unique_id": _unique_id("AIPA", address),
            "path": _path(v),
        }
    if rtype in ("aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"):
        owner = value_of(v, rtype.split("_")[2])
        name = _generated_name(v, address)
        return {"name": name, "id": _join(owner, ":", name)}
    if rtype == "aws_iam_openid_connect_provider":
        url = value_of(v, "url")
        if isinstance(url, str):
            url = url.removeprefix("https://")
        arn = _join(f"arn:{p}:iam::{a}:oidc-provider/", url)
        return {"id": arn, "arn": arn}
    if rtype == "aws_iam_saml_provider":
        arn = _join(f"arn:{p}:iam::{a}:saml-provider/", value_of(v, "name"))
        return {"id": arn, "arn": arn}
    if rtype == "aws_iam_service_linked_role":
        service = value_of(v, "aws_service_name")
        return {
            "arn": Unknown(f"the name of the service-linked role for {service} is chosen by AWS")
        }
    if rtype == "aws_s3_bucket":
        bucket = _generated_name(v, address, "bucket")
        return {
            "bucket": bucket,
            "id": bucket,
            "arn": _join(f"arn:{p}:s3:::", bucket),
            "region": r,
            "bucket_domain_name": _join(bucket, ".s3.", dns_suffix(p)),
            "bucket_regional_domain_name": _join(bucket, f".s3.{r}.", dns_suffix(p)),
        }
    if rtype in ("aws_kms_key", "aws_kms_replica_key", "aws_kms_external_key"):
        # An imported key has its real ID; a new one gets a stable placeholder.
        key_id = value_of(v, "id") or placeholder_uuid(address)
        return {"key_id": key_id, "id": key_id, "arn": _regional_arn(env, "kms", "key/" + key_id)}
    if rtype == "aws_kms_alias":
        name = _generated_name(v, address)
        return {"id": name, "name": name, "arn": _regional_arn(env, "kms", name)}
    if rtype == "aws_sqs_queue":
        name = _generated_name(v, address)
        if (
            isinstance(name, str)
            and value_of(v, "fifo_queue") is True
            and not name.endswith(".fifo")
        ):
            name += ".fifo"
        url = _join(f"https://sqs.{r}.{dns_suffix(p)}/{a}/", name)
        return {"name": name, "arn": _regional_arn(env, "sqs", name), "id": url, "url": url}
    if rtype == "aws_sns_topic":
        name = _generated_name(v, address)
        arn = _regional_arn(env, "sns", name)
        return {"name": name, "arn": arn, "id": arn, "owner": a}
    if rtype == "aws_lambda_function":
        name = value_of(v, "function_name")
        arn = _regional_arn(env, "lambda", _join("function:", name))
        return {
            "id": name,
            "arn": arn,
            "invoke_arn": _join(
                f"arn:{p}:apigateway:{r}:lambda:path/2015-03-31/functions/", arn, "/invocations"
            ),
        }
    if rtype == "aws_secretsmanager_secret":
        name = _generated_name(v, address)
        # Secrets Manager appends a dash and six random characters to the name in the ARN.
        arn = _regional_arn(
            env,
            "secretsmanager",
            _join("secret:", name, "-", placeholder_alnum(address, 6, upper=False)),
        )
        return {"name": name, "arn": arn, "id": arn}
    if rtype == "aws_ecr_repository":
        name = value_of(v, "name")
        return {
            "id": name,
            "arn": _regional_arn(env, "ecr", _join("repository/", name)),
            "registry_id": a,
            "repository_url": _join(f"{a}.dkr.ecr.{r}.{dns_suffix(p)}/", name),
        }
    if rtype == "aws_dynamodb_table":
        name = value_of(v, "name")
        return {"id": name, "arn": _regional_arn(env, "dynamodb", _join("table/", name))}
    if rtype == "aws_backup_vault":
        name = value_of(v, "name")
        return {"id": name, "arn": _regional_arn(env, "backup", _join("backup-vault:", name))}
    if rtype in ("aws_opensearch_domain", "aws_elasticsearch_domain"):
        name = value_of(v, "domain_name")
        arn = _regional_arn(env, "es", _join("domain/", name))
        return {"id": arn, "arn": arn, "domain_id": _join(f"{a}/", name)}
    if rtype == "aws_codeartifact_domain":
        arn = _regional_arn(env, "codeartifact", _join("domain/", value_of(v, "domain")))
        return {"id": arn, "arn": arn, "owner": a}
    if rtype == "aws_kinesis_stream":
        arn = _regional_arn(env, "kinesis", _join("stream/", value_of(v, "name")))
        return {"id": arn, "arn": arn}
    if rtype == "aws_cloudwatch_log_group":
        name = _generated_name(v, address)
        return {
            "id": name,
            "name": name,
            "arn": _regional_arn(env, "logs", _join("log-group:", name)),
        }
    if rtype == "aws_s3tables_table_bucket":
        return {
            "arn": _regional_arn(env, "s3tables", _join("bucket/", value_of(v, "name"))),
            "owner_account_id": a,
        }
    if rtype == "aws_organizations_organization":
        org_id = value_of(v, "id") or "o-" + placeholder_alnum(address, 10, upper=False)
        root_id = "r-" + placeholder_alnum("root:" + address, 4, upper=False)
        return {
            "id": org_id,
            "arn": f"arn:{p}:organizations::{a}:organization/{org_id}",
            "master_account_id": a,
            "master_account_arn": f"arn:{p}:organizations::{a}:account/{org_id}/{a}",
            "roots": [
                {
                    "id": root_id,
                    "name": "Root",
                    "arn": f"arn:{p}:organizations::{a}:root/{org_id}/{root_id}",
                }
            ],
        }
    if rtype == "aws_organizations_organizational_unit":
        ou_id = value_of(v, "id") or (
            "ou-"
            + placeholder_alnum("ou:" + address, 4, upper=False)
            + "-"
            + placeholder_alnum("ou2:" + address, 8, upper=False)
        )
        return {
            "id": ou_id,
            "arn": Unknown("the ARN of an organizational unit is known after apply"),
        }
    if rtype == "aws_organizations_account":
        return {
            "id": value_of(v, "id") or placeholder_account_id(address),
            "arn": Unknown("the ARN of a member account is known after apply"),
        }
    if rtype == "aws_organizations_policy":
        return {
            "id": value_of(v, "id")
            or "p-" + placeholder_alnum("policy:" + address, 8, upper=False),
            "arn": Unknown("the ARN of an organizations policy is known after apply"),
        }
    return {}


def _computed_data(rtype: str, address: str, v: Values, env: Env) -> dict[str, Any]:
    p = env.partition
    if rtype == "aws_caller_identity":
        return {
            "account_id": env.account,
            "id": env.account,
            "arn": Unknown("the identity running Terraform is not known offline"),
            "user_id": Unknown("the identity running Terraform is not known offline"),
        }
    if rtype == "aws_partition":
        return {
            "partition": p,
            "id": p,
            "dns_suffix": dns_suffix(p),
            "reverse_dns_prefix": ".".join(reversed(dns_suffix(p).split("."))),
        }
    if rtype == "aws_region":
        region = value_of(v, "name") or value_of(v, "region") or env.region
        return {
            "name": region,
            "region": region,
            "id": region,
            "endpoint": _join("ec2.", region, ".", dns_suffix(p)),
        }
    if rtype == "aws_iam_policy":
        return _data_iam_policy(address, v, env)
    if rtype == "aws_s3_bucket":
        bucket = value_of(v, "bucket")
        return {"id": bucket, "arn": _join(f"arn:{p}:s3:::", bucket)}
    if rtype in ("aws_iam_role", "aws_iam_user", "aws_iam_group"):
        kind = rtype.removeprefix("aws_iam_")
        return {
            "id": value_of(v, "name"),
            "arn": Unknown(
                f"{address} reads an existing {kind} from AWS; its path is not known offline"
            ),
        }
    return {}


def _data_iam_policy(address: str, v: Values, env: Env) -> dict[str, Any]:
    """``data "aws_iam_policy"``: an AWS managed policy (by ARN or by name) is read from the
    bundled snapshot, its document included; a customer managed one is known by ARN only."""
    arn, name = value_of(v, "arn"), value_of(v, "name")
    for given in (arn, name):
        if isinstance(given, Unknown):
            return {"arn": given, "policy": given}
    found = None
    if isinstance(arn, str):
        found = managed_policy(arn) if ":iam::aws:policy/" in arn else None
    elif isinstance(name, str):
        found = managed_policy(name)
        prefix = value_of(v, "path_prefix")
        if found is not None and isinstance(prefix, str) and not found.path.startswith(prefix):
            found = None
    if found is not None:
        arn_text = f"arn:{env.partition}:iam::aws:policy{found.path}{found.name}"
        return {
            "arn": arn_text,
            "id": arn_text,
            "name": found.name,
            "path": found.path,
            "policy": json.dumps(found.document),
            "default_version_id": found.version_id,
        }
    if isinstance(arn, str):
        return {"arn": arn, "id": arn, "name": arn.rsplit("/", 1)[-1]}
    missing = Unknown(
        f"{address} looks a customer managed policy up by name in AWS (it is not an AWS "
        "managed policy); give its arn instead"
    )
    return {"arn": missing, "policy": missing}


def computed_attributes(
    rtype: str, address: str, values: Values, env: Env, *, data: bool
) -> dict[str, Any]:
    """The attributes the AWS provider computes for a resource (or data source) of ``rtype``.

    ``values`` are its configured (or planned) values, read lazily; missing ones read as None.
    Attributes that depend on something unknown come back as :class:`Unknown`.
    """
    if data:
        return _computed_data(rtype, address, values, env)
    return _computed_managed(rtype, address, values, env)
