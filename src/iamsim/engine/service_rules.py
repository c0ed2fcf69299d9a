"""Restrictions of a credential type or a service that no policy can lift.

Some requests fail whatever the policies say: the credentials a caller holds cannot call some
APIs, and some services refuse some operations on resources of another account even when both
accounts' policies allow them. Some requests succeed despite a policy: the bucket owner's root
user keeps the bucket-policy operations. This module owns those rules; the decision procedure
(:mod:`iamsim.engine.decision`) asks it before and around the policy evaluation. Each rule
carries the sentence of the AWS page it comes from.

Action names here are lower case (the engine compares actions case-insensitively).
"""

from __future__ import annotations

from iamsim.vocabulary.request import CallerKind, Request

# "GetFederationToken - Restrictions on resulting temporary credentials: Cannot call IAM
# operations using the AWS CLI or AWS API. Cannot call AWS STS operations except
# GetCallerIdentity." / "AssumeRole ... Cannot call GetFederationToken or GetSessionToken."
# https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_sts-comparison.html
STS_COMPARISON = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_sts-comparison.html"
)
_ROLE_SESSION_CANNOT = frozenset({"sts:getfederationtoken", "sts:getsessiontoken"})

# "Cross-account permissions don't apply to the following actions: AddPermission,
# CancelMessageMoveTask, CreateQueue, DeleteQueue, ListMessageMoveTask, ListQueues,
# ListQueueTags, RemovePermission, SetQueueAttributes, StartMessageMoveTask, TagQueue,
# UntagQueue"
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-limitations-of-custom-policies.html
SQS_LIMITATIONS = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-limitations-of-custom-policies.html"
_SQS_OWNER_ONLY = frozenset(
    f"sqs:{name}"
    for name in (
        "addpermission",
        "cancelmessagemovetask",
        "createqueue",
        "deletequeue",
        "listmessagemovetasks",
        "listqueues",
        "listqueuetags",
        "removepermission",
        "setqueueattributes",
        "startmessagemovetask",
        "tagqueue",
        "untagqueue",
    )
)

# "Cross-account permission is effective only for the following operations: ... If you give a
# user in a different account permission for other operations, those permissions have no
# effect." (the operations whose "Cross-account use" is Yes in the permissions reference)
# https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
KMS_CROSS_ACCOUNT = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html"
_KMS_CROSS_ACCOUNT_OPERATIONS = frozenset(
    f"kms:{name}"
    for name in (
        "creategrant",
        "decrypt",
        "derivesharedsecret",
        "describekey",
        "encrypt",
        "generatedatakey",
        "generatedatakeypair",
        "generatedatakeypairwithoutplaintext",
        "generatedatakeywithoutplaintext",
        "generatemac",
        "getkeyrotationstatus",
        "getpublickey",
        "listgrants",
        "reencryptfrom",
        "reencryptto",
        "retiregrant",
        "revokegrant",
        "sign",
        "verify",
        "verifymac",
    )
)

# "the root principal in a bucket owner's AWS account can perform the GetBucketPolicy,
# PutBucketPolicy, and DeleteBucketPolicy API actions, even if their bucket policy explicitly
# denies the root principal's access. Bucket owner root principals can only be blocked from
# performing these API actions by VPC endpoint policies and AWS Organizations policies."
# "If you have the correct permissions, but you're not using an identity that belongs to the
# bucket owner's account, Amazon S3 returns a 405 Method Not Allowed error."
# https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html
S3_BUCKET_POLICY = "https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html"
BUCKET_POLICY_ACTIONS = frozenset(
    {"s3:getbucketpolicy", "s3:putbucketpolicy", "s3:deletebucketpolicy"}
)


# AWS-managed entities: AWS refuses these whatever the caller's policies say (the IAM API answers
# UnmodifiableEntity / the KMS API a validation error), so they are not policy decisions.
#
# "You cannot change the permissions defined in AWS managed policies."
# https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies
AWS_MANAGED_POLICIES = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies"
_AWS_MANAGED_POLICY_ARN = ":iam::aws:policy/"
_POLICY_CHANGES = frozenset(
    f"iam:{name}"
    for name in (
        "createpolicyversion",
        "deletepolicy",
        "deletepolicyversion",
        "setdefaultpolicyversion",
        "tagpolicy",
        "untagpolicy",
    )
)

# "Only the service that depends on the service-linked role can modify or delete the role on your
# behalf" (UnmodifiableEntityException); "To attach a policy to this service-linked role, you must
# make the request using the AWS service that depends on this role"; the description stays
# editable ("You can edit the description of any role"), and iam:PassRole is not refused (EC2 Auto
# Scaling asks for iam:PassRole on its custom-suffix service-linked roles).
# https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceLinkedRole.html
# https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-service-linked-role.html
SERVICE_LINKED_ROLES = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-service-linked-role.html"
)
_SERVICE_LINKED_PATH = ":role/aws-service-role/"
_ROLE_CHANGES = frozenset(
    f"iam:{name}"
    for name in (
        "attachrolepolicy",
        "detachrolepolicy",
        "putrolepolicy",
        "deleterolepolicy",
        "updateassumerolepolicy",
        "putrolepermissionsboundary",
        "deleterolepermissionsboundary",
        "deleterole",
    )
)

