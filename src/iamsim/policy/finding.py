"""The Finding value and its severities, shared by the parser, the linter and validation.

It lives in its own module so that the parser (which reports grammar errors as findings) and
``findings.check_policy`` (which runs the parser) do not import each other; it is public
because the checks above the policy package (:mod:`iamsim.checks.validation`) locate these
findings in files and rank them by the same severities.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from iamsim.policy.refusals import aws_rejects as _table_rejects

# Access Analyzer's finding types
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html).
Severity = Literal["error", "security-warning", "warning", "suggestion"]
SEVERITIES: tuple[Severity, ...] = ("error", "security-warning", "warning", "suggestion")


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in a policy document.

    ``severity`` follows Access Analyzer: ``"error"`` for a policy that is broken or does not
    work as written, ``"security-warning"`` for an overly broad grant, ``"warning"`` when it
    probably does not do what its author meant, ``"suggestion"`` for harmless clutter.
    ``aws_rejects`` says whether AWS itself refuses the document for this problem (a
    malformed-policy or quota error on write); it defaults to the code's row of
    :data:`iamsim.policy.refusals.AWS_REJECTS`. ``code`` is a stable kebab-case identifier;
    ``path`` is a JSON pointer into the document (``""`` for the whole document).
    """

    severity: Severity
    code: str
    message: str
    path: str = ""
    aws_rejects: bool | None = None

    def __post_init__(self) -> None:
        if self.aws_rejects is None:
            object.__setattr__(self, "aws_rejects", _table_rejects(self.code))

    @property
    def rejected(self) -> bool:
        """``aws_rejects`` as a plain bool (never None after construction)."""
        return bool(self.aws_rejects)

    def __str__(self) -> str:
        where = f" at {self.path}" if self.path else ""
        mark = " (AWS rejects)" if self.aws_rejects else ""
        return f"{self.severity}{mark} [{self.code}]{where}: {self.message}"
