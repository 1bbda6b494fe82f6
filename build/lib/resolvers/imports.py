"""Partner files: bulk import (upsert) and export of partners as CSV or JSON.

One engine serves `metrohub import partners` and the `partnersImport`
mutation. A file's columns (CSV) or keys (JSON) are the API names of a
partner's writable fields; a row finds its partner by `name`, compared case-,
accent- and punctuation-insensitively. Rows are checked by the write path's own
rules (`writes.clean`), so a file accepts exactly what `partnerCreate` and
`partnerUpdate` accept. The valid rows apply in one transaction that takes the
write lock up front; each change bumps the partner's `version` and appends an
audit entry (action "import"), as a mutation would.

Exports write the same columns, so an export imported again changes nothing.
In CSV, cells a spreadsheet would run as formulas are escaped on export and
read back on import (`resolvers/cells.py`).
"""

from __future__ import annotations

import csv
import enum
import io
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import Database
from db.models import Origin, Partner
from db.reference import normalise
from resolvers.cells import escape, unescape
from resolvers.writes import (
    ForbiddenError,
    UserError,
    WriteContext,
    apply_changes,
    attributes,
    clean,
    created_changes,
)
from resolvers.writes.audit import record_change

__all__ = [
    "COLUMNS",
    "MAX_BYTES",
    "MAX_ROWS",
    "FileFormat",
    "ImportFileError",
    "ImportReport",
    "Outcome",
    "RowReport",
    "import_partners",
    "natural_key",
    "read_file",
    "read_partners",
    "write_file",
]

MAX_ROWS = 10_000
MAX_BYTES = 10 * 1024 * 1024
# The file's columns: the API names of a partner's writable fields.
COLUMNS = tuple(attributes("Partner"))
# In CSV, `sources` holds its URLs in one cell (a `;` in a URL is written %3B).
SOURCES = "sources"
SOURCE_SEPARATOR = ";"
# How long a key may be in a report: a 10,000-character name is reported cut.
KEY_LENGTH = 200
# Rows of partners read per statement (well under SQLite's bound parameters).
BATCH = 500


class FileFormat(enum.StrEnum):
    CSV = "csv"
    JSON = "json"


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


