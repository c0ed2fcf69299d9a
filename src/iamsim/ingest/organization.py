"""Loaders for AWS Organizations descriptions: the tree (root -> OUs -> accounts) with the
SCPs and RCPs attached to each node, and the management account.

Two formats, both JSON or YAML, detected from their content (see docs/inputs.md):

* our own tree format, ``{"organization": {"id", "management_account", "root": {...}}}``,
  where each node lists its SCPs/RCPs as documents, ``{name, document}`` entries, or paths of
  JSON files relative to the organization file;
* a bundle of the JSON that the ``aws organizations`` CLI prints (``describe-organization``,
  ``list-roots``, ``list-organizational-units-for-parent``, ``list-accounts-for-parent``,
  ``list-policies-for-target``, ``describe-policy``), each kept as printed, keyed by the
  parent, target or policy ID it was run for.

Both apply AWS's defaults: ``FullAWSAccess`` is attached to a node unless the input detaches
it, and ``RCPFullAWSAccess`` is attached to every node and cannot be detached.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from iamsim.errors import InputError
from iamsim.ingest.documents import Reader
from iamsim.ingest.files import InputFile

# Detection and the registry entries live in a small module of their own (start-up time);
# re-exported here, where they were first defined.
from iamsim.ingest.organization_detection import FORMATS as FORMATS
from iamsim.ingest.organization_detection import detect_bundle as detect_bundle
from iamsim.ingest.organization_detection import detect_tree as detect_tree
from iamsim.ingest.policy_documents import load_policy
from iamsim.ingest.read_scope import ReadScope
from iamsim.model import (
    Account,
    NodeKind,
    Organization,
    OrgNode,
    World,
)
from iamsim.policy.builtin import (
    FULL_AWS_ACCESS,
    RCP_FULL_AWS_ACCESS,
    full_aws_access_scp,
    rcp_full_aws_access,
)
from iamsim.policy.jsondoc import pointer
from iamsim.policy.model import Policy, PolicyType

SCP_TYPE = "SERVICE_CONTROL_POLICY"
RCP_TYPE = "RESOURCE_CONTROL_POLICY"
_BUILTIN_IDS = {"p-FullAWSAccess": FULL_AWS_ACCESS, "p-RCPFullAWSAccess": RCP_FULL_AWS_ACCESS}
_POLICY_TYPE_STATUSES = ("ENABLED", "PENDING_ENABLE", "PENDING_DISABLE")


def _builtin(name: str, source: str | None = None) -> Policy:
    return full_aws_access_scp(source) if name == FULL_AWS_ACCESS else rcp_full_aws_access(source)


def _with_full_access(
    policies: list[Policy], policy_type: PolicyType, attach_full: bool
) -> tuple[Policy, ...]:
    """Policies of one node with the AWS default attached first (and never twice)."""
    full = FULL_AWS_ACCESS if policy_type is PolicyType.SCP else RCP_FULL_AWS_ACCESS
    rest = [p for p in policies if p.name != full]
    has_full = len(rest) != len(policies)
    if attach_full or has_full:
        return (_builtin(full), *rest)
    return tuple(rest)


# == our tree format ======================================================================

_ORG_KEYS = {"id", "management_account", "scp_enabled", "rcp_enabled", "root", "name"}
_NODE_KEYS = {"id", "name", "scps", "rcps", "children", "full_aws_access"}
_OU_KEYS = {"ou", "name", "scps", "rcps", "children", "full_aws_access"}
_ACCOUNT_KEYS = {"account", "name", "email", "scps", "rcps", "full_aws_access"}


def load_tree(file: InputFile) -> World:
    return load_tree_document(file.document, file.source, file.path.parent, file.scope)


def load_tree_document(
    doc: Any, source: str, base_dir: Path | None = None, scope: ReadScope | None = None
) -> World:
    """Build a World (accounts + organization) from our tree format.

    Policy file paths (``scps: [scps/deny.json]``) are relative to ``base_dir`` and read only
    inside ``scope`` (default: ``base_dir``'s tree); one outside is an InputError naming it.
    """
    base = base_dir or Path(".")
    return _TreeLoader(source, base, scope or ReadScope((base.resolve(),))).load(doc)


class _TreeLoader:
    def __init__(self, source: str, base_dir: Path, scope: ReadScope) -> None:
        self.source = source
        self.base_dir = base_dir
        self.scope = scope
        self.r = Reader(source)
        self.accounts: dict[str, Account] = {}
        self.scp_enabled = True
        self.rcp_enabled = True

    def load(self, doc: Any) -> World:
        top = self.r.obj(doc, "", "an object with an 'organization' field")
        self.r.unknown_keys(top, {"organization"}, "")
        path = "/organization"
        org = self.r.obj(top["organization"], path)
        self.r.unknown_keys(org, _ORG_KEYS, path)
        org_id = self.r.req_string(org, "id", path)
        mgmt_raw = org.get("management_account")
        mgmt = (
            None
            if mgmt_raw is None
            else self.r.account_id(mgmt_raw, pointer(path, "management_account"))
        )
        self.scp_enabled = self.flag(org, "scp_enabled", path)
        self.rcp_enabled = self.flag(org, "rcp_enabled", path)
        root_path = pointer(path, "root")
        root_doc = self.r.obj(self.r.req(org, "root", path), root_path)
        self.r.unknown_keys(root_doc, _NODE_KEYS, root_path)
        root = self.node(
            root_doc, root_path, NodeKind.ROOT, self.r.req_string(root_doc, "id", root_path)
        )
        try:
            organization = Organization(
                id=org_id,
                management_account=mgmt,
                root=root,
                scp_enabled=self.scp_enabled,
                rcp_enabled=self.rcp_enabled,
            )
        except ValueError as exc:
            raise self.r.error(str(exc), root_path) from None
        if mgmt is not None and not organization.contains(mgmt):
            raise self.r.error(
                f"the management account {mgmt} does not appear in the tree",
                pointer(path, "management_account"),
            )
        sources = {"organization": self.source, **dict.fromkeys(self.accounts, self.source)}
        return World.of(accounts=self.accounts.values(), organization=organization, sources=sources)

    def flag(self, parent: Mapping[str, Any], key: str, path: str) -> bool:
        value = parent.get(key, True)
        if not isinstance(value, bool):
            raise self.r.error("expected true or false", pointer(path, key))
        return value

    def node(self, doc: Mapping[str, Any], path: str, kind: NodeKind, node_id: str) -> OrgNode:
        name = self.r.opt_string(doc, "name", path)
        label = f"{node_id} ({name})" if name else node_id
        attach_full = self.flag(doc, "full_aws_access", path)
        scps = self.policies(doc, "scps", path, PolicyType.SCP, label)
        rcps = self.policies(doc, "rcps", path, PolicyType.RCP, label)
        children: list[OrgNode] = []
        if kind is not NodeKind.ACCOUNT:
            kids_path = pointer(path, "children")
            for i, child in enumerate(self.r.opt_array(doc, "children", path)):
                children.append(self.child(child, pointer(kids_path, i)))
        return OrgNode(
            id=node_id,
            kind=kind,
            name=name,
            children=tuple(children),
            scps=_with_full_access(scps, PolicyType.SCP, attach_full) if self.scp_enabled else (),
            rcps=_with_full_access(rcps, PolicyType.RCP, True) if self.rcp_enabled else (),
        )

    def child(self, value: Any, path: str) -> OrgNode:
        doc = self.r.obj(value, path, "an {ou: ...} or {account: ...} object")
        if ("ou" in doc) == ("account" in doc):
            raise self.r.error("a child must have exactly one of 'ou' or 'account'", path)
        if "ou" in doc:
            self.r.unknown_keys(doc, _OU_KEYS, path)
            return self.node(doc, path, NodeKind.OU, self.r.req_string(doc, "ou", path))
        self.r.unknown_keys(doc, _ACCOUNT_KEYS, path)
        account_id = self.r.account_id(doc["account"], pointer(path, "account"))
        if account_id in self.accounts:
            raise self.r.error(f"account {account_id} appears twice", pointer(path, "account"))
        self.accounts[account_id] = Account(
            account_id,
            name=self.r.opt_string(doc, "name", path),
            email=self.r.opt_string(doc, "email", path),
        )
        return self.node(doc, path, NodeKind.ACCOUNT, account_id)

    def policies(
        self, doc: Mapping[str, Any], key: str, path: str, policy_type: PolicyType, label: str
    ) -> list[Policy]:
        value = doc.get(key)
        if value is None:
            return []
        list_path = pointer(path, key)
        enabled = self.scp_enabled if policy_type is PolicyType.SCP else self.rcp_enabled
        if not enabled:
            raise self.r.error(
                f"{key} are attached but {'scp' if key == 'scps' else 'rcp'}_enabled is false",
                list_path,
            )
        out = []
        kind = "SCP" if policy_type is PolicyType.SCP else "RCP"
        for i, item in enumerate(self.r.array(value, list_path)):
            out.append(
                self.policy(item, pointer(list_path, i), policy_type, f"{kind} {i + 1} of {label}")
            )
        return out

    def policy(self, item: Any, path: str, policy_type: PolicyType, default_name: str) -> Policy:
        builtin = FULL_AWS_ACCESS if policy_type is PolicyType.SCP else RCP_FULL_AWS_ACCESS
        if isinstance(item, str) and item == builtin:
            return _builtin(builtin, self.source)
        if isinstance(item, str) and item in (FULL_AWS_ACCESS, RCP_FULL_AWS_ACCESS):
            raise self.r.error(f"{item} is not a {policy_type.value.upper()}", path)
        if isinstance(item, Mapping) and "Statement" not in item:
            self.r.unknown_keys(item, {"name", "document", "file", "id", "description"}, path)
            name = self.r.opt_string(item, "name", path)
            if ("document" in item) == ("file" in item):
                raise self.r.error("give exactly one of 'document' or 'file'", path)
            if "file" in item:
                file = self.r.string(item["file"], pointer(path, "file"), "a file path")
                return load_policy(
                    file,
                    policy_type,
                    source=self.source,
                    path=pointer(path, "file"),
                    name=name,
                    base_dir=self.base_dir,
                    scope=self.scope,
                )
            return load_policy(
                item["document"],
                policy_type,
                source=self.source,
                path=pointer(path, "document"),
                name=name or default_name,
                base_dir=self.base_dir,
                scope=self.scope,
            )
        if not isinstance(item, Mapping | str):
            raise self.r.error(
                "expected a policy document, a {name, document} object or a file path", path
            )
        return load_policy(
            item,
            policy_type,
            source=self.source,
            path=path,
            name=None
            if isinstance(item, str) and not item.lstrip().startswith("{")
            else default_name,
            base_dir=self.base_dir,
            scope=self.scope,
        )


# == the aws organizations CLI bundle =====================================================

_BUNDLE_KEYS = {
    "DescribeOrganization",
    "Roots",
    "OrganizationalUnits",
    "Accounts",
    "PoliciesForTarget",
    "Policies",
}


def load_bundle(file: InputFile) -> World:
    return load_bundle_document(file.document, file.source)


def load_bundle_document(doc: Any, source: str) -> World:
    """Build a World (accounts + organization) from assembled ``aws organizations`` output."""
    try:
        return _BundleLoader(source).load(doc)
    except RecursionError:
        # OUs nest by ID here, not by document structure; AWS allows five levels.
        raise InputError(
            "the OU tree is nested too deeply", path="/OrganizationalUnits", source=source
        ) from None


class _BundleLoader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.r = Reader(source)
        self.accounts: dict[str, Account] = {}
        self.policy_cache: dict[str, Policy] = {}
        self.visited: set[str] = set()
        self.notes: list[str] = []

    def unwrap(self, value: Any, wrapper: str, path: str) -> tuple[Any, str]:
        """CLI output as printed (``{"Roots": [...]}``) or already unwrapped."""
        if isinstance(value, Mapping) and wrapper in value and len(value) == 1:
            return value[wrapper], pointer(path, wrapper)
        return value, path

    def load(self, doc: Any) -> World:
        top = self.r.obj(doc, "")
        self.r.unknown_keys(top, _BUNDLE_KEYS, "")
        org_raw, org_path = self.unwrap(
            top["DescribeOrganization"], "Organization", "/DescribeOrganization"
        )
        org = self.r.obj(org_raw, org_path, "the describe-organization output")
        org_id = self.r.req_string(org, "Id", org_path)
        mgmt_key = "ManagementAccountId" if "ManagementAccountId" in org else "MasterAccountId"
        mgmt = (
            self.r.account_id(org[mgmt_key], pointer(org_path, mgmt_key))
            if mgmt_key in org
            else None
        )
        roots_raw, roots_path = self.unwrap(top["Roots"], "Roots", "/Roots")
        roots = self.r.array(roots_raw, roots_path, "the list-roots output")
        if len(roots) != 1:
            raise self.r.error(f"expected exactly one root, found {len(roots)}", roots_path)
        root_path = pointer(roots_path, 0)
        root_doc = self.r.obj(roots[0], root_path)
        root_id = self.r.req_string(root_doc, "Id", root_path)
        self.ous = self.section(top, "OrganizationalUnits")
        self.account_lists = self.section(top, "Accounts")
        self.targets = self.section(top, "PoliciesForTarget")
        self.policy_docs = self.section(top, "Policies")
        self.scp_enabled, self.rcp_enabled = self.enabled_types(root_doc, root_path)
        self.check_disabled_attachments()
        root = self.node(root_id, NodeKind.ROOT, self.r.opt_string(root_doc, "Name", root_path))
        for parent in sorted(set(self.ous) | set(self.account_lists)):
            if parent not in self.visited:
                self.notes.append(
                    f"{self.source}: parent {parent} is not reachable from root {root_id}; ignored"
                )
        organization = Organization(
            id=org_id,
            management_account=mgmt,
            root=root,
            scp_enabled=self.scp_enabled,
            rcp_enabled=self.rcp_enabled,
        )
        sources = {"organization": self.source, **dict.fromkeys(self.accounts, self.source)}
        return World.of(
            accounts=self.accounts.values(),
            organization=organization,
            sources=sources,
            notes=tuple(self.notes),
        )

    def section(self, top: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        """A top-level map keyed by parent, target or policy ID (absent is empty)."""
        value = top.get(key)
        if value is None:
            return {}
        return self.r.obj(value, pointer("", key), "an object keyed by ID")

    def enabled_types(self, root: Mapping[str, Any], path: str) -> tuple[bool, bool]:
        """Policy types enabled at the root; without PolicyTypes, infer from attachments."""
        types = root.get("PolicyTypes")
        if types is None:
            attached = {s.get("Type") for s in self.all_summaries() if isinstance(s, Mapping)}
            return SCP_TYPE in attached, RCP_TYPE in attached
        where = pointer(path, "PolicyTypes")
        enabled = set()
        for i, item in enumerate(self.r.array(types, where)):
            entry_path = pointer(where, i)
            entry = self.r.obj(item, entry_path, "a {Type, Status} object")
            ptype = self.r.req_string(entry, "Type", entry_path)
            status = self.r.req_string(entry, "Status", entry_path)
            # list-roots prints these three, upper case; anything else is not AWS's output,
            # and reading it as "not enabled" would silently switch the type off.
            if status not in _POLICY_TYPE_STATUSES:
                raise self.r.error(
                    f"expected ENABLED, PENDING_ENABLE or PENDING_DISABLE, found {status!r}",
                    pointer(entry_path, "Status"),
                )
            if status != "PENDING_ENABLE":
                enabled.add(ptype)
        return SCP_TYPE in enabled, RCP_TYPE in enabled

    def check_disabled_attachments(self) -> None:
        """A customer SCP or RCP attached while its type is not enabled is a contradiction
        (AWS detaches them all when a type is disabled): refusing it is safer than ignoring
        the policy, as the tree format refuses ``scps`` with ``scp_enabled: false``."""
        enabled = {SCP_TYPE: self.scp_enabled, RCP_TYPE: self.rcp_enabled}
        for target in self.targets:
            for ptype, summaries in self.summaries(target).items():
                if enabled[ptype]:
                    continue
                for summary, where in summaries:
                    if summary.get("Id") in _BUILTIN_IDS:
                        continue
                    raise self.r.error(
                        f"a {ptype} is attached to {target} but the root's PolicyTypes does "
                        f"not enable {ptype}",
                        where,
                    )

    def all_summaries(self) -> list[Any]:
        out: list[Any] = []
        for target in self.targets:
            for summaries in self.summaries(target).values():
                out.extend(s for s, _ in summaries)
        return out

    def summaries(self, target: str) -> dict[str, list[tuple[Mapping[str, Any], str]]]:
        """Policy summaries attached to ``target``, by policy type, with their paths."""
        path = pointer("/PoliciesForTarget", target)
        value, path = self.unwrap(self.targets[target], "Policies", path)
        by_type: dict[str, list[tuple[Mapping[str, Any], str]]] = {SCP_TYPE: [], RCP_TYPE: []}
        groups: list[tuple[str | None, Any, str]]
        if isinstance(value, Mapping):
            groups = []
            for ptype, listing in value.items():
                if ptype not in by_type:
                    raise self.r.error(
                        f"expected {SCP_TYPE} or {RCP_TYPE}, found {ptype!r}", pointer(path, ptype)
                    )
                inner, inner_path = self.unwrap(listing, "Policies", pointer(path, ptype))
                groups.append((ptype, inner, inner_path))
        else:
            groups = [(None, value, path)]
        for ptype, listing, list_path in groups:
            for i, item in enumerate(
                self.r.array(listing, list_path, "a list of policy summaries")
            ):
                where = pointer(list_path, i)
                summary = self.r.obj(item, where, "a policy summary")
                kind = summary.get("Type", ptype)
                if kind is not None and not isinstance(kind, str):
                    raise self.r.error("the policy type must be a string", pointer(where, "Type"))
                if ptype is not None and kind != ptype:
                    raise self.r.error(f"a {kind} listed under {ptype}", pointer(where, "Type"))
                if kind not in by_type:
                    if kind is None:
                        raise self.r.error("the policy summary has no Type", where)
                    continue  # tag, backup, AI opt-out policies do not decide access
                by_type[kind].append((summary, where))
        return by_type

    def node(self, node_id: str, kind: NodeKind, name: str | None) -> OrgNode:
        if node_id in self.visited:
            raise self.r.error(f"{node_id} appears twice in the tree", "/OrganizationalUnits")
        self.visited.add(node_id)
        # The node's own policies first, so that errors come in tree order (root first).
        scps = self.attached(node_id, name, SCP_TYPE) if self.scp_enabled else ()
        rcps = self.attached(node_id, name, RCP_TYPE) if self.rcp_enabled else ()
        children: list[OrgNode] = []
        if kind is not NodeKind.ACCOUNT:
            children.extend(self.ou_children(node_id))
            children.extend(self.account_children(node_id))
        return OrgNode(
            id=node_id, kind=kind, name=name, children=tuple(children), scps=scps, rcps=rcps
        )

    def ou_children(self, parent: str) -> list[OrgNode]:
        if parent not in self.ous:
            return []
        path = pointer("/OrganizationalUnits", parent)
        value, path = self.unwrap(self.ous[parent], "OrganizationalUnits", path)
        out = []
        for i, item in enumerate(self.r.array(value, path, "the list-organizational-units output")):
            where = pointer(path, i)
            ou = self.r.obj(item, where)
            out.append(
                self.node(
                    self.r.req_string(ou, "Id", where),
                    NodeKind.OU,
                    self.r.opt_string(ou, "Name", where),
                )
            )
        return out

    def account_children(self, parent: str) -> list[OrgNode]:
        if parent not in self.account_lists:
            return []
        path = pointer("/Accounts", parent)
        value, path = self.unwrap(self.account_lists[parent], "Accounts", path)
        out = []
        for i, item in enumerate(self.r.array(value, path, "the list-accounts-for-parent output")):
            where = pointer(path, i)
            acct = self.r.obj(item, where)
            account_id = self.r.account_id(self.r.req(acct, "Id", where), pointer(where, "Id"))
            name = self.r.opt_string(acct, "Name", where)
            self.accounts[account_id] = Account(
                account_id, name=name, email=self.r.opt_string(acct, "Email", where)
            )
            out.append(self.node(account_id, NodeKind.ACCOUNT, name))
        return out

    def attached(self, target: str, name: str | None, ptype: str) -> tuple[Policy, ...]:
        policy_type = PolicyType.SCP if ptype == SCP_TYPE else PolicyType.RCP
        label = f"{target} ({name})" if name else target
        # Guessing what a node carries would hide its Deny statements: the listing is required.
        if target not in self.targets:
            raise self.r.error(
                f"no list-policies-for-target output for {label}: add it under "
                f"/PoliciesForTarget/{target} (aws organizations list-policies-for-target "
                f"--target-id {target} --filter {ptype})",
                "/PoliciesForTarget",
            )
        summaries = self.summaries(target)[ptype]
        if not summaries:
            # AWS keeps at least one policy of an enabled type on every node
            # (RCPFullAWSAccess cannot be detached), so none means the listing is missing.
            raise self.r.error(
                f"no {ptype} is listed for {label}, but every node carries at least one while "
                f"the type is enabled: include the output of list-policies-for-target "
                f"--target-id {target} --filter {ptype}",
                pointer("/PoliciesForTarget", target),
            )
        policies = [self.policy(s, where, policy_type) for s, where in summaries]
        # RCPFullAWSAccess cannot be detached; FullAWSAccess is present only if listed.
        return _with_full_access(policies, policy_type, ptype == RCP_TYPE)

    def policy(self, summary: Mapping[str, Any], path: str, policy_type: PolicyType) -> Policy:
        policy_id = self.r.req_string(summary, "Id", path)
        cached = self.policy_cache.get(policy_id)
        if cached is not None:
            return cached
        name = self.r.opt_string(summary, "Name", path) or policy_id
        if policy_id not in self.policy_docs:
            builtin = _BUILTIN_IDS.get(policy_id)
            if builtin is None:
                raise self.r.error(
                    f"policy {policy_id} ({name}) is attached but its describe-policy output "
                    "is not under /Policies",
                    pointer(path, "Id"),
                )
            policy = _builtin(builtin, self.source)
        else:
            ppath = pointer("/Policies", policy_id)
            value, ppath = self.unwrap(self.policy_docs[policy_id], "Policy", ppath)
            described = self.r.obj(value, ppath, "the describe-policy output")
            summary2 = described.get("PolicySummary")
            if isinstance(summary2, Mapping) and isinstance(summary2.get("Name"), str):
                name = summary2["Name"]
            content = self.r.req(described, "Content", ppath)
            policy = load_policy(
                content, policy_type, source=self.source, path=pointer(ppath, "Content"), name=name
            )
        self.policy_cache[policy_id] = policy
        return policy
