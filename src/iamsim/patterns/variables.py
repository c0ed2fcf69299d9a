"""Policy variables: parsing ``${...}`` templates and substituting them per request.

This module owns the policy-variable grammar and its substitution semantics, as described on
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html :

* ``${key}`` is replaced by the value of the request-context key ``key``; key names are
  case-insensitive (``${aws:username}`` == ``${AWS:UserName}``).
* ``${key, 'default'}`` uses ``default`` when the key is absent from the request.
* ``${*}``, ``${?}`` and ``${$}`` stand for the literal characters ``*``, ``?`` and ``$``; they
  never act as wildcards.
* Only single-valued keys can be variables: a multi-valued key (or an absent key without a
  default) leaves the variable unresolvable, and the caller decides what that means (a
  ``Resource`` entry matches nothing; a positive condition operator does not match).
* Variables exist only in policies with ``"Version": "2012-10-17"``; otherwise ``${...}`` is
  plain text (``enabled=False``).

Deliberate choices where the documentation is silent (documented so they can be revisited):

* Whitespace around the key name and around the comma is tolerated (``${ aws:username }``,
  ``${k,'d'}``); whitespace *inside* a key name is an error, as are ``${}`` and a missing
  ``}``. These mirror the IAM Access Analyzer "invalid policy variable" findings.
* A default value runs to the next single quote; there is no escape for a quote inside a
  default, so a stray quote is reported as an error rather than guessed at.
* Substitution is a single pass: a substituted value (or default) that itself contains
  ``${...}``, ``*`` or ``?`` is inserted as literal characters.
* A key that is present with an empty string value substitutes the empty string.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from iamsim.patterns.glob import Glob, tokenize
from iamsim.vocabulary.request import Context

# Special variables that insert one literal character (never a wildcard).
_SPECIAL_LITERALS = {"*": "*", "?": "?", "$": "$"}

# How many substituted globs a variable template keeps. Requests against one template tend to
# repeat a few values (one user name, one principal tag), so a small cache avoids recompiling.
_GLOB_CACHE_LIMIT = 64


@dataclass(frozen=True, slots=True)
class _Text:
    """Policy text between variables: its ``*``/``?`` are wildcards when globbed."""

    text: str


@dataclass(frozen=True, slots=True)
class _Special:
    """``${*}``, ``${?}`` or ``${$}``: one literal character."""

    char: str


@dataclass(frozen=True, slots=True)
class _Variable:
    """``${key}`` or ``${key, 'default'}``."""

    key: str  # as written
    default: str | None
    # The key lower-cased once: context tables are keyed by the folded name.
    folded: str = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "folded", self.key.lower())


_Part = _Text | _Special | _Variable


@dataclass(frozen=True, slots=True)
class Template:
    """A parsed policy string that may contain policy variables.

    ``literal`` is the plain text value when there are no variables (special literals
    resolved), else None. Because ``${*}`` must stay a literal ``*`` in a glob, code that
    globs must use :meth:`tokens` / :meth:`glob`, never ``literal``.
    """

    text: str
    parts: tuple[_Part, ...]
    has_variables: bool
    variable_keys: tuple[str, ...]
    literal: str | None
    _static_tokens: tuple[str, ...] | None = field(repr=False, compare=False, hash=False)
    # (ignore_case, resolved tokens) -> compiled Glob. Mutable on purpose: a cache on a frozen
    # value. Keyed by tokens so a variable template reuses the Glob for a repeated value.
    _globs: dict[tuple[bool, tuple[str, ...]], Glob] = field(
        default_factory=dict, repr=False, compare=False, hash=False
    )
    # The variable parts in order: the glob is a function of their resolved values alone, so
    # those values (one short string each) key the cache, not the per-character tokens.
    _variables: tuple[_Variable, ...] = field(default=(), repr=False, compare=False, hash=False)

    @property
    def static_tokens(self) -> list[str] | None:
        """The glob tokens when the template has no variables (context-free), else None."""
        return None if self._static_tokens is None else list(self._static_tokens)

    def tokens(self, context: Context) -> list[str] | None:
        """Glob tokens after substitution, or None if a variable cannot be resolved.

        Plain policy text contributes wildcard tokens for ``*``/``?``; substituted values and
        special literals contribute literal characters (see :func:`glob.tokenize`).
        """
        if self._static_tokens is not None:
            return list(self._static_tokens)
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, _Text):
                out.extend(tokenize(part.text))
            elif isinstance(part, _Special):
                out.append(part.char)
            else:
                value = _resolve(part, context)
                if value is None:
                    return None
                out.extend(value)
        return out

    def text_value(self, context: Context) -> str | None:
        """The substituted plain text (no wildcard meaning), or None if unresolvable."""
        if self.literal is not None:
            return self.literal
        pieces: list[str] = []
        for part in self.parts:
            if isinstance(part, _Text):
                pieces.append(part.text)
            elif isinstance(part, _Special):
                pieces.append(part.char)
            else:
                value = _resolve(part, context)
                if value is None:
                    return None
                pieces.append(value)
        return "".join(pieces)

    def glob(self, context: Context, *, ignore_case: bool = False) -> Glob | None:
        """The compiled glob for this request, or None if a variable cannot be resolved.

        Without variables the same Glob object is returned on every call.
        """
        if self._static_tokens is not None:
            # Static templates key on the flag alone: no per-call hashing of the tokens.
            key: tuple[bool, tuple[str, ...]] = (ignore_case, ())
            cached = self._globs.get(key)
            if cached is None:
                cached = Glob.from_tokens(list(self._static_tokens), ignore_case=ignore_case)
                self._globs[key] = cached
            return cached
        variables = self._variables
        if len(variables) == 1:  # the common case, without building a list
            only = _resolve(variables[0], context)
            if only is None:
                return None
            key = (ignore_case, (only,))
        else:
            resolved: list[str] = []
            for variable in variables:
                value = _resolve(variable, context)
                if value is None:
                    return None
                resolved.append(value)
            key = (ignore_case, tuple(resolved))
        cached = self._globs.get(key)
        if cached is None:
            tokens = self.tokens(context)
            assert tokens is not None  # every variable resolved above
            if len(self._globs) >= _GLOB_CACHE_LIMIT:
                self._globs.clear()  # crude bound; the cache only saves recompilation
            cached = Glob.from_tokens(tokens, ignore_case=ignore_case)
            self._globs[key] = cached
        return cached


def _resolve(var: _Variable, context: Context) -> str | None:
    # The context's folded-key tables read directly (the key is folded at parse time): this
    # runs once per variable per request on the hot path of decide().
    folded = var.folded
    values = context._values.get(folded)
    if values is None:
        return var.default
    # Only single-valued keys can be policy variables. A key supplied as a list is
    # multi-valued even when the list has one element, because AWS decides by key type.
    if folded in context._multi or len(values) != 1:
        return None
    return values[0]


def parse_template(text: str, *, enabled: bool) -> Template:
    """Parse ``text``; with ``enabled=False`` (policy Version not 2012-10-17) it is all literal.

    Raises ValueError with a human-readable reason for malformed ``${...}`` syntax.
    """
    if not enabled or "${" not in text:
        return _build(text, (_Text(text),) if text else ())
    parts: list[_Part] = []
    pos = 0
    while True:
        start = text.find("${", pos)
        if start < 0:
            break
        if start > pos:
            parts.append(_Text(text[pos:start]))
        part, pos = _parse_variable(text, start)
        parts.append(part)
    if pos < len(text):
        parts.append(_Text(text[pos:]))
    return _build(text, tuple(parts))


def _parse_variable(text: str, start: int) -> tuple[_Special | _Variable, int]:
    """Parse the variable at ``text[start:]`` (which begins ``${``); return it and its end."""
    n = len(text)
    i = start + 2
    # The key runs to the first ',' or '}'; quotes and braces cannot appear in it.
    while i < n and text[i] not in ",}":
        if text[i] in "'{":
            raise ValueError(
                f"policy variable at offset {start}: unexpected {text[i]!r} in the variable name"
            )
        i += 1
    if i >= n:
        raise ValueError(f"policy variable at offset {start} is missing its closing '}}'")
    key = text[start + 2 : i].strip()
    default: str | None = None
    if text[i] == ",":
        i += 1
        while i < n and text[i] in " \t":
            i += 1
        if i >= n or text[i] != "'":
            raise ValueError(
                f"policy variable at offset {start}: the default value after the comma must be "
                "enclosed in single quotes"
            )
        close = text.find("'", i + 1)
        if close < 0:
            raise ValueError(f"policy variable at offset {start}: unterminated default value")
        default = text[i + 1 : close]
        i = close + 1
        while i < n and text[i] in " \t":
            i += 1
        if i >= n or text[i] != "}":
            raise ValueError(
                f"policy variable at offset {start}: expected '}}' after the default value"
            )
    end = i + 1  # just past the '}'
    where = f"policy variable {text[start:end]!r}"
    if not key:
        raise ValueError(f"{where}: the variable name is empty")
    if key in _SPECIAL_LITERALS:
        if default is not None:
            raise ValueError(f"{where}: ${{{key}}} cannot have a default value")
        return _Special(_SPECIAL_LITERALS[key]), end
    if any(c.isspace() for c in key):
        raise ValueError(f"{where}: the variable name contains whitespace")
    if "$" in key:
        raise ValueError(f"{where}: the variable name contains '$'")
    return _Variable(key, default), end


def _build(text: str, parts: tuple[_Part, ...]) -> Template:
    keys: list[str] = []
    seen: set[str] = set()
    for part in parts:
        if isinstance(part, _Variable) and part.key.lower() not in seen:
            seen.add(part.key.lower())
            keys.append(part.key)
    has_variables = bool(keys)
    literal: str | None = None
    static_tokens: tuple[str, ...] | None = None
    if not has_variables:
        pieces: list[str] = []
        tokens: list[str] = []
        for part in parts:
            if isinstance(part, _Text):
                pieces.append(part.text)
                tokens.extend(tokenize(part.text))
            elif isinstance(part, _Special):
                pieces.append(part.char)
                tokens.append(part.char)
        literal = "".join(pieces)
        static_tokens = tuple(tokens)
    return Template(
        text=text,
        parts=parts,
        has_variables=has_variables,
        variable_keys=tuple(keys),
        literal=literal,
        _static_tokens=static_tokens,
        _variables=tuple(part for part in parts if isinstance(part, _Variable)),
    )


def split_outside_variables(text: str, sep: str, maxsplit: int, *, enabled: bool) -> list[str]:
    """``text.split(sep, maxsplit)`` that never splits inside a ``${...}`` variable.

    ARN templates need this: ``arn:aws:iam::${aws:PrincipalAccount}:role/x`` has a colon
    inside the variable that is not an ARN separator. With ``enabled=False`` it is a plain
    split. Raises ValueError for a malformed variable (as :func:`parse_template` would).
    """
    if not enabled or "${" not in text:
        return text.split(sep, maxsplit)
    out: list[str] = []
    start = 0
    i = 0
    n = len(text)
    while i < n and len(out) < maxsplit:
        if text.startswith("${", i):
            _, i = _parse_variable(text, i)
            continue
        if text.startswith(sep, i):
            out.append(text[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    out.append(text[start:])
    return out
