"""What search takes and gives: the record types it finds, the facet
filters, the hits with their snippets, the facet counts and the page."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from db.models import PartnerKind, SustainabilityDimension
from resolvers.pagination import Page
from resolvers.records import InitiativeRecord, MemberRecord, PartnerRecord

__all__ = [
    "KIND_SPAN",
    "RECORDS",
    "FacetCount",
    "Facets",
    "SearchFilters",
    "SearchHit",
    "SearchKind",
    "SearchPage",
    "SearchRecord",
    "Snippet",
    "TextRange",
]

V = TypeVar("V")
SearchRecord = MemberRecord | PartnerRecord | InitiativeRecord


class SearchKind(enum.IntEnum):
    """The record types search finds. The value is the low part of the
    index's rowid (`id * 4 + kind`), as migration 0005 writes it."""

    MEMBER = 1
    PARTNER = 2
    INITIATIVE = 3


KIND_SPAN = 4
RECORDS: dict[SearchKind, type[Any]] = {
    SearchKind.MEMBER: MemberRecord,
    SearchKind.PARTNER: PartnerRecord,
    SearchKind.INITIATIVE: InitiativeRecord,
}


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Facet filters: each a set of accepted values (region and focus area ids,
    partner kinds and dimensions by their stored value); empty means no filter."""

    types: frozenset[SearchKind] = frozenset()
    regions: frozenset[int] = frozenset()
    partner_kinds: frozenset[str] = frozenset()
    focus_areas: frozenset[int] = frozenset()
    dimensions: frozenset[str] = frozenset()
    # Drafts and archived records are for staff (resolvers/access/visibility.py).
    published_only: bool = True


@dataclass(frozen=True, slots=True)
class TextRange:
    """A match in a snippet: code point offsets, `start` inclusive, `end` exclusive."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Snippet:
    """A short passage of a hit's text, and where the searched words are in it."""

    text: str
    matches: list[TextRange]


@dataclass(slots=True)
class SearchHit:
    """One result: its cursor, record, type, relevance and snippet."""

    cursor: str
    node: SearchRecord
    kind: SearchKind
    rank: float
    snippet: Snippet


@dataclass(frozen=True, slots=True)
class FacetCount(Generic[V]):
    """How many hits have `value` in a facet."""

    value: V
    count: int


@dataclass(frozen=True, slots=True)
class Facets:
    """Counts over the whole result set, most frequent value first."""

    types: list[FacetCount[SearchKind]]
    regions: list[FacetCount[int]]
    partner_kinds: list[FacetCount[PartnerKind]]
    focus_areas: list[FacetCount[int]]
    dimensions: list[FacetCount[SustainabilityDimension]]

    @classmethod
    def none(cls) -> Facets:
        return cls([], [], [], [], [])


async def _no_facets() -> Facets:
    return Facets.none()


@dataclass(slots=True)
class SearchPage(Page[SearchHit]):
    """A page of hits. Its facets are counted when first asked for, so a
    type-ahead that shows none costs one statement."""

    counter: Callable[[], Awaitable[Facets]] = _no_facets
    _facets: Facets | None = None

    async def count_facets(self) -> Facets:
        if self._facets is None:
            self._facets = await self.counter()
        return self._facets
