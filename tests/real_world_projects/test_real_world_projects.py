"""Infrastructure code of the kinds found in public repositories: ``validate`` checks every
policy each project defines, given the variables and parameters its ``expect.yaml`` names.

Each folder under this one is a project: Terraform (modules, ``for_each``, ``templatefile``,
``aws_iam_policy_document`` with ``dynamic`` statements and source/override documents, ...) or
CloudFormation (conditions, ``Fn::If``/``AWS::NoValue``, SAM policy templates, nested stacks,
resource policies, ...). ``expect.yaml`` says what to load (``path``), with which options
(``vars``, ``var_files``, ``params``, ``default_account``, ``region``) and how many policies the project
defines (``policies``): validate must check exactly that many and leave none unresolved (or,
with ``unresolved: {count, because}``, exactly those whose value nothing offline gives). Each
loader fix made for a project has that project as its test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from iamsim.checks.validation import validate_paths
from iamsim.ingest import IacOptions

HERE = Path(__file__).parent
PROJECTS = sorted(p.parent for p in HERE.glob("*/expect.yaml"))


def _expect(project: Path) -> dict[str, Any]:
    data = yaml.safe_load((project / "expect.yaml").read_text())
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("project", PROJECTS, ids=[p.name for p in PROJECTS])
def test_validate_checks_every_policy(project: Path) -> None:
    expect = _expect(project)
    options = IacOptions(
        variables={str(k): v for k, v in (expect.get("vars") or {}).items()},
        var_files=tuple(project / f for f in expect.get("var_files") or ()),
        parameters={str(k): v for k, v in (expect.get("params") or {}).items()},
        default_account=expect.get("default_account"),
        default_region=expect.get("region"),
    )
    report = validate_paths([project / expect.get("path", ".")], options=options)
    summary = report.summary()
    unresolved = [f.message for f in report.findings if f.code == "unresolved-policy"]
    # A project may define a policy nothing offline can decide (the identity running
    # Terraform): expect.yaml then names the count and a phrase of the reason.
    left = expect.get("unresolved") or {}
    assert len(unresolved) == left.get("count", 0), unresolved
    assert all(left["because"] in m for m in unresolved)
    assert summary["policies"] == expect["policies"]
    # A document AWS would refuse is a defect of the fixture, not of the project kind.
    assert summary["aws_rejects"] == 0, [str(f) for f in report.findings if f.aws_rejects]
    for code, count in (expect.get("findings") or {}).items():
        assert sum(1 for f in report.findings if f.code == code) == count, code


def test_projects_present() -> None:
    assert len(PROJECTS) >= 10
