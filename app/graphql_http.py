"""GraphQL over HTTP, the hub's rules for what a request may be before it runs:
the content types a POST may have, the headers a GET needs (CSRF prevention),
the shape of the request's JSON, and the request errors that come before
execution. `app.view.HubGraphQL` applies them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cross_web import HTTPException
from graphql import GraphQLError, OperationDefinitionNode
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult

from app.media_types import JSON, parsed_content_type
from app.persisted import PersistedRequest, persisted_fields
from engine.arguments import json_nesting
from engine.limits import LIMITS
from schema import parse_document

__all__ = [
    "CSRF_REFUSAL",
    "ERROR_CODES",
    "PREFLIGHT_HEADERS",
    "check_json_body",
    "forces_preflight",
    "graphql_request",
    "masked",
    "request_error",
    "unrunnable",
]

# The content types a browser sends cross-site without asking first (no CORS
# preflight): a form or a script on any site can post them with the user's session.
SIMPLE_CONTENT_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
# Headers that make a browser ask first; clients put one on GET requests (Apollo's names).
PREFLIGHT_HEADERS = ("x-apollo-operation-name", "apollo-require-preflight")
ERROR_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}
CSRF_REFUSAL = (
    "GET requests need a header that browsers cannot send cross-site without asking "
    "(CSRF prevention): `apollo-require-preflight: true`, `x-apollo-operation-name`, or a "
    "`content-type` other than application/x-www-form-urlencoded, multipart/form-data and "
    "text/plain. Or POST the request as JSON."
)


def forces_preflight(headers: Mapping[str, str]) -> bool:
    """Whether a browser would have asked the hub (CORS preflight) before sending this
    request from another site: Apollo Server's CSRF prevention rule."""
    content_type = headers.get("content-type")
    if content_type is not None:
        parsed = parsed_content_type(content_type)
        if parsed is None or parsed[0] not in SIMPLE_CONTENT_TYPES:
            return True
    return any(headers.get(name, "").strip() for name in PREFLIGHT_HEADERS)


def check_json_body(content_type: str | None) -> None:
    """POST bodies are JSON in UTF-8; anything else is refused with 415."""
    parsed = parsed_content_type(content_type) if content_type else None
    if parsed is not None and parsed[0] == JSON:
        charset = parsed[1].get("charset", "utf-8")
        if charset.replace("-", "") == "utf8":
            return
        raise HTTPException(415, f"Send the JSON body in UTF-8, not {charset}.")
    if parsed is not None and parsed[0] in SIMPLE_CONTENT_TYPES:
        raise HTTPException(
            415,
            f"{parsed[0]} bodies are refused, since any site can make a browser post them: "
            "send the request as JSON with `Content-Type: application/json`.",
        )
    raise HTTPException(415, "Send the request as JSON with `Content-Type: application/json`.")


def graphql_request(params: object) -> GraphQLRequestData:
    """The GraphQL request in a JSON body or the query string, with each field's
    type checked; its document sent in `query`, or named (`documentId`, APQ's
    `extensions.persistedQuery`: see app/persisted.py)."""
    if not isinstance(params, dict):
        raise HTTPException(
            400,
            "The body must be one JSON object: "
            '{"query": "...", "variables": {...}, "operationName": "...", "extensions": {...}}.',
        )
    query = params.get("query")
    if not isinstance(query, str | None):
        raise HTTPException(400, "`query` must be a string holding the GraphQL document.")
    operation_name = params.get("operationName")
    if not isinstance(operation_name, str | None):
        raise HTTPException(400, "`operationName` must be a string or null.")
    variables = params.get("variables")
    extensions = params.get("extensions")
    for name, value in (("variables", variables), ("extensions", extensions)):
        if not isinstance(value, dict | None):
            raise HTTPException(400, f"`{name}` must be a JSON object or null.")
        # Before anything walks it by recursion (the response cache's key, graphql-core).
        if json_nesting(value, LIMITS.max_json_depth) > LIMITS.max_json_depth:
            raise HTTPException(
                400,
                f"`{name}` nests objects and lists more than {LIMITS.max_json_depth} levels "
                "deep (counting itself); send a flatter value.",
            )
    document_id, apq_hash = persisted_fields(params, extensions)
    if query is None and document_id is None and apq_hash is None:
        raise HTTPException(
            400,
            "Send the GraphQL document in `query`, or the id of a published one in `documentId`.",
        )
    return PersistedRequest(
        query=query,
        variables=variables,
        operation_name=operation_name,
        extensions=extensions,
        document_id=document_id,
        apq_hash=apq_hash,
    )


def unrunnable(request_data: GraphQLRequestData) -> ExecutionResult | None:
    """The request errors that parsing the document shows (through the schema's
    parser cache, so Strawberry parses it no more): a syntax error, which Strawberry
    would report without a code, or several operations and no `operationName`, where
    Strawberry would run the first and GraphQL's GetOperation() refuses."""
    try:
        document = parse_document(request_data.query or "")
    except GraphQLError as error:
        # A limit's refusal keeps its own code (`QUERY_TOO_LARGE`).
        error.extensions = {"code": "GRAPHQL_PARSE_FAILED", **(error.extensions or {})}
        return ExecutionResult(data=None, errors=[error])
    operations = sum(isinstance(node, OperationDefinitionNode) for node in document.definitions)
    if request_data.operation_name is None and operations > 1:
        return request_error(
            "The document has several operations: name the one to run in `operationName`."
        )
    return None


def request_error(message: str) -> ExecutionResult:
    """The request error of GetOperation(): a GraphQL response without `data`, so 200
    under application/json and 400 under application/graphql-response+json."""
    error = GraphQLError(message, extensions={"code": "OPERATION_RESOLUTION_FAILURE"})
    return ExecutionResult(data=None, errors=[error])


def masked(response: GraphQLHTTPResponse) -> bool:
    """Whether an error is the hub's own fault (see engine/errors.py), not the request's."""
    errors: list[Any] = response.get("errors") or []
    return any(
        isinstance(error, dict)
        and (error.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR"
        for error in errors
    )
