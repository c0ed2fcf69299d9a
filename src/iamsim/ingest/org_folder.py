"""The organization folder: one input holding a whole organization, loaded account by account.

Layout (``-i ORG_DIR``; see docs/scale.md)::

    ORG_DIR/organization.yaml|yml|json   the organization (tree or AWS export bundle format);
                                         else the only top-level JSON/YAML file
    ORG_DIR/accounts/<ACCOUNT_ID>/        that account's inputs: exports, a resources file,
                                          Terraform, CloudFormation (any registered format)

This module owns what the folder holds and how one account of it is read. The organization
file is read eagerly (it is small); :meth:`OrgFolder.account_world` reads one account's
folder only when asked. Every read stays inside ORG_DIR (and ``--allow-read`` paths): the
account folders share the organization folder's read scope. An account folder must describe
its own account: principals, customer managed policies or resources of another account in
``accounts/111122223333/`` are an InputError naming the folder, because the per-account
questions (iamsim.scale) rely on each principal living in its account's folder.

:func:`load_org_folder` (the registered format's ``load``) reads everything into one World:
the single-process path, and the reference the per-account tasks must agree with.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import orjson

from iamsim.errors import InputError
from iamsim.ingest.files import InputFile
from iamsim.ingest.gaad import LIST_KEYS, PAGING_KEYS
from iamsim.ingest.input_format import InputFormat
from iamsim.ingest.read_scope import ReadScope
from iamsim.model import World, merge_worlds
from iamsim.model.resources import governing_arns
from iamsim.vocabulary.arn import is_account_id, parse_entity_arn

__all__ = ["FORMATS", "ORG_FILE_NAMES", "OrgFolder", "find_org_file", "is_org_folder"]

ORG_FILE_NAMES = ("organization.yaml", "organization.yml", "organization.json")
ACCOUNTS_DIR = "accounts"
# What a folder's text files are, for finding a resource's holder without parsing them all.
_TEXT_SUFFIXES = (".json", ".yaml", ".yml")
GAAD_KEYS = frozenset((*LIST_KEYS, *PAGING_KEYS))


def find_org_file(folder: Path) -> Path | None:
    """The organization file of ``folder`` if it is an organization folder, else None.

    The file is named ``organization.yaml|yml|json``; a folder without one whose only
    top-level JSON or YAML file is another name (``org.json``, written by another tool) uses
    that file: the organization loader then checks that it holds an organization."""
    if not (folder / ACCOUNTS_DIR).is_dir():
        return None
    found = [folder / name for name in ORG_FILE_NAMES if (folder / name).is_file()]
    if not found:
        found = [
            entry
            for entry in folder.iterdir()
            if entry.suffix.lower() in _TEXT_SUFFIXES
            and not entry.name.startswith(".")
            and entry.is_file()
        ]
    return found[0] if len(found) == 1 else None


def is_org_folder(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a folder holding one organization file and ``accounts/``."""
    folder = Path(path)
    return folder.is_dir() and find_org_file(folder) is not None


