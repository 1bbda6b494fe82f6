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

One concept a module: `formats` (the file's formats and columns), `reading`
(a file's text and rows), `upsert` (the rows applied), `reports` (what the
import did) and `writing` (the export).
"""

from resolvers.imports.formats import COLUMNS, FileFormat
from resolvers.imports.reading import MAX_BYTES, MAX_ROWS, read_file
from resolvers.imports.reports import ImportFileError, ImportReport, Outcome, RowReport
from resolvers.imports.upsert import import_partners, natural_key
from resolvers.imports.writing import read_partners, write_file

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
