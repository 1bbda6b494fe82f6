"""The HTTP headers the hub sends a partner's subgraph when it fetches its SDL.

Partners who protect `_service` give the hub a header to send (usually
`Authorization: Bearer ...`). The hub keeps the headers to send them again on
every later fetch, and never shows a value in full: what it prints, answers
or logs is the masked form, `Authorization: Bearer abcd…`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from resolvers.errors import UserInputError

__all__ = ["Header", "masked", "parse_headers"]

# A header name is an RFC 9110 token.
NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
# Visible characters, spaces and tabs: no line breaks, nothing to smuggle a second header.
VALUE = re.compile(r"^[\t\x20-\x7e\x80-\xff]*$")
# Headers the hub's own request sets; a partner's value would break it.
RESERVED = {"content-length", "content-type", "host", "transfer-encoding", "connection"}
MAX_HEADERS = 10
MAX_VALUE_LENGTH = 4096
# A secret this long shows its first characters; a shorter one shows none.
SHOWN_PREFIX = 4
SHOWN_FROM_LENGTH = 12

Header = tuple[str, str]


def parse_headers(lines: Iterable[str]) -> list[Header]:
    """`Name: value` lines as (name, value) pairs. A malformed one is refused
    with a message naming it by its position and name, never by its value."""
    headers = []
    for position, line in enumerate(lines, start=1):
        name, colon, value = line.partition(":")
        name, value = name.strip(), value.strip()
        which = f"header {position}"
        if not colon or not NAME.match(name):
            raise UserInputError(
                f"{which} is not of the form `Name: value` (e.g. `Authorization: Bearer <token>`).",
                code="INVALID_HEADER",
            )
        which = f"header {position} ({name})"
        if name.lower() in RESERVED:
            raise UserInputError(
                f"{which} is one the hub sets itself; send another header.",
                code="INVALID_HEADER",
            )
        if not value:
            raise UserInputError(f"{which} has no value.", code="INVALID_HEADER")
        if len(value) > MAX_VALUE_LENGTH or not VALUE.match(value):
            raise UserInputError(
                f"{which} has a value over {MAX_VALUE_LENGTH} characters or with line breaks "
                "or control characters.",
                code="INVALID_HEADER",
            )
        headers.append((name, value))
    if len(headers) > MAX_HEADERS:
        raise UserInputError(
            f"{len(headers)} headers given; a subgraph may have at most {MAX_HEADERS}.",
            code="INVALID_HEADER",
        )
    return headers


def masked(headers: Sequence[Header]) -> list[str]:
    """Each header as `Name: value` with its secret hidden: an authorization
    scheme (`Bearer`, `Basic`) stays, then at most the secret's first four
    characters, and only of a secret long enough to keep most of it hidden."""
    return [f"{name}: {_mask(value)}" for name, value in headers]


def _mask(value: str) -> str:
    scheme, space, secret = value.partition(" ")
    if not space:
        scheme, secret = "", value
    shown = secret[:SHOWN_PREFIX] if len(secret) >= SHOWN_FROM_LENGTH else ""
    return f"{scheme}{space}{shown}…"
