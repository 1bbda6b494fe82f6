"""Mutations: staff curate members, partners and initiatives and their links;
a partner key keeps its own profile current and proposes initiatives; admins
manage API keys.

Shopify style: `xCreate / xUpdate / xArchive / xRestore`, one `input:`, and a
payload with the object and `userErrors { field message code }`. Bad input is
always a userError; top-level errors are for denied access.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any

import strawberry
from strawberry.types.unset import UNSET
from strawberry.utils.str_converters import to_camel_case

from db.models import PartnerRole as StoredPartnerRole
from db.models import Publication as StoredPublication
from db.models import Role as StoredRole
from resolvers import writes
from resolvers.access import keys as api_keys
from resolvers.errors import UserInputError
from schema.context import Info
from schema.enums import (
    Confidence,
    InitiativeKind,
    InitiativeStatus,
    MemberKind,
    MemberRole,
    MemberStatus,
    PartnerKind,
    PartnerRole,
    Publication,
)
from schema.imports import ImportMutations
from schema.initiatives import Initiative
from schema.members import Member
from schema.nodes import parse_id
from schema.partners import Partner
from schema.permissions import AdminOnly
from schema.subgraphs import SubgraphMutations

__all__ = ["Mutation"]


@strawberry.enum(description="What was wrong with a mutation's input.")
class UserErrorCode(enum.Enum):
    REQUIRED = strawberry.enum_value("REQUIRED", description="A required field is missing.")
    TOO_LONG = strawberry.enum_value("TOO_LONG", description="A value is too long.")
    INVALID = strawberry.enum_value("INVALID", description="A value is not valid.")
    INVALID_ID = strawberry.enum_value("INVALID_ID", description="An ID is not from this API.")
    WRONG_ID_TYPE = strawberry.enum_value(
        "WRONG_ID_TYPE", description="An ID names an object of the wrong type."
    )
    INVALID_URL = strawberry.enum_value("INVALID_URL", description="Not an http(s) URL.")
    INVALID_EMAIL = strawberry.enum_value("INVALID_EMAIL", description="Not an email address.")
    INVALID_COUNTRY = strawberry.enum_value(
        "INVALID_COUNTRY", description="Not an ISO 3166-1 alpha-2 country code."
    )
    INVALID_NAME = strawberry.enum_value("INVALID_NAME", description="Not a valid name.")
    INVALID_KEY_ROLE = strawberry.enum_value(
        "INVALID_KEY_ROLE", description="A key's role and partner do not fit together."
    )
    OUT_OF_RANGE = strawberry.enum_value(
        "OUT_OF_RANGE", description="A number or year is out of its range."
    )
    NOT_FOUND = strawberry.enum_value("NOT_FOUND", description="A referenced record is missing.")
    VERSION_CONFLICT = strawberry.enum_value(
        "VERSION_CONFLICT",
        description="Someone changed the record since the version you sent: reload it.",
    )
    FORBIDDEN = strawberry.enum_value("FORBIDDEN", description="This field is not yours to change.")
    DUPLICATE = strawberry.enum_value(
        "DUPLICATE", description="An import file names the same record twice."
    )
    AMBIGUOUS = strawberry.enum_value(
        "AMBIGUOUS", description="An import row's name matches more than one record."
    )
    MALFORMED = strawberry.enum_value(
        "MALFORMED", description="An import file (or row) cannot be read: not CSV or JSON."
    )
    TOO_LARGE = strawberry.enum_value(
        "TOO_LARGE", description="An import file has too many bytes or rows."
    )


@strawberry.type(description="A problem with a mutation's input.")
class UserError:
    field: list[str] = strawberry.field(
        description="Where the problem is: the path to the input field (e.g. `input`, `name`)."
    )
    message: str = strawberry.field(description="What was wrong, and what to do instead.")
    code: UserErrorCode = strawberry.field(description="The kind of problem, for programs.")


_ERRORS = "Problems with the input; empty when the mutation applied."
_VERSION = "The `version` you last read: the change applies only if it is still current."


@strawberry.type(description="The outcome of a member mutation.")
class MemberPayload:
    member: Member | None = strawberry.field(description="The member, as it is now.")
    user_errors: list[UserError] = strawberry.field(description=_ERRORS)


@strawberry.type(description="The outcome of a partner mutation.")
class PartnerPayload:
    partner: Partner | None = strawberry.field(description="The partner, as it is now.")
    user_errors: list[UserError] = strawberry.field(description=_ERRORS)


@strawberry.type(description="The outcome of an initiative mutation.")
class InitiativePayload:
    initiative: Initiative | None = strawberry.field(description="The initiative, as it is now.")
    user_errors: list[UserError] = strawberry.field(description=_ERRORS)


def _opt(description: str) -> Any:
    return strawberry.field(default=UNSET, description=description)


_SOURCES = "Public pages that state the facts (http(s) URLs, at most 20)."
_CONFIDENCE = "How sure the facts are (default HIGH)."
_PUBLICATION = "Who can see it (staff only; default PUBLISHED)."


@strawberry.input(description="A new member government.")
class MemberCreateInput:
    name: str = strawberry.field(description="The full name (at most 200 characters).")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    region_id: strawberry.ID = strawberry.field(description="The world region's ID.")
    kind: MemberKind = strawberry.field(description="The kind of government.")
    short_name: str | None = _opt("The name without qualifier (default: derived from name).")
    country_name: str | None = _opt("The country's name (default: from the code).")
    status: MemberStatus | None = _opt("Current or former member (default ACTIVE).")
    joined_year: int | None = _opt("The year it joined (1900-2100).")
    latitude: float | None = _opt("Latitude, -90 to 90.")
    longitude: float | None = _opt("Longitude, -180 to 180.")
    population: int | None = _opt("The (core) city's population.")
    website: str | None = _opt("Its website (http(s) URL).")
    evidence: str | None = _opt("The statement that confirms its membership.")
    sources: list[str] | None = _opt(_SOURCES)
    confidence: Confidence | None = _opt(_CONFIDENCE)
    publication: Publication | None = _opt(_PUBLICATION)


@strawberry.input(description="Changes to a member government: only the fields given change.")
class MemberUpdateInput:
    id: strawberry.ID = strawberry.field(description="The member's ID.")
    expected_version: int = strawberry.field(description=_VERSION)
    name: str | None = _opt("The full name.")
    short_name: str | None = _opt("The name without qualifier.")
    country: str | None = _opt("ISO 3166-1 alpha-2 country code.")
    country_name: str | None = _opt("The country's name.")
    region_id: strawberry.ID | None = _opt("The world region's ID.")
    kind: MemberKind | None = _opt("The kind of government.")
    status: MemberStatus | None = _opt("Current or former member.")
    joined_year: int | None = _opt("The year it joined (1900-2100).")
    latitude: float | None = _opt("Latitude, -90 to 90.")
    longitude: float | None = _opt("Longitude, -180 to 180.")
    population: int | None = _opt("The (core) city's population.")
    website: str | None = _opt("Its website (http(s) URL).")
    evidence: str | None = _opt("The statement that confirms its membership.")
    sources: list[str] | None = _opt(_SOURCES)
    confidence: Confidence | None = _opt(_CONFIDENCE)


@strawberry.input(description="A new partner organisation.")
class PartnerCreateInput:
    name: str = strawberry.field(description="The name (at most 200 characters).")
    kind: PartnerKind = strawberry.field(description="The kind of organisation.")
    sector: str | None = _opt("Its type in its own words.")
    country: str | None = _opt("ISO 3166-1 alpha-2 country code.")
    website: str | None = _opt("Its website (http(s) URL).")
    description: str | None = _opt("Its relationship with Metropolis.")
    period: str | None = _opt("The years the relationship is documented for.")
    latitude: float | None = _opt("Latitude of its office, -90 to 90.")
    longitude: float | None = _opt("Longitude of its office, -180 to 180.")
    contact_name: str | None = _opt("The contact person.")
    contact_email: str | None = _opt("Contact email address.")
    contact_phone: str | None = _opt("Contact phone number.")
    sources: list[str] | None = _opt(_SOURCES)
    confidence: Confidence | None = _opt(_CONFIDENCE)
    publication: Publication | None = _opt(_PUBLICATION)


@strawberry.input(description="Changes to a partner: only the fields given change.")
class PartnerUpdateInput:
    id: strawberry.ID = strawberry.field(description="The partner's ID.")
    expected_version: int = strawberry.field(description=_VERSION)
    name: str | None = _opt("The name.")
    kind: PartnerKind | None = _opt("The kind of organisation (staff only).")
    sector: str | None = _opt("Its type in its own words.")
    country: str | None = _opt("ISO 3166-1 alpha-2 country code.")
    website: str | None = _opt("Its website (http(s) URL).")
    description: str | None = _opt("Its relationship with Metropolis.")
    period: str | None = _opt("The years the relationship is documented for (staff only).")
    latitude: float | None = _opt("Latitude of its office.")
    longitude: float | None = _opt("Longitude of its office.")
    contact_name: str | None = _opt("The contact person.")
    contact_email: str | None = _opt("Contact email address.")
    contact_phone: str | None = _opt("Contact phone number.")
    sources: list[str] | None = _opt(_SOURCES + " Staff only.")
    confidence: Confidence | None = _opt(_CONFIDENCE + " Staff only.")


@strawberry.input(
    description="A new initiative. From a partner key it is a draft proposal, with the "
    "partner taking part."
)
class InitiativeCreateInput:
    title: str = strawberry.field(description="The title (at most 300 characters).")
    kind: InitiativeKind = strawberry.field(description="Initiative or pilot project.")
    period: str | None = _opt("Its period in words (e.g. `2024-2026`).")
    start_year: int | None = _opt("The first year (1900-2100).")
    end_year: int | None = _opt("The last year, not before the first.")
    status: InitiativeStatus | None = _opt("Where it stands (default UNKNOWN).")
    summary: str | None = _opt("Its topic.")
    sources: list[str] | None = _opt(_SOURCES)
    confidence: Confidence | None = _opt(_CONFIDENCE)
    publication: Publication | None = _opt(_PUBLICATION)
    partner_role: PartnerRole | None = _opt(
        "From a partner key: the partner's role in it (default COLLABORATOR)."
    )


@strawberry.input(description="Changes to an initiative: only the fields given change.")
class InitiativeUpdateInput:
    id: strawberry.ID = strawberry.field(description="The initiative's ID.")
    expected_version: int = strawberry.field(description=_VERSION)
    title: str | None = _opt("The title.")
    kind: InitiativeKind | None = _opt("Initiative or pilot project.")
    period: str | None = _opt("Its period in words.")
    start_year: int | None = _opt("The first year.")
    end_year: int | None = _opt("The last year.")
    status: InitiativeStatus | None = _opt("Where it stands.")
    summary: str | None = _opt("Its topic.")
    sources: list[str] | None = _opt(_SOURCES)
    confidence: Confidence | None = _opt(_CONFIDENCE)


@strawberry.input(description="Archive or restore a record.")
class PublicationInput:
    id: strawberry.ID = strawberry.field(description="The record's ID.")
    expected_version: int = strawberry.field(description=_VERSION)


@strawberry.input(description="A member government's part in an initiative.")
class InitiativeMemberInput:
    initiative_id: strawberry.ID = strawberry.field(description="The initiative's ID.")
    member_id: strawberry.ID = strawberry.field(description="The member's ID.")
    role: MemberRole | None = _opt("Its role (required to link; ignored to unlink).")


@strawberry.input(description="A partner's part in an initiative.")
class InitiativePartnerInput:
    initiative_id: strawberry.ID = strawberry.field(description="The initiative's ID.")
    partner_id: strawberry.ID = strawberry.field(description="The partner's ID.")
    role: PartnerRole | None = _opt("Its role (required to link; ignored to unlink).")


@strawberry.enum(description="What an API key may do.")
class KeyRole(enum.Enum):
    PARTNER = strawberry.enum_value(
        "partner", description="A partner app: reads contacts, edits its own profile."
    )
    STAFF = strawberry.enum_value("staff", description="Metropolis staff: curate everything.")
    ADMIN = strawberry.enum_value("admin", description="Staff who also manage API keys.")


@strawberry.input(description="A new API key.")
class ApiKeyCreateInput:
    name: str = strawberry.field(description="Who or what the key is for.")
    role: KeyRole = strawberry.field(description="What the key may do.")
    partner_id: strawberry.ID | None = _opt("The partner a PARTNER key belongs to.")


@strawberry.input(description="An existing API key.")
class ApiKeyInput:
    id: int = strawberry.field(description="The key's number (from `apiKeys`).")


@strawberry.type(description="An API key, without its secret.")
class ApiKey:
    id: int = strawberry.field(description="The key's number.")
    name: str = strawberry.field(description="Who or what the key is for.")
    role: str = strawberry.field(description="What the key may do.")


@strawberry.type(description="The outcome of an API key mutation.")
class ApiKeyPayload:
    key: str | None = strawberry.field(
        description="The new key: shown this once, never again. Keep it secret."
    )
    api_key: ApiKey | None = strawberry.field(description="The key's details.")
    user_errors: list[UserError] = strawberry.field(description=_ERRORS)


# Input fields that hold global IDs: field -> (resolver field name, type).
ID_FIELDS = {
    "regionId": ("region", "Region"),
}
NOT_FIELDS = {"id", "expectedVersion", "partnerRole"}


def _user_errors(errors: list[writes.UserError]) -> list[UserError]:
    return [
        UserError(field=list(e.field), message=e.message, code=UserErrorCode(e.code))
        for e in errors
    ]


def _values(data: Any) -> tuple[dict[str, Any], list[writes.UserError]]:
    """An input's given fields, by API name, with IDs resolved to keys."""
    values: dict[str, Any] = {}
    errors: list[writes.UserError] = []
    for name, value in vars(data).items():
        if value is UNSET:
            continue
        api_name = to_camel_case(name)
        if api_name in NOT_FIELDS:
            continue
        if api_name in ID_FIELDS and value is not None:
            target, type_name = ID_FIELDS[api_name]
            try:
                _, _, values[target] = parse_id(str(value), type_name)
            except UserInputError as error:
                errors.append(writes.UserError(("input", api_name), error.message, error.code))
            continue
        values[api_name] = value.value if isinstance(value, enum.Enum) else value
    return values, errors


