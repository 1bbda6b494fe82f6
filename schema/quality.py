"""Data quality, for staff: what to fix in the directory (resolvers/quality.py)."""

from __future__ import annotations

import enum
from typing import Annotated, cast

import strawberry
from strawberry import relay

from resolvers import quality
from resolvers.pagination import page_args
from schema.context import Info
from schema.nodes import load_record
from schema.pagination import DEFAULT_PAGE_SIZE, After, ConnectionFields, First
from schema.permissions import StaffOnly

__all__ = ["DataQualityKind", "QualityQueries"]

Kind = quality.IssueKind


@strawberry.enum(description="What is wrong with a record, or what the seed could not do.")
class DataQualityKind(enum.Enum):
    MISSING_COORDINATES = strawberry.enum_value(
        Kind.MISSING_COORDINATES,
        description="A member or partner without a latitude and longitude: it is on no map "
        "and `near` never finds it.",
    )
    MISSING_POPULATION = strawberry.enum_value(
        Kind.MISSING_POPULATION, description="A member government without a population."
    )
    MISSING_SOURCES = strawberry.enum_value(
        Kind.MISSING_SOURCES,
        description="A member, partner or initiative that names no source for its facts.",
    )
    MISSING_COUNTRY = strawberry.enum_value(
        Kind.MISSING_COUNTRY,
        description="A partner without a country, which places it nowhere (a member always "
        "has its country and world region).",
    )
    MEDIUM_CONFIDENCE = strawberry.enum_value(
        Kind.MEDIUM_CONFIDENCE,
        description="A member, partner or initiative whose facts are implied or derived "
        "rather than stated by a source (`confidence: MEDIUM`).",
    )
    UNLINKED_NAME = strawberry.enum_value(
        Kind.UNLINKED_NAME,
        description="A name in an initiative's reference data that the seed could not link "
        "to one member or partner (none or several match). Settled once staff link the "
        "initiative to a member or partner of that name or short name (case aside); each seed "
        "refreshes the list.",
    )
    DEMO_RECORD = strawberry.enum_value(
        Kind.DEMO_RECORD,
        description="Generated demo data (`origin: DEMO`), listed here alone and not under the "
        "other kinds.",
    )


@strawberry.type(description="Something to fix: a record's missing or weak fact, or a name.")
class DataQualityIssue:
    kind: DataQualityKind = strawberry.field(description="What is wrong.")
    field: str | None = strawberry.field(
        description="The field concerned, as the record's update input names it (`latitude`, "
        "`population`, `sources`, `country`, `confidence`); for an unlinked name, the "
        "reference data's column that holds it (`lead_city` or `partners`); null for a demo "
        "record."
    )
    text: str = strawberry.field(description="What is wrong and what would fix it, in words.")
    record_type: strawberry.Private[str]
    record_id: strawberry.Private[int]

    @strawberry.field(
        description="The record to fix (a member, partner or initiative; for an unlinked "
        "name, the initiative whose data names it). Edit it with its update mutation."
    )
    async def record(self, info: Info) -> relay.Node | None:
        return cast(
            relay.Node | None,
            await load_record(info, quality.ISSUE_RECORDS[self.record_type], self.record_id),
        )


@strawberry.type(description="An issue, with its cursor.")
class DataQualityIssueEdge:
    cursor: str = strawberry.field(description="Points at this issue; pass it as `after`.")
    node: DataQualityIssue = strawberry.field(description="The issue.")


@strawberry.type(description="A page of data-quality issues, by kind and then record name.")
class DataQualityIssueConnection(ConnectionFields):
    edges: list[DataQualityIssueEdge] = strawberry.field(description="The issues on this page.")


@strawberry.type(description="How many issues one kind has.")
class DataQualityCount:
    kind: DataQualityKind = strawberry.field(description="The kind of issue.")
    count: int = strawberry.field(description="How many issues of this kind there are.")


Kinds = Annotated[
    list[DataQualityKind] | None,
    strawberry.argument(description="Only these kinds; null or empty for all."),
]


def _kinds(kinds: list[DataQualityKind] | None) -> list[quality.IssueKind]:
    return [quality.IssueKind(cast(str, kind.value)) for kind in kinds or ()]


@strawberry.type(
    description="What to fix in the directory: records that lack a fact or rest on weak "
    "evidence, names the reference data could not link, and demo records. Archived records "
    "are left out."
)
class DataQuality:
    @strawberry.field(description="How many issues each kind has, in the list's order.")
    async def counts(self, info: Info, kinds: Kinds = None) -> list[DataQualityCount]:
        found = await quality.issue_counts(info.context.database, _kinds(kinds))
        return [
            DataQualityCount(kind=DataQualityKind(kind), count=count)
            for kind, count in found.items()
        ]

    @strawberry.field(
        description="The issues, by kind (in the order of `DataQualityKind`) and then by the "
        "record's name or title."
    )
    async def issues(
        self,
        info: Info,
        kinds: Kinds = None,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
    ) -> DataQualityIssueConnection:
        page = await quality.issue_page(
            info.context.database, _kinds(kinds), page_args(first, after)
        )
        return cast(DataQualityIssueConnection, page)


@strawberry.type
class QualityQueries:
    @strawberry.field(
        description="What to fix in the directory, by kind, each issue with the record to "
        "edit. Staff keys.",
        permission_classes=[StaffOnly],
    )
    def data_quality(self) -> DataQuality | None:
        return DataQuality()
