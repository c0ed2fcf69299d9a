"""The per-process cache of the policy documents that scenarios carry, parsed once.

A batch of scenarios (``iamsim eval`` over many files, the web server's scenario form) repeats
the same organization policies in every scenario: the SCP chain, the permissions boundary, often
the identity policy. Each distinct document is parsed once per process and the same
:class:`~iamsim.policy.model.Policy` object handed out again; because the engine caches
compilations by the identity of the Policy (:func:`iamsim.engine.compiled.compiled_policy`,
:func:`iamsim.engine.decision.compile_policy_set`), sharing the object shares its compilation too.

Sharing is safe because a Policy is immutable all the way down (frozen, slotted dataclasses
holding tuples, frozensets, strings and numbers; no reference to the document it came from).

The key is the document's exact content with the type of every value (``1``, ``1.0``, ``True``
and ``"1"`` differ; so do the keys ``1`` and ``"1"``; mapping order is kept, as the parser keeps
it), plus the policy type, the name and the source: the parsed Policy carries all of them.
A document read from JSON (only strings, numbers, booleans, null, lists and objects with
string keys: nothing else can come out of a JSON parser) is keyed by its compact JSON text
instead, which orjson writes in C, keeping key order and the type of every number (``1`` and
``1.0`` differ): the same key, quickly, for the unique documents of a batch where no two
scenarios share a policy. Only documents that parsed are cached; a bad one is parsed, and
refused, every time. The cache is a bounded LRU.

A document (or block) is kept from the second time the process meets it: the first time, only
a hash of its key is remembered. A batch where every scenario carries its own policy text
never meets one twice, and keeping the last thousand of them alive served nothing: the
cyclic collector walked them at every young collection (about 6% of such a batch's time).
A batch that repeats its documents pays one parse more per distinct document.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar

import orjson

from iamsim.engine.policies import PolicySet
from iamsim.policy.model import Policy, PolicyType

_Held = TypeVar("_Held", Policy, PolicySet)

_LIMIT = 1024
_PARSED: OrderedDict[Hashable, Policy] = OrderedDict()
# Whole ``policies`` blocks of scenarios, to the PolicySet built from them (see cached_set).
_SETS_LIMIT = 256
_SETS: OrderedDict[Hashable, PolicySet] = OrderedDict()
# Hashes of the keys each cache met once (see the module); bounded, emptied when full. Two
# keys with one hash only make the second kept a sighting early.
_MET_ONCE_LIMIT = 8192
_PARSED_MET_ONCE: set[int] = set()
_SETS_MET_ONCE: set[int] = set()


def _frozen(value: Any) -> Hashable:
    """A hashable, type-exact image of a decoded document (TypeError for a value that is not)."""
    if isinstance(value, Mapping):
        return ("{", tuple((_frozen(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return ("[", tuple(_frozen(v) for v in value))
    if value is None or isinstance(value, str | int | float | bool):
        return (type(value), value)
    raise TypeError(f"not a document value: {type(value).__name__}")


# JSON-text keys of the documents keyed last, by identity: the JSON Lines reader hands out one
# object for a block that recurs byte for byte (fast_json.SharedMember), and its key is not
# written again. Each entry holds its document, so its id cannot pass to another object while
# remembered; decoded documents are never edited (scenarios parse them, nothing changes them).
_JSON_KEYS: dict[int, tuple[Any, bytes]] = {}
_JSON_KEYS_LIMIT = 256


def _key(document: str | Mapping[str, Any], from_json: bool) -> Hashable | None:
    """The key of a document or block's content (see the module); None when it has none."""
    if from_json and not isinstance(document, str):
        known = _JSON_KEYS.get(id(document))
        if known is not None and known[0] is document:
            return known[1]
        try:
            # Bytes: apart from any _frozen image (a tuple), without a tag.
            text = orjson.dumps(document)
        except orjson.JSONEncodeError:  # e.g. an integer beyond 64 bits: the general key
            pass
        else:
            if len(_JSON_KEYS) >= _JSON_KEYS_LIMIT:
                _JSON_KEYS.clear()
            _JSON_KEYS[id(document)] = (document, text)
            return text
    try:
        key = _frozen(document)
        hash(key)
    except (TypeError, RecursionError):
        return None
    return key


def _held(
    cache: OrderedDict[Hashable, _Held],
    met_once: set[int],
    limit: int,
    what: tuple[Any, ...],
    from_json: bool,
    make: Callable[[], _Held],
) -> _Held:
    """``cache``'s value for ``what`` (a document or block, then what else the value depends
    on: hashable values), made by ``make()`` on a miss and kept from its second miss on
    (``met_once``: the hashes of the keys missed once, see the module); an LRU of ``limit``
    entries. Content that cannot be keyed (values outside JSON's) is made every time;
    ``make`` raising caches nothing."""
    content = _key(what[0], from_json)
    if content is None:
        return make()
    key = (content, *what[1:])
    found = cache.get(key)
    if found is not None:
        cache.move_to_end(key)
        return found
    made = make()
    marker = hash(key)
    if marker not in met_once:
        if len(met_once) >= _MET_ONCE_LIMIT:
            met_once.clear()
        met_once.add(marker)
        return made
    met_once.discard(marker)
    cache[key] = made
    if len(cache) > limit:
        cache.popitem(last=False)
    return made


def cached_policy(
    document: str | Mapping[str, Any],
    policy_type: PolicyType,
    name: str,
    source: str,
    parse: Callable[[], Policy],
    *,
    from_json: bool = False,
) -> Policy:
    """The Policy for ``document``: parsed by ``parse()`` the first time the process meets this
    (document, type, name, source), the same object afterwards. ``parse`` raising caches
    nothing. A document holding values outside JSON's (a YAML date, a set) is never cached:
    ``parse`` decides what to do with it. ``from_json``: the document was read from JSON text
    (its key is then its JSON text, see the module)."""
    return _held(
        _PARSED, _PARSED_MET_ONCE, _LIMIT, (document, policy_type, name, source), from_json, parse
    )


def cached_set(
    block: Mapping[str, Any],
    variant: Hashable,
    source: str,
    build: Callable[[], PolicySet],
    *,
    from_json: bool = False,
) -> PolicySet:
    """The PolicySet of a scenario's whole ``policies`` block: built by ``build()`` the first
    time the process meets this (block, variant, source), the same object afterwards.

    Scenarios of a batch often carry the very same block (an organization's SCP chain,
    boundary and identity policies): one key for the block replaces a key and a look-up per
    document in it. ``variant`` is whatever else the set depends on besides the block (how the
    request reads a resource policy); ``source`` the file its policies carry. The key is the
    block's content with the types of its values, as for :func:`cached_policy`; ``build``
    raising caches nothing, so every scenario with a bad block reports its own error."""
    return _held(_SETS, _SETS_MET_ONCE, _SETS_LIMIT, (block, variant, source), from_json, build)


def clear() -> None:
    """Forget every parsed document and policy set (tests; a long-lived process reloading its
    catalogue)."""
    _PARSED.clear()
    _SETS.clear()
    _JSON_KEYS.clear()
    _PARSED_MET_ONCE.clear()
    _SETS_MET_ONCE.clear()
