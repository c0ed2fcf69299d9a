"""ARNs: parsing, validation, ``Resource``/``NotResource`` patterns and ARN condition values.

This module owns how an ARN written in a policy is compared with an ARN in a request:

* :func:`parse_arn` / :class:`Arn` split a request ARN
  ``arn:partition:service:region:account-id:resource`` at its first five colons; the resource
  part keeps any further ``:`` and ``/``
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).
* :func:`arn_problem` reports why a ``Resource``/``Principal`` ARN value is malformed.
* :func:`compile_resource` compiles one ``Resource``/``NotResource`` entry.
* :func:`compile_arn_condition` compiles one ``ArnEquals``/``ArnLike`` (and negated) value.

Resource matching rules (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html):

* ``"*"`` matches every resource, including the ``"*"`` request resource used for actions
  without resource-level permissions. Any other pattern never matches ``"*"``.
* Colons. The current Resource page says wildcards may be used "within the individual
  segments of an ARN (the parts separated by colons)", that "If the * wildcard is the last
  character of a resource ARN segment, it can expand to match beyond the colon boundaries",
  and recommends using wildcards "within ARN segments separated by a colon". Its S3 example
  ``arn:aws:s3:::BUCKET/*/test/*`` shows ``*`` crossing ``/`` in the resource part.
  Decision: both pattern and request ARN are split into six parts at their first five
  colons. Partition, service, region and account are globbed one segment each (a ``*``
  there never crosses a colon); the resource part (which may itself contain colons) is
  globbed as a whole, so a ``*`` in it crosses ``:`` and ``/``. A pattern with fewer than six
  parts whose last segment ends in ``*`` uses the documented expansion: that segment is
  matched against the request's segment at the same position and its final ``*`` absorbs
  every following segment (``arn:aws:s3:*`` matches every S3 ARN, ``arn:aws:*`` every ARN
  of partition ``aws``). A short pattern that does not end in ``*`` matches nothing. In a
  full six-part pattern a segment-final ``*`` is kept within its segment: for well-formed
  request ARNs this only differs from unbounded expansion when a request's resource part
  itself looks like ``account:...``, and the positional reading is the stricter one.
* Case. The Resource page says "In the Resource element, the IAM user name is case
  sensitive" and is otherwise silent on partition, region and account. Decision: the
  resource part, partition, region and account compare case-sensitively; the service
  segment compares case-insensitively (both sides lower-cased), since service prefixes are
  lower-case namespaces and IAM Access Analyzer reports any other case as an error.
* Policy variables. The variables page places them in the resource part (after the fifth
  colon), but AWS's own managed policies use them earlier (for example
  ``arn:*:kms:*:${aws:PrincipalAccount}:key/*`` in AmazonTimestreamInfluxDBServiceRolePolicy),
  so they are substituted in every segment; the parser reports the earlier ones as warnings.
  An entry whose variable cannot be resolved matches no resource.
* A request resource that is not an ARN is matched only by ``"*"`` and by patterns that do
  not start with ``arn:`` (globbed over the whole string).

ARN condition operators (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN):
"Each of the six colon-delimited components of the ARN is checked separately", case
sensitively, so ``*`` can never cross a colon in the first five components (the sixth,
the remainder after the fifth colon, is globbed whole). A policy value or context value with
fewer than six components never matches. Variables may appear anywhere in the value: it is
substituted first (values inserted as literal characters) and the result is then split into
components, so ``${aws:PrincipalAccount}`` works in the account position and
``${aws:PrincipalArn}`` can supply a whole ARN.

All matching is linear time: every segment is a precompiled :class:`~iamsim.patterns.glob.Glob`
(or a per-value cached one for variable templates); no regular expression is ever built
from policy text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from iamsim.patterns.glob import Glob
from iamsim.patterns.variables import Template, parse_template, split_outside_variables
from iamsim.vocabulary.arn import Arn, parse_arn
from iamsim.vocabulary.request import Context

# Partitions documented on the ARN page plus the isolated and European sovereign partitions.
KNOWN_PARTITIONS = frozenset({"aws", "aws-cn", "aws-us-gov", "aws-eusc"})

_PARTITION, _SERVICE, _REGION, _ACCOUNT, _RESOURCE = 1, 2, 3, 4, 5


# str.isspace's characters (the regular expression module's \s over str is the same set).
_WHITESPACE = re.compile(r"\s")


def _has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


@lru_cache(maxsize=8192)  # a pure function of the text, asked once per Resource of every policy
def arn_problem(text: str) -> str | None:
    """Why ``text`` is not a valid ARN (or ARN pattern) for a policy, or None if it is.

    ``"*"`` is accepted. A pattern with fewer than six parts is accepted when its last
    segment ends in ``*`` (the documented colon expansion). Checks the ``arn:`` prefix, the
    partition, empty or wildcard-only structure, whitespace in the first five parts and
    policy variables outside the resource part.
    """
    if text == "*":
        return None
    if not text.startswith("arn:"):
        return "an ARN must begin with 'arn:'"
    try:
        parts = split_outside_variables(text, ":", 5, enabled=True)
    except ValueError as exc:
        return str(exc)
    partition = parts[_PARTITION]
    if not partition:
        return "the ARN has an empty partition"
    if not _has_wildcard(partition) and not (
        partition in KNOWN_PARTITIONS or partition.startswith("aws-iso")
    ):
        return f"unknown ARN partition {partition!r}"
    if len(parts) < 6:
        if parts[-1].endswith("*"):
            prefix = parts
        else:
            return (
                "an ARN needs six colon-separated parts "
                "(arn:partition:service:region:account-id:resource)"
            )
    else:
        prefix = parts[:_RESOURCE]
        if parts[_RESOURCE] == "":
            return "the ARN has an empty resource part"
    if len(parts) > _SERVICE and parts[_SERVICE] == "":
        return "the ARN has an empty service"
    # One search over the joined prefix finds whether any segment has whitespace or a
    # variable (joining with ":" makes neither); only then the loop names the first such.
    joined = ":".join(prefix)
    if "${" not in joined and not _WHITESPACE.search(joined):
        return None
    for segment in prefix:
        if any(c.isspace() for c in segment):
            return f"the ARN segment {segment!r} contains whitespace"
        if "${" in segment:
            return "policy variables are allowed only in the resource part (after the fifth colon)"
    return None


@dataclass(frozen=True, slots=True)
class ResourcePattern:
    """One compiled ``Resource``/``NotResource`` entry. See the module docstring for rules.

    ``service`` is the lower-case service segment when it is literal (for indexing), else None.
    """

    text: str
    matches_all: bool
    service: str | None
    has_variables: bool
    _kind: str  # "all", "arn", "never" or "other"
    _prefix: tuple[Glob | Template, ...]  # partition, service, region, account (as present)
    _resource: Template | None  # the resource part (6th), None for a short pattern
    _absorb: bool  # short pattern: the last prefix glob absorbs the remaining segments
    _whole: Template | None  # for non-ARN patterns: the whole text
    # Without policy variables in a six-part pattern: (segment index, specialised test) for
    # each prefix segment that is not "*", and the resource part's test (compiled once).
    _checks: tuple[tuple[int, Callable[[str], bool]], ...] | None = None
    _resource_test: Callable[[str], bool] | None = None
    # The specialised tests below, built on first use: a pattern of a document used once
    # (a batch where every scenario has its own policy text) is often never tested at all.
    _arn_test: Callable[[Arn, Context], bool] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _parts_test: Callable[[list[str], Context], bool] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def arn_test(self) -> Callable[[Arn, Context], bool]:
        """``matches_arn`` specialised for this pattern (attribute compares for a literal
        prefix); the engine's hot loop calls it directly."""
        test = self._arn_test
        if test is None:
            test = _specialised_arn_test(self)
            object.__setattr__(self, "_arn_test", test)
        return test

    @property
    def parts_test(self) -> Callable[[list[str], Context], bool]:
        """The same test over the request ARN split by :func:`split_request_arn` (six
        strings, "arn" first): decide() splits the resource once and builds no Arn object."""
        test = self._parts_test
        if test is None:
            test = _specialised_parts_test(self)
            object.__setattr__(self, "_parts_test", test)
        return test

    def matches(self, resource: str, context: Context) -> bool:
        """True if this entry covers the request resource (an ARN or ``"*"``)."""
        kind = self._kind
        if kind == "all":
            return True
        if resource == "*" or kind == "never":
            return False
        if kind == "other":
            assert self._whole is not None
            glob = self._whole.glob(context)
            return glob is not None and glob.test(resource)
        arn = parse_arn(resource)
        if arn is None:
            return False
        return self.matches_arn(arn, context)

    def matches_arn(self, arn: Arn, context: Context) -> bool:
        """Like :meth:`matches` for an already parsed request ARN."""
        kind = self._kind
        if kind == "all":
            return True
        if kind != "arn":
            return False
        checks = self._checks
        if checks is not None:
            segments = arn.segments
            for index, test in checks:
                if not test(segments[index]):
                    return False
            static = self._resource_test
            if static is not None:
                return static(arn.resource)
            # Only the resource part holds variables: resolved for this request (the glob
            # is cached by the variables' values) and tested with its specialised matcher.
            assert self._resource is not None
            glob = self._resource.glob(context)
            return glob is not None and glob.test(arn.resource)
        segments = arn.segments
        for index, segment in enumerate(self._prefix, start=_PARTITION):
            if isinstance(segment, Template):
                segment_glob = segment.glob(context, ignore_case=index == _SERVICE)
                if segment_glob is None:
                    return False
            else:
                segment_glob = segment
            if not segment_glob.test(segments[index]):
                return False
        if self._absorb:
            return True
        assert self._resource is not None
        glob = self._resource.glob(context)
        return glob is not None and glob.test(arn.resource)


