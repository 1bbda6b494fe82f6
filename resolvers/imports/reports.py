"""What an import did: the report of each row and of the whole file, and
the error that refuses a file as a whole."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass

from resolvers.imports.formats import FileFormat
from resolvers.writes import UserError

__all__ = ["ImportFileError", "ImportReport", "Outcome", "RowReport"]


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
