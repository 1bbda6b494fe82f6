"""Partner mutations: staff curate partners; a partner key keeps its own
profile current."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from db.models import Publication as StoredPublication
from schema.context import Info
from schema.descriptions import PartnerFields, RecordFields
from schema.enums import Confidence, PartnerKind, Publication
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
    Key,
    PublicationInput,
    create,
    optional,
    set_publication,
    update,
)
from schema.payloads import PartnerPayload, user_errors

__all__ = ["PartnerCreateInput", "PartnerMutations", "PartnerUpdateInput"]


@strawberry.input(description="A new partner organisation.")
class PartnerCreateInput:
    name: str = strawberry.field(description=PartnerFields.NAME + AT_MOST_200)
    kind: PartnerKind = strawberry.field(description=PartnerFields.KIND)
    sector: str | None = optional(PartnerFields.SECTOR + AT_MOST_200)
    country: str | None = optional(PartnerFields.COUNTRY)
    website: str | None = optional(RecordFields.WEBSITE + RecordFields.WEBSITE_URL)
    description: str | None = optional(PartnerFields.DESCRIPTION)
    period: str | None = optional(PartnerFields.PERIOD)
    latitude: float | None = optional(PartnerFields.LATITUDE + LATITUDES)
    longitude: float | None = optional(PartnerFields.LONGITUDE + LONGITUDES)
    contact_name: str | None = optional("The contact person.")
    contact_email: str | None = optional("Contact email address.")
    contact_phone: str | None = optional("Contact phone number.")
    sources: list[str] | None = optional(SOURCES)
    confidence: Confidence | None = optional(CONFIDENCE)
    publication: Publication | None = optional(PUBLICATION)


@strawberry.input(description="Changes to a partner: only the fields given change.")
class PartnerUpdateInput:
    id: strawberry.ID = strawberry.field(description="The partner's ID.")
    expected_version: int = strawberry.field(description=VERSION)
    name: str | None = optional(PartnerFields.NAME + AT_MOST_200)
    kind: PartnerKind | None = optional(PartnerFields.KIND + RecordFields.STAFF_ONLY)
    sector: str | None = optional(PartnerFields.SECTOR + AT_MOST_200)
    country: str | None = optional(PartnerFields.COUNTRY)
    website: str | None = optional(RecordFields.WEBSITE + RecordFields.WEBSITE_URL)
    description: str | None = optional(PartnerFields.DESCRIPTION)
    period: str | None = optional(PartnerFields.PERIOD + RecordFields.STAFF_ONLY)
    latitude: float | None = optional(PartnerFields.LATITUDE + LATITUDES)
    longitude: float | None = optional(PartnerFields.LONGITUDE + LONGITUDES)
    contact_name: str | None = optional("The contact person.")
    contact_email: str | None = optional("Contact email address.")
    contact_phone: str | None = optional("Contact phone number.")
    sources: list[str] | None = optional(SOURCES + RecordFields.STAFF_ONLY)
    confidence: Confidence | None = optional(CONFIDENCE + RecordFields.STAFF_ONLY)


@strawberry.type
class PartnerMutations:
    """The partner mutations, part of `Mutation`."""

    @strawberry.mutation(description="Add a partner organisation." + STAFF)
    async def partner_create(
        self, info: Info, input: Annotated[PartnerCreateInput, INPUT], idempotency_key: Key = None
    ) -> PartnerPayload:
        return _partner(await create(info, "Partner", input, idempotency_key))

    @strawberry.mutation(
        description="Change a partner. Staff change any; a partner key its own profile "
        "(name, sector, country, website, description, coordinates, contact details)."
    )
    async def partner_update(
        self, info: Info, input: Annotated[PartnerUpdateInput, INPUT]
    ) -> PartnerPayload:
        return _partner(await update(info, "Partner", input))

    @strawberry.mutation(description="Archive a partner." + STAFF)
    async def partner_archive(
        self, info: Info, input: Annotated[PublicationInput, INPUT]
    ) -> PartnerPayload:
        return _partner(await set_publication(info, "Partner", input, StoredPublication.ARCHIVED))

    @strawberry.mutation(description="Publish an archived or draft partner again." + STAFF)
    async def partner_restore(
        self, info: Info, input: Annotated[PublicationInput, INPUT]
    ) -> PartnerPayload:
        return _partner(await set_publication(info, "Partner", input, StoredPublication.PUBLISHED))


def _partner(result: Any) -> PartnerPayload:
    return PartnerPayload(partner=result.record, user_errors=user_errors(result.errors))
