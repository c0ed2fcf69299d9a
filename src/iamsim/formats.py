"""The input formats iamsim reads, for library users: list them, detect one, add your own.

A front end over :mod:`iamsim.ingest.registry` (nothing inside iamsim imports this module)::

    import iamsim.formats

    [f.name for f in iamsim.formats.all()]       # 'cloudformation', 'gaad', ...
    iamsim.formats.detect("exports/gaad.json")   # the InputFormat that claims the file
    iamsim.formats.register(InputFormat("my-format", "what it is", detect, load))

A registered format is detected and loaded by every loading entry point (``load_inputs`` and
the ``iamsim`` command run in the same process). See "Adding an input format" in
``docs/inputs.md``.
"""

from __future__ import annotations

from iamsim.ingest.files import InputFile
from iamsim.ingest.input_format import InputFormat
from iamsim.ingest.registry import BUILTIN_FORMATS
from iamsim.ingest.registry import detect_format as detect

# ``all`` shadows the built-in only inside this module, which does not use it:
# ``iamsim.formats.all()`` reads as meant.
from iamsim.ingest.registry import formats as all
from iamsim.ingest.registry import register_format as register
from iamsim.ingest.registry import unregister_format as unregister

__all__ = ["BUILTIN_FORMATS", "InputFile", "InputFormat", "all", "detect", "register", "unregister"]
