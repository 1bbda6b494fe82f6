"""Imports: staff upload a CSV or JSON file of partners, and the hub creates
or updates them (`partnersImport`), with a report of every row.

`Mutation` inherits `ImportMutations`; the rows' and the file's problems are
the `UserError` of `schema.payloads`, as every mutation's are.
"""

from __future__ import annotations

import enum
from typing import Annotated, cast

import strawberry

from resolvers import imports
from resolvers.writes import WriteContext
from schema.context import Info
from schema.payloads import UserError

__all__ = ["ImportMutations"]


@strawberry.enum(description="The format of an import file.")
class ImportFormat(enum.Enum):
    CSV = strawberry.enum_value(
        "csv",
        description="UTF-8 CSV. The header row names the columns: the API names of a "
        "partner's fields (`name,kind,country,contactEmail,...`); `sources` holds URLs "
        "separated by `;`. An empty cell leaves the field as it is.",
    )
    JSON = strawberry.enum_value(
        "json",
        description="A JSON list of objects with the same keys, one per partner; `sources` "
        "is a list of URLs. A null or empty value leaves the field as it is.",
    )


@strawberry.enum(description="What an import did with a row (in a dry run: would do).")
class ImportOutcome(enum.Enum):
    CREATED = strawberry.enum_value("created", description="A new partner.")
    UPDATED = strawberry.enum_value(
        "updated", description="An existing partner, with the fields the row changes."
    )
    UNCHANGED = strawberry.enum_value(
        "unchanged", description="An existing partner that already has the row's values."
    )
    REJECTED = strawberry.enum_value("rejected", description="Left out: see the row's `errors`.")


@strawberry.input(description="A file of partners to create or update, matched by name.")
class PartnersImportInput:
    format: ImportFormat = strawberry.field(description="CSV or JSON.")
    content: str = strawberry.field(
        description=f"The file's text: at most {imports.MAX_ROWS:,} rows and "
        f"{imports.MAX_BYTES // 2**20} MB."
    )
    dry_run: bool = strawberry.field(
        default=False, description="Check and report every row, but change nothing."
    )
    atomic: bool = strawberry.field(
        default=False,
        description="Apply nothing if any row is rejected (by default the valid rows apply "
        "and the rejected ones are left out).",
    )


# The types below are declared over `resolvers.imports`' report records.
@strawberry.type(description="What the import did with one row of the file.")
class ImportRow:
    position: int = strawberry.field(
        description="Where the row is: in CSV, the line it starts on (the header is line 1); "
        "in JSON, its index in the list (from 0)."
    )
    key: str | None = strawberry.field(
        description="The name the row gives, by which it finds its partner (case, accents "
        "and punctuation aside); null when it gives none."
    )
    outcome: ImportOutcome = strawberry.field(description="What happened to the row.")
    errors: list[UserError] = strawberry.field(
        description="Why the row was rejected, field by field (paths are within the row); "
        "empty for the other outcomes."
    )


@strawberry.type(description="The report of an import: a row for each row of the file.")
class PartnersImportReport:
    dry_run: bool = strawberry.field(description="Whether this was a dry run.")
    atomic: bool = strawberry.field(description="Whether the import was all or nothing.")
    applied: bool = strawberry.field(
        description="Whether the changes were written: false in a dry run, and in an atomic "
        "import that rejected a row."
    )
    created: int = strawberry.field(description="How many rows created a partner.")
    updated: int = strawberry.field(description="How many rows changed a partner.")
    unchanged: int = strawberry.field(description="How many rows changed nothing.")
    rejected: int = strawberry.field(description="How many rows were rejected.")
    rows: list[ImportRow] = strawberry.field(description="Every row, in the file's order.")


@strawberry.type(description="The outcome of an import.")
class PartnersImportPayload:
    report: PartnersImportReport | None = strawberry.field(
        description="What happened to each row; null when the file could not be read."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Problems with the file as a whole (not CSV or JSON, a wrong header, too "
        "large); empty when it was read. Problems with rows are in the report."
    )


@strawberry.type
class ImportMutations:
    """The import mutations, part of `Mutation`."""

    @strawberry.mutation(
        description="Create or update partners from a CSV or JSON file, matched by name: "
        "a row naming an existing partner changes the fields it gives, any other row "
        "creates one. Rows are checked as `partnerCreate` and `partnerUpdate` check them; "
        "the valid ones apply in one transaction, each with a new version and an entry in "
        "the history. Staff keys."
    )
    async def partners_import(
        self,
        info: Info,
        input: Annotated[
            PartnersImportInput,
            strawberry.argument(description="The file, and how to import it."),
        ],
    ) -> PartnersImportPayload:
        context = info.context
        ctx = WriteContext(context.database, context.principal, context.request_id)
        try:
            report = await imports.import_partners(
                ctx,
                input.content,
                imports.FileFormat(str(input.format.value)),
                dry_run=input.dry_run,
                atomic=input.atomic,
            )
        except imports.ImportFileError as error:
            failure = cast(UserError, error.user_error)
            return PartnersImportPayload(report=None, user_errors=[failure])
        return PartnersImportPayload(report=cast(PartnersImportReport, report), user_errors=[])
