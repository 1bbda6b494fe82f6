"""Data quality, for staff: the records that lack a fact or rest on weak
evidence, the names the seed could not link, and the demo records, as one
list of issues that pages like the others.

Every issue is a row of one `UNION ALL` (one `SELECT` per kind and table),
so a page, its total and the counts per kind are each one statement however
many records there are. Demo records are listed once, as demo records, and
archived records not at all: they are out of the directory.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import (
    Integer,
    String,
    Text,
    and_,
    cast,
    exists,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.engine import Row

from db.engine import Database
from db.models import (
    Confidence,
    Initiative,
    Member,
    MemberInitiative,
    Origin,
    Partner,
    PartnerInitiative,
    Publication,
    UnlinkedName,
)
from resolvers.pagination import Edge, Page, PageArgs, SortKey, fetch_page
from resolvers.records import InitiativeRecord, MemberRecord, PartnerRecord

__all__ = ["ISSUE_RECORDS", "Issue", "IssueKind", "issue_counts", "issue_page"]


class IssueKind(enum.StrEnum):
    """The kinds of issue, in the order the list gives them."""

    MISSING_COORDINATES = "missing_coordinates"
    MISSING_POPULATION = "missing_population"
    MISSING_SOURCES = "missing_sources"
    MISSING_COUNTRY = "missing_country"
    MEDIUM_CONFIDENCE = "medium_confidence"
    UNLINKED_NAME = "unlinked_name"
    DEMO_RECORD = "demo_record"


# The record types issues point at (each has an edit form), by GraphQL type name.
ISSUE_RECORDS: Final[dict[str, type[Any]]] = {
    "Member": MemberRecord,
    "Partner": PartnerRecord,
    "Initiative": InitiativeRecord,
}
_MODELS: Final = (("Member", Member), ("Partner", Partner), ("Initiative", Initiative))
_POSITION: Final = {kind: position for position, kind in enumerate(IssueKind)}
# Unique together, so that a cursor points at one issue.
_SORT: Final = [SortKey("position"), SortKey("label"), SortKey("record_type"), SortKey("item")]


@dataclass(frozen=True, slots=True)
class Issue:
    """One thing to fix: its kind, the record (type name and key), the field
    concerned, and what is wrong in words."""

    kind: IssueKind
    record_type: str
    record_id: int
    field: str | None
    text: str


def _text(value: str) -> Any:
    # Constants of this module only (no quotes in them): inlined, so that
    # PostgreSQL knows each column's type in every branch of the union.
    return literal_column(f"'{value}'", String)


def _label(model: Any) -> Any:
    return model.title if model is Initiative else model.name


def _records(kind: IssueKind, field: str | None, condition: Any, *models: str) -> list[Any]:
    """One `SELECT` per table of `models`: its records that meet `condition`
    (a function of the model), as issue rows."""
    selects = []
    for type_name, model in _MODELS:
        if type_name not in models:
            continue
        wanted = condition(model)
        if kind is not IssueKind.DEMO_RECORD:
            wanted = and_(wanted, model.origin != Origin.DEMO)
        selects.append(
            select(
                literal_column(str(_POSITION[kind]), Integer).label("position"),
                _text(kind.value).label("kind"),
                _text(type_name).label("record_type"),
                model.id.label("record_id"),
                (_text(field) if field else cast(null(), String)).label("field"),
                _label(model).label("label"),
                cast(null(), Text).label("written"),
                cast(null(), Text).label("reason"),
                model.id.label("item"),
            ).where(wanted, model.publication != Publication.ARCHIVED)
        )
    return selects


def _no_sources(model: Any) -> Any:
    # The JSON list's text: portable, and safe on a JSON `null`.
    text = cast(model.source_urls, Text)
    return or_(model.source_urls.is_(None), text.in_(("[]", "null")))


def _linked_by_name(link: Any, record: Any, model: Any, names: Sequence[Any]) -> Any:
    """Staff settled an unlinked name: they linked its initiative to a record
    named like it (case aside). `record` is the link's column to the record.
    The reference data's own links do not count: the seed made them knowing
    the name, as with `São Paulo (State)` beside an ambiguous `São Paulo`."""
    wanted = UnlinkedName.name
    return exists().where(
        link.initiative_id == UnlinkedName.initiative_id,
        link.origin != Origin.REFERENCE,
        record == model.id,
        or_(*(func.lower(name) == func.lower(wanted) for name in names)),
    )


def _unlinked() -> Any:
    return (
        select(
            literal_column(str(_POSITION[IssueKind.UNLINKED_NAME]), Integer).label("position"),
            _text(IssueKind.UNLINKED_NAME.value).label("kind"),
            _text("Initiative").label("record_type"),
            UnlinkedName.initiative_id.label("record_id"),
            UnlinkedName.field.label("field"),
            UnlinkedName.name.label("label"),
            UnlinkedName.written.label("written"),
            UnlinkedName.reason.label("reason"),
            UnlinkedName.id.label("item"),
        )
        .join(Initiative, Initiative.id == UnlinkedName.initiative_id)
        .where(
            Initiative.publication != Publication.ARCHIVED,
            ~_linked_by_name(
                MemberInitiative,
                MemberInitiative.member_id,
                Member,
                (Member.name, Member.short_name),
            ),
            ~_linked_by_name(
                PartnerInitiative, PartnerInitiative.partner_id, Partner, (Partner.name,)
            ),
        )
    )


def _selects(kind: IssueKind) -> list[Any]:
    match kind:
        case IssueKind.MISSING_COORDINATES:
            missing = lambda m: or_(m.latitude.is_(None), m.longitude.is_(None))  # noqa: E731
            return _records(kind, "latitude", missing, "Member", "Partner")
        case IssueKind.MISSING_POPULATION:
            return _records(kind, "population", lambda m: m.population.is_(None), "Member")
        case IssueKind.MISSING_SOURCES:
            return _records(kind, "sources", _no_sources, *ISSUE_RECORDS)
        case IssueKind.MISSING_COUNTRY:
            return _records(kind, "country", lambda m: m.country_code.is_(None), "Partner")
        case IssueKind.MEDIUM_CONFIDENCE:
            medium = lambda m: m.confidence == Confidence.MEDIUM  # noqa: E731
            return _records(kind, "confidence", medium, *ISSUE_RECORDS)
        case IssueKind.UNLINKED_NAME:
            return [_unlinked()]
        case IssueKind.DEMO_RECORD:
            demo = lambda m: m.origin == Origin.DEMO  # noqa: E731
            return _records(kind, None, demo, *ISSUE_RECORDS)


def _issues(kinds: Sequence[IssueKind]) -> Any:
    """Every issue of `kinds` (all kinds when empty), as one query."""
    selects = [part for kind in kinds or IssueKind for part in _selects(kind)]
    issues = union_all(*selects).subquery("issues")
    return select(*issues.c)


_SENTENCES: Final = {
    IssueKind.MISSING_COORDINATES: "{type} {label!r} has no coordinates: add its latitude "
    "and longitude.",
    IssueKind.MISSING_POPULATION: "{type} {label!r} has no population.",
    IssueKind.MISSING_SOURCES: "{type} {label!r} names no source: add the public pages that "
    "state its facts.",
    IssueKind.MISSING_COUNTRY: "{type} {label!r} has no country, so it is on no map.",
    IssueKind.MEDIUM_CONFIDENCE: "{type} {label!r} rests on medium-confidence evidence: "
    "confirm it from a source and raise its confidence.",
    IssueKind.DEMO_RECORD: "{type} {label!r} is generated demo data, not a fact.",
}


def _issue(row: Row[Any], _cursor: str) -> Issue:
    kind = IssueKind(row.kind)
    if kind is IssueKind.UNLINKED_NAME:
        text = (
            f"{row.label!r} (written {row.written!r} in the reference data's {row.field} "
            f"column of this initiative) {row.reason}: link the record it means, or correct "
            "the reference data."
        )
    else:
        text = _SENTENCES[kind].format(type=row.record_type, label=row.label)
    return Issue(kind, row.record_type, row.record_id, row.field, text)


async def issue_page(
    database: Database, kinds: Sequence[IssueKind], args: PageArgs
) -> Page[Edge[Issue]]:
    """A page of the issues of `kinds` (all when empty): by kind, then by the
    record's name or title."""
    async with database.engine.connect() as connection:
        return await fetch_page(
            connection,
            _issues(kinds),
            _SORT,
            args,
            lambda row, cursor: Edge(cursor, _issue(row, cursor)),
        )


async def issue_counts(database: Database, kinds: Sequence[IssueKind]) -> dict[IssueKind, int]:
    """How many issues each kind of `kinds` (all when empty) has, zeros included."""
    issues = _issues(kinds).subquery()
    query = select(issues.c.kind, func.count()).group_by(issues.c.kind)
    async with database.engine.connect() as connection:
        found = {IssueKind(kind): count for kind, count in await connection.execute(query)}
    return {kind: found.get(kind, 0) for kind in kinds or IssueKind}
