"""The request of an explicit scenario (``iamsim eval``), built once per scenario of a batch.

:func:`scenario_request` builds the same :class:`~iamsim.vocabulary.request.Request` as
:func:`iamsim.engine.context.make_request` (same caller, resource, account, and context: same
keys in the same order, same values), but a batch of scenarios repeats what that request is
made of, so what depends only on a repeated part is computed once per distinct part:

* the caller and the principal keys derived from it, per principal text;
* whether an action has resource-level permissions (else it is asked on ``"*"``), per action
  and catalogue;
* the ``credential_context`` keys, per caller kind and service;
* the time keys (``aws:CurrentTime``, ``aws:EpochTime``; ``aws:TokenIssueTime`` takes the
  first's text), per second on the clock;
* the context itself: the keys the scenario gives, then the derived ones it does not give, in
  one construction instead of a merge key by key.

Every memo is bounded (cleared when full: forgetting costs only time). The equivalence with
``make_request`` is what ``tests/checks/test_scenario_request.py`` checks, on valid and
invalid input alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TypeVar

from iamsim.engine.context import (
    asked_on_resources,
    caller_context,
    credential_context,
    requested_region,
    resource_account_of,
    time_context,
)
from iamsim.engine.principals import parse_caller
from iamsim.vocabulary.request import Caller, CallerKind, Context, ContextValue, Request

K = TypeVar("K")
V = TypeVar("V")
_LIMIT = 4096
# A derived key: (folded name, name as AWS spells it, value).
_Key = tuple[str, str, str]
# Any fixed moment: credential keys are memoised with their time key's value replaced.
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_TOKEN_ISSUE_TIME = "aws:tokenissuetime"

_callers: dict[str, tuple[Caller, tuple[_Key, ...]]] = {}
_credentials: dict[tuple[CallerKind, str], tuple[_Key, ...]] = {}
_resource_level: dict[str, bool] = {}
_resource_level_catalog: list[object] = [None]
_clock: list[tuple[datetime, tuple[_Key, ...]] | None] = [None]


def _keys(values: Mapping[str, ContextValue]) -> tuple[_Key, ...]:
    return tuple([(name.lower(), name, str(value)) for name, value in values.items()])


def _remember(memo: dict[K, V], key: K, value: V) -> None:
    if len(memo) >= _LIMIT:
        memo.clear()
    memo[key] = value


def _caller(principal: str) -> tuple[Caller, tuple[_Key, ...]]:
    """The caller named by ``principal`` and the keys :func:`caller_context` derives."""
    found = _callers.get(principal)
    if found is None:
        caller = parse_caller(principal)  # raises as make_request would: nothing remembered
        found = (caller, _keys(caller_context(caller)))
        _remember(_callers, principal, found)
    return found


def _authorized_resource(action: str, resource: str) -> str:
    """:func:`iamsim.engine.context.authorized_resource`, remembered per action."""
    if resource == "*":
        return resource
    from iamsim.catalog import service_reference  # loaded only when an ARN is named

    catalog = service_reference()
    if _resource_level_catalog[0] is not catalog:  # another catalogue: nothing carries over
        _resource_level.clear()
        _resource_level_catalog[0] = catalog
    keeps = _resource_level.get(action)
    if keeps is None:
        keeps = asked_on_resources(action)
        _remember(_resource_level, action, keeps)
    return resource if keeps else "*"


def _credential_keys(kind: CallerKind, action: str, moment_text: str) -> tuple[_Key, ...]:
    """:func:`credential_context` for ``kind`` and ``action`` at the moment ``moment_text``."""
    service = action.partition(":")[0].lower()
    keys = _credentials.get((kind, service))
    if keys is None:
        keys = _keys(credential_context(kind, action, _EPOCH))
        _remember(_credentials, (kind, service), keys)
    if keys and keys[0][0] == _TOKEN_ISSUE_TIME:  # the first key when there is one
        return ((_TOKEN_ISSUE_TIME, keys[0][1], moment_text), *keys[1:])
    return keys


def _time_keys(moment: datetime) -> tuple[_Key, ...]:
    """:func:`time_context` of ``moment`` (UTC), ``aws:CurrentTime`` first; made once per
    second on the clock (both keys are whole seconds)."""
    second = moment.replace(microsecond=0)
    last = _clock[0]
    if last is not None and last[0] == second:
        return last[1]
    keys = _keys(time_context(moment))
    _clock[0] = (second, keys)
    return keys


def scenario_request(
    principal: str,
    action: str,
    resource: str = "*",
    *,
    resource_account: str | None = None,
    context: Mapping[str, ContextValue] | None = None,
    now: datetime | None = None,
) -> Request:
    """The request ``make_request(principal, action, resource, resource_account=...,
    context=..., now=...)`` builds, and the same errors for the same input."""
    caller, caller_keys = _caller(principal)
    resource = _authorized_resource(action, resource)
    account = resource_account or resource_account_of(resource, caller)
    if now is None:
        moment = datetime.now(UTC)  # one clock reading for every time key of the request
    else:
        moment = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
    derived = list(_time_keys(moment))
    derived += _credential_keys(caller.kind, action, derived[0][2])  # the CurrentTime text
    derived += caller_keys
    region = requested_region(action, resource, caller.partition)
    if region is not None:
        derived.append(("aws:requestedregion", "aws:RequestedRegion", region))
    if account:
        derived.append(("aws:resourceaccount", "aws:ResourceAccount", account))
    return Request(
        caller=caller,
        action=action,
        resource=resource,
        resource_account=account,
        context=Context.with_derived(context or {}, derived),
    )
