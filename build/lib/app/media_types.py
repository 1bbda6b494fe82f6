"""Content negotiation: the media type the hub answers a request in, and the
Content-Type of what it was sent."""

from __future__ import annotations

import functools
from collections.abc import Mapping

import mimeparse

__all__ = ["GRAPHQL_RESPONSE", "JSON", "parsed_content_type", "response_media_type"]

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
# What /graphql answers in, least preferred first: on a tie (`*/*`, `application/*`)
# the last wins, so clients that name neither type get the legacy application/json.
RESPONSE_MEDIA_TYPES = [GRAPHQL_RESPONSE, JSON]


# Clients send few distinct Accept headers, and matching one takes microseconds.
@functools.lru_cache(maxsize=256)
def response_media_type(accept: str | None) -> str | None:
    """The media type to answer a request in, by its Accept header: the one the
    client prefers of application/graphql-response+json and application/json,
    application/json when it says nothing, None when it accepts neither."""
    if accept is None or not accept.strip():
        return JSON
    try:
        return str(mimeparse.best_match(RESPONSE_MEDIA_TYPES, accept.lower())) or None
    except mimeparse.MimeTypeParseException:
        return None


# Clients send few distinct Content-Types too.
@functools.lru_cache(maxsize=256)
def parsed_content_type(value: str) -> tuple[str, Mapping[str, str]] | None:
    """`type/subtype` and parameters of a Content-Type, None when it does not parse."""
    try:
        kind, subtype, parameters = mimeparse.parse_mime_type(value.lower())
    except mimeparse.MimeTypeParseException:
        return None
    return f"{kind}/{subtype}", dict(parameters)
