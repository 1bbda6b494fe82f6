"""What a write takes and gives: its context (who writes, to which database,
for which request), and its result: the record, or the problems with the
input as `UserError`s; or, when the caller may not write at all, a
`ForbiddenError`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from db.engine import Database
from resolvers.access.keys import Principal

__all__ = ["ForbiddenError", "UserError", "WriteContext", "WriteResult", "check_may_write"]

R = TypeVar("R")


class ForbiddenError(Exception):
    """The principal may not do this at all (a top-level error, not a userError)."""


@dataclass(frozen=True, slots=True)
class UserError:
    """A problem with the input: where (`field` path), what, and a stable code."""

    field: tuple[str, ...]
    message: str
    code: str


@dataclass(slots=True)
class WriteResult(Generic[R]):
    record: R | None = None
    errors: list[UserError] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class WriteContext:
    database: Database
    principal: Principal
    request_id: str | None = None


def check_may_write(principal: Principal) -> None:
    """Refuse a write from a caller without a partner or staff key."""
    if not principal.is_partner_or_staff:
        raise ForbiddenError(
            "Writes need a partner or staff key: send `Authorization: Bearer <key>`."
        )