def _arn_always(arn: Arn, context: Context) -> bool:
    return True


def _arn_never(arn: Arn, context: Context) -> bool:
    return False


def _literal_or_any(segment: Glob | Template) -> tuple[bool, str | None]:
    """(usable, expected text): a literal segment's text, None for ``*``; unusable else."""
    if isinstance(segment, Glob):
        if segment.matches_everything:
            return True, None
        if segment.is_literal:
            return True, segment._pieces[0]  # lower-cased when the glob ignores case
    return False, None


def _specialised_arn_test(pattern: ResourcePattern) -> Callable[[Arn, Context], bool]:
    """A predicate equal to ``pattern.matches_arn``, shaped at compile time.

    A six-part pattern whose partition, service, region and account are each literal or
    ``*`` compares the parsed ARN's fields directly (the service case-insensitively, as its
    glob does) and then tests the resource part; every other shape keeps ``matches_arn``.
    ``tests/patterns/test_specialised_matchers.py`` checks both on random patterns.
    """
    kind = pattern._kind
    if kind == "all":
        return _arn_always
    if kind != "arn":
        return _arn_never
    if pattern._checks is None or len(pattern._prefix) != 4:
        return pattern.matches_arn
    fields = [_literal_or_any(segment) for segment in pattern._prefix]
    if not all(usable for usable, _ in fields):
        return pattern.matches_arn
    partition, service, region, account = (expected for _, expected in fields)
    static = pattern._resource_test
    template = pattern._resource
    assert template is not None

    def test(arn: Arn, context: Context) -> bool:
        if partition is not None and arn.partition != partition:
            return False
        if service is not None and arn.service != service and arn.service.lower() != service:
            return False
        if region is not None and arn.region != region:
            return False
        if account is not None and arn.account != account:
            return False
        if static is not None:
            return static(arn.resource)
        glob = template.glob(context)
        return glob is not None and glob.test(arn.resource)

    return test


