"""Loader for our resources file: resources with their owner, tags and resource policy.

Shape (JSON or YAML; see docs/inputs.md)::

    resources:
      - arn: arn:aws:s3:::backup-bucket
        account: "111122223333"          # required when the ARN has no account (S3)
        tags: {team: backup}             # or [{Key: team, Value: backup}]
        policy: {...}                    # an object, a JSON string, or a JSON file path
        runs_as: arn:aws:iam::111122223333:role/app   # the role its code runs as (compute)

A top-level list of the same entries is accepted too. Policies are resource-based policies
(bucket, key, queue, topic, function, secret, repository policies...).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from iamsim.ingest.documents import Reader
from iamsim.ingest.files import InputFile
from iamsim.ingest.input_format import InputFormat
from iamsim.ingest.policy_documents import load_policy
from iamsim.ingest.read_scope import ReadScope
from iamsim.model import Account, Resource, RunsAs, Tags, World, resource_kind
from iamsim.policy.jsondoc import pointer
from iamsim.policy.model import PolicyType
from iamsim.vocabulary.arn import is_account_id, parse_entity_arn

_ENTRY_KEYS = {"arn", "account", "policy", "tags", "kind", "runs_as"}


def detect(file: InputFile) -> bool:
    doc = file.document
    if isinstance(doc, Mapping):
        if set(doc) != {"resources"}:
            return False
        doc = doc["resources"]
    return (
        isinstance(doc, list)
        and bool(doc)
        and all(isinstance(e, Mapping) and "arn" in e for e in doc)
    )


def load(file: InputFile) -> World:
    return load_document(file.document, file.source, file.path.parent, file.scope)


FORMATS = (
    InputFormat(
        name="resources",
        description='resources file ({"resources": [{"arn", "account", "policy", "tags"}]})',
        detect=detect,
        load=load,
    ),
)


def load_document(
    doc: Any, source: str, base_dir: Path | None = None, scope: ReadScope | None = None
) -> World:
    """Build a World (resources and their accounts) from a parsed resources file.

    Policy file paths are relative to ``base_dir`` and read only inside ``scope`` (default:
    ``base_dir``'s tree).
    """
    r = Reader(source)
    base = base_dir or Path(".")
    scope = scope or ReadScope((base.resolve(),))
    list_path = ""
    if isinstance(doc, Mapping):
        r.unknown_keys(doc, {"resources"}, "")
        doc, list_path = doc.get("resources"), "/resources"
    entries = r.array(doc, list_path, "a list of resources")
    resources: dict[str, Resource] = {}
    accounts: dict[str, Account] = {}
    links: list[RunsAs] = []
    for i, item in enumerate(entries):
        path = pointer(list_path, i)
        entry = r.obj(item, path, "a resource {arn, account, policy, tags}")
        r.unknown_keys(entry, _ENTRY_KEYS, path)
        arn = r.req_string(entry, "arn", path)
        parsed = parse_entity_arn(arn)
        if parsed is None:
            raise r.error(f"{arn!r} is not an ARN", pointer(path, "arn"))
        if "*" in arn or "?" in arn:
            raise r.error("a resource ARN cannot contain wildcards", pointer(path, "arn"))
        if parsed.service == "iam" and parsed.resource_type in ("role", "user", "group"):
            raise r.error(
                "IAM users, groups and roles come from IAM inputs (their trust policy is part "
                "of the role), not from the resources file",
                pointer(path, "arn"),
            )
        account = None
        if "account" in entry:
            account = r.account_id(entry["account"], pointer(path, "account"))
            if is_account_id(parsed.account) and parsed.account != account:
                raise r.error(
                    f"account {account} differs from the ARN's account {parsed.account}",
                    pointer(path, "account"),
                )
        elif is_account_id(parsed.account):
            account = parsed.account
        else:
            raise r.error(f"the ARN {arn!r} names no account; give the owner in 'account'", path)
        if arn in resources:
            raise r.error(f"{arn} is listed twice", pointer(path, "arn"))
        policy = None
        if entry.get("policy") is not None:
            policy = load_policy(
                entry["policy"],
                PolicyType.RESOURCE,
                source=source,
                path=pointer(path, "policy"),
                name=f"resource policy of {arn}",
                base_dir=base,
                scope=scope,
            )
        kind = r.opt_string(entry, "kind", path) or resource_kind(arn)
        resources[arn] = Resource(
            arn=arn,
            account=account,
            tags=Tags(r.tags(entry.get("tags"), pointer(path, "tags"))),
            policy=policy,
            kind=kind,
        )
        accounts.setdefault(account, Account(account, partition=parsed.partition))
        if entry.get("runs_as") is not None:
            where = pointer(path, "runs_as")
            role = r.req_string(entry, "runs_as", path)
            role_arn = parse_entity_arn(role)
            if (
                role_arn is None
                or role_arn.service != "iam"
                or not role_arn.resource.startswith("role/")
                or any(c in role for c in "*?")
            ):
                raise r.error(
                    f"runs_as is the ARN of the role the resource's code runs as "
                    f"(arn:aws:iam::ACCOUNT:role/NAME), not {role!r}",
                    where,
                )
            links.append(
                RunsAs(arn, role, kind.replace("-", " "), "execution role", f"{source}#{where}")
            )
    sources = dict.fromkeys([*resources, *accounts], source)
    return World.of(
        accounts=accounts.values(), resources=resources.values(), sources=sources, runs_as=links
    )
