"""Hostile Terraform input finishes, bounded in time and memory: regular expressions run on
RE2 (linear time, RE2 syntax), and ``range``, ``count``/``for_each``, ``format`` widths, the
strings and lists functions and templates build, evaluation steps and the HCL text parsed are
capped (:mod:`iamsim.limits`). A breach is an InputError naming the file, the line, the
function and the limit; legitimate uses still evaluate."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from iamsim import limits
from iamsim.errors import InputError
from iamsim.ingest.terraform.loader import load_terraform_dir
from iamsim.model import World

PROVIDER = 'provider "aws" { allowed_account_ids = ["111122223333"] }\n'
BIG = 'locals { big = format("%4000000s", "a") }\n'

# name: (configuration, the line the error names, what the message names)
HOSTILE: dict[str, tuple[str, int, tuple[str, ...]]] = {
    "range": (
        'locals { x = range(300000000) }\nresource "aws_iam_user" "u" { name = "${length(local.x)}" }\n',
        2,
        ("range()", "max_range_elements=1,024"),
    ),
    "count": (
        'resource "aws_iam_user" "u" {\n  count = 100000000\n  name = "u${count.index}"\n}\n',
        2,
        ("count = 100,000,000", "max_instances"),
    ),
    "for_each": (
        'resource "aws_iam_user" "u" {\n'
        '  for_each = toset(flatten([for a in range(1000) : [for b in range(20) : "${a}-${b}"]]))\n'
        "  name = each.key\n}\n",
        2,
        ("for_each with 20,000 elements", "max_instances"),
    ),
    "format": (
        'resource "aws_iam_user" "u" { name = format("%2000000000s", "a") }\n',
        2,
        ("format()", "'%2000000000s'", "max_string_chars"),
    ),
    "format_precision": (
        'resource "aws_iam_user" "u" { name = format("%.2000000000f", 1) }\n',
        2,
        ("format()", "precision", "max_string_chars"),
    ),
    "formatlist": (
        BIG
        + 'resource "aws_iam_user" "u" { name = join(",", formatlist("%s%s", [local.big, local.big], local.big)) }\n',
        3,
        ("formatlist()", "max_string_chars"),
    ),
    "join": (
        BIG
        + "locals { many = [for i in range(1024) : local.big] }\n"
        + 'resource "aws_iam_user" "u" { name = join("", local.many) }\n',
        4,
        ("join()", "max_string_chars"),
    ),
    "template_loop": (
        BIG
        + 'resource "aws_iam_user" "u" { name = "%{for i in range(1024)}${local.big}%{endfor}" }\n',
        3,
        ("template", "max_string_chars"),
    ),
    "replace": (
        BIG + 'resource "aws_iam_user" "u" { name = replace(local.big, " ", "xxxxxxxxxx") }\n',
        3,
        ("replace()", "max_string_chars"),
    ),
    "regex_replace": (
        BIG + 'resource "aws_iam_user" "u" { name = replace(local.big, "/ /", "xxxxxxxxxx") }\n',
        3,
        ("replace()", "max_collection_elements"),
    ),
    "concat": (
        "locals { r = range(1024)\n  l = [for i in range(200) : local.r] }\n"
        'resource "aws_iam_user" "u" { name = length(concat(local.l...)) }\n',
        4,
        ("concat()", "max_collection_elements"),
    ),
    "flatten": (
        "locals { r = range(1024)\n  l = [for i in range(200) : local.r] }\n"
        'resource "aws_iam_user" "u" { name = length(flatten(local.l)) }\n',
        4,
        ("flatten()", "max_collection_elements"),
    ),
    "nested_for": (
        "locals { x = [for a in range(1024) : [for b in range(1024) : [for c in range(1024) : c]]] }\n"
        'resource "aws_iam_user" "u" { name = length(local.x) }\n',
        2,
        ("max_evaluation_steps",),
    ),
    # Each level refers to the one below twice: 2**40 leaves described in 40 lines.
    "doubling_locals": (
        'locals {\n  l0 = ["aaaaaaaa"]\n'
        + "".join(f"  l{i} = [local.l{i - 1}, local.l{i - 1}]\n" for i in range(1, 41))
        + "}\n"
        + 'resource "aws_iam_user" "u" { name = jsonencode(local.l40) }\n',
        45,
        ("max_evaluation_steps",),
    ),
    "jsonencode": (
        BIG
        + 'resource "aws_iam_user" "u" { name = jsonencode([for i in range(10) : local.big]) }\n',
        3,
        ("jsonencode()", "max_string_chars"),
    ),
    "deep_expression": (
        "locals { x = " + "[" * 3000 + "]" * 3000 + " }\n"
        'resource "aws_iam_user" "u" { name = jsonencode(local.x) }\n',
        2,
        ("nested too deeply",),
    ),
    "locals_chain": (
        'locals {\n  l0 = "a"\n'
        + "".join(f"  l{i} = local.l{i - 1}\n" for i in range(1, 5000))
        + "}\n"
        + 'resource "aws_iam_user" "u" { name = local.l4999 }\n',
        0,  # somewhere in the chain, where the recursion gives out
        ("nested too deeply",),
    ),
    "long_file": (
        'locals { x = "' + "a" * 10_000_000 + '" }\n',
        0,  # the whole file: refused before parsing
        ("max_hcl_chars",),
    ),
}

# Patterns that backtrack exponentially in Python's re (they never finished), or that RE2 and
# Terraform reject: the result is a failed expression (an unknown name, with the reason).
REGEX_HOSTILE = {
    "catastrophic": ('regex("(a+)+$", "' + "a" * 5000 + '!")', "did not match"),
    "regexall_catastrophic": ('length(regexall("(x+x+)+y", "' + "x" * 5000 + '"))', None),
    "backreference": ('regex("(a)\\\\1", "aa")', "invalid regular expression"),
    "lookahead": ('regex("a(?=b)", "ab")', "invalid regular expression"),
    "mixed_groups": ('regex("(?P<x>a)(b)", "ab")', "cannot mix"),
}


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "main.tf").write_text(PROVIDER + text)
    return tmp_path


def _load(tmp_path: Path, text: str) -> World:
    return load_terraform_dir(_write(tmp_path, text))


def _names(world: World) -> set[str]:
    return {u.name for u in world.users.values()}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_input_is_a_located_error(tmp_path: Path, case: str) -> None:
    text, line, named = HOSTILE[case]
    with pytest.raises(InputError) as info:
        _load(tmp_path, text)
    message = str(info.value)
    assert str(tmp_path / "main.tf") in message
    if line:
        assert f"line {line}:" in message  # the provider block is line 1
    for part in named:
        assert part in message


@pytest.mark.parametrize("case", sorted(REGEX_HOSTILE))
def test_hostile_regex_finishes(tmp_path: Path, case: str) -> None:
    expr, reason = REGEX_HOSTILE[case]
    world = _load(tmp_path, f'resource "aws_iam_user" "u" {{ name = "u-${{{expr}}}" }}\n')
    notes = " ".join(str(n) for n in world.notes)
    if reason is None:
        assert _names(world) == {"u-0"}
    else:
        assert not _names(world) or reason in notes
        assert reason in notes


# -- the command line, under a 4 GiB address-space limit ------------------------------------

_CLI = "import sys; from iamsim.cli.main import main; sys.argv[0] = 'iamsim'; main()"


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


def _run_cli(path: Path) -> subprocess.CompletedProcess[str]:
    """``iamsim validate PATH`` in a child process with 4 GiB of address space. A hang is a
    timeout failure, not a slow pass."""
    return subprocess.run(
        [sys.executable, "-c", _CLI, "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limit_memory,
        check=False,
    )


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_input_through_the_cli(tmp_path: Path, case: str) -> None:
    text, _, named = HOSTILE[case]
    result = _run_cli(_write(tmp_path, text))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert str(tmp_path / "main.tf") in result.stderr
    assert named[-1] in result.stderr


@pytest.mark.parametrize("case", sorted(REGEX_HOSTILE))
def test_hostile_regex_through_the_cli(tmp_path: Path, case: str) -> None:
    expr, _ = REGEX_HOSTILE[case]
    # A policy of its own, so that validate has something to check (else exit status 2).
    result = _run_cli(
        _write(
            tmp_path,
            f'resource "aws_iam_user" "u" {{ name = "u-${{{expr}}}" }}\n'
            'resource "aws_iam_policy" "p" {\n'
            '  name   = "p"\n'
            '  policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", '
            'Action = "s3:GetObject", Resource = "*"}]})\n'
            "}\n",
        )
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr + result.stdout


# -- legitimate uses ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "name"),
    [
        ('regex("^(?P<team>[a-z]+)-(?P<env>[a-z]+)$", "web-prod").env', "prod"),
        ('join("+", regex("([a-z]+)-([0-9]+)", "app-42"))', "app+42"),
        ('regex("[0-9]+", "abc123def")', "123"),
        ('join("+", regexall("[0-9]+", "a1b22c333"))', "1+22+333"),
        ('join("+", [for m in regexall("(?P<k>[a-z])=(?P<v>[0-9])", "a=1,b=2") : m.v])', "1+2"),
        ('replace("a-b-c", "/-(.)/", "_$1")', "a_b_c"),
        ('replace("a-b", "/(?P<x>[a-z])/", "@$${x}@")', "@a@-@b@"),
        ('replace("a", "/a/", "$$") == "$" ? "dollar" : "other"', "dollar"),
        ('replace("aXbX", "X", "yy")', "ayybyy"),
        ('join(",", range(5))', "0,1,2,3,4"),
        ('join(",", range(1, 10, 3))', "1,4,7"),
        ('join(",", range(3, 0, -1))', "3,2,1"),
        ("length(range(1024))", "1024"),
        (
            'replace(format("%5s,%-4s,%05d,%.2f", "ab", "c", 42, 3.14159), " ", "_")',
            "___ab,c___,00042,3.14",
        ),
        ('join(",", formatlist("%s-%d", ["a", "b"], 7))', "a-7,b-7"),
        ('join("", [for i in range(3) : "x${i}"])', "x0x1x2"),
        ("length(flatten([[1, [2, 3]], [4]]))", "4"),
        ("length(concat([1], [2, 3]))", "3"),
    ],
)
def test_legitimate_uses_still_evaluate(tmp_path: Path, expr: str, name: str) -> None:
    world = _load(tmp_path, f'resource "aws_iam_user" "u" {{ name = "${{{expr}}}" }}\n')
    assert _names(world) == {name}


def test_regex_unmatched_group_is_null(tmp_path: Path) -> None:
    world = _load(
        tmp_path,
        'resource "aws_iam_user" "u" { name = "${regex("(a)|(b)", "b")[0] == null}" }\n',
    )
    assert _names(world) == {"true"}


def test_count_at_a_raised_limit(tmp_path: Path) -> None:
    text = 'resource "aws_iam_user" "u" {\n  count = 3\n  name = "u${count.index}"\n}\n'
    with limits.override(max_instances=3):
        assert _names(_load(tmp_path, text)) == {"u0", "u1", "u2"}
    with limits.override(max_instances=2), pytest.raises(InputError, match="max_instances=2"):
        _load(tmp_path, text)


def test_range_limit_can_be_raised(tmp_path: Path) -> None:
    text = 'resource "aws_iam_user" "u" { name = "${length(range(2000))}" }\n'
    with pytest.raises(InputError, match="max_range_elements"):
        _load(tmp_path, text)
    with limits.override(max_range_elements=2000):
        assert _names(_load(tmp_path, text)) == {"2000"}
