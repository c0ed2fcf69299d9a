"""What the Terraform plan and HCL loaders share: the mapping from AWS provider resources to
the world model, written once.

This module owns:

* :class:`Unknown` (a value that cannot be computed offline, with the reason) and the stable
  *placeholders* that stand in for values AWS only chooses at apply time (account ID, generated
  names, unique IDs, KMS key IDs, organization IDs). Placeholders are deterministic functions of
  the resource address, so two loads of the same code give the same model.
* :func:`computed_attributes`: the attributes the AWS provider computes (``arn``, ``id``,
  ``unique_id``, ...) derived from configured ones, so references such as
  ``aws_iam_role.app.arn`` evaluate to ``arn:aws:iam::<account>:role/<path><name>``.
* :func:`render_policy_document`: the ``aws_iam_policy_document`` data source, as the provider
  renders it (statement blocks, ``&{...}`` policy variables, source/override documents merged by
  Sid).
* :class:`WorldBuilder`: accumulates principals, policies, attachments, resources and an
  organization from any infrastructure-as-code input and turns them into a
  :class:`~iamsim.model.World`, reporting what it cannot place. The CloudFormation loader uses
  it too, because the IAM model it fills is the same.
* :func:`build_world`: the per-resource-type mapping (``aws_iam_role``, attachments, bucket and
  key policies, organizations, ...) from evaluated Terraform resources to the builder.

Unresolvable values are never guessed: they become :class:`Unknown`, and whatever depends on
them is left out of the model with an :class:`IngestWarning` naming the file and the address.
When what is left out is policy (an inline or managed policy, a boundary, an attachment, a
trust or resource policy) of a principal or resource that is known, that principal or resource
is also marked unresolved (``World.unresolved``), so requests that need it are refused rather
than answered from the rest.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from iamsim.errors import InputError
from iamsim.ingest.documents import load_json
from iamsim.model import (
    Account,
    ManagedPolicy,
    NodeKind,
    Organization,
    OrgNode,
    PolicyVersion,
    Resource,
    Role,
    Tags,
    User,
    World,
)
from iamsim.model import Group as GroupModel
from iamsim.model.names import name_problem, path_problem
from iamsim.policy.builtin import (
    full_aws_access_scp,
    rcp_full_aws_access,
)
from iamsim.policy.jsondoc import json_type as type_name
from iamsim.policy.model import Policy, PolicyType
from iamsim.vocabulary.arn import is_account_id, parse_entity_arn

# -- placeholders -------------------------------------------------------------------------------

#: The account ID used when the inputs do not say which account they deploy to. Pass
#: ``account=`` to a loader to use the real one.
PLACEHOLDER_ACCOUNT = "000000000000"
#: The region used when neither the inputs (provider ``region``) nor ``region=`` give one. It is
#: deliberately not a real region, so it cannot be mistaken for one in an ARN.
PLACEHOLDER_REGION = "placeholder-region-1"
DEFAULT_PARTITION = "aws"

_UUID_NAMESPACE = uuid.UUID("5f1d7c9e-3b8a-4f0e-9c57-6a1b2d3e4f50")


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("\0".join(parts).encode()).digest()


def placeholder_digits(seed: str, length: int) -> str:
    """``length`` decimal digits derived from ``seed`` (stable across runs)."""
    number = int.from_bytes(_digest("digits", seed), "big")
    return str(number).zfill(length)[-length:]


def placeholder_alnum(seed: str, length: int, *, upper: bool = True) -> str:
    """``length`` characters of ``[A-Z2-7]`` (or lower case) derived from ``seed``."""
    text = base64.b32encode(_digest("alnum", seed)).decode().rstrip("=")
    text = text[:length]
    return text if upper else text.lower()


def placeholder_hex(seed: str, length: int) -> str:
    return _digest("hex", seed).hex()[:length]


def placeholder_uuid(seed: str) -> str:
    """A UUID derived from ``seed``: stands in for a KMS key ID and similar generated IDs."""
    return str(uuid.uuid5(_UUID_NAMESPACE, seed))


def placeholder_name(seed: str, prefix: str | None) -> str:
    """The stand-in for a name Terraform generates at apply time.

    Terraform names an unnamed resource ``terraform-`` (or its ``name_prefix``) followed by a
    26-digit timestamp-and-counter; here those digits come from the resource address instead.
    """
    return f"{prefix if prefix is not None else 'terraform-'}{placeholder_digits(seed, 26)}"


def placeholder_account_id(seed: str) -> str:
    """A 12-digit account ID for an account created by the inputs (``aws_organizations_account``)."""
    return placeholder_digits("account:" + seed, 12)


def partition_of_region(region: str | None) -> str:
    """The partition a region belongs to (``cn-*`` -> ``aws-cn``, ``us-gov-*`` -> ``aws-us-gov``)."""
    if region is None:
        return DEFAULT_PARTITION
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-iso-"):
        return "aws-iso"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    return DEFAULT_PARTITION


def dns_suffix(partition: str) -> str:
    return "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"


# -- unknown values and warnings -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value the loader cannot compute offline. ``reason`` is shown to the user.

    ``error`` marks the result of an expression that fails (a ``regex`` without a match, a
    missing attribute or key, a conversion Terraform rejects), as opposed to a value that is
    only known when Terraform runs (a variable without a value, an attribute known after
    apply): ``can()`` is false and ``try()`` moves on for an error, not for an unknown.
    """

    reason: str
    error: bool = False

    def __str__(self) -> str:
        return f"(unknown: {self.reason})"


def find_unknown(value: Any) -> Unknown | None:
    """The first Unknown inside ``value`` (lists and mappings included), or None."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, Mapping):
        for item in value.values():
            found = find_unknown(item)
            if found is not None:
                return found
    elif isinstance(value, list | tuple):
        for item in value:
            found = find_unknown(item)
            if found is not None:
                return found
    return None


@dataclass(frozen=True, slots=True)
class IngestWarning:
    """Something the loader could not model, located by file and resource address."""

    source: str
    address: str
    message: str

    def __str__(self) -> str:
        where = ": ".join(part for part in (self.source, self.address) if part)
        return f"{where}: {self.message}" if where else self.message


class Warnings:
    """An ordered, de-duplicated collection of :class:`IngestWarning`."""

    def __init__(self) -> None:
        self.items: list[IngestWarning] = []
        self._seen: set[IngestWarning] = set()

    def add(self, source: str, address: str, message: str) -> None:
        item = IngestWarning(source, address, message)
        if item not in self._seen:
            self._seen.add(item)
            self.items.append(item)

    def __iter__(self) -> Any:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


# -- where a resource is deployed -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Env:
    """The account, partition, region and default tags of one provider configuration."""

    account: str = PLACEHOLDER_ACCOUNT
    partition: str = DEFAULT_PARTITION
    region: str = PLACEHOLDER_REGION
    default_tags: Mapping[str, Any] = field(default_factory=dict)
    account_is_placeholder: bool = True
    region_is_placeholder: bool = True


# -- computed attributes ------------------------------------------------------------------------

Values = Mapping[str, Any]


def _get(values: Values, key: str) -> Any:
    try:
        return values[key]
    except KeyError:
        return None


def _generated_name(values: Values, address: str, key: str = "name") -> Any:
    name = _get(values, key)
    if name is not None:
        return name
    prefix = _get(values, f"{key}_prefix" if key != "bucket" else "bucket_prefix")
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
    path = _get(values, "path")
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
        name = _get(v, "name")
        return {
            "id": name,
            "arn": _iam_arn(env, "user", v, name),
            "unique_id": _unique_id("AIDA", address),
            "path": _path(v),
        }
    if rtype == "aws_iam_group":
        name = _get(v, "name")
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
        owner = _get(v, rtype.split("_")[2])
        name = _generated_name(v, address)
        return {"name": name, "id": _join(owner, ":", name)}
    if rtype == "aws_iam_openid_connect_provider":
        url = _get(v, "url")
        if isinstance(url, str):
            url = url.removeprefix("https://")
        arn = _join(f"arn:{p}:iam::{a}:oidc-provider/", url)
        return {"id": arn, "arn": arn}
    if rtype == "aws_iam_saml_provider":
        arn = _join(f"arn:{p}:iam::{a}:saml-provider/", _get(v, "name"))
        return {"id": arn, "arn": arn}
    if rtype == "aws_iam_service_linked_role":
        service = _get(v, "aws_service_name")
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
        key_id = _get(v, "id") or placeholder_uuid(address)
        return {"key_id": key_id, "id": key_id, "arn": _regional_arn(env, "kms", "key/" + key_id)}
    if rtype == "aws_kms_alias":
        name = _generated_name(v, address)
        return {"id": name, "name": name, "arn": _regional_arn(env, "kms", name)}
    if rtype == "aws_sqs_queue":
        name = _generated_name(v, address)
        if isinstance(name, str) and _get(v, "fifo_queue") is True and not name.endswith(".fifo"):
            name += ".fifo"
        url = _join(f"https://sqs.{r}.{dns_suffix(p)}/{a}/", name)
        return {"name": name, "arn": _regional_arn(env, "sqs", name), "id": url, "url": url}
    if rtype == "aws_sns_topic":
        name = _generated_name(v, address)
        arn = _regional_arn(env, "sns", name)
        return {"name": name, "arn": arn, "id": arn, "owner": a}
    if rtype == "aws_lambda_function":
        name = _get(v, "function_name")
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
        name = _get(v, "name")
        return {
            "id": name,
            "arn": _regional_arn(env, "ecr", _join("repository/", name)),
            "registry_id": a,
            "repository_url": _join(f"{a}.dkr.ecr.{r}.{dns_suffix(p)}/", name),
        }
    if rtype == "aws_dynamodb_table":
        name = _get(v, "name")
        return {"id": name, "arn": _regional_arn(env, "dynamodb", _join("table/", name))}
    if rtype == "aws_backup_vault":
        name = _get(v, "name")
        return {"id": name, "arn": _regional_arn(env, "backup", _join("backup-vault:", name))}
    if rtype in ("aws_opensearch_domain", "aws_elasticsearch_domain"):
        name = _get(v, "domain_name")
        arn = _regional_arn(env, "es", _join("domain/", name))
        return {"id": arn, "arn": arn, "domain_id": _join(f"{a}/", name)}
    if rtype == "aws_codeartifact_domain":
        arn = _regional_arn(env, "codeartifact", _join("domain/", _get(v, "domain")))
        return {"id": arn, "arn": arn, "owner": a}
    if rtype == "aws_kinesis_stream":
        arn = _regional_arn(env, "kinesis", _join("stream/", _get(v, "name")))
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
            "arn": _regional_arn(env, "s3tables", _join("bucket/", _get(v, "name"))),
            "owner_account_id": a,
        }
    if rtype == "aws_organizations_organization":
        org_id = _get(v, "id") or "o-" + placeholder_alnum(address, 10, upper=False)
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
        ou_id = _get(v, "id") or (
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
            "id": _get(v, "id") or placeholder_account_id(address),
            "arn": Unknown("the ARN of a member account is known after apply"),
        }
    if rtype == "aws_organizations_policy":
        return {
            "id": _get(v, "id") or "p-" + placeholder_alnum("policy:" + address, 8, upper=False),
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
        region = _get(v, "name") or _get(v, "region") or env.region
        return {
            "name": region,
            "region": region,
            "id": region,
            "endpoint": _join("ec2.", region, ".", dns_suffix(p)),
        }
    if rtype == "aws_iam_policy":
        arn = _get(v, "arn")
        if isinstance(arn, str):
            return {"arn": arn, "id": arn, "name": arn.rsplit("/", 1)[-1]}
        return {"arn": Unknown(f"{address} looks a policy up by name in AWS; give its arn instead")}
    if rtype == "aws_s3_bucket":
        bucket = _get(v, "bucket")
        return {"id": bucket, "arn": _join(f"arn:{p}:s3:::", bucket)}
    if rtype in ("aws_iam_role", "aws_iam_user", "aws_iam_group"):
        kind = rtype.removeprefix("aws_iam_")
        return {
            "id": _get(v, "name"),
            "arn": Unknown(
                f"{address} reads an existing {kind} from AWS; its path is not known offline"
            ),
        }
    return {}


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


# -- aws_iam_policy_document ----------------------------------------------------------------------


def _replace_vars(value: str) -> str:
    # The provider rewrites &{...} to ${...} so that IAM policy variables survive Terraform's
    # own interpolation (policy_document_data_source.go, dataSourcePolicyDocumentVarReplacer).
    return value.replace("&{", "${")


def tf_string(value: Any) -> str | None:
    """Terraform's conversion of a primitive to a string (``true`` -> ``"true"``, ``3600`` ->
    ``"3600"``, ``0.5`` -> ``"0.5"``, never an exponent); None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        text = format(Decimal(repr(value)), "f")
        return text
    return None


