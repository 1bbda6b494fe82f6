"""The response cache: anonymous answers, kept while the data has not changed.

Anonymous callers all see the same data, so the same query with the same
variables has the same answer until something is written. The cache keeps
each answer's `data`, encoded, with the data version it was read at
(`db.versions`, on the watcher connection the network graph's cache checks
too: SQLite's `PRAGMA data_version`, or PostgreSQL's counted-up
`data_version` row, so a write by any process counts). A hit costs that one check; an answer filed
under an older version is dropped, never served.

The version is read before the query runs: a write that lands while it runs
may be in the answer, which is then filed under the older version and only
costs a miss more, never a stale answer.

What is kept: answers to queries (not mutations) from callers without a key,
with no errors, that read data (not `{ __typename }` alone) and do not ask
for the caller's own budget (`rateLimit`). Keyed by the document, the
operation's name and the values of the variables the operation declares
(others cannot change the answer, and would only make keys unique). Bounded
by the bytes of keys and answers together, and by the number of entries,
least recently used first out (`BoundedCache`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

import orjson

from db.versions import DataVersion
from resolvers.caches import BoundedCache

__all__ = ["UNCACHED_FIELDS", "ResponseCache"]

# Root fields whose answer depends on the caller, not only on the data; and
# `_service`, which only some callers may read (engine/exposure.py), among
# them a gateway hop for an anonymous end user, whose answers are kept.
UNCACHED_FIELDS: Final = frozenset({"rateLimit", "_service"})
# Root fields that read no data: an answer of only these is not worth a check.
DATALESS_FIELDS: Final = frozenset({"__typename"})

Key = tuple[str, str | None, bytes]


@dataclass(frozen=True, slots=True)
class Cached:
    version: int
    data: bytes  # the answer's `data`, as JSON
    extensions: dict[str, Any] | None


# What an answer's extensions (its cost) hold, as measured for the largest.
EXTENSIONS_BYTES: Final = 1_000


class ResponseCache:
    """Answers by document, operation name and declared variables (see the module)."""

    def __init__(self, versions: DataVersion, max_bytes: int, max_entries: int) -> None:
        self._versions = versions
        self._entries: BoundedCache[Key, Cached] = BoundedCache(max_bytes, max_entries)

    @property
    def max_bytes(self) -> int:
        return self._entries.max_bytes

    @property
    def bytes_held(self) -> int:
        return self._entries.bytes_held

    @staticmethod
    def key(
        query: str,
        operation_name: str | None,
        variables: dict[str, Any] | None,
        declared: Iterable[str],
    ) -> Key:
        """The key of an answer: only the variables the operation declares count."""
        values = variables or {}
        chosen = {name: values[name] for name in declared if name in values}
        return query, operation_name, orjson.dumps(chosen, option=orjson.OPT_SORT_KEYS)

    @staticmethod
    def worth_keeping(root_fields: set[str]) -> bool:
        """Whether answers to an operation with these root fields may be kept."""
        return bool(root_fields - DATALESS_FIELDS) and not root_fields & UNCACHED_FIELDS

    async def version(self) -> int:
        return await self._versions.current()

    def get(self, key: Key, version: int) -> Cached | None:
        cached = self._entries.get(key)
        if cached is None:
            return None
        if cached.version != version:
            self._entries.pop(key)
            return None
        return cached

    def put(self, key: Key, version: int, data: Any, extensions: dict[str, Any] | None) -> bytes:
        """Keep an answer's `data`; it comes back encoded, for the response
        to send as it is rather than encode it again."""
        encoded = orjson.dumps(data)
        query, operation_name, variables = key
        size = (
            sys.getsizeof(query)
            + sys.getsizeof(operation_name)
            + sys.getsizeof(variables)
            + sys.getsizeof(encoded)
            + EXTENSIONS_BYTES
        )
        self._entries.put(key, Cached(version, encoded, extensions), size)
        return encoded

    def __len__(self) -> int:
        return len(self._entries)
