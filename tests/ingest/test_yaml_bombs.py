"""YAML alias bombs in every kind of YAML input are refused, located, within bounded memory.

Each bomb is a few kilobytes of text whose aliases expand to hundreds of millions of nodes
(nine levels of nine aliases) or to 25 million (one 5,000-action statement aliased 5,000
times). Every CLI entry point that reads YAML must refuse it with exit status 2 and an error
naming the file, the line of the alias crossing ``max_yaml_nodes`` and the limit, instead of
expanding it. The CLI runs in a subprocess whose address space is capped at 4 GiB, so a
regression fails (MemoryError, killed) instead of exhausting the machine.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from iamsim import limits
from iamsim.errors import InputError
from iamsim.ingest.documents import parse_text

_CAP_AND_RUN = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
from iamsim.cli.main import cli
sys.argv = ["iamsim", *sys.argv[1:]]
cli()
"""


def _nine_by_nine(indent: str) -> str:
    """A statement list (block YAML at ``indent``) whose aliases expand to 9**9 statements."""
    lines = [f'{indent}- &s0 {{Effect: Allow, Action: "s3:GetObject", Resource: "*"}}']
    for level in range(1, 10):
        lines.append(f"{indent}- &s{level} [{', '.join([f'*s{level - 1}'] * 9)}]")
    return "\n".join(lines)


def _wide(indent: str) -> str:
    """One 5,000-action statement, then the statement aliased 5,000 times."""
    actions = ", ".join(f"s3:Action{i}" for i in range(5000))
    first = f'{indent}- &big {{Effect: Allow, Action: [{actions}], Resource: "*"}}'
    return first + "\n" + f"{indent}- [{', '.join(['*big'] * 5000)}]"


BOMBS: dict[str, Callable[[str], str]] = {"nine-by-nine": _nine_by_nine, "wide": _wide}

# Each input kind: file name, text around the statement list ({bomb}), the CLI arguments.
_POLICY = "Version: '2012-10-17'\nStatement:\n{bomb}\n"
_SCENARIO = """name: bomb
principal: arn:aws:iam::111122223333:user/alice
action: s3:GetObject
resource: arn:aws:s3:::bucket/key
policies:
  identity:
    - Version: '2012-10-17'
      Statement:
{bomb}
"""
_TEMPLATE = """AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: app
      AssumeRolePolicyDocument: {{Version: '2012-10-17', Statement: []}}
      Policies:
        - PolicyName: inline
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
{bomb}
"""
_ORGANIZATION = """organization:
  id: o-exampleorg1
  management_account: "999999999999"
  root:
    id: r-ex12
    name: Root
    scps:
      - name: bomb
        document:
          Version: '2012-10-17'
          Statement:
{bomb}
    children:
      - account: "111122223333"
        name: apps
"""
_EXPECTATIONS = """description: bomb
defaults:
  context:
    aws:SecureTransport: true
expectations:
  - name: bombed
    principal: arn:aws:iam::111122223333:user/alice
    action: s3:GetObject
    resource: arn:aws:s3:::bucket/key
    expect: Allow
    policies:
{bomb}
"""

KINDS: dict[str, tuple[str, str, int, list[str]]] = {
    "scenario-eval": ("scenario.yaml", _SCENARIO, 8, ["eval", "{file}"]),
    "validate-policy": ("policy.yaml", _POLICY, 2, ["validate", "{file}"]),
    "validate-scenario": ("scenario.yaml", _SCENARIO, 8, ["validate", "{file}"]),
    "template": (
        "template.yaml",
        _TEMPLATE,
        14,
        ["check", "arn:aws:iam::123456789012:role/app", "s3:GetObject", "*", "-i", "{file}"],
    ),
    "validate-template": ("template.yaml", _TEMPLATE, 14, ["validate", "{file}"]),
    "organization": (
        "org.yaml",
        _ORGANIZATION,
        12,
        ["check", "arn:aws:iam::111122223333:user/a", "s3:GetObject", "*", "-i", "{file}"],
    ),
    "expectations": ("expect.yaml", _EXPECTATIONS, 6, ["test", "{file}"]),
}


def _bomb_file(tmp_path: Path, kind: str, bomb: str) -> tuple[Path, list[str]]:
    name, text, indent, args = KINDS[kind]
    path = tmp_path / name
    path.write_text(text.format(bomb=BOMBS[bomb](" " * indent)), encoding="utf-8")
    return path, [a.replace("{file}", str(path)) for a in args]


@pytest.mark.parametrize("bomb", sorted(BOMBS))
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_alias_bomb_is_refused_by_the_cli(tmp_path: Path, kind: str, bomb: str) -> None:
    path, args = _bomb_file(tmp_path, kind, bomb)
    result = subprocess.run(
        [sys.executable, "-c", _CAP_AND_RUN, *args],
        capture_output=True,
        text=True,
        timeout=300,  # a safety net against a hang, not a timing assertion
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output
    assert str(path) in output
    assert "max_yaml_nodes=1000000" in output
    assert "the alias at line" in output


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_bomb_error_names_the_crossing_alias(bomb: str) -> None:
    text = _POLICY.format(bomb=BOMBS[bomb]("  "))
    with pytest.raises(InputError) as info:
        parse_text(text, "policy.yaml")
    error = info.value
    assert error.source == "policy.yaml"
    assert error.path.startswith("/Statement/")
    # The line and column named are those of an alias (a ``*``) in the text.
    found = re.search(r"the alias at line (\d+) column (\d+) ", error.reason)
    assert found is not None, error.reason
    line, column = int(found[1]), int(found[2])
    assert text.splitlines()[line - 1][column - 1] == "*"


def test_the_limit_is_read_per_run() -> None:
    text = _POLICY.format(bomb=_nine_by_nine("  "))
    # A lowered cap refuses even a small document; a raised one lets the bomb load (as shared
    # Python objects: the checks visit each composed node once).
    small = "Statement:\n  - &s {Effect: Allow, Action: [a, b], Resource: '*'}\n  - *s\n"
    assert parse_text(small, "f")["Statement"][1]["Action"] == ["a", "b"]
    with limits.override(max_yaml_nodes=10), pytest.raises(InputError) as info:
        parse_text(small, "f")
    assert "the alias at line 3 column 5" in info.value.reason
    assert "max_yaml_nodes=10" in info.value.reason
    with limits.override(max_yaml_nodes=10**12):
        statements = parse_text(text, "f")["Statement"]
    assert len(statements[9]) == 9
    assert statements[1][8] == {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}


def test_merge_key_bombs_are_counted() -> None:
    # ``<<`` copies the merged mappings' pairs into the merging one; nine levels of nine
    # merges would flatten to 9**9 pairs.
    lines = ["m0: &m0 {a: 1}"]
    for level in range(1, 10):
        lines.append(f"m{level}: &m{level} {{<<: [{', '.join([f'*m{level - 1}'] * 9)}]}}")
    with pytest.raises(InputError, match="max_yaml_nodes"):
        parse_text("\n".join(lines) + "\n", "merge.yaml")


def test_small_anchors_and_aliases_still_work(tmp_path: Path) -> None:
    text = """name: shared
principal: arn:aws:iam::111122223333:user/alice
action: s3:GetObject
resource: arn:aws:s3:::bucket/key
policies:
  identity:
    - &allow
      Version: '2012-10-17'
      Statement:
        - &read {Effect: Allow, Action: [s3:GetObject], Resource: "*"}
        - *read
    - *allow
expect: Allow
"""
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", _CAP_AND_RUN, "eval", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Allow" in result.stdout