def _string_list(value: Any, what: str) -> list[str]:
    # The provider's list(string)/set(string) arguments: Terraform converts bools and numbers
    # to strings before the provider sees them (values = [false, 3600] -> "false", "3600").
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        out = []
        for item in value:
            text = tf_string(item)
            if text is None:
                raise ValueError(f"{what} must be a list of strings")
            out.append(text)
        return out
    raise ValueError(f"{what} must be a list of strings")


def _scalar_or_list(items: list[str]) -> str | list[str]:
    # Like the provider: one element renders as a plain string.
    return items[0] if len(items) == 1 else items


def _set_list(items: list[str]) -> str | list[str]:
    # Actions, resources and principal identifiers are sets in the provider's schema, rendered
    # in reverse lexical order (iamPolicyDecodeConfigStringList); duplicates collapse.
    unique = sorted(set(items), reverse=True)
    return _scalar_or_list(unique)


def _principals(blocks: Any, version: str, notes: list[str]) -> Any:
    if not blocks:
        return None
    entries: dict[str, list[str]] = {}
    pairs: list[tuple[str, list[str]]] = []
    for block in blocks:
        ptype = block.get("type")
        if not isinstance(ptype, str):
            raise ValueError("principals.type must be a string")
        ids = _string_list(block.get("identifiers"), "principals.identifiers")
        if version == "2008-10-17" and any("&{" in i for i in ids):
            raise ValueError("&{...} policy variables need version 2012-10-17")
        ids = [_replace_vars(i) for i in ids]
        ids = sorted(set(ids), reverse=True)
        pairs.append((ptype, ids))
        entries.setdefault(ptype, []).extend(ids)
    # The provider renders a lone {type "*", identifiers ["*"]} as the bare "*" principal.
    if len(pairs) == 1 and pairs[0][0] == "*" and pairs[0][1] == ["*"]:
        return "*"
    return {k: _scalar_or_list(v) for k, v in entries.items()}


def _conditions(blocks: Any, version: str, notes: list[str]) -> Any:
    if not blocks:
        return None
    out: dict[str, dict[str, list[str]]] = {}
    for block in blocks:
        test, variable = block.get("test"), block.get("variable")
        if not isinstance(test, str) or not isinstance(variable, str):
            raise ValueError("condition.test and condition.variable must be strings")
        values = _string_list(block.get("values"), "condition.values")
        if version == "2008-10-17" and any("&{" in v for v in values):
            raise ValueError("&{...} policy variables need version 2012-10-17")
        values = [_replace_vars(v) for v in values]
        existing = out.setdefault(test, {}).get(variable)
        if existing is not None:
            # The provider keeps condition blocks in a set, so which of two blocks with the same
            # test and variable wins is not defined by the configuration; we keep all values.
            notes.append(
                f"two condition blocks test {test} on {variable}; their values were merged"
            )
            existing.extend(v for v in values if v not in existing)
        else:
            out[test][variable] = values
    return {t: {k: _scalar_or_list(v) for k, v in kv.items()} for t, kv in out.items()}


def _statement(block: Mapping[str, Any], version: str, notes: list[str]) -> dict[str, Any]:
    stmt: dict[str, Any] = {}
    # Provider 4.x wrote "Sid": "" for a statement without one; 5.x omits it (same meaning).
    if block.get("sid"):
        stmt["Sid"] = block["sid"]
    effect = block.get("effect")
    stmt["Effect"] = effect if effect is not None else "Allow"
    for key, element, replace in (
        ("actions", "Action", False),
        ("not_actions", "NotAction", False),
        ("resources", "Resource", True),
        ("not_resources", "NotResource", True),
    ):
        items = _string_list(block.get(key), key)
        if not items:
            continue
        if replace:
            if version == "2008-10-17" and any("&{" in i for i in items):
                raise ValueError("&{...} policy variables need version 2012-10-17")
            items = [_replace_vars(i) for i in items]
        stmt[element] = _set_list(items)
    principal = _principals(block.get("principals"), version, notes)
    if principal is not None:
        stmt["Principal"] = principal
    not_principal = _principals(block.get("not_principals"), version, notes)
    if not_principal is not None:
        stmt["NotPrincipal"] = not_principal
    condition = _conditions(block.get("condition"), version, notes)
    if condition is not None:
        stmt["Condition"] = condition
    return stmt


def _merge_statements(into: list[dict[str, Any]], new: Iterable[Mapping[str, Any]]) -> None:
    # IAMPolicyDoc.Merge: a statement with a Sid replaces the earlier one with that Sid in
    # place; statements without a Sid (or with a new one) are appended.
    for stmt in new:
        sid = stmt.get("Sid")
        if sid:
            for i, existing in enumerate(into):
                if existing.get("Sid") == sid:
                    into[i] = dict(stmt)
                    break
            else:
                into.append(dict(stmt))
        else:
            into.append(dict(stmt))


