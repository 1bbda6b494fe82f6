"""Who may see which rows: one rule, applied by every read (lists, relations,
lookups by ID, federation entities, filters through relations, places).

Drafts and archived records are for staff only; everyone else sees published
records. (Which fields a principal may read is decided in the schema's
permission classes; this module is about rows.) Reads narrow their statements
with `where_visible`; `sees_all` tells a read that need not narrow at all.
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select

from db.models import Publication
from resolvers.access.keys import Principal

__all__ = ["audience", "sees_all", "visible", "where_visible"]

SelectT = TypeVar("SelectT", bound="Select[*tuple[Any, ...]]")


def visible(model: Any, principal: Principal) -> ColumnElement[bool] | None:
    """The condition on `model`'s rows `principal` may see; None for all rows."""
    if principal.is_staff or not hasattr(model, "publication"):
        return None
    return _published(model)


@cache
def _published(model: Any) -> ColumnElement[bool]:
    """The condition on `model`'s published rows, made once (an expression
    is immutable; making one costs more than the read of a small page)."""
    # Not `== PUBLISHED`: nearly every row is published, and an equality would
    # draw the planner to the publication index (made for finding the few
    # drafts) and a lookup per row, many times slower than a scan or the
    # index of the list's own filter or order. NOT IN uses no index.
    condition: ColumnElement[bool] = model.publication.not_in(
        (Publication.DRAFT, Publication.ARCHIVED)
    )
    return condition


def where_visible(query: SelectT, model: Any, principal: Principal) -> SelectT:
    """`query` narrowed to the rows of `model` that `principal` may see."""
    condition = visible(model, principal)
    return query if condition is None else query.where(condition)


def sees_all(model: Any, principal: Principal) -> bool:
    """Whether `principal` may see every row of `model` (no condition to add)."""
    return principal.is_staff or not hasattr(model, "publication")


def audience(principal: Principal) -> Hashable:
    """What `visible` depends on: principals with the same audience see the
    same rows (so what one may see can be worked out once for all of them)."""
    return principal.is_staff