def _id(value: str, type_name: str, field: str = "id") -> tuple[int | None, list[writes.UserError]]:
    try:
        return parse_id(str(value), type_name)[2], []
    except UserInputError as error:
        return None, [writes.UserError(("input", field), error.message, error.code)]


def _ctx(info: Info) -> writes.WriteContext:
    context = info.context
    return writes.WriteContext(context.database, context.principal, context.request_id)


async def _create(info: Info, type_name: str, data: Any, key: str | None, **extra: Any) -> Any:
    values, errors = _values(data)
    if errors:
        return writes.WriteResult(errors=errors)
    return await writes.create(_ctx(info), type_name, values, idempotency_key=key, **extra)


async def _update(info: Info, type_name: str, data: Any) -> Any:
    pk, id_errors = _id(data.id, type_name)
    values, errors = _values(data)
    if pk is None or errors:
        return writes.WriteResult(errors=id_errors + errors)
    return await writes.update(_ctx(info), type_name, pk, data.expected_version, values)


async def _publication(
    info: Info, type_name: str, data: PublicationInput, publication: StoredPublication
) -> Any:
    pk, errors = _id(data.id, type_name)
    if pk is None:
        return writes.WriteResult(errors=errors)
    return await writes.set_publication(
        _ctx(info), type_name, pk, data.expected_version, publication
    )