def _decode_json_document(text: Any, what: str) -> dict[str, Any]:
    if not isinstance(text, str):
        raise ValueError(f"{what} must be a JSON string")
    try:
        doc = load_json(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{what} is not valid JSON ({exc.msg}, line {exc.lineno})") from None
    except InputError as exc:
        raise ValueError(f"{what}: {exc.reason} (at {exc.path or '/'})") from None
    if not isinstance(doc, dict):
        raise ValueError(f"{what} must be a JSON object")
    stmts = doc.get("Statement", [])
    if isinstance(stmts, dict):
        stmts = [stmts]
    if not isinstance(stmts, list) or not all(isinstance(s, dict) for s in stmts):
        raise ValueError(f"{what} has a malformed Statement")
    return {**doc, "Statement": stmts}


def render_policy_document(values: Mapping[str, Any]) -> tuple[Any, list[str]]:
    """The JSON text of an ``aws_iam_policy_document`` with these (evaluated) arguments.

    Follows the provider: ``source_policy_documents`` first (their Sids must be unique), then
    the ``statement`` blocks, then each of ``override_policy_documents``, each later statement
    replacing an earlier one with the same non-empty Sid. Returns ``(json or Unknown, notes)``;
    raises ValueError for a document the provider would reject.
    """
    notes: list[str] = []
    unknown = find_unknown(values)
    if unknown is not None:
        return unknown, notes
    version = values.get("version") or "2012-10-17"
    if version not in ("2012-10-17", "2008-10-17"):
        raise ValueError(f"version must be 2012-10-17 or 2008-10-17, not {version!r}")
    merged: list[dict[str, Any]] = []
    merged_version = ""
    merged_id = ""
    sources = values.get("source_policy_documents") or []
    seen_sids: set[str] = set()
    for i, text in enumerate(sources):
        if text is None:
            continue
        doc = _decode_json_document(text, f"source_policy_documents[{i}]")
        for stmt in doc["Statement"]:
            sid = stmt.get("Sid")
            if sid:
                if sid in seen_sids:
                    raise ValueError(
                        f"duplicate Sid {sid!r} in source_policy_documents (document {i})"
                    )
                seen_sids.add(sid)
        merged_version = max(merged_version, str(doc.get("Version", "")))
        merged_id = str(doc.get("Id") or merged_id)
        _merge_statements(merged, doc["Statement"])
    own: list[dict[str, Any]] = []
    own_sids: set[str] = set()
    for block in values.get("statement") or []:
        stmt = _statement(block, version, notes)
        sid = stmt.get("Sid")
        if sid:
            if sid in own_sids:
                raise ValueError(f"duplicate Sid {sid!r} in statement blocks")
            own_sids.add(sid)
        own.append(stmt)
    merged_version = max(merged_version, version)
    if values.get("policy_id"):
        merged_id = str(values["policy_id"])
    _merge_statements(merged, own)
    for i, text in enumerate(values.get("override_policy_documents") or []):
        if text is None:
            continue
        doc = _decode_json_document(text, f"override_policy_documents[{i}]")
        merged_version = max(merged_version, str(doc.get("Version", "")))
        merged_id = str(doc.get("Id") or merged_id)
        _merge_statements(merged, doc["Statement"])
    out: dict[str, Any] = {}
    if merged_version:
        out["Version"] = merged_version
    if merged_id:
        out["Id"] = merged_id
    out["Statement"] = merged
    return json.dumps(out, indent=2), notes


# -- the world builder --------------------------------------------------------------------------


@dataclass
class _Entity:
    kind: str  # user | group | role
    account: str
    name: str
    path: str
    partition: str
    source: str
    address: str
    trust: Policy | None = None
    inline: dict[str, Policy] = field(default_factory=dict)
    managed: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    boundary: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    instance_profiles: list[str] = field(default_factory=list)
    # The unique ID (AIDA.../AROA...): the real one from a state, or the placeholder a policy of
    # the input refers to, so that aws:userid of the principal (and its sessions) matches it.
    id: str | None = None

    @property
    def arn(self) -> str:
        return f"arn:{self.partition}:iam::{self.account}:{self.kind}{self.path}{self.name}"


@dataclass
class _Res:
    arn: str
    account: str | None
    tags: dict[str, str] = field(default_factory=dict)
    policy: Policy | None = None
    policy_from: str = ""
    source: str = ""
    statements: list[tuple[dict[str, Any], str, str]] = field(default_factory=list)


@dataclass
class _OrgUnit:
    id: str
    kind: NodeKind
    name: str | None
    parent: Any  # the parent's id, or Unknown
    source: str
    address: str


@dataclass(frozen=True)
class _Op:
    """A deferred edit of a principal, applied once every principal is known."""

    op: str  # inline | attach | member | profile | unresolved
    kind: str
    account: str
    target: str
    payload: Any
    source: str
    address: str
    extra: str = ""


def parse_policy_value(
    value: Any,
    policy_type: PolicyType,
    *,
    name: str | None,
    source: str,
    where: str,
) -> Policy:
    """Parse a policy document found at ``where`` in file ``source``.

    ``where`` locates the document inside the input: ``aws_iam_role.app.assume_role_policy``
    (Terraform) or a JSON pointer (``/Resources/App/Properties/PolicyDocument``). Raises
    :class:`~iamsim.errors.InputError` located there, followed by the JSON pointer inside the
    document, when the document is not a valid policy of its type.
    """
    from iamsim.policy import parse_policy  # the policy package imports heavier modules

    document: Any = value
    if isinstance(value, str):
        if not value.strip():
            raise InputError("the policy is empty", path=where, source=source)
        try:
            document = load_json(value)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"the policy is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
                path=where,
                source=source,
            ) from None
        except InputError as exc:
            # A key given twice ("Effect": "Deny", ..., "Effect": "Allow"): IAM rejects it.
            raise InputError(exc.reason, path=f"{where}{exc.path}", source=source) from None
    if not isinstance(document, Mapping):
        raise InputError(
            f"expected a policy document, found {type_name(document)}",
            path=where,
            source=source,
        )
    try:
        return parse_policy(document, policy_type, name=name, source=f"{source} ({where})")
    except InputError as exc:
        raise InputError(exc.reason, path=f"{where}{exc.path}", source=source) from None


def checked_policy(
    builder: WorldBuilder,
    value: Any,
    policy_type: PolicyType,
    *,
    name: str | None,
    source: str,
    address: str,
    where: str,
) -> Policy | None:
    """:func:`parse_policy_value`, except that a resource policy IAM's grammar rejects is
    reported (against resource ``address``) and left out instead of failing the load.

    IAM validates identity policies, trust policies and organization policies when they are
    applied, so one that does not parse is malformed input (an InputError). Resource policies
    are validated by their own service, with rules that differ from IAM's (an ECR repository
    policy has no Resource element, for example), so there a grammar error only costs that
    policy.
    """
    try:
        return parse_policy_value(value, policy_type, name=name, source=source, where=where)
    except InputError as exc:
        if policy_type is not PolicyType.RESOURCE:
            raise
        builder.warn(source, address, f"{exc.reason} (at {exc.path}); the policy is not loaded")
        return None


def default_kms_key_policy(account: str, partition: str) -> dict[str, Any]:
    """The key policy AWS gives a KMS key created without one: the account decides through IAM.

    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
    """
    return {
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }


