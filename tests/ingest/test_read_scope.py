"""Reads stay inside what was named: a file an input refers to (Terraform ``file()`` and the
other file functions, ``templatefile``, ``fileset``, module sources, organization ``scps:``
paths, resources-file policy paths) is read only inside the input's folder and the
``--allow-read`` paths, symlinks followed; devices, FIFOs and /proc are never read, and files
are read up to the size limit. A refused read leaves the value unknown (the principal that needs
it is unresolved) or is a located error, and the planted secret never reaches any output."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from iamsim import limits
from iamsim.cli.main import cli
from iamsim.errors import InputError
from iamsim.ingest import ReadRefused, ReadScope, load_input, load_inputs
from iamsim.model import World

SECRET = "PLANTED-SECRET-7f3a9c"
ACCT = "111122223333"
ROLE = f"arn:aws:iam::{ACCT}:role/app"
PROVIDER = 'provider "aws" {\n  allowed_account_ids = ["111122223333"]\n  region = "eu-west-1"\n}\n'
TRUST = (
    'jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", '
    'Action = "sts:AssumeRole", Principal = {Service = "ec2.amazonaws.com"}}]})'
)


def _policy(action: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}],
        }
    )


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    """A secret beside the input folder: ``tmp/secret/token.txt`` (a policy-looking JSON whose
    action carries the secret, so a leak would show in every report of the policy)."""
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "token.txt").write_text(_policy(f"s3:{SECRET}"))
    (tmp_path / "infra").mkdir()
    return tmp_path


def _role_with_policy(policy_expr: str, extra: str = "") -> str:
    return (
        PROVIDER
        + extra
        + f"""
