"""Initiative mutations: staff curate initiatives and who takes part in
them; a partner key proposes initiatives as drafts."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types.unset import UNSET

from db.models import PartnerRole as StoredPartnerRole
from db.models import Publication as StoredPublication
from schema.context import Info
from schema.descriptions import InitiativeFields
from schema.enums import (
    Confidence,
    InitiativeKind,
    InitiativeStatus,
    MemberRole,
    PartnerRole,
    Publication,
)
from schema.mutations.records import (
    CONFIDENCE,
    INPUT,
    PUBLICATION,
    SOURCES,
    STAFF,
    VERSION,
    YEARS,
    Key,
    PublicationInput,
    create,
    link,
    optional,
    set_publication,
    update,
)
from schema.payloads import InitiativePayload, user_errors

__all__ = [
    "InitiativeCreateInput",
    "InitiativeMemberInput",
    "InitiativeMutations",
    "InitiativePartnerInput",
    "InitiativeUpdateInput",
]

AT_MOST_300 = " At most 300 characters."
LAST_YEARS = YEARS + " Not before the first."


@strawberry.input(
    description="A new initiative. From a partner key it is a draft proposal, with the "
    "partner taking part."
)
class InitiativeCreateInput:
    title: str = strawberry.field(description=InitiativeFields.TITLE + AT_MOST_300)
    kind: InitiativeKind = strawberry.field(description=InitiativeFields.KIND)
    period: str | None = optional(InitiativeFields.PERIOD)
    start_year: int | None = optional(InitiativeFields.START_YEAR + YEARS)
    end_year: int | None = optional(InitiativeFields.END_YEAR + LAST_YEARS)
    status: InitiativeStatus | None = optional(InitiativeFields.STATUS + " Default: UNKNOWN.")
    summary: str | None = optional(InitiativeFields.SUMMARY)
    sources: list[str] | None = optional(SOURCES)
    confidence: Confidence | None = optional(CONFIDENCE)
    publication: Publication | None = optional(PUBLICATION)
    partner_role: PartnerRole | None = optional(
        "From a partner key: the partner's role in it (default COLLABORATOR)."
    )


@strawberry.input(description="Changes to an initiative: only the fields given change.")
class InitiativeUpdateInput:
    id: strawberry.ID = strawberry.field(description="The initiative's ID.")
    expected_version: int = strawberry.field(description=VERSION)
    title: str | None = optional(InitiativeFields.TITLE + AT_MOST_300)
    kind: InitiativeKind | None = optional(InitiativeFields.KIND)
    period: str | None = optional(InitiativeFields.PERIOD)
    start_year: int | None = optional(InitiativeFields.START_YEAR + YEARS)
    end_year: int | None = optional(InitiativeFields.END_YEAR + LAST_YEARS)
    status: InitiativeStatus | None = optional(InitiativeFields.STATUS)
    summary: str | None = optional(InitiativeFields.SUMMARY)
    sources: list[str] | None = optional(SOURCES)
    confidence: Confidence | None = optional(CONFIDENCE)


@strawberry.input(description="A member government's part in an initiative.")
class InitiativeMemberInput:
    initiative_id: strawberry.ID = strawberry.field(description="The initiative's ID.")
    member_id: strawberry.ID = strawberry.field(description="The member's ID.")
    role: MemberRole | None = optional("Its role (required to link; ignored to unlink).")


@strawberry.input(description="A partner's part in an initiative.")
class InitiativePartnerInput:
    initiative_id: strawberry.ID = strawberry.field(description="The initiative's ID.")
    partner_id: strawberry.ID = strawberry.field(description="The partner's ID.")
    role: PartnerRole | None = optional("Its role (required to link; ignored to unlink).")


@strawberry.type
class InitiativeMutations:
    """The initiative mutations, part of `Mutation`."""

    @strawberry.mutation(
        description="Add an initiative. Staff keys publish it; a partner key proposes it as a "
        "draft that staff review, with the partner taking part."
    )
    async def initiative_create(
        self,
        info: Info,
        input: Annotated[InitiativeCreateInput, INPUT],
        idempotency_key: Key = None,
    ) -> InitiativePayload:
        role = (
            StoredPartnerRole(str(input.partner_role.value))
            if input.partner_role not in (UNSET, None)
            else StoredPartnerRole.COLLABORATOR
        )
        result = await create(info, "Initiative", input, idempotency_key, partner_role=role)
        return _initiative(result)

    @strawberry.mutation(description="Change an initiative." + STAFF)
    async def initiative_update(
        self, info: Info, input: Annotated[InitiativeUpdateInput, INPUT]
    ) -> InitiativePayload:
        return _initiative(await update(info, "Initiative", input))

    @strawberry.mutation(description="Archive an initiative." + STAFF)
    async def initiative_archive(
        self, info: Info, input: Annotated[PublicationInput, INPUT]
    ) -> InitiativePayload:
        result = await set_publication(info, "Initiative", input, StoredPublication.ARCHIVED)
        return _initiative(result)

    @strawberry.mutation(description="Publish an archived or draft initiative." + STAFF)
    async def initiative_restore(
        self, info: Info, input: Annotated[PublicationInput, INPUT]
    ) -> InitiativePayload:
        result = await set_publication(info, "Initiative", input, StoredPublication.PUBLISHED)
        return _initiative(result)

    @strawberry.mutation(
        description="Link a member to an initiative with a role (or change its role)." + STAFF
    )
    async def initiative_member_link(
        self, info: Info, input: Annotated[InitiativeMemberInput, INPUT]
    ) -> InitiativePayload:
        return _initiative(await link(info, "member", input, unlink=False))

    @strawberry.mutation(description="Remove a member from an initiative." + STAFF)
    async def initiative_member_unlink(
        self, info: Info, input: Annotated[InitiativeMemberInput, INPUT]
    ) -> InitiativePayload:
        return _initiative(await link(info, "member", input, unlink=True))

    @strawberry.mutation(
        description="Link a partner to an initiative with a role (or change its role)." + STAFF
    )
    async def initiative_partner_link(
        self, info: Info, input: Annotated[InitiativePartnerInput, INPUT]
    ) -> InitiativePayload:
        return _initiative(await link(info, "partner", input, unlink=False))

    @strawberry.mutation(description="Remove a partner from an initiative." + STAFF)
    async def initiative_partner_unlink(
        self, info: Info, input: Annotated[InitiativePartnerInput, INPUT]
    ) -> InitiativePayload:
        return _initiative(await link(info, "partner", input, unlink=True))


def _initiative(result: Any) -> InitiativePayload:
    return InitiativePayload(initiative=result.record, user_errors=user_errors(result.errors))