def split_request_arn(resource: str) -> list[str] | None:
    """The request ``resource`` split at its first five colons (six strings, ``"arn"``
    first), as :func:`parse_arn` splits it; None when it is not an ARN."""
    parts = resource.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return parts


def _parts_always(parts: list[str], context: Context) -> bool:
    return True


def _parts_never(parts: list[str], context: Context) -> bool:
    return False


def _specialised_parts_test(pattern: ResourcePattern) -> Callable[[list[str], Context], bool]:
    """``pattern.matches_arn`` over a split request ARN (see :func:`split_request_arn`).

    The literal-or-``*`` prefix shape of :func:`_specialised_arn_test` compares the parts
    directly; every other shape builds the :class:`Arn` and asks ``matches_arn``.
    ``tests/patterns/test_specialised_matchers.py`` checks it on random patterns.
    """
    kind = pattern._kind
    if kind == "all":
        return _parts_always
    if kind != "arn":
        return _parts_never
    matches_arn = pattern.matches_arn
    fields = [_literal_or_any(segment) for segment in pattern._prefix]
    if pattern._checks is None or len(fields) != 4 or not all(usable for usable, _ in fields):

        def general(parts: list[str], context: Context) -> bool:
            return matches_arn(Arn(parts[1], parts[2], parts[3], parts[4], parts[5]), context)

        return general
    partition, service, region, account = (expected for _, expected in fields)
    static = pattern._resource_test
    template = pattern._resource
    assert template is not None
    if None not in (partition, service, region, account) and static is not None:
        # Every prefix segment literal (``arn:aws:s3:::bucket/*``): one chained comparison,
        # and a ``P*`` resource part as ``startswith`` without a call to its glob.
        resource_glob = template.glob(_NO_CONTEXT)
        assert resource_glob is not None  # a static template always resolves
        prefix = resource_glob.case_sensitive_prefix
        if prefix is not None:

            def literal_prefix(parts: list[str], context: Context) -> bool:
                return (
                    parts[5].startswith(prefix)
                    and parts[1] == partition
                    and parts[4] == account
                    and parts[3] == region
                    and (parts[2] == service or parts[2].lower() == service)
                )

            return literal_prefix

        def literal(parts: list[str], context: Context) -> bool:
            return (
                parts[1] == partition
                and parts[4] == account
                and parts[3] == region
                and (parts[2] == service or parts[2].lower() == service)
                and static(parts[5])
            )

        return literal

    def test(parts: list[str], context: Context) -> bool:
        if partition is not None and parts[1] != partition:
            return False
        value = parts[2]
        if service is not None and value != service and value.lower() != service:
            return False
        if region is not None and parts[3] != region:
            return False
        if account is not None and parts[4] != account:
            return False
        if static is not None:
            return static(parts[5])
        glob = template.glob(context)
        return glob is not None and glob.test(parts[5])

    return test


