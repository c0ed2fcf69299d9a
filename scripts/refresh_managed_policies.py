#!/usr/bin/env python3
"""Rebuild iamsim's AWS managed policy snapshot from a newer export.

Usage::

    python scripts/refresh_managed_policies.py SOURCE [--output PATH] [--merge | --replace]
                                               [--source-note TEXT] [--dry-run]

SOURCE (``.json`` or ``.json.gz``) may be:

* an iamsim snapshot (``{"policies": {name: {"arn", "path", "default_version", "updated",
  "document"}}, "source": ...}``), e.g. one built on another machine;
* the output of ``aws iam get-account-authorization-details`` (any ``--filter``; only the
  ``Policies`` entries whose ARN is ``arn:<partition>:iam::aws:policy/...`` are used, with the
  ``PolicyVersionList`` entry marked ``IsDefaultVersion``; URL-encoded documents, as the raw API
  returns them, are decoded);
* a list of AWS managed policies in the same ``Policies`` shape, assembled from
  ``aws iam list-policies --scope AWS`` and ``aws iam get-policy-version`` (see
  ``docs/catalog.md``);
* moto's ``moto/iam/aws_managed_policies.py`` (or the JSON inside it): ``{name: {"Arn",
  "Path", "DefaultVersionId", "UpdateDate", "Document"}}``.

A get-account-authorization-details export may list only some AWS managed policies, so for that
shape the default is ``--merge``: policies in SOURCE are added or replace older copies, the
others are kept. The other shapes are complete collections and default to ``--replace``.

The output (default: ``src/iamsim/data/aws-managed-policies.json.gz``) is written
deterministically (sorted keys, gzip without a timestamp) so that an unchanged refresh leaves
the file byte-identical.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DEFAULT_OUTPUT = (
    Path(__file__).resolve().parent.parent
    / "src"
    / "iamsim"
    / "data"
    / "aws-managed-policies.json.gz"
)

MOTO_MARKER = "aws_managed_policies_data"


class SourceError(Exception):
    """SOURCE is not in a supported shape."""


def read_source(path: Path) -> Any:
    """Parse SOURCE: JSON, gzip-compressed JSON, or moto's Python module holding the JSON."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    text = data.decode("utf-8")
    if path.suffix == ".py" or MOTO_MARKER in text[:2000]:
        start = text.find('"""', text.find(MOTO_MARKER))
        end = text.find('"""', start + 3)
        if start < 0 or end < 0:
            raise SourceError(f"{path}: no {MOTO_MARKER} string found")
        text = text[start + 3 : end]
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"{path}: not JSON: {exc}") from exc


def _document(value: Any, where: str) -> dict[str, Any]:
    if isinstance(value, str):
        text = value.strip()
        if not text.startswith("{"):
            text = urllib.parse.unquote(text)
        value = json.loads(text)
    if not isinstance(value, dict) or "Statement" not in value:
        raise SourceError(f"{where}: policy document has no Statement")
    return value


def _iso(value: Any) -> str:
    """An ISO 8601 timestamp with offset, from the several spellings exports use."""
    if value is None or value == "":
        return ""
    text = str(value).strip().replace(" ", "T", 1)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat()


def _aws_managed(arn: str) -> tuple[str, str] | None:
    """``(path, name)`` of an AWS managed policy ARN (any partition), else None."""
    if not arn.startswith("arn:"):
        return None
    _, sep, rest = arn[4:].partition(":iam::aws:policy/")
    if not sep:
        return None
    full = "/" + rest
    slash = full.rfind("/")
    return full[: slash + 1], full[slash + 1 :]


def _entry(name: str, path: str, version: str, updated: Any, document: Any) -> dict[str, Any]:
    return {
        "arn": f"arn:aws:iam::aws:policy{path}{name}",
        "path": path,
        "default_version": version,
        "updated": _iso(updated),
        "document": _document(document, name),
    }