async def _link(info: Info, kind: str, data: Any, *, unlink: bool) -> Any:
    type_name = kind.capitalize()
    initiative_id, errors = _id(data.initiative_id, "Initiative", "initiativeId")
    other_id, other_errors = _id(getattr(data, f"{kind}_id"), type_name, f"{kind}Id")
    if initiative_id is None or other_id is None:
        return writes.WriteResult(errors=errors + other_errors)
    if unlink:
        return await writes.unlink(_ctx(info), kind, initiative_id, other_id)
    role = None if data.role is UNSET or data.role is None else data.role.value
    return await writes.link(_ctx(info), kind, initiative_id, other_id, role)


def _member(result: Any) -> MemberPayload:
    return MemberPayload(member=result.record, user_errors=_user_errors(result.errors))


def _partner(result: Any) -> PartnerPayload:
    return PartnerPayload(partner=result.record, user_errors=_user_errors(result.errors))


def _initiative(result: Any) -> InitiativePayload:
    return InitiativePayload(initiative=result.record, user_errors=_user_errors(result.errors))


Key = Annotated[
    str | None,
    strawberry.argument(
        description="Any unique text (at most 200 characters): a retried create with the same "
        "key applies once and answers with the record the first call created."
    ),
]
_STAFF = " Staff keys."
INPUT = strawberry.argument(description="What to do: see the input type's fields.")