# "When you assign a permission set, IAM Identity Center creates corresponding IAM Identity
# Center-controlled IAM roles in each account ... IAM Identity Center manages the role"; IAM
# answers "this role is only modifiable by AWS". Identity Center changes them through its
# service-linked role AWSServiceRoleForSSO (AWSSSOServiceRolePolicy grants it exactly these
# operations on arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*).
# https://docs.aws.amazon.com/singlesignon/latest/userguide/identity-center-and-iam-roles.html
IDENTITY_CENTER_ROLES = (
    "https://docs.aws.amazon.com/singlesignon/latest/userguide/identity-center-and-iam-roles.html"
)
_RESERVED_PATH = ":role/aws-reserved/"
_RESERVED_ROLE_CHANGES = _ROLE_CHANGES | {"iam:updaterole", "iam:updateroledescription"}

# "The alias name for a customer managed key cannot begin with alias/aws/. The alias/aws/ prefix
# is reserved for AWS managed key." / "You cannot manage aliases for AWS managed keys".
# https://docs.aws.amazon.com/kms/latest/developerguide/alias-create.html
KMS_RESERVED_ALIASES = "https://docs.aws.amazon.com/kms/latest/developerguide/alias-create.html"
_KMS_ALIAS_CHANGES = frozenset({"kms:createalias", "kms:updatealias", "kms:deletealias"})


def aws_managed_restriction(request: Request, action: str) -> str | None:
    """Why ``action`` on an AWS-managed entity is refused to customers whatever the policies
    say, or None. Service principals (the owning service) are not customers."""
    resource = request.resource
    if action in _POLICY_CHANGES and _AWS_MANAGED_POLICY_ARN in resource:
        return (
            f"AWS-managed: customers cannot call {request.action} on an AWS managed policy "
            f"({AWS_MANAGED_POLICIES})"
        )
    if action in _ROLE_CHANGES and _SERVICE_LINKED_PATH in resource:
        return (
            f"AWS-managed: customers cannot call {request.action} on a service-linked role; only "
            f"its service changes it ({SERVICE_LINKED_ROLES})"
        )
    if (
        action in _RESERVED_ROLE_CHANGES
        and _RESERVED_PATH in resource
        and not request.caller.service_linked
    ):
        return (
            f"AWS-managed: customers cannot call {request.action} on a role under /aws-reserved/; "
            f"IAM Identity Center manages it ({IDENTITY_CENTER_ROLES})"
        )
    if action in _KMS_ALIAS_CHANGES and ":alias/aws/" in resource:
        return (
            f"AWS-managed: customers cannot call {request.action} on an alias/aws/ alias, "
            f"reserved for AWS managed keys ({KMS_RESERVED_ALIASES})"
        )
    return None


def credential_restriction(request: Request, action: str) -> str | None:
    """Why the caller's kind of credentials cannot call ``action`` at all, or None."""
    kind = request.caller.kind
    service = action.partition(":")[0]
    if kind is CallerKind.FEDERATED_USER:
        if service == "iam":
            return (
                "GetFederationToken credentials cannot call IAM operations through the API "
                f"({STS_COMPARISON})"
            )
        if service == "sts" and action != "sts:getcalleridentity":
            return (
                "GetFederationToken credentials cannot call STS operations other than "
                f"GetCallerIdentity ({STS_COMPARISON})"
            )
    if kind is CallerKind.ROLE_SESSION and action in _ROLE_SESSION_CANNOT:
        return f"role session credentials cannot call {request.action} ({STS_COMPARISON})"
    return None


def owner_account_only(request: Request, action: str) -> str | None:
    """Why ``action`` on a resource of another account fails whatever the policies say, or
    None (also None within one account, or when either account is unknown)."""
    if request.same_account:
        return None
    if action in _SQS_OWNER_ONLY:
        return (
            f"SQS does not apply cross-account permissions to {request.action} ({SQS_LIMITATIONS})"
        )
    if (
        action.startswith("kms:")
        and ":key/" in request.resource
        and action not in _KMS_CROSS_ACCOUNT_OPERATIONS
    ):
        return (
            f"{request.action} cannot be used on a KMS key of another account; permissions "
            f"granted for it have no effect ({KMS_CROSS_ACCOUNT})"
        )
    if action in BUCKET_POLICY_ACTIONS:
        return (
            f"only identities of the bucket owner's account can call {request.action} "
            f"(S3 answers 405 Method Not Allowed; {S3_BUCKET_POLICY})"
        )
    return None


def bucket_owner_root_keeps_policy_access(request: Request, action: str) -> bool:
    """The bucket owner's root user may manage the bucket policy even when it denies them."""
    return (
        action in BUCKET_POLICY_ACTIONS
        and request.caller.kind is CallerKind.ROOT
        and request.same_account
    )