# Static templates never read the context they are resolved in.
_NO_CONTEXT = Context()


# Memoised by text, as compile_action is (a raised ValueError is not memoised).
@lru_cache(maxsize=8192)
def compile_resource(text: str, *, variables_enabled: bool) -> ResourcePattern:
    """Compile one ``Resource``/``NotResource`` value.

    Raises ValueError for malformed policy-variable syntax in the resource part. Structural
    ARN problems are not errors here (use :func:`arn_problem`); a malformed ARN pattern
    simply matches nothing it cannot match.
    """
    if text == "*":
        return ResourcePattern(text, True, None, False, "all", (), None, False, None)
    if not text.startswith("arn:"):
        whole = parse_template(text, enabled=variables_enabled)
        return ResourcePattern(
            text, False, None, whole.has_variables, "other", (), None, False, whole
        )
    parts = split_outside_variables(text, ":", 5, enabled=variables_enabled)
    prefix, prefix_variables, checks = _compiled_prefix(
        tuple(parts[_PARTITION:_RESOURCE]), variables_enabled
    )
    service: str | None = None
    if len(parts) > _SERVICE and not _has_wildcard(parts[_SERVICE]):
        service = parts[_SERVICE].lower()
    if len(parts) < 6:
        last = parts[-1]
        if not last.endswith("*"):
            return ResourcePattern(text, False, service, False, "never", (), None, False, None)
        return ResourcePattern(
            text, False, service, prefix_variables, "arn", prefix, None, True, None
        )
    resource = parse_template(parts[_RESOURCE], enabled=variables_enabled)
    if prefix_variables:
        return ResourcePattern(text, False, service, True, "arn", prefix, resource, False, None)
    # Static prefix: its tests are fixed now, so matching needs no template or dispatch.
    if resource.has_variables:
        return ResourcePattern(
            text, False, service, True, "arn", prefix, resource, False, None, checks
        )
    static = resource.glob(_NO_CONTEXT)
    assert static is not None  # a template without variables always resolves
    return ResourcePattern(
        text, False, service, False, "arn", prefix, resource, False, None, checks, static.test
    )


_SegmentCheck = tuple[int, Callable[[str], bool]]


