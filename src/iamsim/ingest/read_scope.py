"""Which files an input may make iamsim read, and reading them boundedly: the one owner of that
(bytes, and their UTF-8 text: :func:`decode_text`).

Inputs come from merge requests, so a path written inside an input (Terraform ``file()``,
``templatefile()``, a module ``source``, an organization file's ``scps:`` entry...) is hostile:
``file("/proc/self/environ")`` or a symlink to a CI secret would put the secret into a policy,
and every report prints policies. A :class:`ReadScope` holds the folders an input may read
from: the folder named with ``-i`` (for a file, the folder holding it: its relative references
start there), plus every ``--allow-read PATH``. A requested path is resolved with every symlink
followed and must land inside one of them; ``/proc``, ``/sys`` and ``/dev`` never are, and only
regular files are read (a device or FIFO would block or never end), at most
``limits.current().max_file_bytes`` bytes of them.

A refusal is a :class:`ReadRefused` (an InputError naming the reference): loaders that can
leave a value unknown (Terraform) turn it into an unknown with a note, the others report it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from iamsim import limits
from iamsim.errors import InputError

__all__ = [
    "ReadRefused",
    "ReadScope",
    "decode_text",
    "read_bounded_stream",
    "read_regular_file",
]

# Pseudo-file systems: their "regular files" are the process's environment, memory maps or
# kernel state (and may never end); nothing an input names is ever there.
_SPECIAL_TREES = (Path("/proc"), Path("/sys"), Path("/dev"))

_HINT = "pass --allow-read PATH to allow it"


class ReadRefused(InputError):
    """A file an input refers to that iamsim will not read (outside the input, not a regular
    file, or too large). The message names the reference, never the file's content."""


def resolved_path(path: str | os.PathLike[str]) -> Path:
    return Path(os.path.realpath(path))


