"""The front door: iamsim.load, iamsim.authorize and Response, and the lazy package root."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import iamsim
from iamsim.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "src" / "iamsim" / "examples" / "organization" / "model"
A = "111122223333"


def test_load_then_authorize_answers_explicit_deny_with_the_engine_steps() -> None:
    world = iamsim.load([str(MODEL)])
    r = iamsim.authorize(
        world,
        f"arn:aws:iam::{A}:role/developer",
        "iam:CreateRole",
        f"arn:aws:iam::{A}:role/first-reports",
    )
    assert r.decision == "ExplicitDeny"
    assert not r.allowed
    assert [ref.policy_type for ref in r.decisive] == ["boundary"]
    steps = {s.key: s for s in r.explanation}
    assert steps["deny"].outcome == "deny"
    assert steps["boundary"].finding == "denied"
    assert r.to_dict()["decision"] == "ExplicitDeny"
    assert r.to_dict()["explanation"][0]["step"] == "deny"


def test_a_mapping_of_policy_documents_is_evaluated_as_given() -> None:
    allow = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
    }
    alice = f"arn:aws:iam::{A}:user/alice"
    r = iamsim.authorize({"identity": allow}, alice, "s3:GetObject", "arn:aws:s3:::b/k")
    assert r.decision == "Allow" and r.allowed
    assert [s.key for s in r.explanation if s.outcome == "grant"] == ["identity"]
    capped = iamsim.authorize(
        {
            "identity": allow,
            "boundary": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}],
            },
        },
        alice,
        "s3:GetObject",
        "arn:aws:s3:::b/k",
    )
    assert capped.decision == "ImplicitDeny"
    assert {s.key: s.outcome for s in capped.explanation}["boundary"] == "block"
    with pytest.raises(InputError, match="unknown policy type"):
        iamsim.authorize({"identities": allow}, alice, "s3:GetObject")


def test_load_refuses_options_that_no_input_takes() -> None:
    with pytest.raises(InputError, match="not one of the inputs"):
        iamsim.load([str(MODEL)], accounts={"elsewhere/": A})
    with pytest.raises(InputError, match="no input is a Terraform"):
        iamsim.load([str(MODEL)], variables={"env": "prod"})


def test_the_root_exports_resolve_and_import_iamsim_loads_no_engine() -> None:
    assert set(iamsim.__all__) == set(iamsim._LAZY) | iamsim._SUBMODULES
    for name in iamsim.__all__:
        assert getattr(iamsim, name) is not None
    with pytest.raises(AttributeError):
        iamsim.no_such_name  # noqa: B018
    code = "import sys, iamsim; print(sorted(m for m in sys.modules if m.startswith('iamsim.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_variables_and_an_account_reach_the_terraform_loader(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "name" {}\n'
        'resource "aws_iam_role" "r" {\n'
        "  name = var.name\n"
        '  assume_role_policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", Action = "sts:AssumeRole", Principal = {Service = "ec2.amazonaws.com"}}]})\n'
        "}\n"
    )
    folder = str(tmp_path)
    world = iamsim.load([folder], variables={"name": "deployer"}, accounts={folder: "999988887777"})
    assert sorted(world.accounts) == ["999988887777"]
    assert list(world.roles) == ["arn:aws:iam::999988887777:role/deployer"]
