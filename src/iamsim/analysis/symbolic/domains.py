"""Representatives of each request dimension: one member of every class the policies induce.

A policy can only tell two actions (resources, callers, values of one context key) apart
through the patterns and literals it mentions. This module builds, for each dimension, a finite
list of concrete candidates containing a member of every realizable class:

* actions: the glob classes (:mod:`.automata`) of the ``Action``/``NotAction`` patterns, per
  literal service prefix plus one service no pattern names;
* resources: ARNs built segment by segment (partition, service, region, account, resource part
  -- the segments the engine globs separately) from each segment's glob classes, combined
  while keeping one ARN per distinct vector of matched patterns; plus ``"*"`` and the classes
  of non-ARN patterns;
* callers: every principal named, a user, a role session and the root user of every account
  named, and of one account no policy names, anonymous, named and unnamed services;
* context values: per operator family, the classes of the string literals and ``Like``
  patterns (case variants included), the numbers/dates at, between and beyond every literal,
  the first, last and outer neighbour addresses of every CIDR, both booleans, the base64
  literals, ARN values by segments, the empty string and a value no policy mentions.

Candidates are a superset of what is needed; :mod:`.space` evaluates each with the engine's own
matchers and keeps one per distinct outcome, so extra candidates cost time, never correctness.
"""

from __future__ import annotations

import base64
import ipaddress
import itertools
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

from iamsim import limits
from iamsim.analysis.symbolic.automata import GlobSpec, SymbolicLimitError, glob_classes
from iamsim.conditions import coerce
from iamsim.engine import Caller, CallerKind, parse_caller
from iamsim.errors import RequestError
from iamsim.patterns import WILD_STAR, Glob, split_outside_variables, tokenize
from iamsim.policy.model import ConditionClause, PrincipalSpec
from iamsim.policy.operators import OperatorFamily, operator_info

OUTSIDER_ACCOUNT = "999999999999"  # an account no policy of the question names
FRESH = "zz9"  # a value no policy mentions (checked against the literals when used)

# Segment values used where no pattern constrains a segment (partition ... resource part).
_SEGMENT_DEFAULTS = {1: "aws", 2: FRESH, 3: "us-east-1", 4: OUTSIDER_ACCOUNT, 5: FRESH}

_VARIABLE = re.compile(r"\$\{[^}]*\}")


def _glob_tokens(text: str) -> tuple[str, ...]:
    """Tokens of a pattern, with every policy variable widened to ``*`` (a superset)."""
    return tuple(tokenize(_VARIABLE.sub("*", text)))


# -- actions ---------------------------------------------------------------------------------


def action_candidates(patterns: Iterable[str]) -> list[str]:
    """Lower-case actions covering every class of the ``Action``/``NotAction`` patterns."""
    by_service: dict[str, list[str]] = {}
    wild: list[str] = []
    for text in sorted(set(patterns)):
        head, sep, _ = text.partition(":")
        if sep and "*" not in head and "?" not in head:
            by_service.setdefault(head.lower(), []).append(text)
        else:
            wild.append(text)
    out: list[str] = []
    services = sorted(by_service)
    fresh = FRESH + "svc"
    for service in [*services, fresh]:
        out.extend(_service_candidates(service, tuple(by_service.get(service, [])), tuple(wild)))
    if wild:
        specs = [GlobSpec.of(t, ignore_case=True) for t in wild]
        out.extend(word.lower() for _, word in glob_classes(specs) if ":" not in word and word)
    return list(dict.fromkeys(out))


