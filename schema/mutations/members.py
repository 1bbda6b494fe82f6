"""Member mutations: staff add, change, archive and restore member
governments."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from db.models import Publication as StoredPublication
from schema.context import Info
from schema.enums import Confidence, MemberKind, MemberStatus, Publication
from schema.mutations.records import (
    CONFIDENCE,
    INPUT,
    PUBLICATION,
    SOURCES,
    STAFF,
    VERSION,
    Key,
    PublicationInput,
    create,
    optional,
    set_publication,
    update,
)
from schema.payloads import MemberPayload, user_errors

__all__ = ["MemberCreateInput", "MemberMutations", "MemberUpdateInput"]


@strawberry.input(description="A new member government.")
class MemberCreateInput:
    name: str = strawberry.field(description="The full name (at most 200 characters).")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    region_id: strawberry.ID = strawberry.field(description="The world region's ID.")
    kind: MemberKind = strawberry.field(description="The kind of government.")
    short_name: str | None = optional("The name without qualifier (default: derived from name).")
    country_name: str | None = optional("The country's name (default: from the code).")
    status: MemberStatus | None = optional("Current or former member (default ACTIVE).")
    joined_year: int | None = optional("The year it joined (1900-2100).")
    latitude: float | None = optional("Latitude, -90 to 90.")
    longitude: float | None = optional("Longitude, -180 to 180.")
    population: int | None = optional("The (core) city's population.")
    website: str | None = optional("Its website (http(s) URL).")
    evidence: str | None = optional("The statement that confirms its membership.")
    sources: list[str] | None = optional(SOURCES)
    confidence: Confidence | None = optional(CONFIDENCE)
    publication: Publication | None = optional(PUBLICATION)


@strawberry.input(description="Changes to a member government: only the fields given change.")
class MemberUpdateInput:
    id: strawberry.ID = strawberry.field(description="The member's ID.")
    expected_version: int = strawberry.field(description=VERSION)
    name: str | None = optional("The full name.")
    short_name: str | None = optional("The name without qualifier.")
    country: str | None = optional("ISO 3166-1 alpha-2 country code.")
    country_name: str | None = optional("The country's name.")
    region_id: strawberry.ID | None = optional("The world region's ID.")
    kind: MemberKind | None = optional("The kind of government.")
    status: MemberStatus | None = optional("Current or former member.")
    joined_year: int | None = optional("The year it joined (1900-2100).")
    latitude: float | None = optional("Latitude, -90 to 90.")
    longitude: float | None = optional("Longitude, -180 to 180.")
    population: int | None = optional("The (core) city's population.")
    website: str | None = optional("Its website (http(s) URL).")
    evidence: str | None = optional("The statement that confirms its membership.")
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
