"""What iamsim knows of CloudFormation's resource types: the one owner of those tables.

The types of the mapped namespaces and their properties (a near miss is an error, since
CloudFormation rejects it and skipping it could drop a Deny), the property that names each
type (``Ref``/``GetAtt``) and its generated-name length limit, what a policy-carrying type
applies to, and the policy properties of types that are not modeled (reported, not read).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from iamsim.errors import InputError
from iamsim.ingest.documents import close_match
from iamsim.ingest.iac.unknown import Warnings

# Ref and Fn::GetAtt of the resource types we know: how CloudFormation computes them.
NAME_PROPERTY = {
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::ECR::Repository": "RepositoryName",
    "AWS::KMS::Alias": "AliasName",
    "AWS::Logs::LogGroup": "LogGroupName",
}
# CloudFormation's name length limits for generated names.
NAME_LIMITS = {
    "AWS::IAM::Role": 64,
    "AWS::IAM::User": 64,
    "AWS::IAM::Group": 128,
    "AWS::IAM::ManagedPolicy": 128,
    "AWS::S3::Bucket": 63,
    "AWS::SQS::Queue": 80,
    "AWS::SNS::Topic": 256,
    "AWS::Lambda::Function": 64,
}


# Policy-carrying resource types whose Properties (or existence, under an unknown Condition)
# may be unknown, and what their policy applies to then: principals of a kind ("principal"
# for any) or the template's resources of a type.
AFFECTS = {
    "AWS::IAM::Policy": "principal",
    "AWS::IAM::ManagedPolicy": "principal",
    "AWS::IAM::RolePolicy": "role",
    "AWS::IAM::UserPolicy": "user",
    "AWS::IAM::GroupPolicy": "group",
    "AWS::IAM::UserToGroupAddition": "user",
    "AWS::S3::BucketPolicy": "AWS::S3::Bucket",
    "AWS::SQS::QueuePolicy": "AWS::SQS::Queue",
    "AWS::SNS::TopicPolicy": "AWS::SNS::Topic",
    "AWS::Lambda::Permission": "AWS::Lambda::Function",
}

# Every resource type of the namespaces whose types are mapped (CloudFormation's template
# reference). A type of these namespaces outside the list is a misspelling (CloudFormation
# rejects it), not something to skip: skipping AWS::IAM::Polcy would drop a Deny.
_KNOWN_TYPES = {
    "AWS::IAM": (
        "AccessKey",
        "Group",
        "GroupPolicy",
        "InstanceProfile",
        "ManagedPolicy",
        "OIDCProvider",
        "Policy",
        "Role",
        "RolePolicy",
        "SAMLProvider",
        "ServerCertificate",
        "ServiceLinkedRole",
        "User",
        "UserPolicy",
        "UserToGroupAddition",
        "VirtualMFADevice",
    ),
    "AWS::S3": (
        "AccessGrant",
        "AccessGrantsInstance",
        "AccessGrantsLocation",
        "AccessPoint",
        "Bucket",
        "BucketPolicy",
        "MultiRegionAccessPoint",
        "MultiRegionAccessPointPolicy",
        "StorageLens",
        "StorageLensGroup",
    ),
    "AWS::KMS": ("Alias", "Key", "ReplicaKey"),
    "AWS::SQS": ("Queue", "QueueInlinePolicy", "QueuePolicy"),
    "AWS::SNS": ("Subscription", "Topic", "TopicInlinePolicy", "TopicPolicy"),
    "AWS::Lambda": (
        "Alias",
        "CapacityProvider",
        "CodeSigningConfig",
        "EventInvokeConfig",
        "EventSourceMapping",
        "Function",
        "LayerVersion",
        "LayerVersionPermission",
        "Permission",
        "Url",
        "Version",
    ),
}
_ALL_KNOWN_TYPES = frozenset(
    f"{namespace}::{name}" for namespace, names in _KNOWN_TYPES.items() for name in names
)

# The properties of each mapped type (CloudFormation's template reference), read or not. A
# property outside the list that looks like a misspelling of one is an error (its value would
# be silently dropped: PermissionBoundary for PermissionsBoundary); others are reported.
_PROPERTIES = {
    "AWS::IAM::User": (
        "Groups",
        "LoginProfile",
        "ManagedPolicyArns",
        "Path",
        "PermissionsBoundary",
        "Policies",
        "Tags",
        "UserName",
    ),
    "AWS::IAM::Group": ("GroupName", "ManagedPolicyArns", "Path", "Policies"),
    "AWS::IAM::Role": (
        "AssumeRolePolicyDocument",
        "Description",
        "ManagedPolicyArns",
        "MaxSessionDuration",
        "Path",
        "PermissionsBoundary",
        "Policies",
        "RoleName",
        "Tags",
    ),
    "AWS::IAM::Policy": ("Groups", "PolicyDocument", "PolicyName", "Roles", "Users"),
    "AWS::IAM::ManagedPolicy": (
        "Description",
        "Groups",
        "ManagedPolicyName",
        "Path",
        "PolicyDocument",
        "Roles",
        "Users",
    ),
    "AWS::IAM::RolePolicy": ("PolicyDocument", "PolicyName", "RoleName"),
    "AWS::IAM::UserPolicy": ("PolicyDocument", "PolicyName", "UserName"),
    "AWS::IAM::GroupPolicy": ("GroupName", "PolicyDocument", "PolicyName"),
    "AWS::IAM::UserToGroupAddition": ("GroupName", "Users"),
    "AWS::IAM::InstanceProfile": ("InstanceProfileName", "Path", "Roles"),
    "AWS::S3::Bucket": (
        "AbacStatus",
        "AccelerateConfiguration",
        "AccessControl",
        "AnalyticsConfigurations",
        "BucketEncryption",
        "BucketName",
        "CorsConfiguration",
        "IntelligentTieringConfigurations",
        "InventoryConfigurations",
        "LifecycleConfiguration",
        "LoggingConfiguration",
        "MetadataConfiguration",
        "MetadataTableConfiguration",
        "MetricsConfigurations",
        "NotificationConfiguration",
        "ObjectLockConfiguration",
        "ObjectLockEnabled",
        "OwnershipControls",
        "PublicAccessBlockConfiguration",
        "ReplicationConfiguration",
        "Tags",
        "VersioningConfiguration",
        "WebsiteConfiguration",
    ),
    "AWS::S3::BucketPolicy": ("Bucket", "PolicyDocument"),
    "AWS::KMS::Key": (
        "BypassPolicyLockoutSafetyCheck",
        "Description",
        "EnableKeyRotation",
        "Enabled",
        "KeyPolicy",
        "KeySpec",
        "KeyUsage",
        "MultiRegion",
        "Origin",
        "PendingWindowInDays",
        "RotationPeriodInDays",
        "Tags",
    ),
    "AWS::SQS::QueuePolicy": ("PolicyDocument", "Queues"),
    "AWS::SNS::TopicPolicy": ("PolicyDocument", "Topics"),
    "AWS::Lambda::Permission": (
        "Action",
        "EventSourceToken",
        "FunctionName",
        "FunctionUrlAuthType",
        "InvokedViaFunctionUrl",
        "Principal",
        "PrincipalOrgID",
        "SourceAccount",
        "SourceArn",
    ),
}


def check_type(rtype: str, path: str, source: str) -> None:
    """Refuse a type of a mapped namespace that does not exist (or one that is a near miss of
    a mapped type from elsewhere, ``AWS::IAMM::Role``)."""
    if rtype in _ALL_KNOWN_TYPES:
        return
    namespace = "::".join(rtype.split("::")[:2])
    own = next((ns for ns in _KNOWN_TYPES if ns.lower() == namespace.lower()), None)
    if own is not None:
        suggestion = close_match(rtype, (f"{own}::{name}" for name in _KNOWN_TYPES[own]))
    else:
        suggestion = close_match(rtype, _ALL_KNOWN_TYPES, cutoff=0.9)
        if suggestion is None:
            return  # another service's type: not modeled (reported below if it has a policy)
    hint = f" (did you mean {suggestion!r}?)" if suggestion else f" ({own} has no such type)"
    raise InputError(f"unknown resource type {rtype!r}{hint}", path=path, source=source)


def check_properties(res: Mapping[str, Any], logical: str, source: str, warnings: Warnings) -> None:
    known = _PROPERTIES.get(str(res["Type"]))
    props = res.get("Properties")
    if known is None or not isinstance(props, Mapping):
        return
    for key in props:
        if key in known:
            continue
        name = str(key)
        suggestion = close_match(name, known)
        if suggestion is not None:
            raise InputError(
                f"unknown property {name!r} of {res['Type']} (did you mean {suggestion!r}?)",
                path=f"/Resources/{logical}/Properties/{name}",
                source=source,
            )
        warnings.add(
            source,
            logical,
            f"{res['Type']} has no property {name!r} that iamsim knows; it is ignored",
        )


# Resource types that carry a policy under another name (or several), and what to say of them.
UNMODELED_POLICY_PROPERTIES = {
    "AWS::Organizations::Policy": ("Content",),
    "AWS::Organizations::ResourcePolicy": ("Content",),
    "AWS::SSO::PermissionSet": (
        "InlinePolicy",
        "ManagedPolicies",
        "CustomerManagedPolicyReferences",
        "PermissionsBoundary",
    ),
}
UNMODELED_HINTS = {
    "AWS::Organizations::Policy": (
        " (load the organization, with its policies, from the organization tree or the "
        "aws organizations CLI bundle)"
    ),
    "AWS::SSO::PermissionSet": (
        " (it applies to the AWSReservedSSO_ roles IAM Identity Center creates in the "
        "assigned accounts; load their account exports)"
    ),
}

# Property names that hold policy documents; a resource type we do not map that has one is
# reported.
POLICY_PROPERTIES = (
    "PolicyDocument",
    "KeyPolicy",
    "ResourcePolicy",
    "AccessPolicies",
    "Policy",
    "RepositoryPolicyText",
    "PolicyText",
    "ResourcePolicyDocument",
    "AccessPolicy",
    "FileSystemPolicy",
    "PermissionsPolicyDocument",
    "InlinePolicy",
)
