"""The statements of a search, built once per shape (which filters are set,
whether a cursor is given) and per index, and cached: building one costs more
than running it on a small result set. Everything else is a bound parameter."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    String,
    and_,
    bindparam,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
    union_all,
)

from db.models import Initiative, Member, Partner, Publication
from resolvers.records import columns
from resolvers.search.index import FACET_VALUES_TABLE, FACETS, PUBLISHED, FullTextIndex
from resolvers.search.model import KIND_SPAN, RECORDS, SearchFilters, SearchKind

__all__ = ["facet_statement", "filter_params", "page_statement", "statement_shape"]


def statement_shape(filters: SearchFilters) -> frozenset[str]:
    """Which conditions a statement applies: the set facet filters, and
    whether only published records count."""
    shape = frozenset(filter_params(filters))
    return shape | {PUBLISHED} if filters.published_only else shape


def filter_params(filters: SearchFilters) -> dict[str, list[Any]]:
    """The set filters, by facet name, as bound parameters: record types as
    numbers (the low part of the key), other values as the text they are
    stored as."""
    params: dict[str, list[Any]] = {}
    for name in FACETS:
        accepted = getattr(filters, name)
        if accepted:
            params[name] = (
                sorted(int(kind) for kind in accepted)
                if name == "types"
                else sorted(str(value) for value in accepted)
            )
    return params


def _kind_of(key: ColumnElement[int]) -> ColumnElement[int]:
    return key % KIND_SPAN


def _id_of(key: ColumnElement[int]) -> ColumnElement[int]:
    # SQLAlchemy renders `//` on integers as SQLite's integer division.
    return key // KIND_SPAN


@functools.cache
def page_statement(index: FullTextIndex, filtered: frozenset[str], paged: bool) -> Select[Any]:
    hits = index.hits(scored=True)
    key = hits.c.key
    conditions = _filter_conditions(filtered, key)
    matched = (
        select(key, hits.c.score)
        .where(*conditions.values())
        .cte("matched")
        .prefix_with("MATERIALIZED")
    )
    totals = select(func.count().label("total")).select_from(matched).subquery("totals")
    order = (matched.c.score, matched.c.key)
    after = tuple_(*order) > tuple_(bindparam("after_score"), bindparam("after_key"))
    page = (
        select(*order)
        .where(after if paged else true())
        .order_by(*order)
        .limit(bindparam("limit"))
        .cte("page")
        .prefix_with("MATERIALIZED")
    )
    snippets = index.snippets(page)
    kind, pk = _kind_of(page.c.key), _id_of(page.c.key)
    record_columns = [column for record in RECORDS.values() for column in columns(record)]
    # One row even for an empty page, so that the total always comes back.
    return (
        select(totals.c.total, page.c.key, page.c.score, snippets.c.snippet, *record_columns)
        .select_from(totals)
        .outerjoin(page, true())
        .outerjoin(snippets, snippets.c.key == page.c.key)
        .outerjoin(Member, and_(kind == SearchKind.MEMBER, Member.id == pk))
        .outerjoin(Partner, and_(kind == SearchKind.PARTNER, Partner.id == pk))
        .outerjoin(Initiative, and_(kind == SearchKind.INITIATIVE, Initiative.id == pk))
        .order_by(page.c.score, page.c.key)
    )


@functools.cache
def facet_statement(index: FullTextIndex, filtered: frozenset[str]) -> CompoundSelect[Any]:
    hits = index.hits(scored=False)
    key = hits.c.key
    conditions = _filter_conditions(filtered, key)
    # Each hit with whether it passes each filter, so that a facet can apply
    # every filter but its own.
    flagged = (
        select(
            key,
            _kind_of(key).label("kind"),
            *(condition.label(name) for name, condition in conditions.items()),
        )
        .cte("flagged")
        .prefix_with("MATERIALIZED")
    )

    def passing(*, ignoring: str) -> list[ColumnElement[bool]]:
        return [flagged.c[name].is_(true()) for name in conditions if name != ignoring]

    values = FACET_VALUES_TABLE
    # One range read per hit gives all its facet values; each value counts
    # when the hit passes every filter but the one on the value's own facet.
    per_facet = [
        and_(values.c.facet == facet, *passing(ignoring=facet))
        for facet in FACETS
        if facet != "types"
    ]
    return union_all(
        # Values as text, as the facet values are stored: one type for the UNION.
        select(
            literal("types").label("facet"),
            cast(flagged.c.kind, String).label("value"),
            func.count(),
        )
        .where(*passing(ignoring="types"))
        .group_by(flagged.c.kind),
        select(values.c.facet, values.c.value, func.count())
        .select_from(flagged)
        .join(values, values.c.key == flagged.c.key)
        .where(or_(*per_facet))
        .group_by(values.c.facet, values.c.value),
    )


def _filter_conditions(
    filtered: frozenset[str], key: ColumnElement[int]
) -> dict[str, ColumnElement[bool]]:
    """Per filter in `filtered`, whether a hit (its index key) passes it; the
    accepted values are the parameter named after the facet."""

    def has_value(facet: str) -> ColumnElement[bool]:
        values = FACET_VALUES_TABLE
        return exists().where(
            values.c.key == key,
            values.c.facet == facet,
            values.c.value.in_(bindparam(facet, expanding=True)),
        )

    conditions: dict[str, ColumnElement[bool]] = {
        facet: has_value(facet) for facet in FACETS if facet != "types"
    }
    conditions["types"] = _kind_of(key).in_(bindparam("types", expanding=True))
    # The few unpublished records, by index key (found through the publication
    # index), rather than a lookup per hit: drafts and archives are rare.
    unpublished = union_all(
        *(
            # `IN` the two other states, not `!=`: a range of the index, not a scan.
            select(model.id * KIND_SPAN + int(search_kind)).where(
                model.publication.in_((Publication.DRAFT, Publication.ARCHIVED))
            )
            for search_kind, model in (
                (SearchKind.MEMBER, Member),
                (SearchKind.PARTNER, Partner),
                (SearchKind.INITIATIVE, Initiative),
            )
        )
    )
    conditions[PUBLISHED] = key.not_in(unpublished)
    return {name: conditions[name] for name in (*FACETS, PUBLISHED) if name in filtered}
