"""A cache bounded by the bytes it holds, keys included, and by its entries.

Every process-wide cache of the hub that a caller can fill (parsed documents,
anonymous answers) is one of these, so that unique requests cannot grow the
process: what an entry holds is counted by the caller, who knows its shape,
plus `ENTRY_OVERHEAD` for the entry itself; the least recently used entries
go first when either bound is passed. `functools.lru_cache` and
`cachetools.LRUCache` bound one thing only (entries, or a size of the values).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Final, Generic, TypeVar

__all__ = ["ENTRY_OVERHEAD", "BoundedCache"]

# The bytes an entry costs beyond what it holds: the dictionary slot, the
# ordered dictionary's links, the key tuple and the entry object, measured
# with tracemalloc (tests/test_caches.py).
ENTRY_OVERHEAD: Final = 400

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """Least recently used out first, within `max_bytes` and `max_entries`.
    One entry may take at most an eighth of the bytes, so that a single large
    one cannot push out most of the others."""

    def __init__(self, max_bytes: int, max_entries: int) -> None:
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._bytes = 0

    @property
    def bytes_held(self) -> int:
        """What the entries hold, as counted when they were put."""
        return self._bytes

    def get(self, key: K) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        return entry[0]

    def put(self, key: K, value: V, size: int) -> bool:
        """Keep `value` under `key`, `size` being the bytes both hold; False
        when it is too large to keep."""
        size += ENTRY_OVERHEAD
        if size > self.max_bytes // 8 or self.max_entries <= 0:
            return False
        self.pop(key)
        self._entries[key] = (value, size)
        self._bytes += size
        while self._bytes > self.max_bytes or len(self._entries) > self.max_entries:
            self.pop(next(iter(self._entries)))
        return True

    def pop(self, key: K) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= entry[1]

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)