class WorldBuilder:
    """Collects what an infrastructure-as-code input defines and builds a World from it.

    Principals are keyed by (account, kind, lower-cased name), as IAM names are unique
    case-insensitively. Edits that name a principal (inline policies, attachments, group
    membership) are deferred, so resources may come in any order; an edit whose target is not
    defined in the input is reported rather than applied to an invented entity.
    """

    def __init__(self, warnings: Warnings, *, label: str) -> None:
        self.warnings = warnings
        self.label = label
        self.entities: dict[tuple[str, str, str], _Entity] = {}
        self.managed: dict[str, tuple[ManagedPolicy, str]] = {}
        self.resources: dict[str, _Res] = {}
        self.ops: list[_Op] = []
        self.accounts: dict[str, str] = {}
        self.notes: list[str] = []
        self.unresolved_arns: dict[str, list[str]] = {}
        # managed policy ARN -> why its document is unknown (see managed_unresolved)
        self.unresolved_managed: dict[str, list[str]] = {}
        # organization
        self.org: tuple[str, str, str, bool, bool, str] | None = (
            None  # id, root, mgmt, scp, rcp, src
        )
        self.org_units: dict[str, _OrgUnit] = {}
        self.org_policies: dict[
            str, tuple[Policy, str, str, str]
        ] = {}  # id -> policy,type,src,addr
        self.org_attachments: list[tuple[str, str, str, str]] = []  # policy, target, src, addr

    # -- helpers

    def warn(self, source: str, address: str, message: str) -> None:
        self.warnings.add(source, address, message)

    def account(self, account: str, partition: str) -> None:
        self.accounts.setdefault(account, partition)

    # -- principals

    def add_principal(
        self,
        kind: str,
        *,
        account: str,
        partition: str,
        name: str,
        path: str,
        source: str,
        address: str,
        generated: bool = False,
    ) -> _Entity:
        """A user, group or role; a name or path AWS would refuse is an InputError (a name
        the input did not write, ``generated``, is iamsim's stand-in and not checked)."""
        key = (account, kind, name.lower())
        if key in self.entities:
            first = self.entities[key]
            raise InputError(
                f"{kind} {name!r} of account {account} is defined twice "
                f"({first.address} at {first.source} and {address})",
                source=source,
            )
        self.check_name(kind, name, path, source=source, address=address, generated=generated)
        self.account(account, partition)
        entity = _Entity(kind, account, name, path, partition, source, address)
        self.entities[key] = entity
        return entity

    @staticmethod
    def check_name(
        kind: str, name: str, path: str, *, source: str, address: str, generated: bool = False
    ) -> None:
        """Refuse a name or path AWS would refuse (see :mod:`iamsim.model.names`)."""
        problem = None if generated else name_problem(kind, name)
        where = f"{address}.name"
        if problem is None:
            problem, where = path_problem(kind, path), f"{address}.path"
        if problem is not None:
            raise InputError(problem, path=where, source=source)

    def find(self, kind: str, account: str, name: str) -> _Entity | None:
        return self.entities.get((account, kind, name.lower()))

    def defer(self, op: _Op) -> None:
        self.ops.append(op)

    def add_inline(
        self, kind: str, account: str, target: str, policy: Policy, *, source: str, address: str
    ) -> None:
        self.defer(_Op("inline", kind, account, target, policy, source, address))

    def attach(
        self, kind: str, account: str, target: str, arn: str, *, source: str, address: str
    ) -> None:
        self.defer(_Op("attach", kind, account, target, arn, source, address))

    def add_membership(
        self, account: str, user: str, group: str, *, source: str, address: str
    ) -> None:
        self.defer(_Op("member", "user", account, user, group, source, address))

    def add_instance_profile(
        self, account: str, role: str, arn: str, *, source: str, address: str
    ) -> None:
        self.defer(_Op("profile", "role", account, role, arn, source, address))

    def unresolved(
        self, kind: str, account: str, target: str, reason: str, *, source: str, address: str
    ) -> None:
        """Part of the policies of principal ``target`` is unknown (an inline policy, a
        boundary, an attachment whose value the input leaves open): requests of it are refused
        instead of answered from the rest (see ``World.unresolved``)."""
        self.defer(
            _Op("unresolved", kind, account, target, f"{address}: {reason}", source, address)
        )

    def resource_unresolved(
        self,
        arn: str,
        reason: str,
        *,
        address: str,
        account: str | None = None,
        source: str = "",
    ) -> None:
        """The resource-based policy of ``arn`` is unknown (its requests are refused).

        The resource is recorded too (owned by the account in its ARN, else ``account``), so
        that the request builder finds it, and refuses, even when no other part of the input
        defines it (a bucket policy for a bucket created elsewhere)."""
        self.resource(arn, account, source=source or self.label)
        self.unresolved_arns.setdefault(arn, []).append(f"{address}: {reason}")

    def managed_unresolved(self, arn: str, reason: str, *, address: str) -> None:
        """The document of customer managed policy ``arn`` is unknown: every principal or group
        it is attached to (or that has it as permissions boundary) in this input is refused."""
        self.unresolved_managed.setdefault(arn, []).append(f"{address}: {reason}")

    # -- managed policies and resources

    def add_managed_policy(
        self,
        arn: str,
        name: str,
        path: str,
        document: Policy,
        *,
        source: str,
        address: str,
        generated: bool = False,
    ) -> None:
        self.check_name("policy", name, path, source=source, address=address, generated=generated)
        if arn in self.managed:
            raise InputError(
                f"managed policy {arn} is defined twice ({self.managed[arn][1]} and {address})",
                source=source,
            )
        parsed = parse_entity_arn(arn)
        if parsed is not None:
            self.account(parsed.account, parsed.partition)
        version = PolicyVersion(version_id="v1", document=document, is_default=True)
        self.managed[arn] = (
            ManagedPolicy(arn=arn, name=name, versions=(version,), path=path),
            address,
        )

    def resource(self, arn: str, account: str | None, *, source: str) -> _Res:
        """The resource ``arn``; its owner is the account in the ARN when there is one (a
        policy may be put on another account's resource by ARN), else ``account``."""
        parsed = parse_entity_arn(arn)
        if parsed is not None and is_account_id(parsed.account):
            account = parsed.account
        found = self.resources.get(arn)
        if found is None:
            found = _Res(arn, account, source=source)
            self.resources[arn] = found
        elif found.account is None:
            found.account = account
        return found

    def set_resource_policy(
        self, arn: str, account: str | None, policy: Policy, *, source: str, address: str
    ) -> None:
        res = self.resource(arn, account, source=source)
        if res.policy is not None:
            self.warn(
                source,
                address,
                f"{arn} already has a policy from {res.policy_from}; this one replaces it "
                "(as the later write would in AWS)",
            )
        res.policy, res.policy_from = policy, address

    def add_resource_statement(
        self, arn: str, account: str | None, statement: dict[str, Any], *, source: str, address: str
    ) -> None:
        """One statement of a policy that AWS assembles from several resources (Lambda
        permissions); they are joined into one document at build time."""
        self.resource(arn, account, source=source).statements.append((statement, source, address))

    # -- organization

    def define_organization(
        self, org_id: str, root_id: str, management: str, *, scp: bool, rcp: bool, source: str
    ) -> None:
        if self.org is not None:
            raise InputError("a second organization is defined", source=source)
        self.org = (org_id, root_id, management, scp, rcp, source)

    def add_org_unit(
        self,
        unit_id: str,
        kind: NodeKind,
        name: str | None,
        parent: Any,
        *,
        source: str,
        address: str,
    ) -> None:
        self.org_units[unit_id] = _OrgUnit(unit_id, kind, name, parent, source, address)

    def add_org_policy(
        self, policy_id: str, policy: Policy, ptype: PolicyType, *, source: str, address: str
    ) -> None:
        self.org_policies[policy_id] = (policy, ptype.value, source, address)

    def attach_org_policy(self, policy_id: str, target: str, *, source: str, address: str) -> None:
        self.org_attachments.append((policy_id, target, source, address))

    # -- build

    def _apply_ops(self) -> None:
        for op in self.ops:
            entity = self.find(op.kind, op.account, op.target)
            if entity is None:
                what = {
                    "inline": "its inline policy",
                    "attach": f"the attachment of {op.payload}",
                    "member": f"its membership of group {op.payload!r}",
                    "profile": f"instance profile {op.payload}",
                    "unresolved": "the unknown part of its policies",
                }[op.op]
                self.warn(
                    op.source,
                    op.address,
                    f"{op.kind} {op.target!r} (account {op.account}) is not defined in "
                    f"{self.label}; {what} is not modeled",
                )
                continue
            if op.op == "inline":
                policy: Policy = op.payload
                pname = policy.name or ""
                if pname in entity.inline:
                    self.warn(
                        op.source,
                        op.address,
                        f"{op.kind} {op.target!r} has two inline policies named {pname!r}; "
                        "the later one is kept",
                    )
                entity.inline[pname] = policy
            elif op.op == "attach":
                if op.payload not in entity.managed:
                    entity.managed.append(op.payload)
            elif op.op == "unresolved":
                self.unresolved_arns.setdefault(entity.arn, []).append(str(op.payload))
            elif op.op == "profile":
                if op.payload not in entity.instance_profiles:
                    entity.instance_profiles.append(op.payload)
            elif op.op == "member":
                group = str(op.payload)
                if self.find("group", op.account, group) is None:
                    self.warn(
                        op.source,
                        op.address,
                        f"group {group!r} is not defined in {self.label}; the membership is "
                        "recorded, its policies come from other inputs if any",
                    )
                if group not in entity.groups:
                    entity.groups.append(group)

    def _check_managed_refs(self) -> None:
        # AWS managed policies (and customer managed ones defined in other inputs) are
        # resolved after all inputs are merged (iamsim.ingest.resolve_managed_policies); here
        # we only reject ARNs that cannot name a managed policy at all.
        for entity in self.entities.values():
            for arn in [*entity.managed, *([entity.boundary] if entity.boundary else [])]:
                parsed = parse_entity_arn(arn)
                if (
                    parsed is None
                    or parsed.service != "iam"
                    or not parsed.resource.startswith("policy/")
                ):
                    raise InputError(
                        f"{arn!r} is not a managed policy ARN",
                        path=entity.address,
                        source=entity.source,
                    )

    def _organization(self) -> Organization | None:
        if self.org is None:
            for policy_id, target, source, address in self.org_attachments:
                self.warn(
                    source,
                    address,
                    f"policy {policy_id} is attached to {target}, but the organization is not "
                    f"defined in {self.label}; load the organization description to model it",
                )
            return None
        org_id, root_id, management, scp, rcp, _src = self.org
        children: dict[str, list[str]] = {root_id: []}
        units = dict(self.org_units)
        if management not in units:
            units[management] = _OrgUnit(management, NodeKind.ACCOUNT, None, root_id, "", "")
        for unit in units.values():
            parent = unit.parent
            if isinstance(parent, Unknown) or parent is None:
                self.warn(
                    unit.source,
                    unit.address,
                    f"the parent of {unit.id} is unknown ({parent}); placed under the root",
                )
                parent = root_id
            if parent not in children and parent not in units:
                self.warn(
                    unit.source,
                    unit.address,
                    f"parent {parent} of {unit.id} is not defined in {self.label}; placed "
                    "under the root",
                )
                parent = root_id
            children.setdefault(str(parent), []).append(unit.id)
        scps: dict[str, list[Policy]] = {}
        rcps: dict[str, list[Policy]] = {}
        known = {root_id, *units}
        for policy_id, target, source, address in self.org_attachments:
            entry = self.org_policies.get(policy_id)
            if entry is None:
                if policy_id in ("p-FullAWSAccess", "p-RCPFullAWSAccess"):
                    continue  # attached everywhere already (below)
                self.warn(
                    source, address, f"policy {policy_id} is not defined in {self.label}; skipped"
                )
                continue
            if target not in known:
                self.warn(
                    source,
                    address,
                    f"target {target} is not a root, OU or account defined in {self.label}; "
                    "the attachment is not modeled",
                )
                continue
            policy, ptype = entry[0], entry[1]
            (scps if ptype == PolicyType.SCP.value else rcps).setdefault(target, []).append(policy)

        def node(node_id: str, kind: NodeKind, name: str | None) -> OrgNode:
            # FullAWSAccess / RCPFullAWSAccess are attached to every node by AWS when the
            # policy type is enabled; Terraform code rarely mentions them.
            kids = tuple(
                node(c, units[c].kind, units[c].name)
                for c in sorted(children.get(node_id, []), key=lambda c: (units[c].kind, c))
            )
            return OrgNode(
                id=node_id,
                kind=kind,
                name=name,
                children=kids,
                scps=((full_aws_access_scp(),) if scp else ()) + tuple(scps.get(node_id, [])),
                rcps=((rcp_full_aws_access(),) if rcp else ()) + tuple(rcps.get(node_id, [])),
            )

        root = node(root_id, NodeKind.ROOT, "Root")
        for unit in units.values():
            if unit.kind is NodeKind.ACCOUNT:
                self.account(unit.id, self.accounts.get(management, DEFAULT_PARTITION))
        return Organization(
            id=org_id, management_account=management, root=root, scp_enabled=scp, rcp_enabled=rcp
        )

    def _finish_resources(self) -> dict[str, Resource]:
        from iamsim.policy import parse_policy

        out: dict[str, Resource] = {}
        for arn, res in self.resources.items():
            policy = res.policy
            if res.statements:
                if policy is not None:
                    self.warn(
                        res.source,
                        arn,
                        "has both a policy and permission statements; "
                        "the statements are added to the policy",
                    )
                doc = {"Version": "2012-10-17", "Statement": [s for s, _, _ in res.statements]}
                try:
                    extra = parse_policy(doc, PolicyType.RESOURCE, name="permissions", source=arn)
                except InputError as exc:
                    _, src, addr = res.statements[0]
                    raise InputError(exc.reason, path=f"{addr}{exc.path}", source=src) from None
                if policy is not None:
                    stmts = tuple(policy.statements) + tuple(extra.statements)
                    policy = Policy(
                        policy_type=policy.policy_type,
                        statements=stmts,
                        version=policy.version,
                        id=policy.id,
                        name=policy.name,
                        source=policy.source,
                    )
                else:
                    policy = extra
            parsed = parse_entity_arn(arn)
            if res.account:
                self.account(res.account, parsed.partition if parsed else DEFAULT_PARTITION)
            out[arn] = Resource(arn=arn, account=res.account, tags=Tags(res.tags), policy=policy)
        return out

    def _unresolved_managed_users(self) -> None:
        for entity in self.entities.values():
            for arn in [*entity.managed, *([entity.boundary] if entity.boundary else [])]:
                for reason in self.unresolved_managed.get(arn, ()):
                    found = self.unresolved_arns.setdefault(entity.arn, [])
                    if reason not in found:
                        found.append(reason)

    def build(self) -> World:
        self._apply_ops()
        self._unresolved_managed_users()
        self._check_managed_refs()
        managed = {arn: pol for arn, (pol, _) in self.managed.items()}
        organization = self._organization()
        resources = self._finish_resources()
        users, groups, roles = [], [], []
        sources: dict[str, str] = {}
        for e in self.entities.values():
            sources[e.arn] = f"{e.source} ({e.address})" if e.address else e.source
            inline = tuple(e.inline.values())
            if e.kind == "user":
                users.append(
                    User(
                        arn=e.arn,
                        name=e.name,
                        account=e.account,
                        path=e.path,
                        id=e.id,
                        inline_policies=inline,
                        managed_policy_arns=tuple(e.managed),
                        group_names=tuple(e.groups),
                        boundary_arn=e.boundary,
                        tags=Tags(e.tags),
                    )
                )
            elif e.kind == "group":
                groups.append(
                    GroupModel(
                        arn=e.arn,
                        name=e.name,
                        account=e.account,
                        path=e.path,
                        id=e.id,
                        inline_policies=inline,
                        managed_policy_arns=tuple(e.managed),
                    )
                )
            else:
                roles.append(
                    Role(
                        arn=e.arn,
                        name=e.name,
                        account=e.account,
                        path=e.path,
                        id=e.id,
                        trust_policy=e.trust,
                        inline_policies=inline,
                        managed_policy_arns=tuple(e.managed),
                        boundary_arn=e.boundary,
                        tags=Tags(e.tags),
                        instance_profile_arns=tuple(e.instance_profiles),
                    )
                )
        for arn, (_, address) in self.managed.items():
            sources[arn] = f"{self.label} ({address})"
        for arn, res in self.resources.items():
            sources.setdefault(arn, res.source)
        accounts = [Account(id=a, partition=p) for a, p in self.accounts.items() if a != "aws"]
        if organization is not None:
            sources["organization"] = self.org[5] if self.org else self.label
        for a in self.accounts:
            sources.setdefault(a, self.label)
        notes = [*self.notes, *(str(w) for w in self.warnings)]
        return World.of(
            accounts=accounts,
            organization=organization,
            managed_policies=managed.values(),
            users=users,
            groups=groups,
            roles=roles,
            resources=resources.values(),
            sources=sources,
            notes=tuple(dict.fromkeys(notes)),
            unresolved=self.unresolved_arns,
        )


