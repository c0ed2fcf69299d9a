"""The world model: accounts, the organization tree (with SCPs and RCPs per node), IAM users,
groups, roles, sessions, the root user, service principals, anonymous callers, managed
policies and resources. Plain immutable records; no file formats (that is ``ingest/``) and no
decisions (that is ``engine/``).
"""

from iamsim.model.managed import (
    SNAPSHOT_SOURCE,
    aws_managed_policy,
    is_aws_managed_arn,
    resolve_managed_policies,
)
from iamsim.model.organization import (
    NodeKind,
    Organization,
    OrgNode,
)
from iamsim.model.policies import ManagedPolicy, PolicyVersion, version_number
from iamsim.model.principals import (
    SERVICE_LINKED_ROLE_PATH,
    Anonymous,
    FederatedIdentity,
    Group,
    Principal,
    Role,
    Root,
    ServicePrincipal,
    Session,
    SessionKind,
    User,
)
from iamsim.model.resources import Resource, resource_kind, s3_bucket_arn
from iamsim.model.runs_as import RunsAs
from iamsim.model.tags import EMPTY_TAGS, Tags
from iamsim.model.world import Account, World, merge_worlds

# Node is the name the design notes use for an organization tree node.
Node = OrgNode

__all__ = [
    "EMPTY_TAGS",
    "SERVICE_LINKED_ROLE_PATH",
    "SNAPSHOT_SOURCE",
    "Account",
    "Anonymous",
    "FederatedIdentity",
    "Group",
    "ManagedPolicy",
    "Node",
    "NodeKind",
    "OrgNode",
    "Organization",
    "PolicyVersion",
    "Principal",
    "Resource",
    "Role",
    "Root",
    "RunsAs",
    "ServicePrincipal",
    "Session",
    "SessionKind",
    "Tags",
    "User",
    "World",
    "aws_managed_policy",
    "is_aws_managed_arn",
    "merge_worlds",
    "resolve_managed_policies",
    "resource_kind",
    "s3_bucket_arn",
    "version_number",
]
