"""Page statements kept between requests (see `Statements`)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["Statements"]

T = TypeVar("T")


class Statements(Generic[T]):
    """What a page reads with (its query and statement), kept by a key: what
    is paged, who may see which rows (`audience`) and the page arguments,
    filter and cursor included. Building them costs more than running them
    on a small page. Past `most` entries (documents and variables choose the
    arguments) the kept ones are dropped."""

    def __init__(self, most: int = 1024) -> None:
        self._kept: dict[Hashable, T] = {}
        self._most = most

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """What is kept for `key`, built by `build` the first time."""
        found = self._kept.get(key)
        if found is None:
            if len(self._kept) >= self._most:
                self._kept.clear()
            found = self._kept[key] = build()
        return found