# -- the Terraform resource mapping ---------------------------------------------------------------


@dataclass(frozen=True)
class TfResource:
    """One evaluated resource instance, as both Terraform loaders hand it to :func:`build_world`.

    ``values`` hold configured (HCL) or planned (plan JSON) attribute values; nested blocks are
    lists of mappings; a value that could not be computed is an :class:`Unknown`.
    """

    address: str
    type: str
    name: str
    values: Mapping[str, Any]
    env: Env
    source: str
    mode: str = "managed"
    # Set when the instance's count/for_each is unknown (the reason): it may or may not exist,
    # and its values were evaluated with count.index / each unknown (see _Mapper.uncertain).
    uncertain: str | None = None

    def attr(self, key: str) -> Any:
        """A configured value, else the provider-computed one, else None."""
        value = _get(self.values, key)
        if value is not None:
            return value
        return computed_attributes(
            self.type, self.address, self.values, self.env, data=self.mode == "data"
        ).get(key)


Refusal = Callable[[str], None]

# The argument naming the principal that a policy-bearing resource applies to: (kind, key).
_PRINCIPAL_TARGETS: dict[str, tuple[str, str]] = {
    "aws_iam_user_policy": ("user", "user"),
    "aws_iam_group_policy": ("group", "group"),
    "aws_iam_role_policy": ("role", "role"),
    "aws_iam_user_policy_attachment": ("user", "user"),
    "aws_iam_group_policy_attachment": ("group", "group"),
    "aws_iam_role_policy_attachment": ("role", "role"),
    "aws_iam_user_policy_attachments_exclusive": ("user", "user_name"),
    "aws_iam_group_policy_attachments_exclusive": ("group", "group_name"),
    "aws_iam_role_policy_attachments_exclusive": ("role", "role_name"),
    "aws_iam_user_group_membership": ("user", "user"),
}
# Resources that put a policy on another resource: the argument holding the policy.
_RESOURCE_POLICY_KEYS: dict[str, str] = {
    "aws_s3_bucket_policy": "policy",
    "aws_kms_key_policy": "policy",
    "aws_sqs_queue_policy": "policy",
    "aws_sns_topic_policy": "policy",
    "aws_secretsmanager_secret_policy": "policy",
    "aws_ecr_repository_policy": "policy",
    "aws_opensearch_domain_policy": "access_policies",
    "aws_elasticsearch_domain_policy": "access_policies",
    "aws_kinesis_resource_policy": "policy",
    "aws_dynamodb_resource_policy": "policy",
    "aws_backup_vault_policy": "policy",
    "aws_codeartifact_domain_permissions_policy": "policy_document",
    "aws_s3tables_table_bucket_policy": "resource_policy",
    "aws_cloudwatch_event_bus_policy": "policy",
}
# Resources that carry their own policy argument (None: tags only).
_TAGGED_POLICY_KEYS: dict[str, str | None] = {
    "aws_s3_bucket": "policy",
    "aws_kms_key": "policy",
    "aws_kms_replica_key": "policy",
    "aws_sqs_queue": "policy",
    "aws_sns_topic": "policy",
    "aws_secretsmanager_secret": "policy",
    "aws_opensearch_domain": "access_policies",
    "aws_elasticsearch_domain": "access_policies",
    "aws_lambda_function": None,
    "aws_ecr_repository": None,
    "aws_dynamodb_table": None,
}


