"""Terraform's file functions (``file``, ``templatefile``, ``fileset``, ...).

Every read goes through the input's :class:`~iamsim.ingest.read_scope.ReadScope`.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from iamsim import limits
from iamsim.errors import InputError
from iamsim.ingest.iac.unknown import Unknown
from iamsim.ingest.read_scope import ReadRefused
from iamsim.ingest.terraform.context import Ctx
from iamsim.ingest.terraform.functions.call import Call, FunctionError, Unsupported, need, str_arg
from iamsim.ingest.terraform.syntax import template_tree

# -- file functions: every read goes through the input's ReadScope (see read_scope), so a
# path leaving the root module's tree, a symlink out of it, /proc or a device is never read:
# the value is unknown (not an error, so try() and can() do not pick a fallback in its place)
# with a note naming the call, and whatever needs it is unresolved.


def _read_file(call: Call, fn: str, name: Any) -> bytes | Unknown:
    text = str_arg(name)
    reference = f"{fn}({text!r})"
    try:
        return call.evaluator.loader.scope.read_bytes(call.path(text), reference)
    except ReadRefused as exc:
        return call.evaluator.unknown(call.tree, call.ctx, f"{exc.reason}; the value is unknown")
    except InputError as exc:
        return call.evaluator.unknown(call.tree, call.ctx, exc.reason)


def _utf8(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise FunctionError(f"the contents of {name!r} are not valid UTF-8") from None


def fn_file(call: Call, name: Any) -> Any:
    data = _read_file(call, "file", name)
    return data if isinstance(data, Unknown) else _utf8(data, str(name))


def fn_filebase64(call: Call, name: Any) -> Any:
    data = _read_file(call, "filebase64", name)
    return data if isinstance(data, Unknown) else base64.b64encode(data).decode("ascii")


def fn_file_digest(fn: str, algorithm: str, *, as_base64: bool) -> Callable[..., Any]:
    """``filemd5``, ``filesha256``, ``filebase64sha512``...: a digest of the file's bytes."""

    def func(call: Call, name: Any) -> Any:
        data = _read_file(call, fn, name)
        if isinstance(data, Unknown):
            return data
        digest = hashlib.new(algorithm, data)
        return (
            base64.b64encode(digest.digest()).decode("ascii") if as_base64 else digest.hexdigest()
        )

    return func


def fn_fileexists(call: Call, name: Any) -> Any:
    text = str_arg(name)
    try:
        target = call.evaluator.loader.scope.resolve(call.path(text), f"fileexists({text!r})")
    except ReadRefused as exc:
        # Not false: whether the file exists outside the input is not ours to look at.
        return call.evaluator.unknown(call.tree, call.ctx, f"{exc.reason}; the value is unknown")
    if not os.path.lexists(target):
        return False
    if target.is_file():
        return True
    raise FunctionError(f"{text!r} is not a regular file")


def fn_fileset(call: Call, path: Any, pattern: Any) -> Any:
    """Terraform's ``fileset``: the files under ``path`` matching ``pattern`` (``*`` within a
    name, ``**`` any number of folders), relative to ``path``, listed inside the scope only."""
    base, glob = str_arg(path), str_arg(pattern)
    reference = f"fileset({base!r}, {glob!r})"
    scope = call.evaluator.loader.scope
    parts = glob.split("/")
    try:
        root = scope.resolve(call.path(base), reference)
        if glob.startswith("/") or ".." in parts:
            raise ReadRefused(f"{reference} refers to files outside the input")
    except ReadRefused as exc:
        return call.evaluator.unknown(call.tree, call.ctx, f"{exc.reason}; the value is unknown")
    if "{" in glob:
        raise Unsupported("{a,b} alternatives in patterns")
    if not root.is_dir():
        return []
    cap = limits.current().max_collection_elements
    found: list[str] = []
    seen = 0
    # os.walk does not descend into symlinked folders; a matching symlink that leaves the
    # scope makes the whole set unknown rather than silently shorter.
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        seen += len(dirs) + len(files)
        if seen > cap:
            return call.evaluator.unknown(
                call.tree, call.ctx, f"{reference}: more than {cap} entries to list"
            )
        for name in files:
            full = Path(folder) / name
            rel = full.relative_to(root).as_posix()
            if not _glob_match(parts, rel.split("/")):
                continue
            if not scope.allows(full):
                return call.evaluator.unknown(
                    call.tree,
                    call.ctx,
                    f"{reference}: {rel!r} refers to a file outside the input (pass "
                    "--allow-read PATH to allow it); the value is unknown",
                )
            if full.is_file():
                found.append(rel)
    return sorted(found)


def _glob_match(pattern: list[str], parts: list[str]) -> bool:
    """Whether path ``parts`` match the glob segments ``pattern`` (``**`` any number of
    segments), in time linear in their product (no backtracking)."""

    def closure(states: set[int]) -> set[int]:
        out = set(states)
        for i in sorted(states):
            while i < len(pattern) and pattern[i] == "**":
                i += 1
                out.add(i)
        return out

    states = closure({0})
    for part in parts:
        following: set[int] = set()
        for i in states:
            if i >= len(pattern):
                continue
            if pattern[i] == "**":
                following.add(i)
            elif fnmatch.fnmatchcase(part, pattern[i]):
                following.add(i + 1)
        states = closure(following)
        if not states:
            return False
    return len(pattern) in states


def fn_templatefile(call: Call, name: Any, variables: Any = None) -> Any:
    data = _read_file(call, "templatefile", name)
    if isinstance(data, Unknown):
        return data
    text = _utf8(data, str(name))
    need(variables is None or isinstance(variables, dict), "the variables must be an object")
    tree = template_tree(text, str(call.path(name)))
    inner = Ctx(call.ctx.module, dict(variables or {}), str(call.path(name)))
    return call.evaluator.ev(tree, inner)


# format() and formatlist(): Terraform's verbs (cty's function/stdlib/format.go), which follow
# Go's fmt for numbers (math/big's Int and Float formatting) and pad strings themselves.
