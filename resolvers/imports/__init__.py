"""Record files: bulk import (upsert) and export of partners, members,
initiatives and the links between initiatives and members or partners, as
CSV or JSON.

One engine (`upsert`) serves every type, `metrohub import` and the
`xImport` mutations; each type is described once (`kinds.Kind`): its columns,
its natural key (a partner's name, a member's name and country, an
initiative's title and period, a link's two ends), how a row is checked and
applied. A file's columns (CSV) or keys (JSON) are the API names of the
type's writable fields; a row finds its record by its natural key, compared
case-, accent- and punctuation-insensitively. Rows are checked by the write
path's own rules (`writes.clean`), so a file accepts exactly what the create
and update mutations accept. The valid rows apply in one transaction that
takes the write lock up front; each change bumps the record's `version` and
appends an audit entry (action "import", or "link" for links), as a mutation
would.

Exports write the same columns, so an export imported again changes nothing.
In CSV, cells a spreadsheet would run as formulas are escaped on export and
read back on import (`resolvers/cells.py`).

One concept a module: `formats` (the file's formats), `kinds` (what the
engine asks of a type), `records` (partners, members and initiatives),
`links` (links), `reading` (a file's text and rows), `upsert` (the rows
applied), `reports` (what the import did) and `writing` (the export).
"""

from resolvers.imports.formats import COLUMNS, FileFormat
from resolvers.imports.kinds import Kind, natural_key
from resolvers.imports.links import LINKS
from resolvers.imports.reading import MAX_BYTES, MAX_ROWS, read_file
from resolvers.imports.records import INITIATIVES, MEMBERS, PARTNERS
from resolvers.imports.reports import ImportFileError, ImportReport, Outcome, RowReport
from resolvers.imports.upsert import import_file, import_partners
from resolvers.imports.writing import read_rows, write_file

# Every type of file, by the name commands and routes give it.
KINDS: dict[str, Kind] = {kind.name: kind for kind in (PARTNERS, MEMBERS, INITIATIVES, LINKS)}

__all__ = [
    "COLUMNS",
    "INITIATIVES",
    "KINDS",
    "LINKS",
    "MAX_BYTES",
    "MAX_ROWS",
    "MEMBERS",
    "PARTNERS",
    "FileFormat",
    "ImportFileError",
    "ImportReport",
    "Kind",
    "Outcome",
    "RowReport",
    "import_file",
    "import_partners",
    "natural_key",
    "read_file",
    "read_rows",
    "write_file",
]
