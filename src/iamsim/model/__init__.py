"""The world model: accounts, the organization tree (with SCPs and RCPs per node), IAM users,
groups, roles, sessions, the root user, service principals, anonymous callers, managed
policies and resources. Plain immutable records; no file formats (that is ``ingest/``) and no
decisions (that is ``engine/``).
"""

from iamsim.model.arn import Arn, is_account_id, parse_arn
from iamsim.model.organization import (
    FULL_AWS_ACCESS,
    RCP_FULL_AWS_ACCESS,
    NodeKind,
    Organization,
    OrgNode,
    full_aws_access_scp,
    rcp_full_aws_access,
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
from iamsim.model.tags import EMPTY_TAGS, Tags
from iamsim.model.world import Account, World, merge_worlds

# Node is the name the design notes use for an organization tree node.
Node = OrgNode

__all__ = [
    "EMPTY_TAGS",
    "FULL_AWS_ACCESS",
    "RCP_FULL_AWS_ACCESS",
    "SERVICE_LINKED_ROLE_PATH",
    "Account",
    "Anonymous",
    "Arn",
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
    "ServicePrincipal",
    "Session",
    "SessionKind",
    "Tags",
    "User",
    "World",
    "full_aws_access_scp",
    "is_account_id",
    "merge_worlds",
    "parse_arn",
    "rcp_full_aws_access",
    "resource_kind",
    "s3_bucket_arn",
    "version_number",
]
