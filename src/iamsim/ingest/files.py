"""Reading input files: the text of one input, and the lazily parsed view the loaders share.

Owns :func:`read_text` (a regular file's UTF-8 text, bounded, inside the input's read scope)
and :class:`InputFile` (one input path with its text and parsed document, read once). What an
input may read, and the bounded byte reads themselves, are :mod:`iamsim.ingest.read_scope`;
parsing is :mod:`iamsim.ingest.documents`.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import Any

from iamsim.errors import InputError
from iamsim.ingest.documents import parse_text
from iamsim.ingest.read_scope import ReadScope, decode_text, read_regular_file

__all__ = ["InputFile", "read_text"]


def read_text(
    path: str | os.PathLike[str], source: str | None = None, scope: ReadScope | None = None
) -> str:
    """The text of the regular file ``path``, at most ``limits.current().max_file_bytes``
    long; unreadable or non-UTF-8 files, devices, FIFOs and system pseudo-files raise
    InputError naming ``source`` (default: the path as given). With ``scope``, the file must
    also be inside it (see :mod:`iamsim.ingest.read_scope`)."""
    label = source if source is not None else str(path)
    if scope is not None:
        return scope.read_text(path, label)
    return decode_text(read_regular_file(path, label), label)


def text_to_detect(source: str | os.PathLike[str]) -> str | None:
    """What a format's ``detect`` looks at when handed a path or the text itself (library use):
    the text when ``source`` is not a path-like single line, else the file's text read like any
    input (bounded, regular files only); None when that file cannot be read."""
    text = str(source)
    if "\n" in text or text.lstrip().startswith("{"):
        return text
    try:
        return read_text(source)
    except InputError:
        return None


def _starts_like_json(text: str) -> bool:
    """Whether ``text`` starts like JSON (``{`` or ``[`` after a BOM and whitespace), as
    :func:`~iamsim.ingest.documents.parse_text` decides between JSON and YAML."""
    for char in text[:4096]:
        if char not in "\ufeff \t\r\n":
            return char in "{["
    return text.lstrip("\ufeff \t\r\n")[:1] in ("{", "[")


class InputFile:
    """One input path as the loaders see it: its text and parsed document, read lazily.

    ``document`` is None when the content is neither JSON nor YAML (a Terraform file, say);
    ``document_error`` then says why. Directories have no text. ``scope`` is what the input
    may read besides itself (default: its own folder); loaders read every file the input
    refers to through it.
    """

    def __init__(
        self, path: Path | str, source: str | None = None, scope: ReadScope | None = None
    ) -> None:
        self.path = Path(path)
        self.source = source if source is not None else str(path)
        self.scope = scope if scope is not None else ReadScope.for_input(self.path)

    @property
    def is_dir(self) -> bool:
        return self.path.is_dir()

    @cached_property
    def text(self) -> str:
        return read_text(self.path, self.source, self.scope)

    @cached_property
    def _parsed(self) -> tuple[Any, InputError | None]:
        if self.is_dir:
            return None, InputError("is a directory", source=self.source)
        text = self.text
        try:
            if _starts_like_json(text):
                # orjson first (exports are megabytes; the located reader is several times
                # slower); any doubt or error re-reads with the located reader, so documents
                # and error messages are exactly the located reader's. Imported here: the
                # fast reader imports this package.
                from iamsim.ingest.fast_json import loads

                return loads(text, self.source), None
            return parse_text(text, self.source), None
        except InputError as exc:
            return None, exc

    @property
    def document(self) -> Any:
        return self._parsed[0]

    @property
    def document_error(self) -> InputError | None:
        return self._parsed[1]
