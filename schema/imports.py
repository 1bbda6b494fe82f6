"""Imports: staff upload a CSV or JSON file of partners, members,
initiatives or links, and the hub creates or updates them (`partnersImport`,
`membersImport`, `initiativesImport`, `linksImport`), with a report of every
row.

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
        description="UTF-8 CSV. The header row names the columns: the API names of the "
        "records' fields (for partners `name,kind,country,contactEmail,...`); `sources` "
        "holds URLs separated by `;`. An empty cell leaves the field as it is.",
    )
    JSON = strawberry.enum_value(
        "json",
        description="A JSON list of objects with the same keys, one per record; `sources` "
        "is a list of URLs. A null or empty value leaves the field as it is.",
    )


@strawberry.enum(description="What an import did with a row (in a dry run: would do).")
class ImportOutcome(enum.Enum):
    CREATED = strawberry.enum_value("created", description="A new record (or link).")
    UPDATED = strawberry.enum_value(
        "updated", description="An existing record, with the fields the row changes."
    )
    UNCHANGED = strawberry.enum_value(
        "unchanged", description="An existing record that already has the row's values."
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
        description="The natural key the row gives, by which it finds its record (case, "
        "accents and punctuation aside): a partner's name, a member's name (country), an "
        "initiative's title (period), a link's two ends; null when it gives none."
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


# The members', initiatives' and links' imports share one input and report.
@strawberry.input(description="A file of records to create or update, matched by natural key.")
class RecordsImportInput:
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


@strawberry.input(description="A file of members to create or update, matched by name and country.")
class MembersImportInput(RecordsImportInput):
    pass


@strawberry.input(
    description="A file of initiatives to create or update, matched by title and period."
)
class InitiativesImportInput(RecordsImportInput):
    pass


@strawberry.input(
    description="A file of links between initiatives and members or partners, matched by both ends."
)
class LinksImportInput(RecordsImportInput):
    pass


@strawberry.type(description="The report of an import: a row for each row of the file.")
class ImportReport:
    dry_run: bool = strawberry.field(description="Whether this was a dry run.")
    atomic: bool = strawberry.field(description="Whether the import was all or nothing.")
    applied: bool = strawberry.field(
        description="Whether the changes were written: false in a dry run, and in an atomic "
        "import that rejected a row."
    )
    created: int = strawberry.field(description="How many rows created a record or link.")
    updated: int = strawberry.field(description="How many rows changed one.")
    unchanged: int = strawberry.field(description="How many rows changed nothing.")
    rejected: int = strawberry.field(description="How many rows were rejected.")
    rows: list[ImportRow] = strawberry.field(description="Every row, in the file's order.")


@strawberry.type(description="The outcome of an import.")
class RecordsImportPayload:
    report: ImportReport | None = strawberry.field(
        description="What happened to each row; null when the file could not be read."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Problems with the file as a whole (not CSV or JSON, a wrong header, too "
        "large); empty when it was read. Problems with rows are in the report."
    )


@strawberry.type(description="The outcome of a members import.")
class MembersImportPayload(RecordsImportPayload):
    pass


@strawberry.type(description="The outcome of an initiatives import.")
class InitiativesImportPayload(RecordsImportPayload):
    pass


@strawberry.type(description="The outcome of a links import.")
class LinksImportPayload(RecordsImportPayload):
    pass


async def _import(
    info: Info, kind: str, input: RecordsImportInput | PartnersImportInput
) -> tuple[imports.ImportReport | None, list[UserError]]:
    context = info.context
    ctx = WriteContext(context.database, context.principal, context.request_id)
    try:
        report = await imports.import_file(
            ctx,
            imports.KINDS[kind],
            input.content,
            imports.FileFormat(str(input.format.value)),
            dry_run=input.dry_run,
            atomic=input.atomic,
        )
    except imports.ImportFileError as error:
        return None, [cast(UserError, error.user_error)]
    return report, []


def _report(report: imports.ImportReport | None) -> ImportReport | None:
    return cast(ImportReport, report)


FILE = strawberry.argument(description="The file, and how to import it.")


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
        report, errors = await _import(info, "partners", input)
        return PartnersImportPayload(report=cast(PartnersImportReport, report), user_errors=errors)

    @strawberry.mutation(
        description="Create or update members from a CSV or JSON file, matched by name and "
        "country (`region` named by its name or slug). Rows are checked as `memberCreate` "
        "and `memberUpdate` check them; the valid ones apply in one transaction, each with "
        "a new version and an entry in the history. Staff keys."
    )
    async def members_import(
        self, info: Info, input: Annotated[MembersImportInput, FILE]
    ) -> MembersImportPayload:
        report, errors = await _import(info, "members", input)
        return MembersImportPayload(report=_report(report), user_errors=errors)

    @strawberry.mutation(
        description="Create or update initiatives from a CSV or JSON file, matched by title "
        "and period. Rows are checked as `initiativeCreate` and `initiativeUpdate` check "
        "them; the valid ones apply in one transaction, each with a new version and an "
        "entry in the history. Staff keys."
    )
    async def initiatives_import(
        self, info: Info, input: Annotated[InitiativesImportInput, FILE]
    ) -> InitiativesImportPayload:
        report, errors = await _import(info, "initiatives", input)
        return InitiativesImportPayload(report=_report(report), user_errors=errors)

    @strawberry.mutation(
        description="Create or update the links between initiatives and members or partners "
        "from a CSV or JSON file: a row names the initiative (title and period) and a member "
        "(name and country) or a partner (name), with a role. A row for a linked pair "
        "changes its role, sources or confidence; any other creates the link. The valid "
        "rows apply in one transaction, each change in the initiative's history. Staff keys."
    )
    async def links_import(
        self, info: Info, input: Annotated[LinksImportInput, FILE]
    ) -> LinksImportPayload:
        report, errors = await _import(info, "links", input)
        return LinksImportPayload(report=_report(report), user_errors=errors)
