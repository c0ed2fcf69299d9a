"""Validation of policies against the grammar and the AWS service reference.

The library side of ``iamsim validate``, one module per concern:

* :mod:`~iamsim.checks.validation.results` — located findings, the paths read, the report;
* :mod:`~iamsim.checks.validation.documents` — one policy document: its type (given or
  inferred) and the grammar, lint and size-quota findings of :func:`iamsim.policy.check_policy`;
* :mod:`~iamsim.checks.validation.catalog_checks` — the checks that need the service reference
  (unknown services, actions and condition keys, resources no action acts on, ...), with
  :mod:`~iamsim.checks.validation.resource_fit` matching resource patterns to ARN formats;
* :mod:`~iamsim.checks.validation.world` — a loaded world's policies and the checks across
  policies (boundaries, inline sums, references the inputs lack);
* :mod:`~iamsim.checks.validation.scenarios` — ``iamsim eval`` scenario files;
* :mod:`~iamsim.checks.validation.paths` — :func:`validate_paths`, the entry point, which reads
  files and directories the way the command line does.
"""

from iamsim.checks.validation.catalog_checks import catalog_findings
from iamsim.checks.validation.documents import check_document, infer_policy_type
from iamsim.checks.validation.paths import validate_paths
from iamsim.checks.validation.results import (
    ValidationFinding,
    ValidationReport,
    ValidationTarget,
)
from iamsim.checks.validation.world import validate_world
from iamsim.policy.finding import SEVERITIES, Severity

__all__ = [
    "SEVERITIES",
    "Severity",
    "ValidationFinding",
    "ValidationReport",
    "ValidationTarget",
    "catalog_findings",
    "check_document",
    "infer_policy_type",
    "validate_paths",
    "validate_world",
]
