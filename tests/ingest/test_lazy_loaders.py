"""Detecting an input's format imports no other format's loader (``iamsim check`` start-up).

Every input is asked of every registered format; Terraform's, CloudFormation's and the
organization formats' detection live in small modules (``ingest/terraform/detection.py``,
``ingest/cloudformation/detection.py``, ``ingest/organization_detection.py``) and their loaders (lark, the HCL evaluator, the template intrinsics and schema) are imported the
first time the format claims a file. Checked in a fresh interpreter, where ``sys.modules``
starts empty.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).parent / "data"
HEAVY = (
    "lark",
    "iamsim.ingest.terraform.loader",
    "iamsim.ingest.terraform.plan",
    "iamsim.ingest.cloudformation.loader",
    "iamsim.ingest.cloudformation.intrinsics",
    "iamsim.ingest.organization",
    "iamsim.ingest.iac.options",
    "iamsim.ingest.iac.placeholders",
)


def _loaded_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True, timeout=120
    ).stdout
    return set(out.split())


def test_loading_a_gaad_export_imports_no_terraform_or_cloudformation_loader() -> None:
    gaad = DATA / "gaad-small.json"
    loaded = _loaded_after(f"import iamsim.ingest\niamsim.ingest.load_inputs([{str(gaad)!r}])")
    assert "iamsim.ingest.terraform.detection" in loaded  # Terraform was asked, cheaply
    assert not loaded & set(HEAVY)


def test_a_claimed_format_loads_its_loader(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_user" "alice" {\n  name = "alice"\n}\n', encoding="utf-8"
    )
    loaded = _loaded_after(f"import iamsim.ingest\niamsim.ingest.load_inputs([{str(tmp_path)!r}])")
    assert {"lark", "iamsim.ingest.terraform.loader"} <= loaded
    assert "iamsim.ingest.cloudformation.loader" not in loaded


def test_claimed_organization_inputs_load_their_loader() -> None:
    # Both organization formats (the tree, the CLI bundle) go through the detection module's
    # lazy loaders to the real ones.
    for name in ("org-tree.yaml", "org-cli.json"):
        code = (
            "import iamsim.ingest\n"
            f"world = iamsim.ingest.load_inputs([{str(DATA / name)!r}])\n"
            "assert world.organization is not None\n"
            "assert len(world.accounts) > 1, sorted(world.accounts)\n"
        )
        loaded = _loaded_after(code)
        assert "iamsim.ingest.organization" in loaded
        assert "iamsim.ingest.terraform.loader" not in loaded


def test_the_public_names_of_the_loader_modules_remain() -> None:
    from iamsim.ingest import cloudformation
    from iamsim.ingest.cloudformation import detection as cfn_detection
    from iamsim.ingest.cloudformation import loader as cfn_loader
    from iamsim.ingest.terraform import detection as tf_detection
    from iamsim.ingest.terraform import loader as tf_loader
    from iamsim.ingest.terraform import plan

    assert cloudformation.FORMATS is cfn_loader.FORMATS is cfn_detection.FORMATS
    assert cloudformation.load_cloudformation is cfn_loader.load_cloudformation
    assert tf_loader.FORMATS is tf_detection.FORMATS
    assert tf_loader.detect is tf_detection.detect
    assert plan.detect is tf_detection.detect_plan

    from iamsim.ingest import IacOptions, organization, organization_detection
    from iamsim.ingest.iac import options

    assert organization.FORMATS is organization_detection.FORMATS
    assert organization.detect_tree is organization_detection.detect_tree
    assert organization.detect_bundle is organization_detection.detect_bundle
    assert IacOptions is options.IacOptions
