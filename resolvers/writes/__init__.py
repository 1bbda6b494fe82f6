"""The write path: create, update, archive and restore records, and link them.

Every write is one transaction that takes SQLite's write lock up front (so
concurrent writers wait their turn instead of failing), checks who may do it,
validates every field (reporting all problems as `UserError`s), checks the
caller's `expectedVersion` against the record's, bumps the version and
appends an audit entry with the before and after of each changed field.

Modules: `model` (a write's context and result), `validation` (a value's
rules), `fields` (the writable types), `cleaning` (input checked, and the
changes it makes), `audit` (the log, and the feed of it), `edits` (create,
update, archive and restore) and `links` (link and unlink).
"""

from resolvers.writes.cleaning import apply_changes, attributes, clean, created_changes
from resolvers.writes.edits import create, set_publication, update
from resolvers.writes.fields import WRITABLE, references
from resolvers.writes.links import link, unlink
from resolvers.writes.model import ForbiddenError, UserError, WriteContext, WriteResult

__all__ = [
    "WRITABLE",
    "ForbiddenError",
    "UserError",
    "WriteContext",
    "WriteResult",
    "apply_changes",
    "attributes",
    "clean",
    "create",
    "created_changes",
    "link",
    "references",
    "set_publication",
    "unlink",
    "update",
]