# The partition, service, Region and account of a batch's Resource ARNs recur (``aws``,
# ``s3``, ``""``, ``""``) even when every resource part is new: compiled once per texts.
@lru_cache(maxsize=1024)
def _compiled_prefix(
    texts: tuple[str, ...], variables_enabled: bool
) -> tuple[tuple[Glob | Template, ...], bool, tuple[_SegmentCheck, ...]]:
    """(the segments compiled, whether one holds a policy variable, the test of each literal
    segment that is not ``*`` by its index: what matching a static prefix needs)."""
    prefix = tuple(
        _segment(segment, index == _SERVICE, variables_enabled)
        for index, segment in enumerate(texts, start=_PARTITION)
    )
    checks = tuple(
        (index, segment.test)
        for index, segment in enumerate(prefix, start=_PARTITION)
        if isinstance(segment, Glob) and not segment.matches_everything
    )
    return prefix, any(isinstance(p, Template) for p in prefix), checks


def _segment(text: str, ignore_case: bool, variables_enabled: bool) -> Glob | Template:
    """A plain glob for a literal segment, a template when it holds a policy variable."""
    if variables_enabled and "${" in text:
        template = parse_template(text, enabled=True)
        if template.has_variables:
            return template
    return _segment_glob(text, ignore_case)


# The partition, service, region and account segments of a batch's Resource ARNs recur
# (``aws``, ``s3``, ``""``) even when every resource part is new: a Glob is immutable, so one
# compiled glob per segment text serves every pattern that has it.
@lru_cache(maxsize=4096)
def _segment_glob(text: str, ignore_case: bool) -> Glob:
    return Glob(text, ignore_case=ignore_case)


# How many per-value component globs a variable ARN condition value keeps.
_ARN_CACHE_LIMIT = 64


@dataclass(frozen=True, slots=True)
class ArnConditionPattern:
    """One compiled value of ``ArnEquals``/``ArnLike``/``ArnNotEquals``/``ArnNotLike``.

    ``ArnEquals`` and ``ArnLike`` behave identically (both honour wildcards), so one pattern
    type serves all four operators; the negation belongs to the condition engine. Variables
    are substituted first and the result is split into its six components, so a variable
    may supply a whole ARN (``${aws:PrincipalArn}``) or any component.
    """

    text: str
    has_variables: bool
    _template: Template
    # resolved tokens -> six component globs, or None when the value has fewer than six.
    _cache: dict[tuple[str, ...], tuple[Glob, ...] | None] = field(
        default_factory=dict, repr=False, compare=False, hash=False
    )

    def matches(self, value: str, context: Context) -> bool | None:
        """Whether the context ARN ``value`` matches; None if a policy variable is unresolvable.

        A policy value or context value with fewer than six colon-delimited components
        never matches.
        """
        cache = self._cache
        if not self.has_variables:
            # Compiled once at load time under the empty key (see compile_arn_condition).
            return _match_components(cache[()], value)
        tokens = self._template.tokens(context)
        if tokens is None:
            return None
        key = tuple(tokens)
        if key in cache:
            globs = cache[key]
        else:
            if len(cache) >= _ARN_CACHE_LIMIT:
                cache.clear()  # crude bound; the cache only saves recompilation
            globs = _component_globs(tokens)
            cache[key] = globs
        return _match_components(globs, value)


def _match_components(globs: tuple[Glob, ...] | None, value: str) -> bool:
    """Glob each of the value's six components; fewer than six never match."""
    if globs is None:
        return False
    components = value.split(":", 5)
    if len(components) != 6:
        return False
    pairs = zip(globs, components, strict=True)
    return all(glob.matches(component) for glob, component in pairs)


def _component_globs(tokens: list[str]) -> tuple[Glob, ...] | None:
    """Split resolved tokens at the first five ``:`` characters and compile each component."""
    components: list[list[str]] = [[]]
    for token in tokens:
        if token == ":" and len(components) < 6:
            components.append([])
        else:
            components[-1].append(token)
    if len(components) != 6:
        return None
    return tuple(Glob.from_tokens(component) for component in components)


def compile_arn_condition(text: str, *, variables_enabled: bool) -> ArnConditionPattern:
    """Compile one ARN-operator condition value. Raises ValueError for bad variable syntax."""
    template = parse_template(text, enabled=variables_enabled)
    pattern = ArnConditionPattern(text, template.has_variables, template)
    static = template.static_tokens
    if static is not None:
        # Compile the static value once, at policy load time.
        pattern._cache[()] = _component_globs(static)
    return pattern