@lru_cache(maxsize=4096)
def _service_candidates(service: str, texts: tuple[str, ...], wild: tuple[str, ...]) -> list[str]:
    """Actions of ``service`` covering every class of its patterns and the wildcard-service
    ones (cached: the same ``List*``/``Describe*`` sets recur across policies)."""
    out: list[str] = []
    fresh = FRESH + "svc"
    spelled = {t.lower(): t for t in texts if "*" not in t and "?" not in t}
    literals = set(spelled)
    # Each literal action is a class of its own; the globs' classes are searched without
    # them, adding back only a literal that a witness happens to equal (so that the class
    # "matches these globs and is none of the literals" gets a witness of its own).
    globs_texts = [*(t for t in texts if t.lower() not in literals), *wild]
    colliding: list[str] = []
    while True:
        specs = [GlobSpec.of(t, ignore_case=True) for t in [*globs_texts, *colliding]]
        classes = glob_classes(specs, prefix=f"{service}:")
        hit = [w.lower() for _, w in classes if w.lower() in literals]
        fresh_hits = [h for h in hit if h not in colliding]
        if not fresh_hits:
            break
        colliding.extend(fresh_hits)
    out.extend(spelled[t] for t in sorted(literals))
    # Prefer a real action of the class as its witness (same signature, nicer answer).
    real: dict[tuple[bool, ...], str] = {}
    if service != fresh and globs_texts:
        globs = [Glob(t, ignore_case=True) for t in [*globs_texts, *colliding]]
        for name in _catalog_actions(service):
            if name.lower() not in literals:
                real.setdefault(tuple(g.matches(name) for g in globs), name)
    for signature, word in classes:
        if word != f"{service}:" and word.lower() not in literals:
            out.append(real.get(signature, word.lower()))
    out.append(f"{service}:{FRESH}action")
    return out


@lru_cache(maxsize=512)
def _catalog_actions(service: str) -> tuple[str, ...]:
    """The service reference's actions of ``service`` (``s3:GetObject``), or none."""
    from iamsim.catalog.service_reference import service_reference

    try:
        return tuple(service_reference().actions_for_service(service))
    except (OSError, ValueError):  # pragma: no cover - the catalog ships with the package
        return ()


# -- ARNs (resources and ARN condition values) -------------------------------------------------


def arn_candidates(patterns: Iterable[str], *, resource_elements: bool) -> list[str]:
    """ARNs (and, for ``Resource`` elements, ``"*"`` and non-ARN strings) covering every class.

    ARN patterns are grouped by their service segment: patterns naming different services
    never match one ARN, so each service's patterns (with the wildcard-service ones) are
    partitioned on their own. Within a group, segments are combined left to right; two
    partial ARNs matching the same segments of the same patterns are interchangeable for
    every later segment, so only one is kept.
    """
    texts = sorted(set(patterns))
    by_service: dict[str, list[tuple[str, ...]]] = {}
    wild: list[tuple[str, ...]] = []
    flat: list[GlobSpec] = []
    for text in texts:
        if text == "*":
            continue
        if text.startswith("arn:"):
            try:
                parts = tuple(split_outside_variables(text, ":", 5, enabled=True))
            except ValueError:
                parts = tuple(text.split(":", 5))
            service = parts[2] if len(parts) > 2 else "*"
            if "*" in service or "?" in service or "${" in service:
                wild.append(parts)
            else:
                by_service.setdefault(service.lower(), []).append(parts)
        else:
            flat.append(GlobSpec(_glob_tokens(text)))
    out: list[str] = []
    for service in [*sorted(by_service), FRESH]:
        out.extend(_group_arns(service, tuple(by_service.get(service, [])), tuple(wild)))
    if resource_elements:
        out.append("*")
        if flat:
            out.extend(word for _, word in glob_classes(flat) if word and word != "*")
    else:
        out.extend(["arn:aws", FRESH])  # fewer than six components: never an ARN match
    return list(dict.fromkeys(out))


