"""Full-text search of the directory: ranked hits with snippets, and facets."""

from __future__ import annotations

import enum
from typing import Annotated, Any, cast

import strawberry

from resolvers import search as searching
from resolvers.pagination import page_args
from resolvers.records import FocusAreaRecord, RegionRecord
from schema.context import Info
from schema.enums import PartnerKind, SustainabilityDimension
from schema.focus_areas import FocusArea
from schema.initiatives import Initiative
from schema.members import Member
from schema.nodes import load_record, parse_id
from schema.pagination import DEFAULT_PAGE_SIZE, After, ConnectionFields, First
from schema.partners import Partner
from schema.regions import Region

__all__ = ["SearchResultConnection", "SearchType", "resolve_search"]


@strawberry.enum(description="The kinds of record that search finds.")
class SearchType(enum.Enum):
    MEMBER = strawberry.enum_value(searching.SearchKind.MEMBER, description="Member governments.")
    PARTNER = strawberry.enum_value(
        searching.SearchKind.PARTNER, description="Partner organisations."
    )
    INITIATIVE = strawberry.enum_value(
        searching.SearchKind.INITIATIVE, description="Initiatives and pilot projects."
    )


SearchResult = Annotated[
    Member | Partner | Initiative,
    strawberry.union("SearchResult", description="A record that search finds."),
]


@strawberry.type(description="Where a searched word is in a snippet.")
class TextRange:
    start: int = strawberry.field(
        description="Offset of the match's first character, in Unicode code points from 0 "
        "(not UTF-16 units: in JavaScript, index `Array.from(text)`)."
    )
    end: int = strawberry.field(
        description="Offset just after the match's last character, in code points."
    )


@strawberry.type(
    description="A short passage of a hit's text (its title, or the part of its other text "
    "that matches best), as plain text with the searched words located by `matches`. "
    "It holds no markup: render it as text and wrap the matches yourself."
)
class SearchSnippet:
    text: str = strawberry.field(
        description="The passage; `…` stands for text left out before or after it."
    )
    matches: list[TextRange] = strawberry.field(
        description="Where the searched words are in `text`, in order."
    )


@strawberry.type(description="A record that matches the search, with its rank and snippet.")
class SearchResultEdge:
    cursor: str = strawberry.field(description="Points at this hit; pass it as `after`.")
    rank: float = strawberry.field(
        description="How well the record matches: higher is better. The BM25 score, with a "
        "match in the title (a name, or an initiative's title) weighing ten times a match "
        "in the rest of the text; comparable only within one search."
    )
    snippet: SearchSnippet = strawberry.field(description="Where the record matches.")
    node: SearchResult = strawberry.field(description="The record.")


@strawberry.type(description="How many hits are of one record type.")
class SearchTypeCount:
    value: SearchType = strawberry.field(description="The record type.")
    count: int = strawberry.field(description="How many hits are of this type.")


@strawberry.type(description="How many hits are in one world region.")
class RegionFacet:
    value: strawberry.Private[int]
    count: int = strawberry.field(
        description="How many hits are in the region: members of it, and initiatives with a "
        "member government from it."
    )

    @strawberry.field(description="The region.")
    async def region(self, info: Info) -> Region:
        return await load_record(info, RegionRecord, self.value)


@strawberry.type(description="How many hits are partners of one kind.")
class PartnerKindFacet:
    value: PartnerKind = strawberry.field(description="The kind of organisation.")
    count: int = strawberry.field(description="How many hits are partners of this kind.")


@strawberry.type(description="How many hits work on one focus area.")
class FocusAreaFacet:
    value: strawberry.Private[int]
    count: int = strawberry.field(
        description="How many hits (initiatives and partners) work on the focus area."
    )

    @strawberry.field(description="The focus area.")
    async def focus_area(self, info: Info) -> FocusArea:
        return await load_record(info, FocusAreaRecord, self.value)


