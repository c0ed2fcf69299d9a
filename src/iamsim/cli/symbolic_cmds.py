"""``iamsim compare``, ``iamsim not-granted`` and ``iamsim no-public-access``: questions about
policy documents over every request and context, decided by :mod:`iamsim.analysis.symbolic`.

Exit status: 0 PASS, 1 FAIL, 2 invalid input (a located error, as every command).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from iamsim.analysis.symbolic import (
    RESOURCE_TYPES,
    CheckResult,
    compare,
    no_public_access,
    not_granted,
)
from iamsim.checks.validation import infer_policy_type
from iamsim.cli._common import EXIT_FAILED, EXIT_OK, echo_json, invalid_input_exits, json_option
from iamsim.errors import InputError
from iamsim.ingest.documents import parse_text
from iamsim.ingest.files import read_text
from iamsim.policy import PolicyType, parse_policy
from iamsim.policy.model import Policy
from iamsim.report.inert import echo

F = TypeVar("F", bound=Callable[..., Any])


def _type_option() -> Callable[[F], F]:
    return click.option(
        "--type",
        "policy_type",
        type=click.Choice([t.value for t in PolicyType]),
        help="The policy type (default: inferred; SCP, RCP, boundary and session policies "
        "cannot be told from identity policies by their content: name them).",
    )


def _load(path: Path, policy_type: str | None) -> Policy:
    source = str(path)
    document = parse_text(read_text(path, source), source)
    if not isinstance(document, dict):
        raise InputError("a policy document must be a JSON object", source=source)
    ptype = PolicyType(policy_type) if policy_type else infer_policy_type(document)
    return parse_policy(document, ptype, source=source, name=path.name)


def _finish(result: CheckResult, as_json: bool) -> None:
    if as_json:
        echo_json(result.to_dict(), "policy-check")
    else:
        echo(result.render())
    sys.exit(EXIT_OK if result.passed else EXIT_FAILED)


_POLICY = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("compare")
@click.argument("old", type=_POLICY)
@click.argument("new", type=_POLICY)
@_type_option()
@json_option('Print {"result": "PASS"|"FAIL", ...} with the counterexamples.')
def compare_command(old: Path, new: Path, policy_type: str | None, as_json: bool) -> None:
    """PASS when NEW allows no request that OLD denies (IAM Access Analyzer's
    CheckNoNewAccess), for every principal, action, resource and context.

    FAIL lists counterexample requests NEW allows and OLD does not, each replayed through the
    engine. Exit status: 0 PASS, 1 FAIL, 2 invalid input.

    \b
    Examples:
      iamsim compare main/policy.json branch/policy.json
      iamsim compare old-scp.json new-scp.json --type scp --json
    """
    with invalid_input_exits(as_json=as_json):
        old_policy = _load(old, policy_type)
        new_policy = _load(new, policy_type or old_policy.policy_type.value)
        result = compare(old_policy, new_policy)
    _finish(result, as_json)


@click.command("not-granted")
@click.argument("policy", type=_POLICY)
@click.option("--action", "actions", multiple=True, metavar="ACTION", help="Repeatable.")
@click.option("--resource", "resources", multiple=True, metavar="ARN", help="Repeatable.")
@_type_option()
@json_option('Print {"result": "PASS"|"FAIL", ...} with a witness request.')
def not_granted_command(
    policy: Path,
    actions: tuple[str, ...],
    resources: tuple[str, ...],
    policy_type: str | None,
    as_json: bool,
) -> None:
    """PASS when POLICY allows none of the actions (on the resources; any resource when none
    is given) in any context (IAM Access Analyzer's CheckAccessNotGranted).

    \b
    Examples:
      iamsim not-granted policy.json --action iam:PassRole
      iamsim not-granted bucket.json --action s3:GetObject --resource 'arn:aws:s3:::b/*' --json
    """
    with invalid_input_exits(as_json=as_json):
        loaded = _load(policy, policy_type)
        result = not_granted(loaded, list(actions), list(resources) or None)
    _finish(result, as_json)


@click.command("no-public-access")
@click.argument("policy", type=_POLICY)
@click.option(
    "--resource-type",
    required=True,
    type=click.Choice(sorted(RESOURCE_TYPES)),
    help="The type of the resource the policy is attached to.",
)
@json_option('Print {"result": "PASS"|"FAIL", ...} with a witness request.')
def no_public_access_command(policy: Path, resource_type: str, as_json: bool) -> None:
    """PASS when the resource policy grants nothing to the public (IAM Access Analyzer's
    CheckNoPublicAccess): no caller of an account or organization the policy does not name
    is allowed, unless a condition pins it to the organization, named accounts, a VPC or VPC
    endpoint, or a source.

    \b
    Example:
      iamsim no-public-access bucket-policy.json --resource-type AWS::S3::Bucket
    """
    with invalid_input_exits(as_json=as_json):
        loaded = _load(policy, "resource" if "AssumeRole" not in resource_type else "trust")
        result = no_public_access(loaded, resource_type)
    _finish(result, as_json)
