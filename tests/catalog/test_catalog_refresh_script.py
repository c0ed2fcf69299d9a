"""scripts/refresh_managed_policies.py against real exports."""

from __future__ import annotations

import gzip
import importlib.util
import json
import sys
import urllib.parse
from pathlib import Path
from types import ModuleType

import pytest

from iamsim.catalog import managed_policies
from iamsim.catalog.managed_policies import SNAPSHOT_PATH, read_snapshot_file

ROOT = Path(__file__).resolve().parents[2]
GAAD = Path(__file__).resolve().parents[1] / "real_inputs" / "gaad" / "cloudsplaining-example.json"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "refresh_managed_policies", ROOT / "scripts" / "refresh_managed_policies.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_round_trip_of_the_packaged_snapshot(script: ModuleType, tmp_path: Path) -> None:
    out = tmp_path / "snap.json.gz"
    assert script.main([str(SNAPSHOT_PATH), "--output", str(out)]) == 0
    before = read_snapshot_file(SNAPSHOT_PATH)
    after = read_snapshot_file(out)
    assert after["policies"] == before["policies"]
    assert after["source"] == before["source"]
    # deterministic output
    first = out.read_bytes()
    assert script.main([str(out), "--output", str(out)]) == 0
    assert out.read_bytes() == first


def _gaad(policies: list[dict[str, object]]) -> dict[str, object]:
    return {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": policies}


def test_gaad_merges_by_default(script: ModuleType, tmp_path: Path) -> None:
    out = tmp_path / "snap.json.gz"
    out.write_bytes(SNAPSHOT_PATH.read_bytes())
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "x:Y", "Resource": "*"}],
    }
    source = tmp_path / "gaad.json"
    source.write_text(
        json.dumps(
            _gaad(
                [
                    {
                        "PolicyName": "BrandNewPolicy",
                        "Arn": "arn:aws:iam::aws:policy/service-role/BrandNewPolicy",
                        "Path": "/service-role/",
                        "DefaultVersionId": "v2",
                        "UpdateDate": "2030-01-01 00:00:00+00:00",
                        "PolicyVersionList": [
                            {
                                "Document": {"Statement": []},
                                "VersionId": "v1",
                                "IsDefaultVersion": False,
                            },
                            # the raw API URL-encodes documents
                            {
                                "Document": urllib.parse.quote(json.dumps(document)),
                                "VersionId": "v2",
                                "IsDefaultVersion": True,
                            },
                        ],
                    },
                    {
                        "PolicyName": "Mine",
                        "Arn": "arn:aws:iam::123456789012:policy/Mine",
                        "Path": "/",
                        "DefaultVersionId": "v1",
                        "PolicyVersionList": [
                            {"Document": document, "VersionId": "v1", "IsDefaultVersion": True}
                        ],
                    },
                ]
            )
        )
    )
    assert script.main([str(source), "--output", str(out)]) == 0
    merged = read_snapshot_file(out)["policies"]
    before = read_snapshot_file(SNAPSHOT_PATH)["policies"]
    assert len(merged) == len(before) + 1
    assert "Mine" not in merged
    entry = merged["BrandNewPolicy"]
    assert entry["arn"] == "arn:aws:iam::aws:policy/service-role/BrandNewPolicy"
    assert entry["default_version"] == "v2" and entry["document"] == document
    assert entry["updated"] == "2030-01-01T00:00:00+00:00"

    managed_policies.use_snapshot(out)
    try:
        found = managed_policies.managed_policy(
            "arn:aws:iam::aws:policy/service-role/BrandNewPolicy"
        )
        assert found is not None and found.version_id == "v2"
        assert managed_policies.snapshot_info().count == len(before) + 1
    finally:
        managed_policies.use_snapshot(None)
    assert managed_policies.managed_policy("BrandNewPolicy") is None


def test_gaad_replace(script: ModuleType, tmp_path: Path) -> None:
    out = tmp_path / "snap.json.gz"
    assert script.main([str(GAAD), "--output", str(out), "--replace"]) == 0
    policies = read_snapshot_file(out)["policies"]
    raw = json.loads(GAAD.read_text())
    expected = {p["PolicyName"] for p in raw["Policies"] if ":iam::aws:policy/" in p["Arn"]}
    assert set(policies) == expected and expected


def test_moto_module_shape(script: ModuleType, tmp_path: Path) -> None:
    data = {
        "ReadOnlyAccess": {
            "Arn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
            "AttachmentCount": 0,
            "CreateDate": "2015-02-06T18:39:48+00:00",
            "DefaultVersionId": "v999",
            "Document": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}],
            },
            "IsAttachable": True,
            "Path": "/",
            "UpdateDate": "2031-01-01T00:00:00+00:00",
            "VersionId": "v999",
        }
    }
    source = tmp_path / "aws_managed_policies.py"
    source.write_text(
        f'# header\naws_managed_policies_data = """\n{json.dumps(data, indent=4)}"""\n'
    )
    out = tmp_path / "snap.json.gz"
    assert script.main([str(source), "--output", str(out)]) == 0
    policies = json.loads(gzip.decompress(out.read_bytes()))["policies"]
    assert list(policies) == ["ReadOnlyAccess"]
    assert policies["ReadOnlyAccess"]["default_version"] == "v999"


def test_rejects_unknown_shapes(script: ModuleType, tmp_path: Path) -> None:
    source = tmp_path / "x.json"
    source.write_text('{"hello": 1}')
    out = tmp_path / "snap.json.gz"
    assert script.main([str(source), "--output", str(out)]) == 2
    assert not out.exists()