class OrgFolder:
    """An organization folder: the tree loaded, the accounts listed, each read on demand."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        allow_read: Iterable[str | os.PathLike[str]] = (),
        scope: ReadScope | None = None,
    ) -> None:
        from iamsim.ingest import load_input  # the loaders import the registry, which imports us

        self.path = Path(path)
        self.scope = scope if scope is not None else ReadScope.for_input(self.path, allow_read)
        org_file = find_org_file(self.path)
        if org_file is None:
            names = " or ".join(ORG_FILE_NAMES)
            raise InputError(
                f"not an organization folder (expected one of {names} and an accounts/ folder)",
                source=str(self.path),
            )
        self.org_file = org_file
        self.tree = load_input(org_file, scope=self.scope)
        if self.tree.organization is None:
            raise InputError("expected an organization (tree or bundle)", source=str(org_file))
        self.accounts = self._list_accounts()
        self._holders: dict[str, tuple[str, ...]] = {}

    def _list_accounts(self) -> dict[str, Path]:
        root = self.path / ACCOUNTS_DIR
        self.scope.resolve(root, "the accounts folder", str(self.path))
        out: dict[str, Path] = {}
        for entry in sorted(root.iterdir()):
            if entry.name.startswith("."):
                continue  # editor and OS files (.DS_Store), never inputs
            if not (entry.is_dir() and is_account_id(entry.name)):
                raise InputError(
                    "expected only folders named by a 12-digit account ID in accounts/",
                    source=str(entry),
                )
            out[entry.name] = entry
        if not out:
            raise InputError("the accounts/ folder holds no account", source=str(root))
        return out

    def folder(self, account: str) -> Path:
        return self.accounts[account]

    def account_world(self, account: str) -> World:
        """Everything ``accounts/<account>/`` holds (not resolved: no AWS managed policies
        filled in), checked to belong to that account."""
        from iamsim.ingest import load_input
        from iamsim.ingest.iac.options import IacOptions  # only a folder of accounts needs it

        folder = self.accounts[account]
        # Terraform and CloudFormation without a declared account belong to the folder's.
        world = load_input(folder, scope=self.scope, options=IacOptions(default_account=account))
        _check_owned(world, account, str(folder))
        return world

    def holders(self, arn: str) -> tuple[str, ...]:
        """The accounts whose folders define the resource governing ``arn`` (the resource or a
        parent whose policy covers it), found without loading every account: the ARN's own
        account when it names one, else the folders whose text files mention it."""
        found = self._holders.get(arn)
        if found is not None:
            return found
        parsed = parse_entity_arn(arn)
        wanted = [arn, *governing_arns(arn)]
        needles = [w.encode() for w in wanted] + [w.replace("/", "\\/").encode() for w in wanted]
        if parsed is not None and parsed.account in self.accounts:
            candidates = [parsed.account]
        else:
            candidates = [a for a in self.accounts if self._mentions(a, needles)]
        out = []
        for account in candidates:
            # An export defines IAM entities only: for any other ARN, skip folders whose only
            # mentions of it are grants in an export's documents.
            iam = parsed is not None and parsed.service == "iam"
            if not iam and not self._may_define(account, needles):
                continue
            world = self.account_world(account)
            if any(w in world.resources or w in world.roles or w in world.users for w in wanted):
                out.append(account)
        self._holders[arn] = tuple(out)
        return self._holders[arn]

    def _mentions(self, account: str, needles: list[bytes]) -> bool:
        for file in sorted(self.accounts[account].rglob("*")):
            if file.is_dir():
                continue
            if file.suffix.lower() not in _TEXT_SUFFIXES:
                return True  # Terraform, templates in other spellings: only loading can tell
            data = self.scope.read_bytes(file, "a file of the account folder", str(file))
            if any(n in data for n in needles):
                return True
        return False

    def _may_define(self, account: str, needles: list[bytes]) -> bool:
        """Whether a file of the account's folder that mentions one of ``needles`` may define
        a resource: any but a get-account-authorization-details export, which holds only
        IAM users, groups, roles and policies (an ARN of a bucket in one of its documents is
        a grant, never the bucket). Without this, every account whose roles' policies name
        the bucket would be read in full here, in the parent, one after the other."""
        for file in sorted(self.accounts[account].rglob("*")):
            if file.is_dir():
                continue
            if file.suffix.lower() not in _TEXT_SUFFIXES:
                return True
            data = self.scope.read_bytes(file, "a file of the account folder", str(file))
            if not any(n in data for n in needles):
                continue
            if file.suffix.lower() != ".json" or not _is_gaad_bytes(data):
                return True
        return False

    def world(self) -> World:
        """The whole organization in one World (every account read now)."""
        return merge_worlds([self.tree, *(self.account_world(a) for a in self.accounts)])


def _is_gaad_bytes(data: bytes) -> bool:
    """Whether ``data`` is a JSON object whose keys are only those of a GAAD export (its
    detail lists and paging keys): read with orjson, any doubt (not JSON, another shape)
    is False, so the folder is loaded and checked in full."""
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        return False
    return (
        isinstance(document, dict) and bool(document) and all(key in GAAD_KEYS for key in document)
    )


def _check_owned(world: World, account: str, source: str) -> None:
    """Fail loudly when an account folder holds another account's IAM entities or resources."""
    others: set[str] = set()
    others.update(u.account for u in world.users.values())
    others.update(r.account for r in world.roles.values())
    others.update(g.account for g in world.groups.values())
    others.update(s.account for s in world.sessions.values())
    others.update(p.account for p in world.managed_policies.values() if not p.is_aws_managed)
    others.update(r.account for r in world.resources.values() if r.account)
    others.discard(account)
    if others:
        listed = ", ".join(sorted(others))
        raise InputError(
            f"the folder of account {account} holds entities of account(s) {listed}; "
            "each account's data belongs in accounts/<ITS ID>/",
            source=source,
        )


def _detect(file: InputFile) -> bool:
    return file.is_dir and is_org_folder(file.path)


def load_org_folder(file: InputFile) -> World:
    return OrgFolder(file.path, scope=file.scope).world()


FORMATS = (
    InputFormat(
        "organization-folder",
        "a folder with organization.yaml|json and accounts/<ACCOUNT_ID>/ folders of inputs",
        _detect,
        load_org_folder,
        priority=50,
    ),
)
