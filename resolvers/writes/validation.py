"""Checking values a write brings in, field by field.

Each check returns the cleaned value or raises `Invalid` with a message that
says what was wrong and a stable code; the write path collects them as
`userErrors` (all of them at once, not just the first).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pycountry
from email_validator import EmailNotValidError, validate_email

__all__ = [
    "InvalidError",
    "Rule",
    "country_code",
    "email",
    "enum_value",
    "latitude",
    "longitude",
    "non_negative",
    "text",
    "url",
    "urls",
    "year",
]

# The years a fact about the network can be about (Metropolis dates from 1985).
MIN_YEAR, MAX_YEAR = 1900, 2100


class InvalidError(ValueError):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


Rule = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class text:  # noqa: N801 - reads as a rule: text(max_length=200)
    """Text, stripped; `required` refuses empty text."""

    max_length: int
    required: bool = False

    def __call__(self, value: Any) -> str | None:
        if value is None:
            if self.required:
                raise InvalidError("is required.", "REQUIRED")
            return None
        cleaned = str(value).strip()
        if not cleaned:
            if self.required:
                raise InvalidError("must not be empty.", "REQUIRED")
            return None
        if "\x00" in cleaned:
            raise InvalidError("must not contain NUL characters.", "INVALID")
        try:
            cleaned.encode("utf-8")
        except UnicodeEncodeError as error:
            # e.g. a lone surrogate: JSON can carry it, no database can store it.
            raise InvalidError(
                "contains characters that are not valid Unicode.", "INVALID"
            ) from error
        if len(cleaned) > self.max_length:
            raise InvalidError(
                f"is {len(cleaned)} characters long; at most {self.max_length} are allowed.",
                "TOO_LONG",
            )
        return cleaned


def url(value: Any) -> str | None:
    if value is None or not str(value).strip():
        return None
    cleaned = str(value).strip()
    parts = urlsplit(cleaned)
    if parts.scheme not in {"http", "https"} or not parts.netloc or " " in cleaned:
        raise InvalidError(f"{cleaned!r} is not an http(s) URL.", "INVALID_URL")
    if len(cleaned) > 500:
        raise InvalidError("is longer than 500 characters.", "TOO_LONG")
    return cleaned


def urls(value: Any) -> list[str]:
    if value is None:
        return []
    cleaned = [u for item in value if (u := url(item)) is not None]
    if len(cleaned) > 20:
        raise InvalidError("takes at most 20 sources.", "TOO_LONG")
    return list(dict.fromkeys(cleaned))


def email(value: Any) -> str | None:
    if value is None or not str(value).strip():
        return None
    try:
        return str(validate_email(str(value).strip(), check_deliverability=False).normalized)
    except EmailNotValidError as error:
        raise InvalidError(
            f"{value!r} is not an email address: {error}", "INVALID_EMAIL"
        ) from error


def country_code(value: Any) -> str | None:
    if value is None or not str(value).strip():
        return None
    code = str(value).strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise InvalidError(
            f"{value!r} is not an ISO 3166-1 alpha-2 country code (e.g. DE, BR, ZA).",
            "INVALID_COUNTRY",
        )
    return code


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return str(getattr(country, "common_name", None) or country.name) if country else code


def year(value: Any) -> int | None:
    if value is None:
        return None
    if not MIN_YEAR <= int(value) <= MAX_YEAR:
        raise InvalidError(
            f"{value} is not a year between {MIN_YEAR} and {MAX_YEAR}.", "OUT_OF_RANGE"
        )
    return int(value)


def _bounded(low: float, high: float, what: str) -> Rule:
    def check(value: Any) -> float | None:
        if value is None:
            return None
        if not low <= float(value) <= high:
            raise InvalidError(f"{value} is not a {what} between {low} and {high}.", "OUT_OF_RANGE")
        return float(value)

    return check


latitude = _bounded(-90, 90, "latitude")
longitude = _bounded(-180, 180, "longitude")


def non_negative(value: Any) -> int | None:
    if value is None:
        return None
    if int(value) < 0:
        raise InvalidError(f"{value} is negative.", "OUT_OF_RANGE")
    return int(value)


def enum_value(kind: type[Any], *, required: bool = False) -> Rule:
    """A storage enum's member from its value (GraphQL enums share the values),
    or from its name as the API spells it (`NGO_FOUNDATION`), as files give it."""

    def check(value: Any) -> Any:
        if value is None:
            if required:
                raise InvalidError("is required.", "REQUIRED")
            return None
        raw = getattr(value, "value", value)
        try:
            return kind(raw)
        except ValueError as error:
            named = kind.__members__.get(str(raw).strip().upper())
            if named is not None:
                return named
            allowed = ", ".join(kind.__members__)
            raise InvalidError(f"{raw!r} is not one of {allowed}.", "INVALID") from error

    return check
