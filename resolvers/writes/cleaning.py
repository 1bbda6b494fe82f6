"""Input checked against a writable type's fields (every problem reported
at once), the references and years checked against the database and the
record, and the before and after of each change as the audit log keeps it."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

import resolvers.writes.validation as v
from resolvers.writes.fields import WRITABLE, Field, Writable
from resolvers.writes.model import UserError

__all__ = [
    "apply_changes",
    "attributes",
    "check_references",
    "check_years",
    "clean",
    "clean_fields",
    "created_changes",
]


def clean_fields(
    spec: Writable, values: Mapping[str, Any], *, creating: bool
) -> tuple[dict[str, Any], list[UserError]]:
    """Validated attribute values, and every problem found."""
    cleaned: dict[str, Any] = {}
    errors: list[UserError] = []
    for name, item in spec.fields.items():
        if name not in values:
            if creating and item.required:
                errors.append(UserError(("input", name), f"`{name}` is required.", "REQUIRED"))
            continue
        try:
            cleaned[item.attribute] = item.rule(values[name])
        except v.InvalidError as error:
            errors.append(UserError(("input", name), f"`{name}` {error.message}", error.code))
        except (TypeError, ValueError) as error:
            errors.append(UserError(("input", name), f"`{name}` is not valid: {error}", "INVALID"))
        else:
            if cleaned[item.attribute] is None and not _nullable(spec, item):
                if creating and not item.required:
                    del cleaned[item.attribute]  # the column's default applies
                else:
                    message = f"`{name}` cannot be empty."
                    errors.append(UserError(("input", name), message, "REQUIRED"))
    for name, (source, derive) in spec.defaults.items():
        attribute, source_attribute = spec.fields[name].attribute, spec.fields[source].attribute
        if creating and cleaned.get(attribute) is None and cleaned.get(source_attribute):
            cleaned[attribute] = derive(cleaned[source_attribute])
    return cleaned, errors


def clean(
    type_name: str, values: Mapping[str, Any], *, creating: bool
) -> tuple[dict[str, Any], list[UserError]]:
    """`values` (by API field name) checked as `create` (`creating`) or `update`
    check them: the model's attribute values, and every problem found."""
    return clean_fields(WRITABLE[type_name], values, creating=creating)


def attributes(type_name: str) -> dict[str, str]:
    """A type's writable fields: API name -> model attribute, in input order."""
    return {name: item.attribute for name, item in WRITABLE[type_name].fields.items()}


def created_changes(type_name: str, cleaned: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The audit log's before (none) and after of each field a new record sets."""
    return {
        name: [None, _plain(cleaned[item.attribute])]
        for name, item in WRITABLE[type_name].fields.items()
        if cleaned.get(item.attribute) is not None
    }


def apply_changes(type_name: str, row: Any, cleaned: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set on `row` the cleaned values that differ from its own; the audit log's
    before and after of each (empty when nothing changed)."""
    changes = {}
    for name, item in WRITABLE[type_name].fields.items():
        if item.attribute in cleaned and getattr(row, item.attribute) != cleaned[item.attribute]:
            changes[name] = [_plain(getattr(row, item.attribute)), _plain(cleaned[item.attribute])]
            setattr(row, item.attribute, cleaned[item.attribute])
    return changes


def _nullable(spec: Writable, item: Field) -> bool:
    return bool(spec.model.__table__.c[item.attribute].nullable)


async def check_references(
    session: AsyncSession, spec: Writable, cleaned: Mapping[str, Any]
) -> list[UserError]:
    errors = []
    for name, item in spec.fields.items():
        if item.references is None or cleaned.get(item.attribute) is None:
            continue
        if await session.get(item.references, cleaned[item.attribute]) is None:
            errors.append(
                UserError(("input", name), f"`{name}` names no existing record.", "NOT_FOUND")
            )
    return errors


def check_years(cleaned: Mapping[str, Any], row: Any = None) -> list[UserError]:
    start = cleaned.get("start_year", getattr(row, "start_year", None))
    end = cleaned.get("end_year", getattr(row, "end_year", None))
    if start is not None and end is not None and end < start:
        return [
            UserError(
                ("input", "endYear"),
                f"`endYear` ({end}) is before `startYear` ({start}).",
                "OUT_OF_RANGE",
            )
        ]
    return []


def _plain(value: Any) -> Any:
    """A value as it goes into the audit log's JSON."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
