"""What a validation run reports: located findings, the paths read, and the report.

Also the one ranking of severities (Access Analyzer's order) that findings are sorted and a
run fails by, and :func:`locate`, which places a policy's findings in their file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from iamsim.policy import Finding
from iamsim.policy.finding import SEVERITIES, Severity
from iamsim.policy.model import PolicyType
from iamsim.policy.refusals import aws_rejects

# Rank of each severity, most severe first.
RANK = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass(frozen=True, slots=True)
class ValidationFinding:
    """One finding, located: the file, a JSON pointer, and the policy when a file holds many.

    ``path`` points into the file for policy documents and scenario files; for policies of a
    loaded input (an IAM export, an organization, ...) it points into the policy document named
    by ``policy``. ``aws_rejects`` says whether AWS itself refuses the document for this
    finding (default: the code's row of :mod:`iamsim.policy.refusals`).
    """

    severity: Severity
    code: str
    message: str
    file: str = ""
    path: str = ""
    policy: str | None = None
    policy_type: str | None = None
    aws_rejects: bool | None = None

    def __post_init__(self) -> None:
        if self.aws_rejects is None:
            object.__setattr__(self, "aws_rejects", aws_rejects(self.code))

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "aws_rejects": bool(self.aws_rejects),
            "code": self.code,
            "message": self.message,
            "file": self.file,
            "path": self.path,
            "policy": self.policy,
            "policy_type": self.policy_type,
        }

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.policy:
            where += f" [{self.policy}]"
        if self.path:
            where += f" at {self.path}"
        mark = " (AWS rejects)" if self.aws_rejects else ""
        return f"{where}: {self.severity}{mark} [{self.code}] {self.message}"


@dataclass(frozen=True, slots=True)
class ValidationTarget:
    """One validated path: what it was read as, how many policies it held (checked), and how
    many more it defines that could not be loaded (``unresolved``: values left unknown)."""

    file: str
    kind: Literal["policy", "scenario", "input"]
    description: str
    policies: int
    unresolved: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "kind": self.kind,
            "description": self.description,
            "policies": self.policies,
            "unresolved": self.unresolved,
        }


@dataclass(frozen=True, slots=True)
class ValidationReport:
    targets: tuple[ValidationTarget, ...]
    findings: tuple[ValidationFinding, ...]

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def checked_nothing(self) -> bool:
        """Whether the paths held nothing to check: no policy, no scenario and no finding
        beyond the loaders' suggestions (an ``ok`` would then mean nothing)."""
        return not any(t.policies or t.kind == "scenario" for t in self.targets) and all(
            f.severity == "suggestion" for f in self.findings
        )

    def option_hints(self) -> list[str]:
        """The ``--var``/``--param`` options that would resolve the unresolved policies."""
        from iamsim.checks.validation.coverage import option_hints

        return option_hints(f.message for f in self.findings if f.code == "unresolved-policy")

    def fails(self, threshold: Severity = "error") -> bool:
        """Whether any finding is at least as severe as ``threshold``."""
        return any(RANK[f.severity] <= RANK[threshold] for f in self.findings)

    def summary(self) -> dict[str, int]:
        return {
            "files": len(self.targets),
            "policies": sum(t.policies for t in self.targets),
            "unresolved": sum(t.unresolved for t in self.targets),
            "errors": self.count("error"),
            "security_warnings": self.count("security-warning"),
            "warnings": self.count("warning"),
            "suggestions": self.count("suggestion"),
            "aws_rejects": sum(1 for f in self.findings if f.aws_rejects),
        }


def sorted_findings(findings: Iterable[ValidationFinding]) -> list[ValidationFinding]:
    # Stable: keeps document order within a severity.
    return sorted(findings, key=lambda f: RANK[f.severity])


def locate(
    findings: Iterable[Finding],
    *,
    file: str,
    prefix: str = "",
    policy: str | None = None,
    policy_type: PolicyType | str | None = None,
) -> list[ValidationFinding]:
    ptype = PolicyType(policy_type).value if policy_type is not None else None
    return [
        ValidationFinding(
            f.severity, f.code, f.message, file, prefix + f.path, policy, ptype, f.rejected
        )
        for f in findings
    ]
