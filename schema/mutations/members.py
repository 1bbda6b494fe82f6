"""Member mutations: staff add, change, archive and restore member
governments."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from db.models import Publication as StoredPublication
from schema.context import Info
from schema.descriptions import MemberFields, RecordFields
from schema.enums import Confidence, MemberKind, MemberStatus, Publication
from schema.mutations.records import (
    AT_MOST_200,
    CONFIDENCE,
    INPUT,
    LATITUDES,
    LONGITUDES,
    PUBLICATION,
    SOURCES,
    STAFF,
    VERSION,
    YEARS,
    Key,
    PublicationInput,
    create,
    optional,
    set_publication,
    update,
)
from schema.payloads import MemberPayload, user_errors

__all__ = ["MemberCreateInput", "MemberMutations", "MemberUpdateInput"]

REGION_ID = "The world region's ID."


@strawberry.input(description="A new member government.")
class MemberCreateInput:
    name: str = strawberry.field(description=MemberFields.NAME + AT_MOST_200)
    country: str = strawberry.field(description=MemberFields.COUNTRY)
    region_id: strawberry.ID = strawberry.field(description=REGION_ID)
    kind: MemberKind = strawberry.field(description=MemberFields.KIND)
    short_name: str | None = optional(MemberFields.SHORT_NAME + " Default: derived from the name.")
    country_name: str | None = optional(MemberFields.COUNTRY_NAME + " Default: from the code.")
    status: MemberStatus | None = optional(MemberFields.STATUS + " Default: ACTIVE.")
    joined_year: int | None = optional(MemberFields.JOINED_YEAR + YEARS)
    latitude: float | None = optional(MemberFields.LATITUDE + LATITUDES)
    longitude: float | None = optional(MemberFields.LONGITUDE + LONGITUDES)
    population: int | None = optional(MemberFields.POPULATION)
    website: str | None = optional(RecordFields.WEBSITE + RecordFields.WEBSITE_URL)
    evidence: str | None = optional(MemberFields.EVIDENCE)
    sources: list[str] | None = optional(SOURCES)
    confidence: Confidence | None = optional(CONFIDENCE)
    publication: Publication | None = optional(PUBLICATION)


@strawberry.input(description="Changes to a member government: only the fields given change.")
class MemberUpdateInput:
    id: strawberry.ID = strawberry.field(description="The member's ID.")
    expected_version: int = strawberry.field(description=VERSION)
    name: str | None = optional(MemberFields.NAME + AT_MOST_200)
    short_name: str | None = optional(MemberFields.SHORT_NAME)
    country: str | None = optional(MemberFields.COUNTRY)
    country_name: str | None = optional(MemberFields.COUNTRY_NAME)
    region_id: strawberry.ID | None = optional(REGION_ID)
    kind: MemberKind | None = optional(MemberFields.KIND)
    status: MemberStatus | None = optional(MemberFields.STATUS)
    joined_year: int | None = optional(MemberFields.JOINED_YEAR + YEARS)
    latitude: float | None = optional(MemberFields.LATITUDE + LATITUDES)
    longitude: float | None = optional(MemberFields.LONGITUDE + LONGITUDES)
    population: int | None = optional(MemberFields.POPULATION)
    website: str | None = optional(RecordFields.WEBSITE + RecordFields.WEBSITE_URL)
    evidence: str | None = optional(MemberFields.EVIDENCE)
    sources: list[str] | None = optional(SOURCES)
    confidence: Confidence | None = optional(CONFIDENCE)


@strawberry.type
class MemberMutations:
    """The member mutations, part of `Mutation`."""

    @strawberry.mutation(description="Add a member government." + STAFF)
    async def member_create(
        self, info: Info, input: Annotated[MemberCreateInput, INPUT], idempotency_key: Key = None
    ) -> MemberPayload:
        return _member(await create(info, "Member", input, idempotency_key))

    @strawberry.mutation(description="Change a member government." + STAFF)
    async def member_update(
        self, info: Info, input: Annotated[MemberUpdateInput, INPUT]
    ) -> MemberPayload:
        return _member(await update(info, "Member", input))

    @strawberry.mutation(description="Archive a member: only staff see it then." + STAFF)
    async def member_archive(
        self, info: Info, input: Annotated[PublicationInput, INPUT]
    ) -> MemberPayload:
        return _member(await set_publication(info, "Member", input, StoredPublication.ARCHIVED))

    @strawberry.mutation(description="Publish an archived or draft member again." + STAFF)
    async def member_restore(
        self, info: Info, input: Annotated[PublicationInput, INPUT]
    ) -> MemberPayload:
        return _member(await set_publication(info, "Member", input, StoredPublication.PUBLISHED))


def _member(result: Any) -> MemberPayload:
    return MemberPayload(member=result.record, user_errors=user_errors(result.errors))
