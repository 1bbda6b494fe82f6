"""Reading an import file (partners, members, initiatives or links): its
text checked as a whole (size, encoding), then its rows, CSV or JSON, each
with the fields it gives and the problems found reading it. In CSV, the
formula escape of an export is taken off (`resolvers/cells.py`).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import orjson

from resolvers.cells import unescape
from resolvers.imports.formats import SOURCE_SEPARATOR, SOURCES, FileFormat
from resolvers.imports.kinds import Kind
from resolvers.imports.records import PARTNERS
from resolvers.imports.reports import ImportFileError
from resolvers.writes import UserError

__all__ = ["MAX_BYTES", "MAX_ROWS", "Row", "read_file"]

MAX_ROWS = 10_000
MAX_BYTES = 10 * 1024 * 1024


@dataclass(slots=True)
class Row:
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


def _columns_hint(kind: Kind) -> str:
    return f"the columns are {kind.columns_are}: {', '.join(kind.columns)}"


def _csv_rows(text: str, kind: Kind) -> list[Row]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[Row] = []
    try:
        header = [cell.strip() for cell in next(reader)]
        unknown = [name for name in header if name not in kind.columns]
        if unknown:
            names = ", ".join(repr(name[:40]) for name in unknown[:5])
            raise ImportFileError(
                f"the header (line 1) names unknown columns ({names}): {_columns_hint(kind)}.",
                "MALFORMED",
            )
        twice = [name for name, count in Counter(header).items() if count > 1]
        if twice:
            raise ImportFileError(
                f"the header (line 1) names {', '.join(twice)} more than once.", "MALFORMED"
            )
        absent = [name for name in kind.key_columns if name not in header]
        if absent:
            raise ImportFileError(
                f"the header (line 1) has no `{absent[0]}` column: rows find their "
                f"{kind.noun} by {kind.key_phrase}.",
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
                rows.append(Row(start, {}, [UserError((), message, "MALFORMED")]))
                continue
            # Stripped, then the formula escape of `write_file` taken off.
            values: dict[str, Any] = {
                name: unescape(cell.strip()) for name, cell in zip(header, cells, strict=True)
            }
            if SOURCES in values:
                values[SOURCES] = [
                    url.strip() for url in values[SOURCES].split(SOURCE_SEPARATOR) if url.strip()
                ]
            rows.append(Row(start, {k: v for k, v in values.items() if v not in ("", [])}))
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


def _json_rows(text: str, kind: Kind) -> list[Row]:
    try:
        items = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise ImportFileError(f"the file is not JSON: {error}.", "MALFORMED") from error
    if not isinstance(items, list):
        raise ImportFileError(
            f"a JSON import is a list of objects, one per {kind.noun} "
            f"(`[{kind.example}]`), not a {_json_type(items)}.",
            "MALFORMED",
        )
    if len(items) > MAX_ROWS:
        raise _too_many_rows()
    rows = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            message = f"is a {_json_type(item)}, not an object with a {kind.noun}'s fields."
            rows.append(Row(index, {}, [UserError((), message, "MALFORMED")]))
            continue
        row = Row(index, {})
        for name, value in item.items():
            if name not in kind.columns:
                message = f"`{name[:40]}` is not a {kind.noun} field: {_columns_hint(kind)}."
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


def read_file(content: str | bytes, file_format: FileFormat, kind: Kind = PARTNERS) -> list[Row]:
    """The rows of a file of `kind`, each with the fields it gives; raises
    `ImportFileError` when the file as a whole cannot be read."""
    text = _text(content)
    return _csv_rows(text, kind) if file_format is FileFormat.CSV else _json_rows(text, kind)