@lru_cache(maxsize=4096)
def _group_arns(
    service: str, named: tuple[tuple[str, ...], ...], wild: tuple[tuple[str, ...], ...]
) -> list[str]:
    arn_texts = [*named, *wild]
    count = len(arn_texts)
    full = (1 << count) - 1
    partial: dict[int, str] = {full: "arn"}
    for position in range(1, 6):
        members = [i for i, parts in enumerate(arn_texts) if len(parts) > position]
        # A short pattern whose last segment ends in '*' constrains only its first segments.
        segment_texts = [arn_texts[i][position] for i in members]
        fold = position == 2
        if position == 2:
            words = [service]
        else:
            words = segment_witnesses(tuple(segment_texts), fold)
            default = _SEGMENT_DEFAULTS[position]
            if default not in words:
                words.append(default)
        globs = [_glob(t, fold) for t in segment_texts]
        step: dict[int, str] = {}
        for word in words:
            if position == 5 and not word:
                continue  # the resource part of an ARN is never empty
            drop = 0
            for member, glob in zip(members, globs, strict=True):
                if not glob.matches(word):
                    drop |= 1 << member
            for mask, prefix in partial.items():
                keep = mask & ~drop
                if keep not in step:
                    step[keep] = f"{prefix}:{word}"
                    if len(step) > limits.current().max_symbolic_states:
                        raise SymbolicLimitError(
                            "the resource patterns induce more classes than max_symbolic_states"
                        )
        partial = step
    return list(partial.values())


@lru_cache(maxsize=16384)
def _glob(text: str, fold: bool) -> Glob:
    """The engine's glob for a pattern text (policy variables widened to ``*``)."""
    return Glob.from_tokens(list(_glob_tokens(text)), ignore_case=fold)


@lru_cache(maxsize=4096)
def segment_witnesses(texts: tuple[str, ...], fold: bool) -> list[str]:
    """A witness of every class of the segment globs ``texts`` (one product search: literal
    globs cost little there, their automata die as soon as the input leaves them)."""
    specs = tuple(GlobSpec(_glob_tokens(t), fold) for t in texts)
    return [w for _, w in glob_classes(specs)] if specs else [""]


def GlobSpec_matches(spec: GlobSpec, text: str) -> bool:
    """Whether ``spec`` matches ``text`` (with the engine's glob)."""
    chars = ["*" if t == WILD_STAR else "?" if t == "\x00?" else t for t in spec.tokens]
    literal = any(t in ("*", "?") for t in spec.tokens)
    if literal:  # a literal star or question mark: compile from tokens
        return Glob.from_tokens(list(spec.tokens), ignore_case=spec.ignore_case).matches(text)
    return Glob("".join(chars), ignore_case=spec.ignore_case).matches(text)


# -- callers ------------------------------------------------------------------------------------


def caller_candidates(
    specs: Iterable[PrincipalSpec], extra_accounts: Iterable[str]
) -> list[Caller]:
    """Callers covering every way the Principal/NotPrincipal elements can name a caller."""
    accounts: set[str] = {OUTSIDER_ACCOUNT, *extra_accounts}
    arns: set[str] = set()
    services: set[str] = {f"{FRESH}.amazonaws.com"}
    federated: set[str] = set()
    for spec in specs:
        for value in spec.values("AWS"):
            if value == "*":
                continue
            if re.fullmatch(r"[0-9]{12}", value):
                accounts.add(value)
            else:
                arns.add(value)
                match = re.match(r"arn:[^:]*:(?:iam|sts)::([0-9]{12}):", value)
                if match:
                    accounts.add(match.group(1))
        services.update(spec.values("Service"))
        federated.update(spec.values("Federated"))
    callers: list[Caller] = [Caller(kind=CallerKind.ANONYMOUS)]
    for account in sorted(accounts):
        callers.append(parse_caller(account))
        callers.append(parse_caller(f"arn:aws:iam::{account}:user/{FRESH}user"))
        callers.append(parse_caller(f"arn:aws:sts::{account}:assumed-role/{FRESH}role/{FRESH}"))
    for text in sorted(arns):
        try:
            caller = parse_caller(text)
        except RequestError:
            continue  # names no caller (a group, a malformed ARN): matches none of ours
        callers.append(caller)
        if caller.kind is CallerKind.ROLE_SESSION and caller.arn is None and caller.role_name:
            callers.append(
                parse_caller(
                    f"arn:{caller.partition}:sts::{caller.account}:assumed-role/"
                    f"{caller.role_name}/{FRESH}"
                )
            )
    for service in sorted(services):
        if service != "*":
            try:
                callers.append(parse_caller(service))
            except RequestError:
                callers.append(Caller(kind=CallerKind.SERVICE, service=service))
    for provider in sorted(federated):
        callers.append(Caller(kind=CallerKind.WEB_IDENTITY, federated_provider=provider))
    return callers


