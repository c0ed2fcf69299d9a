"""The arguments of the mapped AWS provider resource types.

This module owns which arguments each mapped ``aws_*`` type accepts (:func:`known_arguments`),
so a misspelled argument is reported rather than silently ignored, and which attributes hold
policy documents (:data:`POLICY_ATTRIBUTES`).
"""

from __future__ import annotations

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
IGNORED_TYPES = frozenset(
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
POLICY_ATTRIBUTES = (
    "policy",
    "access_policies",
    "resource_policy",
    "policy_document",
    "access_policy",
    "assume_role_policy",
    "content",
)