@strawberry.type(description="How many hits work on one sustainability dimension.")
class DimensionFacet:
    value: SustainabilityDimension = strawberry.field(description="The dimension.")
    count: int = strawberry.field(description="How many hits (initiatives) work on it.")


@strawberry.type(
    description="Counts over the whole result set, not just the page, most frequent value "
    "first; values with no hits are left out. Each facet applies every filter but its own, "
    "so a facet still shows the other values it could be widened to. A hit counts once per "
    "value it has: under each region of an initiative's member governments, each focus "
    "area, each dimension."
)
class SearchFacets:
    types: list[SearchTypeCount] = strawberry.field(
        description="Hits by record type. Without a `types` filter the counts add up to "
        "`totalCount`; with one, the counts of the chosen types do."
    )
    regions: list[RegionFacet] = strawberry.field(
        description="Hits by world region: a member by its region, an initiative by the "
        "regions of its member governments. Partners have no region and count under none."
    )
    partner_kinds: list[PartnerKindFacet] = strawberry.field(
        description="Partner hits by kind of organisation."
    )
    focus_areas: list[FocusAreaFacet] = strawberry.field(
        description="Initiative and partner hits by focus area."
    )
    dimensions: list[DimensionFacet] = strawberry.field(
        description="Initiative hits by sustainability dimension."
    )


@strawberry.type(description="A page of search hits, best first, with facet counts.")
class SearchResultConnection(ConnectionFields):
    edges: list[SearchResultEdge] = strawberry.field(description="The hits on this page.")

    @strawberry.field(description="Counts of all hits by type, region, kind and topic.")
    async def facets(self) -> SearchFacets:
        # The root is the resolvers' SearchPage, and its Facets stand for SearchFacets.
        facets: Any = await cast(searching.SearchPage, self).count_facets()
        return facets


def _ids(values: list[strawberry.ID] | None, type_name: str) -> frozenset[int]:
    return frozenset(parse_id(value, type_name)[2] for value in values or ())


def _values(members: list[Any] | None) -> frozenset[Any]:
    # Strawberry passes enum members; the resolvers take their values.
    return frozenset(member.value for member in members or ())


async def resolve_search(
    info: Info,
    query: Annotated[
        str,
        strawberry.argument(
            description=f"The words to look for (at most {searching.MAX_QUERY_LENGTH} "
            "characters). Every word must match; the last one may be the start of a word, "
            "for type-ahead. Case, accents and punctuation are ignored: `sao paulo` finds "
            "São Paulo. Quotes, `*`, `-`, `AND`, `OR`, `NEAR` and the like are plain text."
        ),
    ],
    types: Annotated[
        list[SearchType] | None,
        strawberry.argument(description="Only these record types; null or empty for all."),
    ] = None,
    regions: Annotated[
        list[strawberry.ID] | None,
        strawberry.argument(
            description="Only hits in one of these regions (region IDs): members of them and "
            "initiatives with a member government from them. Drops partners."
        ),
    ] = None,
    partner_kinds: Annotated[
        list[PartnerKind] | None,
        strawberry.argument(description="Only partners of one of these kinds."),
    ] = None,
    focus_areas: Annotated[
        list[strawberry.ID] | None,
        strawberry.argument(
            description="Only initiatives and partners that work on one of these focus areas "
            "(focus area IDs)."
        ),
    ] = None,
    dimensions: Annotated[
        list[SustainabilityDimension] | None,
        strawberry.argument(
            description="Only initiatives that work on one of these sustainability dimensions."
        ),
    ] = None,
    first: First = DEFAULT_PAGE_SIZE,
    after: After = None,
) -> SearchResultConnection | None:
    filters = searching.SearchFilters(
        types=_values(types),
        regions=_ids(regions, "Region"),
        partner_kinds=_values(partner_kinds),
        focus_areas=_ids(focus_areas, "FocusArea"),
        dimensions=_values(dimensions),
        published_only=not info.context.principal.is_staff,
    )
    # The SearchPage is the connection's root value.
    page: Any = await searching.search(
        info.context.database, query, filters, page_args(first, after)
    )
    return page
