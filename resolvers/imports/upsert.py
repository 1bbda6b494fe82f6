"""Applying a partner file: each row finds its partner by its natural key
and is checked by the write path's own rules (`writes.clean`); the valid rows
apply in one transaction that takes the write lock up front, each change
bumping the partner's `version` and appending an audit entry (action
"import"), as a mutation would.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Origin, Partner
from db.referencedata import normalise
from resolvers.imports.formats import BATCH, FileFormat
from resolvers.imports.reading import read_file
from resolvers.imports.reports import ImportReport, Outcome, RowReport
from resolvers.writes import (
    ForbiddenError,
    UserError,
    WriteContext,
    apply_changes,
    clean,
    created_changes,
)
from resolvers.writes.audit import record_change

__all__ = ["import_partners", "natural_key"]

# How long a key may be in a report: a 10,000-character name is reported cut.
KEY_LENGTH = 200


def natural_key(name: str) -> str:
    """How a row finds its partner: the name `normalise`d (accents, case and
    punctuation folded). `normalise` keeps only a-z and 0-9, so the letters it
    drops (北京, the Ł of Łódź) are added back: otherwise unrelated names in
    other scripts would share a key, and one row would overwrite another
    partner."""
    dropped = "".join(
        char
        for char in unicodedata.normalize("NFKD", name.casefold())
        if char.isalnum() and not char.isascii() and not unicodedata.combining(char)
    )
    key = f"{normalise(name)} {dropped}".strip()
    return key or name.strip().casefold()


async def _partners_named(session: AsyncSession, keys: Iterable[str]) -> dict[str, list[Partner]]:
    """The existing partners whose names have these keys, by key."""
    wanted = set(keys)
    ids: dict[str, list[int]] = {}
    for pk, name in await session.execute(select(Partner.id, Partner.name)):
        key = natural_key(name)
        if key in wanted:
            ids.setdefault(key, []).append(pk)
    every = sorted(pk for pks in ids.values() for pk in pks)
    by_id: dict[int, Partner] = {}
    for start in range(0, len(every), BATCH):
        chunk = every[start : start + BATCH]
        by_id.update(
            (p.id, p) for p in await session.scalars(select(Partner).where(Partner.id.in_(chunk)))
        )
    return {key: [by_id[pk] for pk in pks] for key, pks in ids.items()}


def _shown(name: Any) -> str | None:
    text = str(name).strip() if name is not None else ""
    if not text:
        return None
    return text if len(text) <= KEY_LENGTH else text[:KEY_LENGTH] + "…"


def _in_row(errors: Iterable[UserError]) -> tuple[UserError, ...]:
    """The write path's errors with paths relative to the row (no `input`)."""
    return tuple(
        UserError(e.field[1:] if e.field[:1] == ("input",) else e.field, e.message, e.code)
        for e in errors
    )


async def import_partners(
    ctx: WriteContext,
    content: str | bytes,
    file_format: FileFormat,
    *,
    dry_run: bool = False,
    atomic: bool = False,
) -> ImportReport:
    """Create or update the partners a file lists (staff only).

    Every row is reported. The valid rows apply in one transaction, unless
    `dry_run` (nothing is written) or `atomic` and a row was rejected
    (nothing is written either). Raises `ImportFileError` for a file that
    cannot be read at all, and `ForbiddenError` for non-staff principals."""
    if not ctx.principal.is_staff:
        raise ForbiddenError(
            "Imports are for Metropolis staff keys: send one as `Authorization: Bearer <key>`."
        )
    rows = read_file(content, file_format)
    reports: list[RowReport] = []
    async with ctx.database.writer() as session:
        keys = {natural_key(str(row.values["name"])) for row in rows if "name" in row.values}
        existing = await _partners_named(session, keys)
        first_seen: dict[str, int] = {}
        created: list[tuple[Partner, dict[str, Any]]] = []
        where = "line" if file_format is FileFormat.CSV else "item"
        for row in rows:
            name = row.values.get("name")
            shown = _shown(name)
            key = natural_key(str(name)) if name is not None else ""
            matches = existing.get(key, [])
            # A new partner needs its required fields; an existing one only
            # changes the fields the row gives.
            cleaned, errors = clean("Partner", row.values, creating=bool(key) and not matches)
            errors = row.errors + errors
            if not key:
                # Unless reading the row already said what is wrong with it.
                if not any(e.code == "MALFORMED" or e.field == ("name",) for e in row.errors):
                    message = "`name` is required: a row finds its partner by name."
                    errors = [UserError(("input", "name"), message, "REQUIRED"), *errors]
            elif key in first_seen:
                message = (
                    f"The partner {shown!r} is already on {where} {first_seen[key]} of this "
                    "file: merge the two rows."
                )
                errors = [UserError(("input", "name"), message, "DUPLICATE"), *errors]
            elif len(matches) > 1:
                message = (
                    f"{len(matches)} partners have names like {shown!r} "
                    f"(ids {', '.join(str(p.id) for p in matches)}): tell them apart with "
                    "`partnerUpdate` first."
                )
                errors = [UserError(("input", "name"), message, "AMBIGUOUS"), *errors]
            if key:
                first_seen.setdefault(key, row.position)
            if errors:
                reports.append(RowReport(row.position, shown, Outcome.REJECTED, _in_row(errors)))
            elif matches:
                partner = matches[0]
                changes = apply_changes("Partner", partner, cleaned)
                if changes:
                    partner.version += 1
                    record_change(session, ctx, "import", "Partner", partner.id, changes)
                outcome = Outcome.UPDATED if changes else Outcome.UNCHANGED
                reports.append(RowReport(row.position, shown, outcome))
            else:
                partner = Partner(**cleaned, origin=Origin.STAFF)
                session.add(partner)
                created.append((partner, created_changes("Partner", cleaned)))
                reports.append(RowReport(row.position, shown, Outcome.CREATED))
        # One flush inserts the new partners in batches; their ids come back.
        await session.flush()
        for partner, changes in created:
            record_change(session, ctx, "import", "Partner", partner.id, changes)
        rejected = any(report.outcome is Outcome.REJECTED for report in reports)
        applied = not dry_run and not (atomic and rejected)
        if applied:
            await session.commit()
        else:
            await session.rollback()
    return ImportReport(file_format, dry_run, atomic, applied, reports)
