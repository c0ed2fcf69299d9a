"""AWS managed policies, offline: a packaged snapshot of every AWS managed policy's default version.

This module owns looking up an AWS managed policy by ARN or name. The snapshot is
``iamsim/data/aws-managed-policies.json.gz`` (provenance and license in ``iamsim/data/README.md``;
rebuild it with ``scripts/refresh_managed_policies.py``, see ``docs/catalog.md``). Its shape::

    {"source": "...", "generated_at": "...",            # generated_at is optional
     "policies": {"ReadOnlyAccess": {"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
                                     "path": "/", "default_version": "v190",
                                     "updated": "2026-09-24T17:37:08+00:00",
                                     "document": {...}}, ...}}

The file is read and indexed on first use, once per process.

Lookup rules: an ARN ``arn:<partition>:iam::aws:policy<path><name>`` must name the policy's
real path (``AWSLambdaBasicExecutionRole`` lives under ``/service-role/``), as IAM requires; any
partition is accepted and answered with the same document (the snapshot is of the ``aws``
partition: policies that differ or do not exist in China or GovCloud are not modelled) and the
ARN of the requested partition. A bare name (``ReadOnlyAccess``) or ``path/name`` is looked up
exactly, then case-insensitively.
"""

from __future__ import annotations

import gzip
import json
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

SNAPSHOT_PATH = Path(__file__).resolve().parent.parent / "data" / "aws-managed-policies.json.gz"

_ARN_PREFIX = "arn:"
_ARN_POLICY_MARKER = ":iam::aws:policy/"


@dataclass(frozen=True, slots=True)
class ManagedPolicyDocument:
    """The default version of one AWS managed policy.

    ``document`` is the parsed policy JSON, shared by every caller: treat it as read-only
    (copy it before changing it).
    """

    name: str
    arn: str
    path: str
    version_id: str
    document: dict[str, Any]
    update_date: datetime


@dataclass(frozen=True, slots=True)
class ManagedPolicySnapshot:
    """What the packaged snapshot holds: how many policies, from when, from where.

    ``date`` is the snapshot's generation date when recorded, else the latest policy update
    date it contains (a lower bound for its age); ``source`` is its provenance note.
    """

    count: int
    date: str
    source: str
    latest_update: datetime | None


class _Snapshot:
    __slots__ = ("by_lower", "by_name", "generated_at", "policies", "source")

    def __init__(self, raw: dict[str, Any]) -> None:
        self.source = str(raw.get("source", ""))
        self.generated_at = str(raw.get("generated_at", ""))
        self.policies: list[ManagedPolicyDocument] = []
        self.by_name: dict[str, ManagedPolicyDocument] = {}
        self.by_lower: dict[str, ManagedPolicyDocument] = {}
        for name, entry in sorted(raw["policies"].items()):
            policy = ManagedPolicyDocument(
                name=name,
                arn=str(entry["arn"]),
                path=str(entry.get("path") or "/"),
                version_id=str(entry.get("default_version") or ""),
                document=entry["document"],
                update_date=_parse_date(str(entry.get("updated") or "")),
            )
            self.policies.append(policy)
            self.by_name[name] = policy
            self.by_lower.setdefault(name.lower(), policy)


def _parse_date(text: str) -> datetime:
    if not text:
        return datetime.min
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


_lock = threading.Lock()
_snapshot: _Snapshot | None = None
_snapshot_path: Path = SNAPSHOT_PATH


def _load() -> _Snapshot:
    global _snapshot
    if _snapshot is None:
        with _lock:
            if _snapshot is None:
                _snapshot = _Snapshot(read_snapshot_file(_snapshot_path))
    return _snapshot


def read_snapshot_file(path: Path) -> dict[str, Any]:
    """The parsed JSON of a snapshot file (gzip-compressed when its name ends in ``.gz``)."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    raw = json.loads(data)
    if not isinstance(raw, dict) or not isinstance(raw.get("policies"), dict):
        raise ValueError(f"{path}: not a managed-policy snapshot (no 'policies' object)")
    return raw


def use_snapshot(path: Path | None) -> None:
    """Read managed policies from ``path`` (same shape, ``.json`` or ``.json.gz``) from now on;
    None goes back to the packaged snapshot. Meant for tests and pinned snapshots."""
    global _snapshot, _snapshot_path
    with _lock:
        _snapshot_path = path or SNAPSHOT_PATH
        _snapshot = None


def managed_policy(arn_or_name: str) -> ManagedPolicyDocument | None:
    """The AWS managed policy named by an ARN, a ``path/name`` or a bare name, else None.

    ``arn:aws:iam::aws:policy/ReadOnlyAccess``,
    ``arn:aws-cn:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`` and
    ``ReadOnlyAccess`` all work; an ARN with the wrong path, a customer managed policy ARN
    (an account ID instead of ``aws``) or an unknown name gives None.
    """
    text = arn_or_name.strip()
    if not text:
        return None
    snapshot = _load()
    if text.startswith(_ARN_PREFIX):
        partition, sep, rest = text[len(_ARN_PREFIX) :].partition(_ARN_POLICY_MARKER)
        if not sep or not partition or ":" in partition:
            return None
        path_and_name = "/" + rest
        slash = path_and_name.rfind("/")
        path, name = path_and_name[: slash + 1], path_and_name[slash + 1 :]
        policy = snapshot.by_name.get(name)
        if policy is None or policy.path != path:
            return None
        if partition == "aws":
            return policy
        return _in_partition(policy, partition)
    bare = text.rsplit("/", 1)[-1]
    found = snapshot.by_name.get(bare) or snapshot.by_lower.get(bare.lower())
    if found is None:
        return None
    if "/" in text:
        wanted_path = "/" + text[: len(text) - len(bare)].lstrip("/")
        if wanted_path.lower() != found.path.lower():
            return None
    return found


def _in_partition(policy: ManagedPolicyDocument, partition: str) -> ManagedPolicyDocument:
    return ManagedPolicyDocument(
        name=policy.name,
        arn=f"arn:{partition}{_ARN_POLICY_MARKER}{policy.path[1:]}{policy.name}",
        path=policy.path,
        version_id=policy.version_id,
        document=policy.document,
        update_date=policy.update_date,
    )


def all_managed_policies() -> list[ManagedPolicyDocument]:
    """Every AWS managed policy in the snapshot, sorted by name."""
    return list(_load().policies)


def snapshot_info() -> ManagedPolicySnapshot:
    """How many policies the snapshot holds, its date and its source."""
    snapshot = _load()
    dated = [p.update_date for p in snapshot.policies if p.update_date != datetime.min]
    latest = max(dated) if dated else None
    date = snapshot.generated_at or (latest.date().isoformat() if latest else "")
    return ManagedPolicySnapshot(
        count=len(snapshot.policies), date=date, source=snapshot.source, latest_update=latest
    )
