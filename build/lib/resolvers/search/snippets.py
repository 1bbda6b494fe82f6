"""Snippets: the passage of a hit's text around the searched words, cut by
the index with markers around each match, and given to clients as plain text
and match ranges."""

from __future__ import annotations

from resolvers.search.model import Snippet, TextRange

__all__ = ["ELLIPSIS", "MATCH_END", "MATCH_START", "SNIPPET_TOKENS", "parse_snippet"]

# Snippets come out of FTS5 with each match between these two control
# characters; the migration strips them from the indexed text, so they only
# ever mark matches. Clients get plain text and match ranges instead.
MATCH_START = "\x02"
MATCH_END = "\x03"
ELLIPSIS = "…"
SNIPPET_TOKENS = 16


def parse_snippet(marked: str) -> Snippet:
    """Plain text and match ranges from FTS5's snippet with its markers."""
    text: list[str] = []
    matches: list[TextRange] = []
    start = 0
    length = 0
    for char in marked:
        if char == MATCH_START:
            start = length
        elif char == MATCH_END:
            matches.append(TextRange(start, length))
        else:
            text.append(char)
            length += 1
    return Snippet("".join(text), matches)
