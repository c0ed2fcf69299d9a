"""Policy documents found in infrastructure-as-code inputs, parsed and located.

This module owns :func:`parse_policy_value` (a document from an input, with errors located in
the input), :func:`checked_policy` and the default KMS key policy AWS gives a key without one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from iamsim.errors import InputError
from iamsim.ingest.documents import load_json
from iamsim.ingest.iac.world import WorldBuilder
from iamsim.policy.jsondoc import json_type as type_name
from iamsim.policy.model import Policy, PolicyType
from iamsim.policy.parser import parse_policy


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
