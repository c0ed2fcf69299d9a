"""Tags of IAM principals, sessions and resources: an immutable, ordered mapping.

AWS treats tag keys of IAM users and roles (and the tag part of ``aws:PrincipalTag/K`` and
``aws:ResourceTag/K`` condition keys) case-insensitively while preserving the written case,
so lookups here come in both flavours.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping


class Tags(Mapping[str, str]):
    """Immutable tag set. Iteration order is the sorted order of the keys (deterministic)."""

    __slots__ = ("_folded", "_items")

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        pairs = list(items.items()) if isinstance(items, Mapping) else list(items)
        self._items: dict[str, str] = {k: pairs_v for k, pairs_v in sorted(pairs)}
        # Several spellings of one key can exist on non-IAM resources (EC2); AWS then sees only
        # one of them. We pick the first in sorted order so the choice is reproducible.
        folded: dict[str, str] = {}
        for key in self._items:
            folded.setdefault(key.lower(), key)
        self._folded = folded

    def __getitem__(self, key: str) -> str:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Tags):
            return self._items == other._items
        if isinstance(other, Mapping):
            return self._items == dict(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self._items.items()))

    def __repr__(self) -> str:
        return f"Tags({self._items!r})"

    def get_folded(self, key: str) -> str | None:
        """The value of ``key`` compared case-insensitively (as condition keys do)."""
        real = self._folded.get(key.lower())
        return None if real is None else self._items[real]

    def overridden_by(self, other: Mapping[str, str]) -> Tags:
        """These tags with ``other`` laid on top, keys compared case-insensitively.

        This is how session tags replace role tags of the same key regardless of case.
        """
        if not other:
            return self
        replaced = {k.lower() for k in other}
        merged = [(k, v) for k, v in self._items.items() if k.lower() not in replaced]
        merged.extend(other.items())
        return Tags(merged)


EMPTY_TAGS = Tags()
