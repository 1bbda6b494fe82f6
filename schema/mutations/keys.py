"""API key mutations: admins create, rotate and revoke the keys that
callers send (and list them with `apiKeys`, in `schema.keys`)."""

from __future__ import annotations

import enum
from typing import Annotated

import strawberry
from strawberry.types.unset import UNSET

from db.models import Role as StoredRole
from resolvers import writes
from resolvers.access import keys as api_keys
from resolvers.errors import UserInputError
from schema.context import Info
from schema.descriptions import ApiKeyFields
from schema.keys import ApiKey, api_key
from schema.mutations.records import INPUT, input_id, optional
from schema.payloads import ERRORS, UserError, user_errors
from schema.permissions import AdminOnly

__all__ = ["ApiKeyCreateInput", "ApiKeyInput", "ApiKeyPayload", "KeyMutations", "KeyRole"]


# The input field each of `issue_key`'s refusals is about.
CREATE_ERROR_FIELDS: dict[str, tuple[str, ...]] = {
    "INVALID_NAME": ("name",),
    "INVALID_KEY_ROLE": ("partnerId",),
    "NOT_FOUND": ("partnerId",),
}


@strawberry.enum(description="What an API key may do.")
class KeyRole(enum.Enum):
    PARTNER = strawberry.enum_value(
        "partner", description="A partner app: reads contacts, edits its own profile."
    )
    STAFF = strawberry.enum_value("staff", description="Metropolis staff: curate everything.")
    ADMIN = strawberry.enum_value("admin", description="Staff who also manage API keys.")
    GATEWAY = strawberry.enum_value(
        "gateway",
        description="A federation gateway, sending it as `Hub-Gateway-Key`: reads the subgraph "
        "SDL and forwards its end users' requests, each with the end user's own key, role and "
        "budget. No data privileges of its own.",
    )


@strawberry.input(description="A new API key.")
class ApiKeyCreateInput:
    name: str = strawberry.field(description=ApiKeyFields.NAME)
    role: KeyRole = strawberry.field(description=ApiKeyFields.ROLE)
    partner_id: strawberry.ID | None = optional("The partner a PARTNER key belongs to.")
    trusted_documents_only: bool = strawberry.field(
        default=False,
        description="Safelisting: the key runs only published documents (trusted documents, "
        "sent by `documentId` or an APQ hash), never an operation's text.",
    )


@strawberry.input(description="An existing API key.")
class ApiKeyInput:
    id: int = strawberry.field(description="The key's number (from `apiKeys`).")


@strawberry.type(description="The outcome of an API key mutation.")
class ApiKeyPayload:
    key: str | None = strawberry.field(
        description="The new key: shown this once, never again. Keep it secret."
    )
    api_key: ApiKey | None = strawberry.field(description="The key's details.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type
class KeyMutations:
    """The API key mutations, part of `Mutation`."""

    @strawberry.mutation(
        description="Create an API key. The payload shows it once.",
        permission_classes=[AdminOnly],
    )
    async def api_key_create(
        self, info: Info, input: Annotated[ApiKeyCreateInput, INPUT]
    ) -> ApiKeyPayload:
        partner_id = None
        if input.partner_id not in (UNSET, None):
            partner_id, errors = input_id(str(input.partner_id), "Partner", "partnerId")
            if partner_id is None:
                return ApiKeyPayload(key=None, api_key=None, user_errors=user_errors(errors))
        try:
            issued = await api_keys.issue_key(
                info.context.database,
                name=input.name,
                role=StoredRole(str(input.role.value)),
                partner_id=partner_id,
                trusted_documents_only=input.trusted_documents_only,
            )
        except UserInputError as error:
            field = CREATE_ERROR_FIELDS.get(error.code, ())
            message = error.message
            if error.code == "NOT_FOUND":
                message = f"No Partner has the ID {str(input.partner_id)!r}."
            failure = writes.UserError(("input", *field), message, error.code)
            return ApiKeyPayload(key=None, api_key=None, user_errors=user_errors([failure]))
        return ApiKeyPayload(key=issued.key, api_key=api_key(issued.details), user_errors=[])

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
        return ApiKeyPayload(key=issued.key, api_key=api_key(issued.details), user_errors=[])

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
    return ApiKeyPayload(key=None, api_key=None, user_errors=user_errors([error]))