class _Mapper:
    """Maps each resource onto the builder. A policy-bearing value it cannot compute (an
    inline policy, a boundary, an attachment, a trust or resource policy) is reported and, when
    the principal or resource it belongs to is known, that principal or resource is marked
    unresolved (``WorldBuilder.unresolved``/``resource_unresolved``): its requests are refused
    rather than answered from the rest of its policies."""

    def __init__(self, builder: WorldBuilder) -> None:
        self.b = builder
        self.quiet = False  # no notes about unknown values (an instance that may not exist)

    # value access with reporting

    def unknown_value(
        self, r: TfResource, key: str, value: Unknown, what: str, refuse: Refusal | None
    ) -> None:
        """Report that ``key`` of ``r`` is unknown (``what`` is left out) and, with ``refuse``,
        mark what it belongs to unresolved."""
        reason = f"{key} is unknown ({value.reason})"
        if refuse is not None:
            what += "; requests that need it are refused"
            refuse(reason)
        if not self.quiet:
            self.b.warn(r.source, r.address, f"{reason}; {what}")

    def refuse_principal(self, r: TfResource, kind: str, target: str) -> Refusal:
        def refuse(reason: str) -> None:
            self.b.unresolved(
                kind, r.env.account, target, reason, source=r.source, address=r.address
            )

        return refuse

    def refuse_principals(self, r: TfResource, targets: Sequence[tuple[str, str]]) -> Refusal:
        def refuse(reason: str) -> None:
            for kind, target in targets:
                self.refuse_principal(r, kind, target)(reason)

        return refuse

    def refuse_resource(self, r: TfResource, arn: str) -> Refusal:
        def refuse(reason: str) -> None:
            self.b.resource_unresolved(
                arn, reason, address=r.address, account=r.env.account, source=r.source
            )

        return refuse

    def text(
        self,
        r: TfResource,
        key: str,
        *,
        what: str | None = None,
        refuse: Refusal | None = None,
    ) -> str | None:
        value = r.attr(key)
        if value is None:
            return None
        if isinstance(value, Unknown):
            self.unknown_value(r, key, value, f"{what or 'the resource'} is not modeled", refuse)
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise InputError(
                f"expected a string, found {type_name(value)}",
                path=f"{r.address}.{key}",
                source=r.source,
            )
        return tf_string(value)

    def texts(
        self, r: TfResource, key: str, value: Any = None, *, refuse: Refusal | None = None
    ) -> list[str]:
        value = r.attr(key) if value is None else value
        if value is None:
            return []
        if isinstance(value, Unknown):
            self.unknown_value(r, key, value, "it is ignored", refuse)
            return []
        if not isinstance(value, list | tuple):
            raise InputError(
                f"expected a list, found {type_name(value)}",
                path=f"{r.address}.{key}",
                source=r.source,
            )
        out = []
        for item in value:
            if isinstance(item, Unknown):
                self.unknown_value(r, f"an element of {key}", item, "it is left out", refuse)
            elif item is not None:
                out.append(str(tf_string(item) or item))
        return out

    def policy(
        self,
        r: TfResource,
        key: str,
        ptype: PolicyType,
        *,
        name: str | None,
        value: Any = None,
        refuse: Refusal | None = None,
    ) -> Policy | None:
        value = r.attr(key) if value is None else value
        if value is None or value == "":
            return None
        if isinstance(value, Unknown):
            self.unknown_value(r, key, value, "the policy is not loaded", refuse)
            return None
        return checked_policy(
            self.b,
            value,
            ptype,
            name=name,
            source=r.source,
            address=r.address,
            where=f"{r.address}.{key}",
        )

    def tags(self, r: TfResource) -> dict[str, str]:
        value = _get(r.values, "tags_all")
        if not isinstance(value, Mapping) or find_unknown(value) is not None:
            merged: dict[str, Any] = dict(r.env.default_tags)
            tags = _get(r.values, "tags")
            if isinstance(tags, Unknown):
                self.b.warn(r.source, r.address, f"tags are unknown ({tags.reason}); ignored")
                tags = None
            merged.update(tags or {})
            value = merged
        out: dict[str, str] = {}
        for k, v in value.items():
            if isinstance(v, Unknown):
                self.b.warn(r.source, r.address, f"tag {k!r} is unknown ({v.reason}); ignored")
            elif v is not None:
                out[str(k)] = v if isinstance(v, str) else json.dumps(v)
        return out

    def generated(self, r: TfResource, key: str = "name") -> None:
        if _get(r.values, key) is None:
            self.b.warn(
                r.source,
                r.address,
                f"no {key} is configured; AWS/Terraform chooses it at apply time, so the "
                f"placeholder {r.attr(key)!r} stands in for it",
            )

    def principal_name(
        self, r: TfResource, key: str, *, refuse: Refusal | None = None
    ) -> str | None:
        """A user/group/role name argument; an ARN given instead is reduced to its name."""
        value = self.text(r, key, what="the attachment", refuse=refuse)
        if value is not None and value.startswith("arn:"):
            value = value.rsplit("/", 1)[-1]
        return value

    # IAM principals

    def entity(self, r: TfResource, kind: str) -> Any:
        generated = _get(r.values, "name") is None  # a placeholder for the name AWS chooses
        if kind != "role" or not generated:
            name = self.text(r, "name", what=f"the {kind}")
        else:
            self.generated(r)
            name = self.text(r, "name", what=f"the {kind}")
        if name is None:
            if r.attr("name") is None:
                raise InputError(f"the {kind} has no name", path=r.address, source=r.source)
            return None
        path = self.text(r, "path", what=f"the {kind} (its ARN)")
        if path is None and r.attr("path") is not None:
            return None  # an unknown path: the principal's ARN is unknown
        entity = self.b.add_principal(
            kind,
            account=r.env.account,
            partition=r.env.partition,
            name=name,
            path=path or "/",
            source=r.source,
            address=r.address,
            generated=generated,
        )
        # Only a unique ID the input knows (a state) or refers to (a policy naming
        # aws_iam_role.x.unique_id) is recorded; see WorldBuilder / _Entity.id.
        unique_id = _get(r.values, "unique_id")
        if isinstance(unique_id, str) and unique_id:
            entity.id = unique_id
        return entity

    def aws_iam_user(self, r: TfResource) -> None:
        e = self.entity(r, "user")
        if e is None:
            return
        refuse = self.refuse_principal(r, "user", e.name)
        e.boundary = (
            self.text(r, "permissions_boundary", what="the boundary", refuse=refuse) or None
        )
        e.tags = self.tags(r)

    def aws_iam_group(self, r: TfResource) -> None:
        self.entity(r, "group")

    def aws_iam_role(self, r: TfResource) -> None:
        e = self.entity(r, "role")
        if e is None:
            return
        refuse = self.refuse_principal(r, "role", e.name)
        e.trust = self.policy(
            r, "assume_role_policy", PolicyType.TRUST, name="trust policy", refuse=refuse
        )
        e.boundary = (
            self.text(r, "permissions_boundary", what="the boundary", refuse=refuse) or None
        )
        e.tags = self.tags(r)
        blocks = r.attr("inline_policy")
        if isinstance(blocks, Unknown):
            self.unknown_value(r, "inline_policy", blocks, "its policies are not loaded", refuse)
            blocks = None
        for i, block in enumerate(blocks or []):
            if isinstance(block, Unknown):  # a dynamic block whose for_each is unknown
                self.unknown_value(
                    r, f"inline_policy[{i}]", block, "its policies are not loaded", refuse
                )
                continue
            if not isinstance(block, Mapping):
                raise InputError(
                    "an inline_policy block must be an object",
                    path=f"{r.address}.inline_policy[{i}]",
                    source=r.source,
                )
            pname, doc = block.get("name"), block.get("policy")
            if pname is None and doc is None:
                continue  # an empty block means "no inline policies" to the provider
            if isinstance(pname, Unknown):
                self.unknown_value(
                    r, f"inline_policy[{i}].name", pname, "the policy is not loaded", refuse
                )
                continue
            if pname is None:
                pname = placeholder_name(
                    f"{r.address}.inline_policy[{i}]", block.get("name_prefix")
                )
            policy = self.policy(
                r,
                f"inline_policy[{i}].policy",
                PolicyType.IDENTITY,
                name=str(pname),
                value=doc if doc is not None else "",
                refuse=refuse,
            )
            if policy is not None:
                e.inline[str(pname)] = policy
        for arn in self.texts(r, "managed_policy_arns", refuse=refuse):
            if arn not in e.managed:
                e.managed.append(arn)

    def aws_iam_policy(self, r: TfResource) -> None:
        self.generated(r)
        name = self.text(r, "name", what="the policy")
        arn = self.text(r, "arn", what="the policy")
        if name is None or arn is None:
            return

        def refuse(reason: str) -> None:
            self.b.managed_unresolved(arn, reason, address=r.address)

        doc = self.policy(r, "policy", PolicyType.IDENTITY, name=name, refuse=refuse)
        if doc is None:
            if r.attr("policy") is None:
                raise InputError("the policy has no document", path=r.address, source=r.source)
            return
        path = self.text(r, "path") or "/"
        self.b.add_managed_policy(
            arn,
            name,
            path,
            doc,
            source=r.source,
            address=r.address,
            generated=_get(r.values, "name") is None,
        )

    def _inline(self, r: TfResource, kind: str) -> None:
        target = self.principal_name(r, kind)
        self.generated(r)
        refuse = None if target is None else self.refuse_principal(r, kind, target)
        pname = self.text(r, "name", what="the policy", refuse=refuse)
        if target is None or pname is None:
            return
        doc = self.policy(r, "policy", PolicyType.IDENTITY, name=pname, refuse=refuse)
        if doc is not None:
            self.b.add_inline(kind, r.env.account, target, doc, source=r.source, address=r.address)

    def aws_iam_user_policy(self, r: TfResource) -> None:
        self._inline(r, "user")

    def aws_iam_group_policy(self, r: TfResource) -> None:
        self._inline(r, "group")

    def aws_iam_role_policy(self, r: TfResource) -> None:
        self._inline(r, "role")

    def _attachment(self, r: TfResource, kind: str, key: str) -> None:
        target = self.principal_name(r, key)
        refuse = None if target is None else self.refuse_principal(r, kind, target)
        arn = self.text(r, "policy_arn", what="the attachment", refuse=refuse)
        if target is not None and arn is not None:
            self.b.attach(kind, r.env.account, target, arn, source=r.source, address=r.address)

    def aws_iam_user_policy_attachment(self, r: TfResource) -> None:
        self._attachment(r, "user", "user")

    def aws_iam_group_policy_attachment(self, r: TfResource) -> None:
        self._attachment(r, "group", "group")

    def aws_iam_role_policy_attachment(self, r: TfResource) -> None:
        self._attachment(r, "role", "role")

    def _attachment_targets(self, r: TfResource) -> list[tuple[str, str]]:
        return [
            (kind, target)
            for kind, key in (("user", "users"), ("group", "groups"), ("role", "roles"))
            for target in self.texts(r, key)
        ]

    def aws_iam_policy_attachment(self, r: TfResource) -> None:
        targets = self._attachment_targets(r)
        refuse = self.refuse_principals(r, targets) if targets else None
        arn = self.text(r, "policy_arn", what="the attachment", refuse=refuse)
        if arn is None:
            return
        for kind, target in targets:
            self.b.attach(kind, r.env.account, target, arn, source=r.source, address=r.address)

    def _exclusive(self, r: TfResource, kind: str) -> None:
        target = self.principal_name(r, f"{kind}_name")
        if target is None:
            return
        refuse = self.refuse_principal(r, kind, target)
        for arn in self.texts(r, "policy_arns", refuse=refuse):
            self.b.attach(kind, r.env.account, target, arn, source=r.source, address=r.address)

    def aws_iam_user_policy_attachments_exclusive(self, r: TfResource) -> None:
        self._exclusive(r, "user")

    def aws_iam_group_policy_attachments_exclusive(self, r: TfResource) -> None:
        self._exclusive(r, "group")

    def aws_iam_role_policy_attachments_exclusive(self, r: TfResource) -> None:
        self._exclusive(r, "role")

    def aws_iam_group_membership(self, r: TfResource) -> None:
        users = self.texts(r, "users")
        # An unknown group gives its (unknown) policies to the listed users.
        refuse = self.refuse_principals(r, [("user", u) for u in users]) if users else None
        group = self.principal_name(r, "group", refuse=refuse)
        if group is None:
            return
        for user in users:
            self.b.add_membership(r.env.account, user, group, source=r.source, address=r.address)

    def aws_iam_user_group_membership(self, r: TfResource) -> None:
        user = self.principal_name(r, "user")
        if user is None:
            return
        refuse = self.refuse_principal(r, "user", user)
        for group in self.texts(r, "groups", refuse=refuse):
            self.b.add_membership(r.env.account, user, group, source=r.source, address=r.address)

    def aws_iam_instance_profile(self, r: TfResource) -> None:
        role = self.principal_name(r, "role")
        arn = self.text(r, "arn", what="the instance profile")
        if role is None or arn is None:
            return
        name, path = _get(r.values, "name"), _get(r.values, "path")
        if isinstance(name, str):  # as written (a generated or unknown name is not checked)
            self.b.check_name(
                "instance-profile",
                name,
                path if isinstance(path, str) else "/",
                source=r.source,
                address=r.address,
            )
        self.b.add_instance_profile(r.env.account, role, arn, source=r.source, address=r.address)

    def aws_iam_service_linked_role(self, r: TfResource) -> None:
        self.b.warn(
            r.source,
            r.address,
            "service-linked roles are named and defined by their service; this one is not modeled",
        )

    # resources with policies

    def _resource_arn(self, r: TfResource, key: str = "arn") -> str | None:
        return self.text(r, key, what="the resource")

    def _tagged(self, r: TfResource, policy_key: str | None = None) -> None:
        arn = self._resource_arn(r)
        if arn is None:
            return
        res = self.b.resource(arn, r.env.account, source=r.source)
        res.tags.update(self.tags(r))
        if policy_key is not None:
            doc = self.policy(
                r,
                policy_key,
                PolicyType.RESOURCE,
                name=f"{r.type} policy",
                refuse=self.refuse_resource(r, arn),
            )
            if doc is not None:
                self.b.set_resource_policy(
                    arn, r.env.account, doc, source=r.source, address=r.address
                )

    def aws_s3_bucket(self, r: TfResource) -> None:
        self.generated(r, "bucket")
        self._tagged(r, "policy")

    def aws_kms_key(self, r: TfResource) -> None:
        self._tagged(r, "policy")
        arn = self._resource_arn(r)
        if arn is None or r.attr("policy") is not None:
            return
        doc = default_kms_key_policy(r.env.account, r.env.partition)
        policy = parse_policy_value(
            doc,
            PolicyType.RESOURCE,
            name="default key policy",
            source=r.source,
            where=f"{r.address}.policy",
        )
        self.b.set_resource_policy(arn, r.env.account, policy, source=r.source, address=r.address)
        self.b.notes.append(
            f"{r.source}: {r.address}: no key policy is configured; AWS's default key policy "
            "(the account's IAM policies decide) is used"
        )

    def aws_kms_replica_key(self, r: TfResource) -> None:
        self.aws_kms_key(r)

    def aws_sqs_queue(self, r: TfResource) -> None:
        self.generated(r)
        self._tagged(r, "policy")

    def aws_sns_topic(self, r: TfResource) -> None:
        self.generated(r)
        self._tagged(r, "policy")

    def aws_secretsmanager_secret(self, r: TfResource) -> None:
        self._tagged(r, "policy")

    def aws_lambda_function(self, r: TfResource) -> None:
        self._tagged(r)

    def aws_ecr_repository(self, r: TfResource) -> None:
        self._tagged(r)

    def aws_dynamodb_table(self, r: TfResource) -> None:
        self._tagged(r)

    def aws_opensearch_domain(self, r: TfResource) -> None:
        self._tagged(r, "access_policies")

    def aws_elasticsearch_domain(self, r: TfResource) -> None:
        self._tagged(r, "access_policies")

    def _regional(self, r: TfResource, service: str, resource: str | None) -> str | None:
        if resource is None:
            return None
        e = r.env
        return f"arn:{e.partition}:{service}:{e.region}:{e.account}:{resource}"

    def policy_target(self, r: TfResource) -> str | None:
        """The ARN of the resource that a resource of a ``_RESOURCE_POLICY_KEYS`` type puts its
        policy on (None, reported, when it cannot be determined)."""
        t = r.type
        if t == "aws_s3_bucket_policy":
            bucket = self.text(r, "bucket", what="the bucket policy")
            if bucket is None:
                return None
            bucket = bucket.split(":::", 1)[-1] if bucket.startswith("arn:") else bucket
            return f"arn:{r.env.partition}:s3:::{bucket}"
        if t == "aws_kms_key_policy":
            key = self.text(r, "key_id", what="the key policy")
            if key is not None and not key.startswith("arn:"):
                key = self._regional(r, "kms", f"key/{key}")
            return key
        if t == "aws_sqs_queue_policy":
            url = self.text(r, "queue_url", what="the queue policy")
            if url is None or url.startswith("arn:"):
                return url
            # https://sqs.<region>.amazonaws.com/<account>/<name>
            parts = url.rstrip("/").split("/")
            host = parts[2] if len(parts) > 2 else ""
            region = host.split(".")[1] if host.count(".") >= 2 else r.env.region
            if len(parts) < 5:
                raise InputError(
                    f"{url!r} is not an SQS queue URL",
                    path=f"{r.address}.queue_url",
                    source=r.source,
                )
            return f"arn:{r.env.partition}:sqs:{region}:{parts[-2]}:{parts[-1]}"
        if t == "aws_sns_topic_policy":
            return self.text(r, "arn", what="the topic policy")
        if t == "aws_secretsmanager_secret_policy":
            return self.text(r, "secret_arn", what="the secret policy")
        if t == "aws_ecr_repository_policy":
            repo = self.text(r, "repository", what="the repository policy")
            return self._regional(r, "ecr", None if repo is None else f"repository/{repo}")
        if t in ("aws_opensearch_domain_policy", "aws_elasticsearch_domain_policy"):
            name = self.text(r, "domain_name", what="the domain policy")
            return self._regional(r, "es", None if name is None else f"domain/{name}")
        if t in ("aws_kinesis_resource_policy", "aws_dynamodb_resource_policy"):
            return self.text(r, "resource_arn", what="the policy")
        if t == "aws_backup_vault_policy":
            name = self.text(r, "backup_vault_name", what="the vault policy")
            return self._regional(r, "backup", None if name is None else f"backup-vault:{name}")
        if t == "aws_codeartifact_domain_permissions_policy":
            domain = self.text(r, "domain", what="the domain policy")
            return self._regional(r, "codeartifact", None if domain is None else f"domain/{domain}")
        if t == "aws_s3tables_table_bucket_policy":
            return self.text(r, "table_bucket_arn", what="the table bucket policy")
        if t == "aws_cloudwatch_event_bus_policy":
            if r.attr("event_bus_name") is None:
                bus: str | None = "default"
            else:
                bus = self.text(r, "event_bus_name", what="the event bus policy")
                bus = "default" if bus == "" else bus
            if bus is None or bus.startswith("arn:"):
                return bus
            return self._regional(r, "events", f"event-bus/{bus}")
        if t == "aws_lambda_permission":
            fn = self.text(r, "function_name", what="the permission")
            if fn is None or fn.startswith("arn:"):
                return fn
            return self._regional(r, "lambda", f"function:{fn}")
        raise AssertionError(f"no policy target for {t}")  # pragma: no cover

    def resource_policy(self, r: TfResource) -> None:
        """A resource that puts a policy on another resource (``aws_s3_bucket_policy``, ...)."""
        arn = self.policy_target(r)
        if arn is None:
            return
        key = _RESOURCE_POLICY_KEYS[r.type]
        doc = self.policy(
            r, key, PolicyType.RESOURCE, name=f"{r.type}", refuse=self.refuse_resource(r, arn)
        )
        if doc is not None:
            self.b.set_resource_policy(arn, r.env.account, doc, source=r.source, address=r.address)

    def aws_lambda_permission(self, r: TfResource) -> None:
        arn = self.policy_target(r)
        if arn is None:
            return
        refuse = self.refuse_resource(r, arn)
        # Every argument that shapes the statement must be known: one left out would widen it
        # (a condition dropped, a qualifier lost), so the function's policy is refused instead.
        shaping = (
            "action",
            "principal",
            "qualifier",
            "source_arn",
            "source_account",
            "principal_org_id",
            "event_source_token",
            "function_url_auth_type",
        )
        unknown = False
        for key in shaping:
            value = r.attr(key)
            if isinstance(value, Unknown):
                self.unknown_value(r, key, value, "the permission is not modeled", refuse)
                unknown = True
        action = self.text(r, "action", what="the permission")
        principal = self.text(r, "principal", what="the permission")
        if unknown or action is None or principal is None:
            return
        qualifier = self.text(r, "qualifier")
        resource = f"{arn}:{qualifier}" if qualifier else arn
        # AddPermission: a service name becomes a Service principal, an account or ARN an AWS
        # principal, "*" the anonymous principal.
        if principal == "*":
            who: Any = "*"
        elif principal.endswith((".amazonaws.com", ".amazonaws.com.cn")):
            who = {"Service": principal}
        else:
            who = {"AWS": principal}
        stmt: dict[str, Any] = {
            "Effect": "Allow",
            "Principal": who,
            "Action": action,
            "Resource": resource,
        }
        sid = self.text(r, "statement_id")
        if sid:
            stmt["Sid"] = sid
        cond: dict[str, dict[str, str]] = {}
        for key, op, ckey in (
            ("source_arn", "ArnLike", "AWS:SourceArn"),
            ("source_account", "StringEquals", "AWS:SourceAccount"),
            ("principal_org_id", "StringEquals", "aws:PrincipalOrgID"),
            ("event_source_token", "StringEquals", "lambda:EventSourceToken"),
            ("function_url_auth_type", "StringEquals", "lambda:FunctionUrlAuthType"),
        ):
            value = self.text(r, key)
            if value:
                cond.setdefault(op, {})[ckey] = value
        if cond:
            stmt["Condition"] = cond
        self.b.add_resource_statement(arn, r.env.account, stmt, source=r.source, address=r.address)

    # instances that may not exist

    def uncertain(self, r: TfResource, reason: str) -> None:
        """``r`` has an unknown ``count``/``for_each``: it may exist, once or more, or not at
        all. Its values were evaluated with ``count.index``/``each`` unknown; the principals
        or resource it would give a policy to, where they are known anyway, are refused."""
        why = f"count/for_each is unknown ({reason})"
        self.quiet = True
        try:
            principals: list[tuple[str, str]] = []
            arn: str | None = None
            if r.type in _PRINCIPAL_TARGETS:
                kind, key = _PRINCIPAL_TARGETS[r.type]
                target = self.principal_name(r, key)
                if target is not None:
                    principals.append((kind, target))
            elif r.type == "aws_iam_policy_attachment":
                principals = self._attachment_targets(r)
            elif r.type == "aws_iam_group_membership":
                principals = [("user", u) for u in self.texts(r, "users")]
            elif r.type in _RESOURCE_POLICY_KEYS or r.type == "aws_lambda_permission":
                arn = self.policy_target(r)
            elif r.attr(_TAGGED_POLICY_KEYS.get(r.type) or "-") is not None:
                arn = self._resource_arn(r)  # a resource that may exist with its policy
        finally:
            self.quiet = False
        for kind, target in principals:
            self.refuse_principal(r, kind, target)(why)
            self.b.warn(
                r.source,
                r.address,
                f"{why}; requests that need the policies of {kind} {target!r} are refused",
            )
        if arn is not None:
            self.refuse_resource(r, arn)(why)
            self.b.warn(
                r.source,
                r.address,
                f"{why}; requests that need the resource-based policy of {arn} are refused",
            )

    # organizations

    def aws_organizations_organization(self, r: TfResource) -> None:
        org_id, roots = r.attr("id"), r.attr("roots")
        root_id = roots[0]["id"] if isinstance(roots, list) and roots else None
        if not isinstance(org_id, str) or not isinstance(root_id, str):
            self.b.warn(r.source, r.address, "the organization's IDs are unknown; not modeled")
            return
        types = self.texts(r, "enabled_policy_types")
        self.b.account(r.env.account, r.env.partition)
        self.b.define_organization(
            org_id,
            root_id,
            r.env.account,
            scp="SERVICE_CONTROL_POLICY" in types,
            rcp="RESOURCE_CONTROL_POLICY" in types,
            source=r.source,
        )

    def aws_organizations_organizational_unit(self, r: TfResource) -> None:
        unit_id = self.text(r, "id", what="the OU")
        if unit_id is None:
            return
        parent = r.attr("parent_id")
        self.b.add_org_unit(
            unit_id, NodeKind.OU, self.text(r, "name"), parent, source=r.source, address=r.address
        )

    def aws_organizations_account(self, r: TfResource) -> None:
        acct = self.text(r, "id", what="the account")
        if acct is None:
            return
        if _get(r.values, "id") is None:
            self.b.warn(
                r.source,
                r.address,
                f"the new account's ID is chosen by AWS; the placeholder {acct} stands in for it",
            )
        parent = r.attr("parent_id")
        self.b.add_org_unit(
            acct, NodeKind.ACCOUNT, self.text(r, "name"), parent, source=r.source, address=r.address
        )

    def aws_organizations_policy(self, r: TfResource) -> None:
        ptype_text = self.text(r, "type") or "SERVICE_CONTROL_POLICY"
        ptype = {
            "SERVICE_CONTROL_POLICY": PolicyType.SCP,
            "RESOURCE_CONTROL_POLICY": PolicyType.RCP,
        }.get(ptype_text)
        if ptype is None:
            return  # tag, backup and AI opt-out policies do not take part in authorization
        policy_id = self.text(r, "id", what="the policy")
        name = self.text(r, "name")
        doc = self.policy(r, "content", ptype, name=name)
        if policy_id is not None and doc is not None:
            self.b.add_org_policy(policy_id, doc, ptype, source=r.source, address=r.address)

    def aws_organizations_policy_attachment(self, r: TfResource) -> None:
        policy_id = self.text(r, "policy_id", what="the attachment")
        target = self.text(r, "target_id", what="the attachment")
        if policy_id is not None and target is not None:
            self.b.attach_org_policy(policy_id, target, source=r.source, address=r.address)


