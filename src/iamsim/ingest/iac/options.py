"""What the user tells the IaC loaders that the inputs do not say: :class:`IacOptions`.

Terraform root-module variables (``--var``, ``--var-file``), CloudFormation template parameters
(``--param``, ``--param-file``) and the accounts resources deploy to (``--default-account``,
``--account ALIAS=ID`` for a Terraform provider alias) and the region
(``--default-region``). This module owns the record and
the reading of parameter files (a JSON object, or the AWS CLI's
``[{"ParameterKey": ..., "ParameterValue": ...}]`` list); tfvars files are read by the
Terraform loader itself, as Terraform reads them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iamsim.errors import InputError
from iamsim.ingest.documents import load_json
from iamsim.ingest.read_scope import ReadScope
from iamsim.vocabulary.arn import is_account_id

__all__ = ["IacOptions", "read_parameter_file"]


@dataclass(frozen=True, slots=True)
class IacOptions:
    """Values for Terraform configurations and CloudFormation templates among the inputs.

    ``variables``/``var_files`` go to every Terraform configuration (after its own
    ``terraform.tfvars``), ``parameters`` to every CloudFormation template (over their
    defaults), ``default_account`` to resources whose configuration names no account, and
    ``accounts`` maps a Terraform provider alias (``aws.ALIAS`` or ``ALIAS``) to the account of
    the resources created through that provider when its block names none, and
    ``default_region`` is the region of a configuration or stack that names none.
    """

    variables: Mapping[str, Any] = field(default_factory=dict)
    var_files: tuple[Path, ...] = ()
    parameters: Mapping[str, Any] = field(default_factory=dict)
    default_account: str | None = None
    accounts: Mapping[str, str] = field(default_factory=dict)
    default_region: str | None = None

    def __post_init__(self) -> None:
        for what, account in [
            ("--default-account", self.default_account),
            *((f"--account {alias}", a) for alias, a in self.accounts.items()),
        ]:
            if account is not None and not is_account_id(account):
                raise InputError(f"{what}: expected a 12-digit account ID, not {account!r}")

    @property
    def empty(self) -> bool:
        return not (
            self.variables
            or self.var_files
            or self.parameters
            or self.default_account
            or self.accounts
            or self.default_region
        )


def read_parameter_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """CloudFormation parameters from a JSON file the user named: an object of names to values,
    or the AWS CLI's ``--parameters file://...`` list of ``{ParameterKey, ParameterValue}``
    (``UsePreviousValue`` entries carry no value and are refused: iamsim cannot know it)."""
    source = str(path)
    text = ReadScope.for_input(path).read_text(path, source)
    try:
        data = load_json(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON: {exc.msg}", path=f"line {exc.lineno}, column {exc.colno}", source=source
        ) from None
    except InputError as exc:
        raise exc.located(source=source) from None
    if isinstance(data, dict):
        return {str(k): _parameter_value(v, f"/{k}", source) for k, v in data.items()}
    if not isinstance(data, list):
        raise InputError(
            "a parameter file holds an object of names to values or a list of "
            '{"ParameterKey": ..., "ParameterValue": ...}',
            source=source,
        )
    values: dict[str, Any] = {}
    for index, entry in enumerate(data):
        where = f"/{index}"
        if not isinstance(entry, dict) or not isinstance(entry.get("ParameterKey"), str):
            raise InputError(
                'expected {"ParameterKey": NAME, "ParameterValue": VALUE}',
                path=where,
                source=source,
            )
        if "ParameterValue" not in entry:
            raise InputError(
                f"parameter {entry['ParameterKey']} has no ParameterValue (UsePreviousValue "
                "needs the deployed stack, which iamsim does not read)",
                path=where,
                source=source,
            )
        values[entry["ParameterKey"]] = _parameter_value(
            entry["ParameterValue"], f"{where}/ParameterValue", source
        )
    return values


def _parameter_value(value: Any, where: str, source: str) -> Any:
    # CloudFormation parameters are strings (lists for List<...> types, as comma-separated
    # strings); numbers are accepted and become strings, as CloudFormation does.
    if isinstance(value, bool) or not isinstance(value, str | int | float | list):
        raise InputError("a parameter value is a string", path=where, source=source)
    if isinstance(value, list):
        if not all(isinstance(v, str) for v in value):
            raise InputError("a list parameter holds strings", path=where, source=source)
        return ",".join(value)
    return str(value)
