"""Applying an import file, of any kind (`kinds`): each row finds its record
by its natural key and is checked by the write path's own rules; the valid
rows apply in one transaction that takes the write lock up front, each change
bumping the record's `version` (links have none) and appending an audit entry,
as a mutation would.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable

from resolvers.imports.formats import FileFormat
from resolvers.imports.kinds import Entry, Kind, natural_key
from resolvers.imports.reading import read_file
from resolvers.imports.records import PARTNERS
from resolvers.imports.reports import ImportReport, Outcome, RowReport
from resolvers.writes import ForbiddenError, UserError, WriteContext
from resolvers.writes.audit import record_change

__all__ = ["import_file", "import_partners", "natural_key"]


def _in_row(errors: Iterable[UserError]) -> tuple[UserError, ...]:
    """The write path's errors with paths relative to the row (no `input`)."""
    return tuple(
        UserError(e.field[1:] if e.field[:1] == ("input",) else e.field, e.message, e.code)
        for e in errors
    )


async def import_file(
    ctx: WriteContext,
    kind: Kind,
    content: str | bytes,
    file_format: FileFormat,
    *,
    dry_run: bool = False,
    atomic: bool = False,
) -> ImportReport:
    """Create or update the records a file of `kind` lists (staff only).

    Every row is reported. The valid rows apply in one transaction, unless
    `dry_run` (nothing is written) or `atomic` and a row was rejected
    (nothing is written either). Raises `ImportFileError` for a file that
    cannot be read at all, and `ForbiddenError` for non-staff principals."""
    if not ctx.principal.is_staff:
        raise ForbiddenError(
            "Imports are for Metropolis staff keys: send one as `Authorization: Bearer <key>`."
        )
    rows = read_file(content, file_format, kind)
    identities = [kind.identify(row.values) for row in rows]
    reports: list[RowReport] = []
    async with ctx.database.writer() as session:
        batch = await kind.open(session, {i.key for i in identities if i.key is not None})
        first_seen: dict[Hashable, int] = {}
        created: list[Callable[[], list[Entry]]] = []
        where = "line" if file_format is FileFormat.CSV else "item"
        key_field = ("input", kind.key_columns[0])
        for row, identity in zip(rows, identities, strict=True):
            key, shown = identity.key, identity.shown
            matches = batch.matches(key) if key is not None else []
            # A new record needs its required fields; an existing one only
            # changes the fields the row gives.
            cleaned, errors = batch.clean(
                row.values,
                matches[0] if matches else None,
                creating=key is not None and not matches,
            )
            errors = row.errors + errors
            if key is None:
                # Unless reading the row already said what is wrong with it.
                said = {e.field for e in row.errors}
                if not any(e.code == "MALFORMED" for e in row.errors):
                    missing = [e for e in identity.missing if e.field[1:] not in said]
                    errors = [*missing, *errors]
            elif key in first_seen:
                message = (
                    f"The {kind.noun} {shown!r} is already on {where} {first_seen[key]} of this "
                    "file: merge the two rows."
                )
                errors = [UserError(key_field, message, "DUPLICATE"), *errors]
            elif len(matches) > 1:
                message = (
                    f"{len(matches)} {kind.name} match {shown!r} "
                    f"(ids {', '.join(str(m.id) for m in matches)}): tell them apart with "
                    f"`{kind.noun}Update` first."
                )
                errors = [UserError(key_field, message, "AMBIGUOUS"), *errors]
            if key is not None:
                first_seen.setdefault(key, row.position)
            if errors:
                reports.append(RowReport(row.position, shown, Outcome.REJECTED, _in_row(errors)))
            elif matches:
                entries = batch.change(matches[0], cleaned)
                for entry in entries:
                    record_change(session, ctx, *entry)
                outcome = Outcome.UPDATED if entries else Outcome.UNCHANGED
                reports.append(RowReport(row.position, shown, outcome))
            else:
                created.append(batch.create(cleaned))
                reports.append(RowReport(row.position, shown, Outcome.CREATED))
        # One flush inserts the new records in batches; their ids come back.
        await session.flush()
        for entries_of in created:
            for entry in entries_of():
                record_change(session, ctx, *entry)
        rejected = any(report.outcome is Outcome.REJECTED for report in reports)
        applied = not dry_run and not (atomic and rejected)
        if applied:
            await session.commit()
        else:
            await session.rollback()
    return ImportReport(file_format, dry_run, atomic, applied, reports)


async def import_partners(
    ctx: WriteContext,
    content: str | bytes,
    file_format: FileFormat,
    *,
    dry_run: bool = False,
    atomic: bool = False,
) -> ImportReport:
    """Create or update the partners a file lists, matched by name (staff only)."""
    return await import_file(ctx, PARTNERS, content, file_format, dry_run=dry_run, atomic=atomic)
