"""The Finding value reported by the parser and the linter (re-exported by ``findings``).

It lives in its own module so that the parser (which reports grammar errors as findings) and
``findings.check_policy`` (which runs the parser) do not import each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "suggestion"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in a policy document.

    ``severity`` is ``"error"`` when AWS rejects the document, ``"warning"`` when AWS accepts it
    but it probably does not do what its author meant, ``"suggestion"`` for harmless clutter.
    ``code`` is a stable kebab-case identifier; ``path`` is a JSON pointer into the document
    (``""`` for the whole document).
    """

    severity: Severity
    code: str
    message: str
    path: str = ""

    def __str__(self) -> str:
        where = f" at {self.path}" if self.path else ""
        return f"{self.severity} [{self.code}]{where}: {self.message}"
