"""The caller's text as a search: its words (never query syntax), the
expression each backend matches them with, and the cursors of its pages."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from typing import Any

from resolvers.errors import UserInputError

__all__ = ["MAX_QUERY_LENGTH", "SearchQuery", "decode_after", "parse_query"]

MAX_QUERY_LENGTH = 200


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """The caller's words, and the FTS5 expression that matches them."""

    words: tuple[str, ...]

    @property
    def expression(self) -> str:
        # Words hold letters, digits and marks only, so quoting needs no escapes.
        *whole, last = self.words
        return " ".join([*(f'"{word}"' for word in whole), f'"{last}"*'])

    @property
    def tsquery(self) -> str:
        """The same words as a PostgreSQL tsquery (`to_tsquery` syntax)."""
        *whole, last = self.words
        return " & ".join([*(f"'{word}'" for word in whole), f"'{last}':*"])

    @property
    def fingerprint(self) -> str:
        return hashlib.blake2b(self.expression.encode(), digest_size=4).hexdigest()


def parse_query(text: str) -> SearchQuery | None:
    """The words of `text`; None when it has none. Bad text is an error."""
    if len(text) > MAX_QUERY_LENGTH:
        raise UserInputError(
            f"`query` is {len(text)} characters long; the limit is {MAX_QUERY_LENGTH}: "
            "search for a few words.",
            code="SEARCH_TOO_LONG",
        )
    if not text.strip():
        raise UserInputError(
            "`query` is empty: give at least one word to search for.", code="EMPTY_SEARCH"
        )
    words = _words(text)
    return SearchQuery(tuple(words)) if words else None


def _words(text: str) -> list[str]:
    words: list[str] = []
    current: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        category = unicodedata.category(char)[0]
        # A combining mark belongs to the word it follows; alone it is no word.
        if category in "LN" or (category == "M" and current):
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def decode_after(key: tuple[Any, ...] | None, query: SearchQuery) -> tuple[float, int] | None:
    if key is None:
        return None
    match key:
        case (float() | int() as score, int() as rowid, str() as fingerprint) if (
            fingerprint == query.fingerprint
        ):
            return float(score), rowid
    raise UserInputError(
        "`after` is a cursor from a different list or search: pass a cursor from this "
        "search's previous page, with the same `query`.",
        code="INVALID_CURSOR",
    )
