"""The GraphQL contract: an Apollo Federation v2 subgraph schema."""

from __future__ import annotations

from typing import Final

import strawberry
from graphql import DocumentNode, GraphQLError
from strawberry.extensions import ParserCache, ValidationCache

from schema.errors import ErrorCodes
from schema.mutations import Mutation
from schema.query import Query

__all__ = ["FEDERATION_VERSION", "parse_document", "schema", "sdl"]

# The newest version all three composers accept (The Guild's stops at 2.9).
FEDERATION_VERSION: Final = "2.9"
# Distinct documents kept parsed and validated (partner apps send few, often).
CACHE_SIZE = 512


class HubSchema(strawberry.federation.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: object = None) -> None:
        # `ErrorCodes` logs unexpected errors with their reference; bad input
        # is the client's to fix and needs no traceback in the server's log.
        return None


schema = HubSchema(
    query=Query,
    mutation=Mutation,
    federation_version=FEDERATION_VERSION,
    extensions=[
        ErrorCodes,
        lambda: ParserCache(maxsize=CACHE_SIZE),
        lambda: ValidationCache(maxsize=CACHE_SIZE),
    ],
)


def sdl() -> str:
    """The schema as SDL, as checked in at `schema/schema.graphql`."""
    return schema.as_str() + "\n"


def parse_document(query: str) -> DocumentNode:
    """`query` parsed through the schema's parser cache (shared by every `ParserCache`
    of the same size), so that parsing a document before executing it costs one parse."""
    document: DocumentNode = ParserCache(maxsize=CACHE_SIZE).cached_parse_document(query)
    return document
