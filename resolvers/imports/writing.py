"""Exporting records as a file: the same columns the import reads, so an
export imported again changes nothing. In CSV, cells a spreadsheet would run
as formulas are escaped (`resolvers/cells.py`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

import orjson

from db.engine import Database
from resolvers.cells import escape
from resolvers.imports.formats import SOURCE_SEPARATOR, SOURCES, FileFormat
from resolvers.imports.kinds import Kind
from resolvers.imports.records import PARTNERS

__all__ = ["read_rows", "write_file"]


async def read_rows(
    database: Database, kind: Kind, ids: Sequence[int] | None = None
) -> list[dict[str, Any]]:
    """The records of `kind` with these ids (every one for None), in this
    order, as rows of an import file: every column, contact details included
    (callers decide who may see them)."""
    async with database.engine.connect() as connection:
        return await kind.export_rows(connection, ids)


def write_file(
    rows: Sequence[dict[str, Any]], file_format: FileFormat, kind: Kind = PARTNERS
) -> bytes:
    """Rows from `read_rows` as a file the import reads back unchanged."""
    if file_format is FileFormat.JSON:
        return orjson.dumps(list(rows), option=orjson.OPT_INDENT_2) + b"\n"
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(kind.columns)
    for row in rows:
        writer.writerow(_csv_cell(name, row.get(name)) for name in kind.columns)
    return out.getvalue().encode("utf-8")


def _csv_cell(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name == SOURCES:
        return escape(SOURCE_SEPARATOR.join(value))
    return escape(str(value))
