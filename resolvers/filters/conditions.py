"""A filter tree compiled to a SQL condition on a record type's table,
checked against the type's allow-lists (resolvers/filters/fields.py) as it goes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, func, not_, or_, select, true
from sqlalchemy.orm import aliased

from resolvers.access.keys import ANONYMOUS, Principal
from resolvers.access.visibility import where_visible
from resolvers.errors import UserInputError
from resolvers.filters.fields import (
    LINK_FIELDS,
    OPERATORS,
    SCHEMAS,
    THEME_OPERATORS,
    THEMES,
    Kind,
    ThemeRule,
    record_name,
)
from resolvers.filters.places import geo_condition
from resolvers.filters.tree import (
    All,
    AnyOf,
    BoundingBox,
    Condition,
    Filter,
    Near,
    Not,
    Related,
)

__all__ = ["MAX_LIST_VALUES", "MAX_TEXT_LENGTH", "compile_filter"]

MAX_LIST_VALUES = 100
MAX_TEXT_LENGTH = 200


def compile_filter(
    record: type[Any], part: Filter, principal: Principal = ANONYMOUS, model: Any = None
) -> ColumnElement[bool]:
    """The SQL condition for `part` on `record`'s table (or an alias of it).
    Conditions through relations see only the related rows `principal` may."""
    schema = SCHEMAS[record]
    target = schema.model if model is None else model
    if isinstance(part, All):
        return and_(true(), *(compile_filter(record, p, principal, target) for p in part.parts))
    if isinstance(part, AnyOf):
        return or_(false(), *(compile_filter(record, p, principal, target) for p in part.parts))
    if isinstance(part, Not):
        return not_(compile_filter(record, part.part, principal, target))
    if isinstance(part, Related):
        return _related(record, part, principal, target)
    if isinstance(part, Near | BoundingBox):
        if not schema.geo:
            raise UserInputError(
                f"{record_name(record)} lists have no coordinates to filter by place.",
                code="INVALID_FILTER",
            )
        return geo_condition(part, target)
    theme = THEMES.get(record) if part.field == "theme" else None
    if theme is not None:
        return compile_filter(record, _theme(part, theme), principal, target)
    link = LINK_FIELDS.get((record, part.field))
    if link is not None:
        return _link_condition(part, target, *link)
    field = schema.fields.get(part.field)
    if field is None:
        raise UserInputError(
            f"{record_name(record)} lists cannot be filtered by `{part.field}`: use one of "
            f"{', '.join(sorted(schema.fields))}.",
            code="INVALID_FILTER",
        )
    return _condition(part, getattr(target, field.attribute), field.kind, field.target)


def _check(part: Condition, kind: Kind) -> None:
    if part.op not in OPERATORS[kind]:
        raise UserInputError(
            f"`{part.field}` does not take `{part.op}`: use one of "
            f"{', '.join(sorted(OPERATORS[kind]))}.",
            code="INVALID_FILTER",
        )
    values = part.value if part.op == "in" else (part.value,)
    if part.op == "in" and not 1 <= len(values) <= MAX_LIST_VALUES:
        raise UserInputError(
            f"`{part.field}: {{in: ...}}` takes 1 to {MAX_LIST_VALUES} values, got {len(values)}.",
            code="INVALID_FILTER",
        )
    for value in values:
        if isinstance(value, str) and "\x00" in value:
            # SQLite would cut the text at the NUL and match something else.
            raise UserInputError(
                f"`{part.field}` values must not contain NUL characters.", code="INVALID_FILTER"
            )
        if isinstance(value, str) and len(value) > MAX_TEXT_LENGTH:
            raise UserInputError(
                f"`{part.field}` values may be at most {MAX_TEXT_LENGTH} characters long.",
                code="INVALID_FILTER",
            )


def _ids(part: Condition, target: str | None) -> Any:
    """The primary keys of ID values, checking they name the right type."""
    values = part.value if part.op == "in" else (part.value,)
    keys = []
    for type_name, pk in values:
        if type_name != target:
            raise UserInputError(
                f"`{part.field}` takes {target} IDs, got the ID of a {type_name}.",
                code="WRONG_ID_TYPE",
            )
        keys.append(pk)
    return tuple(keys) if part.op == "in" else keys[0]


COMPARISONS: dict[str, Callable[[Any, Any], ColumnElement[bool]]] = {
    "eq": lambda column, value: column == value,
    "ne": lambda column, value: or_(column != value, column.is_(None)),
    "gt": lambda column, value: column > value,
    "gte": lambda column, value: column >= value,
    "lt": lambda column, value: column < value,
    "lte": lambda column, value: column <= value,
}


def _condition(part: Condition, column: Any, kind: Kind, target: str | None) -> ColumnElement[bool]:
    _check(part, kind)
    value = _ids(part, target) if kind == "id" else part.value
    clause: ColumnElement[bool]
    if part.op == "isNull":
        clause = column.is_(None) if value else column.is_not(None)
    elif part.op == "in":
        clause = column.in_(value)
    elif part.op == "contains":
        clause = func.lower(column).contains(value.lower(), autoescape=True)
    elif part.op == "startsWith":
        clause = func.lower(column).startswith(value.lower(), autoescape=True)
    else:
        clause = COMPARISONS[part.op](column, value)
    return clause


def _link_condition(
    part: Condition,
    target: Any,
    link: Any,
    near: str,
    far: str,
    kind: Kind,
    type_name: str | None,
) -> ColumnElement[bool]:
    if part.op not in {"eq", "in"}:
        raise UserInputError(f"`{part.field}` takes `eq` or `in`.", code="INVALID_FILTER")
    link_alias = aliased(link)
    condition = _condition(part, getattr(link_alias, far), kind, type_name)
    return exists().where(getattr(link_alias, near) == target.id, condition)


def _theme(part: Condition, rule: ThemeRule) -> Filter:
    """A `theme` condition as what it means: the same comparison holds for one
    of the texts that state the record's themes."""
    if part.op not in THEME_OPERATORS:
        raise UserInputError(
            f"`theme` does not take `{part.op}`: use one of {', '.join(sorted(THEME_OPERATORS))}.",
            code="INVALID_FILTER",
        )
    fields: list[Filter] = [Condition(name, part.op, part.value) for name in rule.fields]
    related: list[Filter] = [
        Related(relation, "some", Condition(field, part.op, part.value))
        for relation, field in rule.relations
    ]
    return AnyOf((*fields, *related))


def _related(
    record: type[Any], part: Related, principal: Principal, target: Any
) -> ColumnElement[bool]:
    relation = SCHEMAS[record].relations.get(part.relation)
    if relation is None:
        raise UserInputError(
            f"{record_name(record)} lists cannot be filtered through `{part.relation}`.",
            code="INVALID_FILTER",
        )
    link = aliased(relation.link)
    far = aliased(SCHEMAS[relation.record].model)
    inner = compile_filter(relation.record, part.part, principal, far)
    linked = (
        select(1)
        .select_from(link)
        .join(far, getattr(link, relation.far) == far.id)
        .where(getattr(link, relation.near) == target.id)
    )
    linked = where_visible(linked, far, principal)
    if part.quantifier == "some":
        return exists(linked.where(inner))
    if part.quantifier == "none":
        return not_(exists(linked.where(inner)))
    return not_(exists(linked.where(not_(inner))))