# -- context values -------------------------------------------------------------------------------


def value_candidates(clauses: Sequence[ConditionClause], extra: Iterable[str] = ()) -> list[str]:
    """Single values of one context key covering every class its clauses induce."""
    strings: list[GlobSpec] = []
    numbers: set[Decimal] = set()
    dates: set[Fraction] = set()
    networks: list[coerce.IpNetwork] = []
    arns: list[str] = []
    # The empty string is a value of its own (Null counts it as missing) only for lists, where
    # ``[]`` stands for it; a single value is tried empty only when a policy writes "".
    out: list[str] = [FRESH, "true", "false", *extra]
    for clause in clauses:
        info = operator_info(clause.operator)
        family = info.family
        for raw in clause.values:
            text = coerce.scalar_text(raw)
            if family is OperatorFamily.STRING:
                if info.name.endswith("Like"):
                    strings.append(GlobSpec(_glob_tokens(text)))
                else:
                    strings.append(
                        GlobSpec(tuple(_VARIABLE.sub("*", text)), info.name.endswith("IgnoreCase"))
                    )
                out.append(text)
            elif family is OperatorFamily.NUMERIC:
                number = coerce.number_from_policy(raw)
                if number is not None:
                    numbers.add(number)
            elif family is OperatorFamily.DATE:
                moment = coerce.date_from_policy(raw)
                if moment is not None:
                    dates.add(moment)
            elif family is OperatorFamily.IP:
                network = coerce.parse_ip_network(text)
                if network is not None:
                    networks.append(network)
            elif family is OperatorFamily.ARN:
                arns.append(text)
                out.append(text)
            elif family is OperatorFamily.BINARY:
                out.append(text)
                out.append(base64.b64encode(b"\x00" + text.encode()).decode())
    if strings:
        out.extend(word for _, word in glob_classes(strings))
    out.extend(str(n) for n in _between(sorted(numbers)))
    # Dates before year 1 have no ISO 8601 text.
    out.extend(_date_text(m) for m in _between(sorted(dates)) if m >= -62135596800)
    out.extend(_addresses(networks))
    if arns:
        out.extend(arn_candidates(arns, resource_elements=False))
    return list(dict.fromkeys(out))


def _between(points: Sequence[Any]) -> list[Any]:
    """Every literal, a point between each neighbouring pair, and one beyond each end
    (Decimal numbers or Fraction instants)."""
    if not points:
        return []
    out: list[Any] = [points[0] - 1, points[-1] + 1]
    for low, high in itertools.pairwise(points):
        out.append(low)
        out.append((low + high) / 2)
    out.append(points[-1])
    return out


def _date_text(moment: Decimal | Fraction) -> str:
    seconds = Fraction(moment)
    whole = seconds.numerator // seconds.denominator
    text = datetime.fromtimestamp(whole, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    rest = seconds - whole
    if rest:
        digits = int(rest * 10**9)
        if Fraction(digits, 10**9) != rest:
            digits += 1  # stay strictly between the neighbours
        text += f".{digits:09d}"
    return text + "Z"


def _addresses(networks: list[coerce.IpNetwork]) -> list[str]:
    out: list[str] = ["203.0.113.77", "2001:db8::77"]
    for network in networks:
        first = int(network.network_address)
        last = int(network.broadcast_address)
        top = 2**32 - 1 if network.version == 4 else 2**128 - 1
        for value in (first, last, first - 1, last + 1):
            if 0 <= value <= top:
                address = (
                    ipaddress.IPv6Address(value)
                    if network.version == 6
                    else ipaddress.IPv4Address(value)
                )
                out.append(str(address))
    return out
