"""The shape of an import file: its formats, and a partner file's columns."""

from __future__ import annotations

import enum

from resolvers.writes import attributes

__all__ = ["BATCH", "COLUMNS", "SOURCES", "SOURCE_SEPARATOR", "FileFormat"]

# The file's columns: the API names of a partner's writable fields.
COLUMNS = tuple(attributes("Partner"))
# In CSV, `sources` holds its URLs in one cell (a `;` in a URL is written %3B).
SOURCES = "sources"
SOURCE_SEPARATOR = ";"
# Rows of partners read per statement (well under SQLite's bound parameters).
BATCH = 500


class FileFormat(enum.StrEnum):
    CSV = "csv"
    JSON = "json"
