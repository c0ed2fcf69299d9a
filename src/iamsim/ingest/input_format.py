"""What an input format is: :class:`InputFormat`, the record every loader declares.

Kept apart from :mod:`iamsim.ingest.registry` because the registry lists the built-in
formats (it imports the loader modules) and the loader modules need this type.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from iamsim.ingest.files import InputFile
from iamsim.model import World

__all__ = ["InputFormat"]


@dataclass(frozen=True, slots=True)
class InputFormat:
    """One input format: a name, a ``detect`` predicate that looks at the file's content
    (never its extension) and a ``load`` function producing a partial World.

    Formats that read directories (Terraform) or non-JSON text work the same way; their
    ``detect`` sees an :class:`InputFile` whose ``document`` is None. ``detect`` must be
    cheap and must not raise; ``load`` raises :class:`~iamsim.errors.InputError` located by
    file and JSON pointer. Lower ``priority`` values are asked first.
    """

    name: str
    description: str
    detect: Callable[[InputFile], bool]
    load: Callable[[InputFile], World]
    priority: int = 100
