"""Context keys as users give them: which keys hold lists, and the one check of a user's context.

Scenario files (``iamsim eval``), expectations files (``iamsim test``), ``--context`` on the
command line and the library's front door all hand the request context through
:func:`check_context`, so a list for a single-valued key or a key spelled twice is refused the
same way everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

# The package, not the function: catalog.service_reference imports patterns, which import
# this package, so the name is looked up when a key is asked about (by then the package has
# finished importing and its ``service_reference`` is the function, not the submodule).
import iamsim.catalog
from iamsim.errors import InputError
from iamsim.policy.jsondoc import json_type, pointer
from iamsim.vocabulary.request import ContextScalar, ContextValue

# The global condition keys whose request-context value is a list (the multivalued keys, for
# which the set operators ForAnyValue/ForAllValues exist). Every other ``aws:`` key holds at
# most one value; a list given for one of them would be read as multivalued, where plain
# operators never match and negated ones (a Deny on StringNotEquals) silently stop applying.
# Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
# (aws:TagKeys, aws:PrincipalOrgPaths, aws:ResourceOrgPaths, aws:SourceOrgPaths,
# aws:VpceOrgPaths, aws:CalledVia and aws:PrincipalServiceNamesList are documented as
# multivalued; the packaged global_condition_keys.json agrees).
MULTIVALUED_GLOBAL_KEYS = frozenset(
    key.lower()
    for key in (
        "aws:TagKeys",
        "aws:PrincipalOrgPaths",
        "aws:ResourceOrgPaths",
        "aws:SourceOrgPaths",
        "aws:VpceOrgPaths",
        "aws:CalledVia",
        "aws:PrincipalServiceNamesList",
    )
)


# Keys the service reference types as single strings but that AWS documents as lists: the amr
# claim of a Cognito identity token ("one of the array members of the multi-value amr claim").
# https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html
_DOCUMENTED_MULTIVALUED_KEYS = frozenset({"cognito-identity.amazonaws.com:amr"})


def context_key_multivalued(key: str) -> bool | None:
    """Whether the request context holds a list for ``key``: True (multivalued), False
    (single-valued) or None (a key whose type iamsim does not know).

    ``aws:`` keys are multivalued only when listed in :data:`MULTIVALUED_GLOBAL_KEYS`. Other
    keys (``s3:prefix``, ``ec2:ResourceTag/team``, ``kms:EncryptionContextKeys``) follow the
    service reference's type: ``ArrayOf*`` types are multivalued, the others single-valued.
    """
    folded = key.lower()
    if folded.startswith("aws:"):
        return folded in MULTIVALUED_GLOBAL_KEYS
    if folded in _DOCUMENTED_MULTIVALUED_KEYS:
        return True
    key_type = iamsim.catalog.service_reference().condition_key_type(key)
    if key_type is None:
        return None
    return key_type.startswith("ArrayOf")


def _context_scalar(value: Any) -> ContextScalar | None:
    """A context value as text travels (YAML dates back to ISO 8601), or None if not a scalar."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str | int | float | bool):
        return value
    return None


def check_context(values: Any) -> dict[str, ContextValue]:
    """Check a request context given by the user and return it normalized.

    The one check shared by scenario files (``iamsim eval``), expectations files
    (``iamsim test``) and ``--context`` on the command line. ``values`` must be a mapping of
    condition keys (``prefix:name``) to a string, number or boolean, or a list of them; YAML
    dates become ISO 8601 text. Refused, each with an InputError whose ``path`` is the JSON
    pointer of the offending key (or list item) inside the mapping:

    * a list (of any length) for a single-valued key (``aws:RequestedRegion``, and a service
      key whose reference type is not ``ArrayOf*``); lists for keys of unknown type are kept;
    * two spellings of one key differing only in case (condition keys are case-insensitive,
      so only one of them could ever be used);
    * null, mappings, and lists holding anything but scalars.
    """
    if not isinstance(values, Mapping):
        raise InputError("context must be a mapping of condition keys to values")
    out: dict[str, ContextValue] = {}
    spelled: dict[str, str] = {}
    for key, raw in values.items():
        prefix, _, name = key.partition(":") if isinstance(key, str) else ("", "", "")
        if not prefix.strip() or not name.strip():
            raise InputError(
                f"{key!r} is not a condition key (expected prefix:name, e.g. aws:SourceIp)",
                path=pointer("", str(key)),
            )
        where = pointer("", key)
        folded = key.lower()
        if folded in spelled:
            raise InputError(
                f"{spelled[folded]} and {key} are the same condition key (names are "
                "case-insensitive); give it once",
                path=where,
            )
        spelled[folded] = key
        if raw is None:
            raise InputError(
                f"{key} has no value (null): give a string, number or boolean, or leave the "
                "key out",
                path=where,
            )
        if isinstance(raw, list | tuple):
            if context_key_multivalued(key) is False:
                raise InputError(f"{key} is single-valued: give one value, not a list", path=where)
            items: list[ContextScalar] = []
            for index, item in enumerate(raw):
                scalar = _context_scalar(item)
                if scalar is None:
                    raise InputError(
                        f"a list of values for {key} holds strings, numbers or booleans, "
                        f"not {json_type(item, article=True)}",
                        path=f"{where}/{index}",
                    )
                items.append(scalar)
            out[key] = items
            continue
        scalar = _context_scalar(raw)
        if scalar is None:
            raise InputError(
                f"the value of {key} must be a string, number or boolean (or a list of them "
                f"for a multivalued key), not {json_type(raw, article=True)}",
                path=where,
            )
        out[key] = scalar
    return out