def from_snapshot(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, entry in raw["policies"].items():
        parsed = _aws_managed(str(entry["arn"]))
        if parsed is None or parsed[1] != name:
            raise SourceError(f"{name}: ARN {entry['arn']!r} does not name this policy")
        out[name] = _entry(
            name,
            parsed[0],
            str(entry.get("default_version", "")),
            entry.get("updated"),
            entry["document"],
        )
    return out


def from_gaad(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for policy in raw.get("Policies") or ():
        parsed = _aws_managed(str(policy.get("Arn", "")))
        if parsed is None:
            continue  # a customer managed policy
        path, name = parsed
        default = str(policy.get("DefaultVersionId", ""))
        versions = policy.get("PolicyVersionList") or []
        chosen = next((v for v in versions if v.get("IsDefaultVersion")), None)
        if chosen is None:
            chosen = next((v for v in versions if v.get("VersionId") == default), None)
        if chosen is None and "Document" in policy:
            chosen = policy
        if chosen is None:
            raise SourceError(f"{name}: no default version document in PolicyVersionList")
        out[name] = _entry(
            name,
            path,
            str(chosen.get("VersionId") or default),
            policy.get("UpdateDate") or chosen.get("CreateDate"),
            chosen["Document"],
        )
    return out


def from_moto(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, policy in raw.items():
        parsed = _aws_managed(str(policy["Arn"]))
        if parsed is None:
            continue
        out[name] = _entry(
            name,
            parsed[0],
            str(policy.get("DefaultVersionId") or policy.get("VersionId") or ""),
            policy.get("UpdateDate") or policy.get("CreateDate"),
            policy["Document"],
        )
    return out


def detect(raw: Any) -> tuple[str, dict[str, dict[str, Any]]]:
    """The source shape's name and its policies in snapshot form."""
    if isinstance(raw, dict) and isinstance(raw.get("policies"), dict):
        return "snapshot", from_snapshot(raw)
    if isinstance(raw, dict) and isinstance(raw.get("Policies"), list):
        return "get-account-authorization-details", from_gaad(raw)
    if isinstance(raw, list):
        return "policy list", from_gaad({"Policies": raw})
    if (
        isinstance(raw, dict)
        and raw
        and all(isinstance(v, dict) and "Arn" in v and "Document" in v for v in raw.values())
    ):
        return "moto", from_moto(raw)
    raise SourceError("unrecognised source shape (see --help)")


def merge(
    old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]
) -> tuple[dict[str, dict[str, Any]], dict[str, int]]:
    """``old`` updated with every policy of ``new`` that is not older than the copy it replaces."""
    result = dict(old)
    counts = {"added": 0, "updated": 0, "unchanged": 0, "older ignored": 0}
    for name, entry in new.items():
        current = old.get(name)
        if current is None:
            counts["added"] += 1
        elif current == entry:
            counts["unchanged"] += 1
            continue
        elif entry["updated"] and current.get("updated") and entry["updated"] < current["updated"]:
            counts["older ignored"] += 1
            continue
        else:
            counts["updated"] += 1
        result[name] = entry
    counts["kept"] = len(old) - counts["updated"] - counts["unchanged"] - counts["older ignored"]
    return result, counts


def write_snapshot(path: Path, policies: dict[str, dict[str, Any]], source: str) -> bytes:
    payload = {
        "generated_at": datetime.now(UTC).date().isoformat(),
        "policies": policies,
        "source": source,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    data = gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Rebuild the AWS managed policy snapshot shipped in iamsim/data.",
        epilog="See docs/catalog.md for how to produce SOURCE.",
    )
    parser.add_argument("source", type=Path, help="export to read (.json, .json.gz, moto .py)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="snapshot to write")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--merge", action="store_true", help="update the existing snapshot")
    mode.add_argument("--replace", action="store_true", help="replace the existing snapshot")
    parser.add_argument("--source-note", help="provenance text stored in the snapshot")
    parser.add_argument("--dry-run", action="store_true", help="report, write nothing")
    args = parser.parse_args(argv)

    try:
        raw = read_source(args.source)
        shape, incoming = detect(raw)
    except (OSError, SourceError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not incoming:
        print(f"error: {args.source}: no AWS managed policies found", file=sys.stderr)
        return 2

    do_merge = args.merge or (not args.replace and shape == "get-account-authorization-details")
    today = datetime.now(UTC).date().isoformat()
    note = (
        args.source_note
        or f"AWS managed IAM policies (default versions) from {shape} export {args.source.name}, {today}"
    )
    if shape == "snapshot" and not args.source_note and raw.get("source"):
        note = str(raw["source"])
    if do_merge and args.output.exists():
        old_raw = json.loads(gzip.decompress(args.output.read_bytes()))
        policies, counts = merge(from_snapshot(old_raw), incoming)
        if not args.source_note:
            note = f"{old_raw.get('source', '')}; updated from {shape} export {args.source.name}, {today}"
        summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    else:
        policies = incoming
        summary = f"{len(incoming)} policies"
    print(f"{shape}: {summary}; snapshot holds {len(policies)} policies", file=sys.stderr)
    if args.dry_run:
        return 0
    write_snapshot(args.output, policies, note)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