# -- arguments of the mapped aws_iam_* types ------------------------------------------------------

# The arguments (and nested blocks) the AWS provider accepts on the aws_iam_* resources mapped
# above and on data "aws_iam_policy_document", whether iamsim reads them or not. A configured
# name outside the list that looks like a misspelling of one (permission_boundary) would have
# its value silently dropped, so it is an error; other unknown names are reported. Keyed by
# (mode, type) and, for nested blocks, (mode, type, block name).
_TF_META = frozenset(
    {"count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection"}
)
_ARGUMENTS: dict[tuple[str, ...], frozenset[str]] = {
    ("managed", "aws_iam_user"): frozenset(
        {"name", "path", "permissions_boundary", "force_destroy", "tags"}
    ),
    ("managed", "aws_iam_group"): frozenset({"name", "path"}),
    ("managed", "aws_iam_role"): frozenset(
        {
            "name",
            "name_prefix",
            "assume_role_policy",
            "description",
            "force_detach_policies",
            "inline_policy",
            "managed_policy_arns",
            "max_session_duration",
            "path",
            "permissions_boundary",
            "tags",
        }
    ),
    ("managed", "aws_iam_role", "inline_policy"): frozenset({"name", "policy"}),
    ("managed", "aws_iam_policy"): frozenset(
        {
            "name",
            "name_prefix",
            "description",
            "path",
            "policy",
            "tags",
            "delay_after_policy_creation_in_ms",
        }
    ),
    ("managed", "aws_iam_user_policy"): frozenset({"name", "name_prefix", "policy", "user"}),
    ("managed", "aws_iam_group_policy"): frozenset({"name", "name_prefix", "policy", "group"}),
    ("managed", "aws_iam_role_policy"): frozenset({"name", "name_prefix", "policy", "role"}),
    ("managed", "aws_iam_user_policy_attachment"): frozenset({"user", "policy_arn"}),
    ("managed", "aws_iam_group_policy_attachment"): frozenset({"group", "policy_arn"}),
    ("managed", "aws_iam_role_policy_attachment"): frozenset({"role", "policy_arn"}),
    ("managed", "aws_iam_policy_attachment"): frozenset(
        {"name", "users", "roles", "groups", "policy_arn"}
    ),
    ("managed", "aws_iam_user_policy_attachments_exclusive"): frozenset(
        {"user_name", "policy_arns"}
    ),
    ("managed", "aws_iam_group_policy_attachments_exclusive"): frozenset(
        {"group_name", "policy_arns"}
    ),
    ("managed", "aws_iam_role_policy_attachments_exclusive"): frozenset(
        {"role_name", "policy_arns"}
    ),
    ("managed", "aws_iam_group_membership"): frozenset({"name", "users", "group"}),
    ("managed", "aws_iam_user_group_membership"): frozenset({"user", "groups"}),
    ("managed", "aws_iam_instance_profile"): frozenset(
        {"name", "name_prefix", "path", "role", "tags"}
    ),
    ("managed", "aws_iam_service_linked_role"): frozenset(
        {"aws_service_name", "custom_suffix", "description", "tags"}
    ),
    ("data", "aws_iam_policy_document"): frozenset(
        {
            "version",
            "policy_id",
            "source_policy_documents",
            "override_policy_documents",
            "statement",
        }
    ),
    ("data", "aws_iam_policy_document", "statement"): frozenset(
        {
            "sid",
            "effect",
            "actions",
            "not_actions",
            "resources",
            "not_resources",
            "principals",
            "not_principals",
            "condition",
        }
    ),
    ("data", "aws_iam_policy_document", "principals"): frozenset({"type", "identifiers"}),
    ("data", "aws_iam_policy_document", "not_principals"): frozenset({"type", "identifiers"}),
    ("data", "aws_iam_policy_document", "condition"): frozenset({"test", "variable", "values"}),
}


