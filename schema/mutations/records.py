"""What the member, partner and initiative mutations share: the input
conventions (unset fields stay as they are, `expectedVersion`, sources and
confidence), the archive/restore input, and the calls into the write path.

Shopify style: `xCreate / xUpdate / xArchive / xRestore`, one `input:`, and a
payload with the object and `userErrors`. Inputs arrive with global IDs and
API names; the write path takes keys and API names.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any

import strawberry
from strawberry.types.unset import UNSET
from strawberry.utils.str_converters import to_camel_case

from db.models import Publication as StoredPublication
from resolvers import writes
from resolvers.errors import UserInputError
from schema.context import Info
from schema.descriptions import RecordFields
from schema.nodes import parse_id

__all__ = [
    "AT_MOST_200",
    "CONFIDENCE",
    "INPUT",
    "LATITUDES",
    "LONGITUDES",
    "PUBLICATION",
    "SOURCES",
    "STAFF",
    "VERSION",
    "YEARS",
    "Key",
    "PublicationInput",
    "create",
    "input_id",
    "link",
    "optional",
    "set_publication",
    "update",
]

VERSION = "The `version` you last read: the change applies only if it is still current."
SOURCES = "Public pages that state the facts (http(s) URLs, at most 20)."
CONFIDENCE = RecordFields.CONFIDENCE + " Default: HIGH."
PUBLICATION = RecordFields.PUBLICATION + " Set by staff only; default: PUBLISHED."
# What inputs add to a field's fact: the bounds the writes check.
AT_MOST_200 = " At most 200 characters."
LATITUDES = " From -90 to 90."
LONGITUDES = " From -180 to 180."
YEARS = " From 1900 to 2100."
STAFF = " Staff keys."
INPUT = strawberry.argument(description="What to do: see the input type's fields.")
Key = Annotated[
    str | None,
    strawberry.argument(
        description="Any unique text (at most 200 characters): a retried create with the same "
        "key applies once and answers with the record the first call created."
    ),
]


def optional(description: str) -> Any:
    """An input field that may be left out: left out, it leaves the value as it is."""
    return strawberry.field(default=UNSET, description=description)


@strawberry.input(description="Archive or restore a record.")
class PublicationInput:
    id: strawberry.ID = strawberry.field(description="The record's ID.")
    expected_version: int = strawberry.field(description=VERSION)


# Input fields that hold global IDs: field -> (resolver field name, type).
ID_FIELDS = {
    "regionId": ("region", "Region"),
}
NOT_FIELDS = {"id", "expectedVersion", "partnerRole"}


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


def input_id(
    value: str, type_name: str, field: str = "id"
) -> tuple[int | None, list[writes.UserError]]:
    """The key in a global ID an input gives, or the problem with it at `field`."""
    try:
        return parse_id(str(value), type_name)[2], []
    except UserInputError as error:
        return None, [writes.UserError(("input", field), error.message, error.code)]


def _ctx(info: Info) -> writes.WriteContext:
    context = info.context
    return writes.WriteContext(context.database, context.principal, context.request_id)


async def create(info: Info, type_name: str, data: Any, key: str | None, **extra: Any) -> Any:
    values, errors = _values(data)
    if errors:
        return writes.WriteResult(errors=errors)
    return await writes.create(_ctx(info), type_name, values, idempotency_key=key, **extra)


async def update(info: Info, type_name: str, data: Any) -> Any:
    pk, id_errors = input_id(data.id, type_name)
    values, errors = _values(data)
    if pk is None or errors:
        return writes.WriteResult(errors=id_errors + errors)
    return await writes.update(_ctx(info), type_name, pk, data.expected_version, values)


async def set_publication(
    info: Info, type_name: str, data: PublicationInput, publication: StoredPublication
) -> Any:
    pk, errors = input_id(data.id, type_name)
    if pk is None:
        return writes.WriteResult(errors=errors)
    return await writes.set_publication(
        _ctx(info), type_name, pk, data.expected_version, publication
    )


async def link(info: Info, kind: str, data: Any, *, unlink: bool) -> Any:
    type_name = kind.capitalize()
    initiative_id, errors = input_id(data.initiative_id, "Initiative", "initiativeId")
    other_id, other_errors = input_id(getattr(data, f"{kind}_id"), type_name, f"{kind}Id")
    if initiative_id is None or other_id is None:
        return writes.WriteResult(errors=errors + other_errors)
    if unlink:
        return await writes.unlink(_ctx(info), kind, initiative_id, other_id)
    role = None if data.role is UNSET or data.role is None else data.role.value
    return await writes.link(_ctx(info), kind, initiative_id, other_id, role)
