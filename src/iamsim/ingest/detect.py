"""The registry of input formats and content-based detection.

Each format registers a :class:`InputFormat`: a name, a ``detect`` predicate that looks at the
file's content (never its extension) and a ``load`` function producing a partial World.
Formats that read directories (Terraform) or non-JSON text register the same way; their
``detect`` sees an :class:`InputFile` whose ``document`` is None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from iamsim.errors import InputError
from iamsim.ingest.files import InputFile
from iamsim.model import World


@dataclass(frozen=True, slots=True)
class InputFormat:
    """One input format. Lower ``priority`` values are asked first."""

    name: str
    description: str
    detect: Callable[[InputFile], bool]
    load: Callable[[InputFile], World]
    priority: int = 100


_FORMATS: dict[str, InputFormat] = {}


def register_format(fmt: InputFormat, *, replace: bool = False) -> None:
    """Add an input format (``replace`` to override one with the same name)."""
    if fmt.name in _FORMATS and not replace:
        raise ValueError(f"input format {fmt.name!r} is already registered")
    _FORMATS[fmt.name] = fmt


def formats() -> list[InputFormat]:
    """Registered formats in the order detection asks them."""
    return sorted(_FORMATS.values(), key=lambda f: (f.priority, f.name))


def detect_format(file: InputFile) -> InputFormat:
    """The format of ``file``, decided from its content.

    Raises InputError when no format (or more than one) claims the file; for a file that is
    neither JSON nor YAML and claimed by nobody, the parse error is the most useful message.
    """
    claimed = [f for f in formats() if f.detect(file)]
    if len(claimed) == 1:
        return claimed[0]
    if claimed:
        names = ", ".join(f.name for f in claimed)
        raise InputError(f"the content matches several input formats ({names})", source=file.source)
    if not file.is_dir and file.document_error is not None:
        raise file.document_error
    known = "; ".join(f"{f.name}: {f.description}" for f in formats())
    what = "directory" if file.is_dir else "file"
    raise InputError(
        f"this {what} is not a recognised input (expected one of — {known})", source=file.source
    )