def _inside(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def is_special_path(path: Path) -> bool:
    return any(_inside(path, tree) for tree in _SPECIAL_TREES)


def _too_large(limit: int, source: str) -> ReadRefused:
    return ReadRefused(
        f"the file is larger than {limit} bytes (raise it with --limit max_file_bytes=N)",
        source=source,
    )


def _read_fd(fd: int, source: str) -> bytes:
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise ReadRefused("not a regular file", source=source)
    limit = limits.current().max_file_bytes
    if info.st_size > limit:
        raise _too_large(limit, source)
    chunks: list[bytes] = []
    remaining = limit + 1  # one byte more than allowed tells a file that grew past the limit
    while remaining > 0:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    data = b"".join(chunks)
    if len(data) > limit:
        raise _too_large(limit, source)
    return data


def decode_text(raw: bytes, source: str) -> str:
    """UTF-8 text (a byte-order mark is dropped), or the InputError every input reader gives."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("file is not UTF-8 text", source=source) from None


def read_regular_file(
    path: str | os.PathLike[str],
    source: str,
    inside: Callable[[Path], bool] | None = None,
) -> bytes:
    """The bytes of the regular file ``path`` (symlinks followed), bounded by the file limit.

    Devices, FIFOs, sockets, directories and anything under ``/proc``, ``/sys`` or ``/dev``
    raise :class:`ReadRefused`; an unreadable file raises InputError. No boundary is checked
    here (see :meth:`ReadScope.read_bytes`) except, where the system names open files
    (``/proc/self/fd``), that the file opened still satisfies ``inside`` (a folder of the path
    swapped for a symlink between the check and the open is caught).
    """
    target = resolved_path(path)
    if is_special_path(target):
        raise ReadRefused(f"not a regular file ({target} is a system pseudo-file)", source=source)
    try:
        info = os.stat(target)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", source=source) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError("is a directory", source=source)
    if not stat.S_ISREG(info.st_mode):
        raise ReadRefused("not a regular file (a device, FIFO or socket)", source=source)
    # The path is resolved, so O_NOFOLLOW only trips if it was swapped for a symlink since;
    # O_NONBLOCK keeps a FIFO swapped in meanwhile from blocking the open (fstat refuses it).
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    flags |= getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(target, flags)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", source=source) from None
    try:
        if inside is not None:
            opened = Path(f"/proc/self/fd/{fd}")
            if opened.exists() and not inside(Path(os.readlink(opened))):
                raise ReadRefused("the file changed while it was opened", source=source)
        return _read_fd(fd, source)
    finally:
        os.close(fd)


def read_bounded_stream(stream: BinaryIO, source: str) -> bytes:
    """What ``stream`` (standard input) holds, refused beyond the file limit rather than read
    until memory runs out (``cat /dev/zero | iamsim eval``)."""
    limit = limits.current().max_file_bytes
    chunks: list[bytes] = []
    remaining = limit + 1
    while remaining > 0:
        chunk = stream.read(min(remaining, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    if remaining <= 0:
        raise _too_large(limit, source)
    return b"".join(chunks)


@dataclass(frozen=True, slots=True)
class ReadScope:
    """The folders (resolved) an input may read files from."""

    roots: tuple[Path, ...]

    @classmethod
    def for_input(
        cls, path: str | os.PathLike[str], allow_read: Iterable[str | os.PathLike[str]] = ()
    ) -> ReadScope:
        """The scope of the input ``path`` (a folder, or a file: its folder) widened by
        ``allow_read``."""
        target = resolved_path(path)
        base = target if target.is_dir() else target.parent
        roots = [base, *(resolved_path(extra) for extra in allow_read)]
        return cls(tuple(dict.fromkeys(roots)))

    @staticmethod
    def is_input_path(path: str | os.PathLike[str]) -> bool:
        """Whether ``path`` (symlinks followed) may be an input: a folder or a regular file,
        not under ``/proc``, ``/sys`` or ``/dev``."""
        target = resolved_path(path)
        if is_special_path(target):
            return False
        try:
            mode = os.stat(target).st_mode
        except OSError:
            return False
        return stat.S_ISDIR(mode) or stat.S_ISREG(mode)

    def widened(self, extra: Iterable[str | os.PathLike[str]]) -> ReadScope:
        return ReadScope(tuple(dict.fromkeys([*self.roots, *(resolved_path(p) for p in extra)])))

    def allows(self, path: str | os.PathLike[str]) -> bool:
        """Whether ``path``, symlinks followed, is inside the scope (and not a pseudo-file)."""
        target = resolved_path(path)
        return not is_special_path(target) and any(_inside(target, root) for root in self.roots)

    def resolve(self, path: str | os.PathLike[str], reference: str, source: str = "") -> Path:
        """``path`` with symlinks followed; ReadRefused (naming ``reference``) when it leaves
        the scope."""
        target = resolved_path(path)
        if is_special_path(target) or not any(_inside(target, root) for root in self.roots):
            raise ReadRefused(
                f"{reference} refers to a file outside the input ({_HINT})", source=source
            )
        return target

    def read_bytes(self, path: str | os.PathLike[str], reference: str, source: str = "") -> bytes:
        """The bytes of the regular file ``path`` inside the scope, bounded (see
        :func:`read_regular_file`); ``reference`` names it in messages."""
        target = self.resolve(path, reference, source)
        try:
            return read_regular_file(target, source or reference, self.allows)
        except InputError as exc:
            raise type(exc)(f"{reference}: {exc.reason}", source=source) from None

    def read_text(self, path: str | os.PathLike[str], source: str) -> str:
        """The UTF-8 text of an input file inside the scope (errors name ``source``)."""
        target = self.resolve(path, "the file", source)
        return decode_text(read_regular_file(target, source, self.allows), source)

    def is_file(self, path: str | os.PathLike[str], reference: str, source: str = "") -> bool:
        """Whether ``path`` is a regular file; ReadRefused outside the scope."""
        target = self.resolve(path, reference, source)
        return target.is_file()

    def files(self, directory: str | os.PathLike[str], pattern: str) -> list[Path]:
        """Entries directly inside ``directory`` whose names match ``pattern`` (a glob) and
        that are not folders, sorted. Nothing is filtered out silently: an entry that is a
        symlink leaving the scope, or a device, is listed and refused loudly when read."""
        return sorted(p for p in Path(directory).glob(pattern) if not p.is_dir())