resource "aws_iam_role" "app" {{
  name               = "app"
  assume_role_policy = {TRUST}
}}
resource "aws_iam_role_policy" "inline" {{
  name   = "inline"
  role   = aws_iam_role.app.name
  policy = {policy_expr}
}}
"""
    )


def _tf(folder: Path, policy_expr: str, extra: str = "") -> Path:
    (folder / "main.tf").write_text(_role_with_policy(policy_expr, extra))
    return folder


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


def _assert_no_leak(folder: Path, *extra: str) -> str:
    """Every reporting command over ``folder``: no traceback, no secret; the text output."""
    out = ""
    for args in (
        ["validate", str(folder)],
        ["validate", "--json", str(folder)],
        ["permissions", "-i", str(folder), ROLE],
        ["permissions", "--json", "-i", str(folder), ROLE],
        ["explain", "-i", str(folder), ROLE, "s3:GetObject", "arn:aws:s3:::b/k"],
    ):
        code, text = _run(*args, *extra)
        assert "Traceback" not in text
        assert SECRET not in text, args
        assert code in (0, 1, 2), (args, code)
        out += text
    return out


def _unresolved(world: World) -> str:
    return "\n".join(r for reasons in world.unresolved.values() for r in reasons)


# -- Terraform: each route out of the root module ------------------------------------------------


@pytest.mark.parametrize(
    "expr",
    [
        'file("../secret/token.txt")',
        'file("{secret}")',
        'templatefile("../secret/token.txt", {})',
        'jsondecode(jsonencode(file("../secret/token.txt")))',
        'try(file("../secret/token.txt"), "{}")',
        'fileexists("../secret/token.txt") ? file("../secret/token.txt") : "{}"',
        'base64decode(filebase64("../secret/token.txt"))',
    ],
)
def test_terraform_reads_outside_the_folder_are_refused(planted: Path, expr: str) -> None:
    expr = expr.replace("{secret}", str(planted / "secret" / "token.txt"))
    folder = _tf(planted / "infra", expr)
    world = load_inputs([folder])
    assert ROLE in world.unresolved
    assert "outside the input" in _unresolved(world) + "\n".join(world.notes)
    assert SECRET not in repr(world)
    _assert_no_leak(folder)


def test_a_symlink_leaving_the_folder_is_refused(planted: Path) -> None:
    folder = _tf(planted / "infra", 'file("policy.json")')
    os.symlink(planted / "secret" / "token.txt", folder / "policy.json")
    world = load_inputs([folder])
    assert ROLE in world.unresolved
    assert SECRET not in repr(world)
    _assert_no_leak(folder)


def test_a_symlink_to_proc_environ_is_refused(
    planted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IAMSIM_TEST_SECRET", SECRET)
    folder = _tf(planted / "infra", 'file("env")')
    os.symlink("/proc/self/environ", folder / "env")
    world = load_inputs([folder])
    assert ROLE in world.unresolved
    _assert_no_leak(folder)


def test_direct_proc_and_device_paths_are_refused(planted: Path) -> None:
    folder = _tf(planted / "infra", 'file("/proc/self/environ")')
    assert ROLE in load_inputs([folder]).unresolved
    _tf(folder, 'file("/dev/zero")')
    assert ROLE in load_inputs([folder]).unresolved
    # Not even --allow-read / opens them.
    assert ROLE in load_inputs([folder], allow_read=["/"]).unresolved


def test_fileexists_outside_is_unknown_not_false(planted: Path) -> None:
    folder = _tf(
        planted / "infra",
        f'fileexists("../secret/token.txt") ? {json.dumps(_policy("s3:GetObject"))} : '
        f"{json.dumps(_policy('s3:*'))}",
    )
    world = load_inputs([folder])
    assert ROLE in world.unresolved
    # Inside the folder it answers as Terraform does.
    (folder / "present.txt").write_text("x")
    _tf(folder, f'fileexists("present.txt") ? {json.dumps(_policy("s3:GetObject"))} : ""')
    assert ROLE not in load_inputs([folder]).unresolved


def test_fileset_cannot_list_outside(planted: Path) -> None:
    extra = 'locals {\n  found = fileset(path.module, "../**")\n}\n'
    folder = _tf(planted / "infra", "jsonencode({x = local.found})", extra)
    world = load_inputs([folder])
    assert ROLE in world.unresolved
    _assert_no_leak(folder)


def test_fileset_inside_lists_and_a_symlink_out_makes_it_unknown(planted: Path) -> None:
    folder = planted / "infra"
    (folder / "policies").mkdir()
    (folder / "policies" / "a.json").write_text(_policy("s3:GetObject"))
    (folder / "policies" / "b.json").write_text(_policy("s3:PutObject"))
    extra = 'locals {\n  names = fileset(path.module, "policies/*.json")\n}\n'
    _tf(folder, 'length(local.names) == 2 ? file("policies/a.json") : "{}"', extra)
    assert ROLE not in load_inputs([folder]).unresolved
    os.symlink(planted / "secret" / "token.txt", folder / "policies" / "c.json")
    assert ROLE in load_inputs([folder]).unresolved
    _assert_no_leak(folder)


def test_file_hash_functions_read_inside_only(planted: Path) -> None:
    folder = planted / "infra"
    (folder / "p.json").write_text("abc")
    for fn in ("filemd5", "filesha1", "filesha256", "filesha512", "filebase64sha256"):
        inside = f'{fn}("p.json") != "" ? {json.dumps(_policy("s3:GetObject"))} : ""'
        _tf(folder, inside)
        assert ROLE not in load_inputs([folder]).unresolved, fn
        _tf(folder, f'{fn}("../secret/token.txt") != "" ? {json.dumps(_policy("s3:*"))} : ""')
        assert ROLE in load_inputs([folder]).unresolved, fn


def test_module_source_outside_is_not_loaded(planted: Path) -> None:
    shared = planted / "shared"
    shared.mkdir()
    (shared / "main.tf").write_text(
        f'resource "aws_iam_user" "u" {{\n  name = "{SECRET}"\n}}\n'
        'output "policy" {\n  value = jsonencode({Version = "2012-10-17", Statement = '
        '[{Effect = "Allow", Action = "s3:GetObject", Resource = "*"}]})\n}\n'
    )
    folder = _tf(
        planted / "infra", "module.shared.policy", 'module "shared" {\n  source = "../shared"\n}\n'
    )
    world = load_inputs([folder])
    assert ROLE in world.unresolved
    assert any("outside the input" in n for n in world.notes)
    _assert_no_leak(folder)
    # Allowed explicitly, the module loads.
    world = load_inputs([folder], allow_read=[shared])
    assert ROLE not in world.unresolved


def test_allow_read_makes_the_legitimate_read_work(planted: Path) -> None:
    folder = _tf(planted / "infra", 'file("../secret/token.txt")')
    world = load_inputs([folder], allow_read=[planted / "secret"])
    assert ROLE not in world.unresolved
    code, out = _run(
        "permissions", "-i", str(folder), "--allow-read", str(planted / "secret"), ROLE
    )
    assert code == 0
    assert "unresolved" not in out and "outside the input" not in out


def test_reads_inside_the_folder_still_work(planted: Path) -> None:
    folder = planted / "infra"
    (folder / "policies").mkdir()
    (folder / "policies" / "p.json").write_text(_policy("s3:GetObject"))
    (folder / "t.tftpl").write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": '
        '"Allow", "Action": "${a}", "Resource": "*"}]}'
    )
    _tf(folder, 'file("policies/p.json")')
    assert ROLE not in load_inputs([folder]).unresolved
    _tf(folder, 'templatefile("t.tftpl", {a = "s3:GetObject"})')
    assert ROLE not in load_inputs([folder]).unresolved


def test_a_tf_file_symlinked_out_is_a_located_error(planted: Path) -> None:
    folder = _tf(planted / "infra", '"{}"')
    os.symlink(planted / "secret" / "token.txt", folder / "x.tf")
    with pytest.raises(ReadRefused) as info:
        load_input(folder)
    assert "x.tf" in str(info.value)
    assert SECRET not in str(info.value)
    code, out = _run("permissions", "-i", str(folder), ROLE)
    assert code == 2 and SECRET not in out and "Traceback" not in out


# -- organization and resources files ------------------------------------------------------------


def _org(folder: Path, scp: str) -> Path:
    doc = {
        "organization": {
            "id": "o-a1b2c3d4e5",
            "root": {"id": "r-ab12", "scps": [scp], "children": [{"account": ACCT}]},
        }
    }
    path = folder / "org.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize("scp", ["../secret/token.txt", "{abs}", "link.json", "/proc/self/environ"])
def test_organization_policy_files_outside_are_refused(planted: Path, scp: str) -> None:
    folder = planted / "infra"
    os.symlink(planted / "secret" / "token.txt", folder / "link.json")
    org = _org(folder, scp.replace("{abs}", str(planted / "secret" / "token.txt")))
    with pytest.raises(InputError) as info:
        load_input(org)
    assert info.value.path == "/organization/root/scps/0"
    assert "outside the input" in info.value.reason or "pseudo-file" in info.value.reason
    code, out = _run("permissions", "-i", str(org), ROLE)
    assert code == 2 and SECRET not in out and "Traceback" not in out
    code, out = _run("validate", str(org))
    assert code == 2 and SECRET not in out and "Traceback" not in out


def test_organization_policy_files_inside_and_allowed(planted: Path) -> None:
    folder = planted / "infra"
    (folder / "scps").mkdir()
    (folder / "scps" / "deny.json").write_text(_policy("s3:GetObject"))
    assert load_input(_org(folder, "scps/deny.json")).organization is not None
    org = _org(folder, "../secret/token.txt")
    assert load_input(org, allow_read=[planted / "secret"]).organization is not None


def test_resources_file_policy_outside_is_refused(planted: Path) -> None:
    path = planted / "infra" / "resources.json"
    arn = "arn:aws:s3:::bucket"
    path.write_text(
        json.dumps({"resources": [{"arn": arn, "account": ACCT, "policy": "../secret/token.txt"}]})
    )
    with pytest.raises(ReadRefused):
        load_input(path)


# -- the inputs themselves ------------------------------------------------------------------------


def test_dev_zero_and_a_fifo_as_input_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for target in ("/dev/zero", str(fifo), "/proc/self/environ"):
        with pytest.raises(ReadRefused):
            load_input(target)
        for args in (
            ["permissions", "-i", target, ROLE],
            ["permissions", "--json", "-i", target, ROLE],
            ["validate", target],
        ):
            code, out = _run(*args)
            assert code == 2, args
            assert "not a regular file" in out and "Traceback" not in out


def test_a_folder_member_symlinked_out_is_refused(planted: Path) -> None:
    folder = planted / "infra"
    os.symlink(planted / "secret" / "token.txt", folder / "gaad.json")
    with pytest.raises(ReadRefused):
        load_input(folder)


def test_files_over_the_size_limit_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text(" " * 2000 + "{}")
    with limits.override(max_file_bytes=1000), pytest.raises(ReadRefused) as info:
        load_input(path)
    assert "larger than 1000 bytes" in info.value.reason
    code, out = _run("permissions", "--limit", "max_file_bytes=1000", "-i", str(path), ROLE)
    assert code == 2 and "larger than 1000 bytes" in out


def test_bad_limit_is_a_usage_error(tmp_path: Path) -> None:
    code, out = _run("permissions", "--limit", "nope=1", "-i", str(tmp_path), ROLE)
    assert code == 2 and "unknown limit" in out
    code, out = _run("permissions", "--limit", "max_file_bytes=x", "-i", str(tmp_path), ROLE)
    assert code == 2 and "not a whole number" in out


def test_limits_apply_to_one_command_only(tmp_path: Path) -> None:
    _run("permissions", "--limit", "max_file_bytes=1000", "-i", str(tmp_path), ROLE)
    assert limits.current().max_file_bytes == limits.DEFAULT_LIMITS.max_file_bytes


def test_eval_stdin_is_bounded() -> None:
    result = CliRunner().invoke(cli, ["eval", "--limit", "max_file_bytes=1000"], input=b"x" * 5000)
    assert result.exit_code == 2
    assert "larger than 1000 bytes" in result.output


def test_scope_resolution() -> None:
    scope = ReadScope.for_input(Path(__file__))
    assert scope.allows(Path(__file__).parent / "anything")
    assert not scope.allows(Path(__file__).parent.parent / "x")
    assert not ReadScope((Path("/"),)).allows("/proc/self/environ")
    assert sys.platform != "linux" or not ReadScope.is_input_path("/dev/zero")


def test_expectation_file_inputs_are_checked_as_inputs(tmp_path: Path) -> None:
    # An expectations file names its inputs as -i does: each is an input (its own folder is
    # its scope), and a device or /proc entry is refused like -i /dev/zero.
    suite = tmp_path / "expect.yaml"
    suite.write_text(
        "inputs: [/proc/self/environ]\nexpectations:\n"
        f"  - principal: {ROLE}\n    action: s3:GetObject\n    expect: Deny\n"
    )
    code, out = _run("test", str(suite))
    assert code == 2 and "not a regular file" in out and "Traceback" not in out
