"""Loader for ``aws iam get-account-authorization-details`` exports (GAAD).

Reads UserDetailList, GroupDetailList, RoleDetailList and Policies into the world model.
Documents may be JSON objects or URL-encoded JSON strings (as the raw IAM API returns them).
The owning account of each entity comes from its ARN, so one file may hold several accounts
(and several files may hold one account each).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from iamsim.ingest.documents import Reader
from iamsim.ingest.files import InputFile
from iamsim.ingest.input_format import InputFormat
from iamsim.ingest.policy_documents import load_policy
from iamsim.model import (
    Account,
    Group,
    ManagedPolicy,
    PolicyVersion,
    Role,
    Tags,
    User,
    World,
    version_number,
)
from iamsim.model.names import name_problem, path_problem
from iamsim.policy.jsondoc import json_type, pointer
from iamsim.policy.model import Policy, PolicyType
from iamsim.vocabulary.arn import is_account_id, parse_entity_arn

LIST_KEYS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
PAGING_KEYS = frozenset({"Marker", "IsTruncated"})

# The members of each entry as the IAM API documents them (UserDetail, GroupDetail, RoleDetail,
# ManagedPolicyDetail, PolicyVersion, AttachedPermissionsBoundary, AttachedPolicy,
# PolicyDetail). A key that looks like a misspelling of one of them is an error; other keys
# are noted (AWS adds members over time).
_ENTRY_KEYS = {
    "UserDetailList": {
        "Path",
        "UserName",
        "UserId",
        "Arn",
        "CreateDate",
        "UserPolicyList",
        "GroupList",
        "AttachedManagedPolicies",
        "PermissionsBoundary",
        "Tags",
    },
    "GroupDetailList": {
        "Path",
        "GroupName",
        "GroupId",
        "Arn",
        "CreateDate",
        "GroupPolicyList",
        "AttachedManagedPolicies",
    },
    "RoleDetailList": {
        "Path",
        "RoleName",
        "RoleId",
        "Arn",
        "CreateDate",
        "AssumeRolePolicyDocument",
        "InstanceProfileList",
        "RolePolicyList",
        "AttachedManagedPolicies",
        "PermissionsBoundary",
        "Tags",
        "RoleLastUsed",
    },
    "Policies": {
        "PolicyName",
        "PolicyId",
        "Arn",
        "Path",
        "DefaultVersionId",
        "AttachmentCount",
        "PermissionsBoundaryUsageCount",
        "IsAttachable",
        "Description",
        "CreateDate",
        "UpdateDate",
        "PolicyVersionList",
    },
    "PolicyVersionList": {"Document", "VersionId", "IsDefaultVersion", "CreateDate"},
    "PermissionsBoundary": {"PermissionsBoundaryType", "PermissionsBoundaryArn"},
    "AttachedManagedPolicies": {"PolicyName", "PolicyArn"},
    **dict.fromkeys(
        ("UserPolicyList", "GroupPolicyList", "RolePolicyList"),
        frozenset({"PolicyName", "PolicyDocument"}),
    ),
}


def detect(file: InputFile) -> bool:
    """A GAAD export is an object whose keys are the four detail lists (and paging keys)."""
    doc = file.document
    if not isinstance(doc, Mapping) or not any(k in doc for k in LIST_KEYS):
        return False
    if not all(k in LIST_KEYS or k in PAGING_KEYS for k in doc):
        return False
    if any(k in doc for k in LIST_KEYS[:3]):
        return True
    # Only "Policies": list-policies-for-target and list-policies print that key too; an
    # export's policies carry their versions.
    policies = doc["Policies"]
    return isinstance(policies, list) and all(
        isinstance(p, Mapping) and "PolicyVersionList" in p for p in policies
    )


def load(file: InputFile) -> World:
    return load_document(file.document, file.source)


FORMATS = (
    InputFormat(
        name="gaad",
        description="aws iam get-account-authorization-details output",
        detect=detect,
        load=load,
    ),
)


def load_document(doc: Any, source: str) -> World:
    """Build a World from one parsed GAAD document."""
    return _GaadLoader(source).load(doc)


class _GaadLoader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.r = Reader(source)
        self.accounts: dict[str, Account] = {}
        self.first_seen: dict[str, str] = {}  # ARN -> JSON pointer of its first entry
        self.notes: list[str] = []
        self.unread: dict[tuple[str, str], str] = {}  # (list, key) -> first path

    def load(self, doc: Any) -> World:
        top = self.r.obj(doc, "", "a get-account-authorization-details object")
        if top.get("IsTruncated") is True:
            self.notes.append(
                f"{self.source}: the export is truncated (IsTruncated); entities may be missing"
            )
        users = [self.user(e, p) for e, p in self.entries(top, "UserDetailList")]
        groups = [self.group(e, p) for e, p in self.entries(top, "GroupDetailList")]
        roles = [self.role(e, p) for e, p in self.entries(top, "RoleDetailList")]
        policies = [self.managed(e, p) for e, p in self.entries(top, "Policies")]
        for (kind, key), where in self.unread.items():
            self.notes.append(
                f"{self.source}: {kind} entries have the key {key!r}, which iamsim does not "
                f"read (first at {where})"
            )
        sources = dict.fromkeys([*self.first_seen, *self.accounts], self.source)
        return World.of(
            accounts=self.accounts.values(),
            users=users,
            groups=groups,
            roles=roles,
            managed_policies=policies,
            sources=sources,
            notes=tuple(self.notes),
        )

    def entries(self, top: Mapping[str, Any], key: str) -> list[tuple[Mapping[str, Any], str]]:
        value = top.get(key)
        if value is None:
            return []
        path = pointer("", key)
        items = self.r.array(value, path)
        out = []
        for i, item in enumerate(items):
            where = pointer(path, i)
            entry = self.r.obj(item, where)
            self.check_keys(entry, key, where)
            out.append((entry, where))
        return out

    def check_keys(self, entry: Mapping[str, Any], kind: str, path: str) -> None:
        """Misspelled keys are errors; other unknown keys are noted once per kind and key."""
        for key in self.r.known_keys(entry, _ENTRY_KEYS[kind], path):
            self.unread.setdefault((kind, key), pointer(path, key))

    # -- shared pieces --------------------------------------------------------------------

    def arn_account(self, entry: Mapping[str, Any], path: str, kind: str) -> tuple[str, str]:
        arn = self.r.req_string(entry, "Arn", path)
        parsed = parse_entity_arn(arn)
        expected = "policy" if kind == "policy" else kind
        if parsed is None or parsed.service != "iam" or parsed.resource_type != expected:
            raise self.r.error(f"expected an IAM {kind} ARN, found {arn!r}", pointer(path, "Arn"))
        if kind != "policy" or parsed.account != "aws":
            if not (len(parsed.account) == 12 and parsed.account.isdigit()):
                raise self.r.error(
                    f"the ARN {arn!r} has no 12-digit account ID", pointer(path, "Arn")
                )
            if parsed.account not in self.accounts:
                self.accounts[parsed.account] = Account(parsed.account, partition=parsed.partition)
        if arn in self.first_seen:
            # Within one export an ARN appears once; a repeat means a corrupted file.
            raise self.r.error(
                f"{arn} is listed twice (first at {self.first_seen[arn]})", pointer(path, "Arn")
            )
        self.first_seen[arn] = path
        return arn, parsed.account

    def path_of(self, entry: Mapping[str, Any], path: str) -> str:
        value = entry.get("Path", "/")
        return self.r.string(value, pointer(path, "Path"), "an IAM path")

    def name_and_path(
        self, entry: Mapping[str, Any], path: str, arn: str, kind: str, name_key: str
    ) -> tuple[str, str]:
        """The entity's name and path, which must be the ones its ARN spells
        (``arn:aws:iam::111122223333:role/service-role/app`` is path ``/service-role/``, name
        ``app``): an entry whose name or path disagrees with its ARN is corrupted."""
        name = self.r.req_string(entry, name_key, path)
        problem = name_problem(kind, name)
        if problem is not None:
            raise self.r.error(problem, pointer(path, name_key))
        resource = arn.split(":", 5)[5]
        arn_path, _, arn_name = resource[len(kind) :].rpartition("/")
        arn_path += "/"
        # Without a Path, the ARN's is the path (exports always have one; hand-made ones may not).
        iam_path = self.path_of(entry, path) if entry.get("Path") is not None else arn_path
        problem = path_problem(kind, iam_path)
        if problem is not None:
            where = pointer(path, "Path") if entry.get("Path") is not None else pointer(path, "Arn")
            raise self.r.error(problem, where)
        if name != arn_name:
            raise self.r.error(
                f"{name_key} {name!r} does not match the name in the ARN {arn!r}",
                pointer(path, name_key),
            )
        if iam_path != arn_path:
            raise self.r.error(
                f"Path {iam_path!r} does not match the path in the ARN {arn!r}",
                pointer(path, "Path"),
            )
        return name, iam_path

    def policy_arn(self, value: Any, path: str, what: str) -> str:
        """A managed policy ARN (customer, ``arn:aws:iam::123456789012:policy/...``, or AWS,
        ``arn:aws:iam::aws:policy/...``)."""
        arn = self.r.string(value, path, what)
        parsed = parse_entity_arn(arn)
        if (
            parsed is None
            or parsed.service != "iam"
            or parsed.resource_type != "policy"
            or not (parsed.account == "aws" or is_account_id(parsed.account))
            or not parsed.resource.rstrip("/").removeprefix("policy/")
        ):
            raise self.r.error(f"expected an IAM policy ARN, found {arn!r}", path)
        return arn

    def inline(
        self, entry: Mapping[str, Any], key: str, path: str, owner: str
    ) -> tuple[Policy, ...]:
        out = []
        list_path = pointer(path, key)
        for i, item in enumerate(self.r.opt_array(entry, key, path)):
            where = pointer(list_path, i)
            obj = self.r.obj(item, where)
            self.check_keys(obj, key, where)
            name = self.r.req_string(obj, "PolicyName", where)
            document = self.r.req(obj, "PolicyDocument", where)
            out.append(
                load_policy(
                    document,
                    PolicyType.IDENTITY,
                    source=self.source,
                    path=pointer(where, "PolicyDocument"),
                    name=f"{name} (inline, {owner})",
                )
            )
        return tuple(out)

    def attached(self, entry: Mapping[str, Any], path: str) -> tuple[str, ...]:
        list_path = pointer(path, "AttachedManagedPolicies")
        arns = []
        for i, item in enumerate(self.r.opt_array(entry, "AttachedManagedPolicies", path)):
            where = pointer(list_path, i)
            obj = self.r.obj(item, where, "an object with PolicyArn")
            self.check_keys(obj, "AttachedManagedPolicies", where)
            arns.append(
                self.policy_arn(
                    self.r.req(obj, "PolicyArn", where), pointer(where, "PolicyArn"), "a policy ARN"
                )
            )
        return tuple(arns)

    def boundary(self, entry: Mapping[str, Any], path: str) -> str | None:
        """The boundary's policy ARN; absent (or null) is no boundary, but an empty or
        malformed value is an error rather than silently no boundary."""
        value = entry.get("PermissionsBoundary")
        if value is None:
            return None
        where = pointer(path, "PermissionsBoundary")
        if not isinstance(value, Mapping) or not value:
            found = "an empty string" if value == "" else json_type(value)
            if isinstance(value, Mapping):
                found = "an empty object"
            raise self.r.error(
                f"expected an object with PermissionsBoundaryArn, found {found}", where
            )
        self.check_keys(value, "PermissionsBoundary", where)
        arn = self.r.req(value, "PermissionsBoundaryArn", where)
        return self.policy_arn(
            arn, pointer(where, "PermissionsBoundaryArn"), "the boundary policy's ARN"
        )

    def tags(self, entry: Mapping[str, Any], path: str) -> Tags:
        return Tags(self.r.tags(entry.get("Tags"), pointer(path, "Tags")))

    # -- entities -------------------------------------------------------------------------

    def user(self, e: Mapping[str, Any], path: str) -> User:
        arn, account = self.arn_account(e, path, "user")
        name, iam_path = self.name_and_path(e, path, arn, "user", "UserName")
        groups_path = pointer(path, "GroupList")
        group_names = tuple(
            self.r.string(g, pointer(groups_path, i), "a group name")
            for i, g in enumerate(self.r.opt_array(e, "GroupList", path))
        )
        return User(
            arn=arn,
            name=name,
            account=account,
            path=iam_path,
            id=self.r.opt_string(e, "UserId", path),
            inline_policies=self.inline(e, "UserPolicyList", path, f"user/{name}"),
            managed_policy_arns=self.attached(e, path),
            group_names=group_names,
            boundary_arn=self.boundary(e, path),
            tags=self.tags(e, path),
        )

    def group(self, e: Mapping[str, Any], path: str) -> Group:
        arn, account = self.arn_account(e, path, "group")
        name, iam_path = self.name_and_path(e, path, arn, "group", "GroupName")
        return Group(
            arn=arn,
            name=name,
            account=account,
            path=iam_path,
            id=self.r.opt_string(e, "GroupId", path),
            inline_policies=self.inline(e, "GroupPolicyList", path, f"group/{name}"),
            managed_policy_arns=self.attached(e, path),
        )

    def role(self, e: Mapping[str, Any], path: str) -> Role:
        arn, account = self.arn_account(e, path, "role")
        name, iam_path = self.name_and_path(e, path, arn, "role", "RoleName")
        trust_doc = e.get("AssumeRolePolicyDocument")
        trust = None
        if trust_doc is not None:
            trust = load_policy(
                trust_doc,
                PolicyType.TRUST,
                source=self.source,
                path=pointer(path, "AssumeRolePolicyDocument"),
                name=f"trust policy of role/{name}",
            )
        else:
            self.notes.append(f"{self.source}: role {arn} has no AssumeRolePolicyDocument")
        profiles_path = pointer(path, "InstanceProfileList")
        profiles = []
        for i, item in enumerate(self.r.opt_array(e, "InstanceProfileList", path)):
            where = pointer(profiles_path, i)
            profiles.append(self.r.req_string(self.r.obj(item, where), "Arn", where))
        return Role(
            arn=arn,
            name=name,
            account=account,
            path=iam_path,
            id=self.r.opt_string(e, "RoleId", path),
            trust_policy=trust,
            inline_policies=self.inline(e, "RolePolicyList", path, f"role/{name}"),
            managed_policy_arns=self.attached(e, path),
            boundary_arn=self.boundary(e, path),
            tags=self.tags(e, path),
            instance_profile_arns=tuple(sorted(profiles)),
        )

    def managed(self, e: Mapping[str, Any], path: str) -> ManagedPolicy:
        arn, _ = self.arn_account(e, path, "policy")
        name, iam_path = self.name_and_path(e, path, arn, "policy", "PolicyName")
        default_id = self.r.opt_string(e, "DefaultVersionId", path)
        versions_path = pointer(path, "PolicyVersionList")
        raw_versions = self.r.array(self.r.req(e, "PolicyVersionList", path), versions_path)
        versions = []
        for i, item in enumerate(raw_versions):
            where = pointer(versions_path, i)
            v = self.r.obj(item, where)
            self.check_keys(v, "PolicyVersionList", where)
            version_id = self.r.req_string(v, "VersionId", where)
            is_default = v.get("IsDefaultVersion")
            if not isinstance(is_default, bool):
                is_default = version_id == default_id
            doc = load_policy(
                self.r.req(v, "Document", where),
                PolicyType.IDENTITY,
                source=self.source,
                path=pointer(where, "Document"),
                name=name,
            )
            create = v.get("CreateDate")
            versions.append(
                PolicyVersion(version_id, doc, is_default, str(create) if create else None)
            )
        defaults = [v for v in versions if v.is_default]
        if len(defaults) != 1:
            raise self.r.error(
                f"policy {name} must have exactly one default version, found {len(defaults)}",
                versions_path,
            )
        if default_id is not None and defaults[0].version_id != default_id:
            raise self.r.error(
                f"DefaultVersionId is {default_id} but version {defaults[0].version_id} is "
                "marked IsDefaultVersion",
                pointer(path, "DefaultVersionId"),
            )
        versions.sort(key=lambda v: version_number(v.version_id))
        return ManagedPolicy(
            arn=arn,
            name=name,
            versions=tuple(versions),
            path=iam_path,
            id=self.r.opt_string(e, "PolicyId", path),
            attachment_count=_int_or_none(e.get("AttachmentCount")),
            boundary_usage_count=_int_or_none(e.get("PermissionsBoundaryUsageCount")),
            update_date=str(e["UpdateDate"]) if e.get("UpdateDate") else None,
        )


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