class ImportFileError(Exception):
    """The file as a whole was refused (not CSV or JSON, a wrong header, too
    large): nothing was read from it."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    @property
    def user_error(self) -> UserError:
        return UserError(("input", "content"), self.message, self.code)


@dataclass(frozen=True, slots=True)
class RowReport:
    """What the import did with one row (or, in a dry run, would do).

    `position` is the CSV line the row starts on (the header is line 1) or the
    JSON list index (from 0); `key` is the name the row gives."""

    position: int
    key: str | None
    outcome: Outcome
    errors: tuple[UserError, ...] = ()


@dataclass(slots=True)
class ImportReport:
    file_format: FileFormat
    dry_run: bool
    atomic: bool
    # Whether the changes were written: not in a dry run, nor in an atomic
    # import that rejected a row.
    applied: bool
    rows: list[RowReport]

    def count(self, outcome: Outcome) -> int:
        return sum(1 for row in self.rows if row.outcome is outcome)

    @property
    def created(self) -> int:
        return self.count(Outcome.CREATED)

    @property
    def updated(self) -> int:
        return self.count(Outcome.UPDATED)

    @property
    def unchanged(self) -> int:
        return self.count(Outcome.UNCHANGED)

    @property
    def rejected(self) -> int:
        return self.count(Outcome.REJECTED)

    def lines(self) -> Iterator[str]:
        """The report for people: a line per row, its problems, then totals."""
        where = "line" if self.file_format is FileFormat.CSV else "item"
        for row in self.rows:
            yield f"{where} {row.position}: {row.outcome.value} {row.key or '(no name)'}"
            for error in row.errors:
                yield f"  {'.'.join(error.field) or 'row'} [{error.code}] {error.message}"
        totals = (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.rejected} rejected"
        )
        if self.dry_run:
            yield f"{totals}: dry run, nothing was changed."
        elif not self.applied:
            yield f"{totals}: atomic import with rejected rows, nothing was changed."
        elif self.rejected:
            yield f"{totals}: applied, except the rejected rows."
        else:
            yield f"{totals}: applied."


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


@dataclass(slots=True)
class _Row:
    position: int
    # The fields the row gives, by API name (empty cells and nulls left out).
    values: dict[str, Any]
    # Problems found reading the row, before any rule is applied.
    errors: list[UserError] = field(default_factory=list)


def _text(content: str | bytes) -> str:
    size = len(content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content)
    if size > MAX_BYTES:
        raise ImportFileError(
            f"the file is {size:,} bytes; an import takes at most {MAX_BYTES:,} "
            f"({MAX_BYTES // 2**20} MB): split it into several files.",
            "TOO_LARGE",
        )
    if isinstance(content, bytes):
        if b"\x00" in content:
            raise ImportFileError(
                "the file is binary, not CSV or JSON text: export it as UTF-8 text.", "MALFORMED"
            )
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportFileError(
                f"the file is not UTF-8 text (byte {error.start} cannot be read): "
                "save it as UTF-8.",
                "MALFORMED",
            ) from error
    else:
        text = content.removeprefix("\ufeff")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            raise ImportFileError(
                f"the content is not valid Unicode text (character {error.start}).", "MALFORMED"
            ) from error
    if "\x00" in text:
        raise ImportFileError(
            "the file is binary, not CSV or JSON text: export it as UTF-8 text.", "MALFORMED"
        )
    if not text.strip():
        raise ImportFileError("the file is empty.", "MALFORMED")
    return text


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        f"the file has more than {MAX_ROWS:,} rows: split it into several imports.", "TOO_LARGE"
    )


def _columns_hint() -> str:
    return f"the columns are the API names of a partner's fields: {', '.join(COLUMNS)}"


def _csv_rows(text: str) -> list[_Row]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[_Row] = []
    try:
        header = [cell.strip() for cell in next(reader)]
        unknown = [name for name in header if name not in COLUMNS]
        if unknown:
            names = ", ".join(repr(name[:40]) for name in unknown[:5])
            raise ImportFileError(
                f"the header (line 1) names unknown columns ({names}): {_columns_hint()}.",
                "MALFORMED",
            )
        twice = [name for name, count in Counter(header).items() if count > 1]
        if twice:
            raise ImportFileError(
                f"the header (line 1) names {', '.join(twice)} more than once.", "MALFORMED"
            )
        if "name" not in header:
            raise ImportFileError(
                "the header (line 1) has no `name` column: rows find their partner by name.",
                "MALFORMED",
            )
        end = reader.line_num
        for cells in reader:
            start, end = end + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) == MAX_ROWS:
                raise _too_many_rows()
            if len(cells) != len(header):
                message = f"has {len(cells)} cells; the header names {len(header)} columns."
                rows.append(_Row(start, {}, [UserError((), message, "MALFORMED")]))
                continue
            # Stripped, then the formula escape of `write_file` taken off.
            values: dict[str, Any] = {
                name: unescape(cell.strip()) for name, cell in zip(header, cells, strict=True)
            }
            if SOURCES in values:
                values[SOURCES] = [
                    url.strip() for url in values[SOURCES].split(SOURCE_SEPARATOR) if url.strip()
                ]
            rows.append(_Row(start, {k: v for k, v in values.items() if v not in ("", [])}))
    except csv.Error as error:
        raise ImportFileError(
            f"line {reader.line_num} is not valid CSV ({error}): check its quotes.", "MALFORMED"
        ) from error
    except StopIteration as error:  # no header: the file held only blank space
        raise ImportFileError("the file is empty.", "MALFORMED") from error
    return rows


def _json_value(name: str, value: Any) -> tuple[Any, UserError | None]:
    if name == SOURCES:
        if isinstance(value, str):
            value = value.split(SOURCE_SEPARATOR)
        if isinstance(value, list) and all(isinstance(url, str) for url in value):
            return [url.strip() for url in value if url.strip()], None
        return None, UserError((name,), "`sources` is a list of URLs.", "INVALID")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None, UserError((name,), f"`{name}` takes text or a number.", "INVALID")
    return value, None


def _json_rows(text: str) -> list[_Row]:
    try:
        items = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise ImportFileError(f"the file is not JSON: {error}.", "MALFORMED") from error
    if not isinstance(items, list):
        raise ImportFileError(
            f"a JSON import is a list of objects, one per partner "
            f'(`[{{"name": "...", "kind": "NGO_FOUNDATION"}}]`), not a {_json_type(items)}.',
            "MALFORMED",
        )
    if len(items) > MAX_ROWS:
        raise _too_many_rows()
    rows = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            message = f"is a {_json_type(item)}, not an object with a partner's fields."
            rows.append(_Row(index, {}, [UserError((), message, "MALFORMED")]))
            continue
        row = _Row(index, {})
        for name, value in item.items():
            if name not in COLUMNS:
                message = f"`{name[:40]}` is not a partner field: {_columns_hint()}."
                row.errors.append(UserError((name[:40],), message, "INVALID"))
            elif value is not None and value != "" and value != []:
                given, problem = _json_value(name, value)
                if problem is None:
                    row.values[name] = given
                else:
                    row.errors.append(problem)
        rows.append(row)
    return rows


def _json_type(value: Any) -> str:
    names = {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


def read_file(content: str | bytes, file_format: FileFormat) -> list[_Row]:
    """The rows of a file, each with the fields it gives; raises
    `ImportFileError` when the file as a whole cannot be read."""
    text = _text(content)
    return _csv_rows(text) if file_format is FileFormat.CSV else _json_rows(text)


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


def _file_value(value: Any) -> Any:
    # Enums as the API spells them (NGO_FOUNDATION), which the import reads.
    return value.name if isinstance(value, enum.Enum) else value


async def read_partners(database: Database, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The partners with these ids, in this order, as rows of an import file:
    every column, contact details included (callers decide who may see them)."""
    columns = attributes("Partner")
    selected = [getattr(Partner, attribute) for attribute in columns.values()]
    found: dict[int, dict[str, Any]] = {}
    async with database.engine.connect() as connection:
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            query = select(Partner.id, *selected).where(Partner.id.in_(chunk))
            for pk, *values in await connection.execute(query):
                found[pk] = {
                    name: _file_value(value) for name, value in zip(columns, values, strict=True)
                }
    return [found[pk] for pk in ids if pk in found]


def write_file(rows: Sequence[dict[str, Any]], file_format: FileFormat) -> bytes:
    """Rows from `read_partners` as a file the import reads back unchanged."""
    if file_format is FileFormat.JSON:
        return orjson.dumps(list(rows), option=orjson.OPT_INDENT_2) + b"\n"
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(_csv_cell(name, row.get(name)) for name in COLUMNS)
    return out.getvalue().encode("utf-8")


def _csv_cell(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name == SOURCES:
        return escape(SOURCE_SEPARATOR.join(value))
    return escape(str(value))
