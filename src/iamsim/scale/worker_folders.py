"""The organization folders a worker process has opened, kept for its later tasks.

A worker answers many tasks about the same organization folder (one per account), and every
task starts from the folder: its organization file read and its account folders listed. Each
worker opens a folder once per (path, extra readable paths) and reuses it; the folder reads an
account's inputs only when a task asks for them, so keeping it holds just the tree.
"""

from __future__ import annotations

from iamsim.ingest.org_folder import OrgFolder

_FOLDERS: dict[tuple[str, tuple[str, ...]], OrgFolder] = {}


def worker_folder(org_dir: str, allow_read: tuple[str, ...]) -> OrgFolder:
    """The folder at ``org_dir`` (readable beside it: ``allow_read``), opened once per process."""
    key = (org_dir, allow_read)
    found = _FOLDERS.get(key)
    if found is None:
        found = _FOLDERS[key] = OrgFolder(org_dir, allow_read=allow_read)
    return found