@strawberry.type(description="Changes to the network graph. Every write needs an API key.")
class Mutation(ImportMutations, SubgraphMutations):
    @strawberry.mutation(description="Add a member government." + _STAFF)
    async def member_create(
        self, info: Info, input: Annotated[MemberCreateInput, INPUT], idempotency_key: Key = None
    ) -> MemberPayload:
        return _member(await _create(info, "Member", input, idempotency_key))

    @strawberry.mutation(description="Change a member government." + _STAFF)
    async def member_update(
        self, info: Info, input: Annotated[MemberUpdateInput, INPUT]
    ) -> MemberPayload:
        return _member(await _update(info, "Member", input))

    @strawberry.mutation(description="Archive a member: only staff see it then." + _STAFF)
    async def member_archive(
        self, info: Info, input: Annotated[PublicationInput, INPUT]
    ) -> MemberPayload:
        return _member(await _publication(info, "Member", input, StoredPublication.ARCHIVED))

    @strawberry.mutation(description="Publish an archived or draft member again." + _STAFF)
    async def member_restore(
        self, info: Info, input: Annotated[PublicationInput, INPUT]
    ) -> MemberPayload:
        return _member(await _publication(info, "Member", input, StoredPublication.PUBLISHED))

    @strawberry.mutation(description="Add a partner organisation." + _STAFF)
    async def partner_create(
        self, info: Info, input: Annotated[PartnerCreateInput, INPUT], idempotency_key: Key = None
    ) -> PartnerPayload:
        return _partner(await _create(info, "Partner", input, idempotency_key))

    @strawberry.mutation(
        description="Change a partner. Staff change any; a partner key its own profile "
        "(name, sector, country, website, description, coordinates, contact details)."
    )
    async def partner_update(
        self, info: Info, input: Annotated[PartnerUpdateInput, INPUT]
    ) -> PartnerPayload:
        return _partner(await _update(info, "Partner", input))

    @strawberry.mutation(description="Archive a partner." + _STAFF)
    async def partner_archive(
        self, info: Info, input: Annotated[PublicationInput, INPUT]
    ) -> PartnerPayload:
        return _partner(await _publication(info, "Partner", input, StoredPublication.ARCHIVED))

    @strawberry.mutation(description="Publish an archived or draft partner again." + _STAFF)
    async def partner_restore(
        self, info: Info, input: Annotated[PublicationInput, INPUT]
    ) -> PartnerPayload:
        return _partner(await _publication(info, "Partner", input, StoredPublication.PUBLISHED))

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
        result = await _create(info, "Initiative", input, idempotency_key, partner_role=role)
        return _initiative(result)

    @strawberry.mutation(description="Change an initiative." + _STAFF)
    async def initiative_update(
        self, info: Info, input: Annotated[InitiativeUpdateInput, INPUT]
    ) -> InitiativePayload:
        return _initiative(await _update(info, "Initiative", input))

    @strawberry.mutation(description="Archive an initiative." + _STAFF)
    async def initiative_archive(
        self, info: Info, input: Annotated[PublicationInput, INPUT]
    ) -> InitiativePayload:
        result = await _publication(info, "Initiative", input, StoredPublication.ARCHIVED)
        return _initiative(result)

    @strawberry.mutation(description="Publish an archived or draft initiative." + _STAFF)
    async def initiative_restore(
        self, info: Info, input: Annotated[PublicationInput, INPUT]
    ) -> InitiativePayload:
        result = await _publication(info, "Initiative", input, StoredPublication.PUBLISHED)
        return _initiative(result)

    @strawberry.mutation(
        description="Link a member to an initiative with a role (or change its role)." + _STAFF
    )
    async def initiative_member_link(
        self, info: Info, input: Annotated[InitiativeMemberInput, INPUT]
    ) -> InitiativePayload:
        return _initiative(await _link(info, "member", input, unlink=False))

    @strawberry.mutation(description="Remove a member from an initiative." + _STAFF)
    async def initiative_member_unlink(
        self, info: Info, input: Annotated[InitiativeMemberInput, INPUT]
    ) -> InitiativePayload:
        return _initiative(await _link(info, "member", input, unlink=True))

    @strawberry.mutation(
        description="Link a partner to an initiative with a role (or change its role)." + _STAFF
    )
    async def initiative_partner_link(
        self, info: Info, input: Annotated[InitiativePartnerInput, INPUT]
    ) -> InitiativePayload:
        return _initiative(await _link(info, "partner", input, unlink=False))

    @strawberry.mutation(description="Remove a partner from an initiative." + _STAFF)
    async def initiative_partner_unlink(
        self, info: Info, input: Annotated[InitiativePartnerInput, INPUT]
    ) -> InitiativePayload:
        return _initiative(await _link(info, "partner", input, unlink=True))

    @strawberry.mutation(
        description="Create an API key. The payload shows it once.",
        permission_classes=[AdminOnly],
    )
    async def api_key_create(
        self, info: Info, input: Annotated[ApiKeyCreateInput, INPUT]
    ) -> ApiKeyPayload:
        partner_id = None
        if input.partner_id not in (UNSET, None):
            partner_id, errors = _id(str(input.partner_id), "Partner", "partnerId")
            if partner_id is None:
                return ApiKeyPayload(key=None, api_key=None, user_errors=_user_errors(errors))
        try:
            issued = await api_keys.issue_key(
                info.context.database,
                name=input.name,
                role=StoredRole(str(input.role.value)),
                partner_id=partner_id,
            )
        except UserInputError as error:
            failure = writes.UserError(("input",), error.message, error.code)
            return ApiKeyPayload(key=None, api_key=None, user_errors=_user_errors([failure]))
        details = ApiKey(id=issued.id, name=issued.name, role=issued.role)
        return ApiKeyPayload(key=issued.key, api_key=details, user_errors=[])

    @strawberry.mutation(
        description="Replace a key: a new key with the same role, and the old one revoked.",
        permission_classes=[AdminOnly],
    )
    async def api_key_rotate(
        self, info: Info, input: Annotated[ApiKeyInput, INPUT]
    ) -> ApiKeyPayload:
        issued = await api_keys.rotate_key(info.context.database, input.id)
        if issued is None:
            return _no_key()
        details = ApiKey(id=issued.id, name=issued.name, role=issued.role)
        return ApiKeyPayload(key=issued.key, api_key=details, user_errors=[])

    @strawberry.mutation(
        description="Revoke a key: refused from the next request on.",
        permission_classes=[AdminOnly],
    )
    async def api_key_revoke(
        self, info: Info, input: Annotated[ApiKeyInput, INPUT]
    ) -> ApiKeyPayload:
        if not await api_keys.revoke_key(info.context.database, input.id):
            return _no_key()
        return ApiKeyPayload(key=None, api_key=None, user_errors=[])


def _no_key() -> ApiKeyPayload:
    error = writes.UserError(("input", "id"), "No live key has this number.", "NOT_FOUND")
    return ApiKeyPayload(key=None, api_key=None, user_errors=_user_errors([error]))
