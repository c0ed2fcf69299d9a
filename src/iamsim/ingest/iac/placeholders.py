"""Placeholders for values AWS only chooses at apply time, and where a resource deploys.

This module owns the documented placeholder account and region, the deterministic placeholder
generators (digits, names, UUIDs, account IDs: functions of the resource address, so two loads
of the same input give the same model), partitions and their DNS suffixes, and :class:`Env`
(the account, partition, region and default tags of one provider configuration).
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

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
