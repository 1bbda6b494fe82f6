"""Exporting partners as a file: the same columns the import reads, so an
export imported again changes nothing. In CSV, cells a spreadsheet would run
as formulas are escaped (`resolvers/cells.py`).
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import select

from db.engine import Database
from db.models import Partner
from resolvers.cells import escape
from resolvers.imports.formats import BATCH, COLUMNS, SOURCE_SEPARATOR, SOURCES, FileFormat
from resolvers.writes import attributes

__all__ = ["read_partners", "write_file"]


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