def known_arguments(mode: str, rtype: str, block: str | None = None) -> frozenset[str] | None:
    """The arguments and nested blocks of ``rtype`` (or of its nested ``block``), or None when
    the loader does not check that type's arguments."""
    if block is None:
        known = _ARGUMENTS.get((mode, rtype))
        return None if known is None else known | _TF_META
    return _ARGUMENTS.get((mode, rtype, block))


# Resource types that carry no authorization-relevant state, or whose state is mapped through
# another resource; they are skipped silently.
_IGNORED = frozenset(
    {
        "aws_iam_access_key",
        "aws_iam_account_alias",
        "aws_iam_account_password_policy",
        "aws_iam_user_login_profile",
        "aws_iam_user_ssh_key",
        "aws_iam_signing_certificate",
        "aws_iam_service_specific_credential",
        "aws_iam_virtual_mfa_device",
        "aws_iam_server_certificate",
        "aws_iam_openid_connect_provider",
        "aws_iam_saml_provider",
        "aws_iam_role_policies_exclusive",
        "aws_iam_user_policies_exclusive",
        "aws_iam_group_policies_exclusive",
        "aws_iam_security_token_service_preferences",
    }
)
# Attributes that hold a policy document: a resource type we do not map that has one is reported
# (and the plan loader never resolves one of them from the plan's reference list).
POLICY_ATTRIBUTES = _POLICY_ATTRIBUTES = (
    "policy",
    "access_policies",
    "resource_policy",
    "policy_document",
    "access_policy",
    "assume_role_policy",
    "content",
)


def build_world(
    resources: Sequence[TfResource],
    warnings: Warnings,
    *,
    label: str,
    notes: Iterable[str] = (),
) -> World:
    """Map evaluated Terraform resources onto a World; ``warnings`` collects what is left out."""
    builder = WorldBuilder(warnings, label=label)
    builder.notes.extend(notes)
    mapper = _Mapper(builder)
    for r in resources:
        if r.mode != "managed" or r.type in _IGNORED:
            continue
        if r.uncertain is not None:
            mapper.uncertain(r, r.uncertain)
            continue
        if r.type in _RESOURCE_POLICY_KEYS:
            mapper.resource_policy(r)
            continue
        handler = getattr(mapper, r.type, None) if r.type.startswith("aws_") else None
        if handler is not None:
            handler(r)
            continue
        for key in _POLICY_ATTRIBUTES:
            if _get(r.values, key) not in (None, ""):
                builder.warn(
                    r.source,
                    r.address,
                    f"{r.type} carries a policy ({key}) that iamsim does not model; it is ignored",
                )
                break
    return builder.build()
