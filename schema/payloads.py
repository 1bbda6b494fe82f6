"""Payloads: what a mutation answers with, the record as it is now and the
problems with the input as data (`userErrors { field message code }`).

Bad input is always a `UserError`; top-level errors are for denied access.
Imports, subgraphs and API keys answer with their own payloads, built from
the same `UserError`.
"""

from __future__ import annotations

import enum

import strawberry

from resolvers import writes
from schema.initiatives import Initiative
from schema.members import Member
from schema.partners import Partner

__all__ = [
    "ERRORS",
    "InitiativePayload",
    "MemberPayload",
    "PartnerPayload",
    "UserError",
    "UserErrorCode",
    "user_errors",
]


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
    INVALID_MANIFEST = strawberry.enum_value(
        "INVALID_MANIFEST",
        description="A manifest of trusted documents cannot be read: not JSON, not Apollo's "
        "or Relay's format, or a document that is not GraphQL.",
    )
    DOCUMENT_HASH_MISMATCH = strawberry.enum_value(
        "DOCUMENT_HASH_MISMATCH",
        description="A trusted document's id is a hash that is not its body's.",
    )
    INVALID_DOCUMENT = strawberry.enum_value(
        "INVALID_DOCUMENT", description="A trusted document does not validate against the schema."
    )
    DOCUMENT_ID_TAKEN = strawberry.enum_value(
        "DOCUMENT_ID_TAKEN", description="A trusted document's id stands for another document."
    )
    INVALID_CLIENT = strawberry.enum_value("INVALID_CLIENT", description="Not a client name.")
    INVALID_SUBGRAPH_NAME = strawberry.enum_value(
        "INVALID_SUBGRAPH_NAME",
        description="Not a subgraph name: 2-63 lower-case letters, digits and hyphens.",
    )
    RESERVED_NAME = strawberry.enum_value(
        "RESERVED_NAME", description="A subgraph name the hub keeps for itself (`hub`)."
    )
    INVALID_SUBGRAPH_URL = strawberry.enum_value(
        "INVALID_SUBGRAPH_URL", description="A subgraph URL that is not http(s)."
    )
    INVALID_HEADER = strawberry.enum_value(
        "INVALID_HEADER", description="A header that is not `Name: value`, or not one to send."
    )
    URL_OR_SDL = strawberry.enum_value(
        "URL_OR_SDL", description="A subgraph check wants its URL or its SDL: one of the two."
    )
    INVALID_SDL = strawberry.enum_value("INVALID_SDL", description="SDL that is not valid GraphQL.")
    SUBGRAPH_UNREACHABLE = strawberry.enum_value(
        "SUBGRAPH_UNREACHABLE",
        description="The subgraph did not give its SDL (`_service { sdl }`) at its URL.",
    )
    INVALID_DAYS = strawberry.enum_value(
        "INVALID_DAYS", description="A number of days of usage out of its range."
    )
    COMPOSITION_UNAVAILABLE = strawberry.enum_value(
        "COMPOSITION_UNAVAILABLE",
        description="The composers could not run on the hub's machine: tell its operators.",
    )


@strawberry.type(description="A problem with a mutation's input.")
class UserError:
    field: list[str] = strawberry.field(
        description="Where the problem is: the path to the input field (e.g. `input`, `name`)."
    )
    message: str = strawberry.field(description="What was wrong, and what to do instead.")
    code: UserErrorCode = strawberry.field(description="The kind of problem, for programs.")


ERRORS = "Problems with the input; empty when the mutation applied."


@strawberry.type(description="The outcome of a member mutation.")
class MemberPayload:
    member: Member | None = strawberry.field(description="The member, as it is now.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The outcome of a partner mutation.")
class PartnerPayload:
    partner: Partner | None = strawberry.field(description="The partner, as it is now.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The outcome of an initiative mutation.")
class InitiativePayload:
    initiative: Initiative | None = strawberry.field(description="The initiative, as it is now.")
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


def user_errors(errors: list[writes.UserError]) -> list[UserError]:
    """The write path's problems, as the API shows them."""
    return [
        UserError(field=list(e.field), message=e.message, code=UserErrorCode(e.code))
        for e in errors
    ]
