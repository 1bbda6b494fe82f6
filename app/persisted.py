"""Persisted documents: a request that names its document instead of sending
it, and the keys held to published ones (safelisting).

Two forms name a document:

- GraphQL over HTTP's `documentId` (`sha256:<hex>`, or the id a Relay or
  Apollo build gave it), of a document published with `metrohub documents
  publish`;
- Apollo's automatic persisted queries (APQ): `extensions.persistedQuery`,
  `{"version": 1, "sha256Hash": "<hex>"}`. A hash the hub does not know is
  answered `PersistedQueryNotFound` (code `PERSISTED_QUERY_NOT_FOUND`, HTTP
  200, as Apollo's clients expect), and the client sends it again with its
  `query`, which the hub checks against the hash, keeps and runs. Registered
  documents are a cache of the process (`APQ_BYTES`, `APQ_ENTRIES`): a process
  that does not have one answers the miss, and the client registers it again.
  A published document's sha256 is known to APQ too.

A key marked trusted-documents-only runs published documents and nothing
else: an operation's text, an APQ registration, or a hash that is not
published is refused (`PERSISTED_DOCUMENTS_ONLY`). Published documents are
pinned in the documents' cache (engine/documents.py): parsed, validated and
priced once a process.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import time
from dataclasses import dataclass
from typing import Any, Final

from cross_web import HTTPException
from graphql import GraphQLError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult

from db.engine import Database
from engine.documents import pin
from resolvers.access.keys import Principal
from resolvers.caches import BoundedCache
from resolvers.documents import document_id, find_document

__all__ = ["PersistedDocuments", "PersistedRequest", "apq_miss", "persisted_fields"]

APQ_BYTES: Final = 16 * 1024 * 1024
APQ_ENTRIES: Final = 4_096
# How long a process trusts what it looked up of a published document: a
# removed document stops being answered on every process within this time.
PUBLISHED_SECONDS: Final = 10.0
APQ_NOT_FOUND: Final = "PERSISTED_QUERY_NOT_FOUND"
SHA256_HEX: Final = re.compile(r"[0-9a-f]{64}")
MAX_DOCUMENT_ID: Final = 200


@dataclass
class PersistedRequest(GraphQLRequestData):
    """A GraphQL request that may name its document (`documentId`) rather
    than send it; its `query` is filled in once the document is found."""

    document_id: str | None = None
    apq_hash: str | None = None


def persisted_fields(params: dict[str, Any], extensions: object) -> tuple[str | None, str | None]:
    """The `documentId` of a request and the hash of its `persistedQuery`
    extension, each checked; a request error (400) names what is wrong."""
    given = params.get("documentId")
    if given is not None and (not isinstance(given, str) or not 0 < len(given) <= MAX_DOCUMENT_ID):
        raise HTTPException(
            400,
            "`documentId` must be the id of a published document: `sha256:<hex>`, or the "
            "id its app's build gave it.",
        )
    if given is not None and params.get("query") is not None:
        raise HTTPException(
            400, "Send either `query` or `documentId`, not both: the id names the document."
        )
    persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
    if persisted is None:
        return given, None
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise HTTPException(
            400,
            'Only version 1 of Apollo\'s persisted queries is known: `{"version": 1, '
            '"sha256Hash": "<hex>"}` in `extensions.persistedQuery`.',
        )
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not SHA256_HEX.fullmatch(digest):
        raise HTTPException(
            400,
            "`extensions.persistedQuery.sha256Hash` must be the SHA-256 of the query, in 64 "
            "lower-case hex digits.",
        )
    if given is not None:
        raise HTTPException(
            400, "Send either `documentId` or `extensions.persistedQuery`, not both."
        )
    return None, digest


class PersistedDocuments:
    """The process's registered APQ documents, and what it looked up of the
    published ones."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.registered: BoundedCache[str, str] = BoundedCache(APQ_BYTES, APQ_ENTRIES)
        self._published: BoundedCache[str, tuple[str, float]] = BoundedCache(APQ_BYTES, APQ_ENTRIES)

    async def resolve(
        self, request: GraphQLRequestData, principal: Principal
    ) -> GraphQLRequestData | ExecutionResult:
        """The request with its document, or the request error that refuses it."""
        if not isinstance(request, PersistedRequest):
            return _ad_hoc(request, principal)
        if request.document_id is not None:
            text = await self.published(request.document_id)
            if text is None:
                return _refusal(
                    f"No document is published with the id {request.document_id!r}: publish "
                    "it with `metrohub documents publish`, or send its `query`.",
                    "PERSISTED_DOCUMENT_NOT_FOUND",
                )
            return dataclasses.replace(request, query=text)
        if request.apq_hash is not None:
            return await self._apq(request, request.apq_hash, principal)
        return _ad_hoc(request, principal)

    async def _apq(
        self, request: PersistedRequest, digest: str, principal: Principal
    ) -> GraphQLRequestData | ExecutionResult:
        trusted_only = principal.trusted_documents_only
        if request.query is not None and document_id(request.query) != "sha256:" + digest:
            return _refusal(
                "The query's SHA-256 is not `extensions.persistedQuery.sha256Hash`: send the "
                "hash of the query's exact text (UTF-8).",
                "PERSISTED_QUERY_HASH_MISMATCH",
            )
        text = None if trusted_only else self.registered.get(digest)
        if text is None:
            text = await self.published("sha256:" + digest)
        if text is not None:
            return dataclasses.replace(request, query=text)
        if trusted_only:
            return _only_published()
        if request.query is None:
            # Apollo's clients look for this message, or the code, to send the query.
            return _refusal("PersistedQueryNotFound", APQ_NOT_FOUND)
        self.registered.put(digest, request.query, len(request.query))
        return request

    async def published(self, key: str) -> str | None:
        """The text of the published document with this id or alias, pinned in
        the documents' cache; as looked up at most `PUBLISHED_SECONDS` ago."""
        now = time.monotonic()
        known = self._published.get(key)
        if known is not None and known[1] > now:
            return known[0]
        text = await find_document(self.database, key)
        if text is None:
            self._published.pop(key)
            return None
        self._published.put(key, (text, now + PUBLISHED_SECONDS), len(text) + len(key))
        # Over a limit lowered since it was published: the request reports it.
        with contextlib.suppress(GraphQLError):
            pin(text)
        return text


def _ad_hoc(
    request: GraphQLRequestData, principal: Principal
) -> GraphQLRequestData | ExecutionResult:
    return _only_published() if principal.trusted_documents_only else request


def _only_published() -> ExecutionResult:
    return _refusal(
        "This key runs only published documents (trusted documents): send the `documentId` of "
        "a document published with `metrohub documents publish`, not an operation's text.",
        "PERSISTED_DOCUMENTS_ONLY",
    )


def _refusal(message: str, code: str) -> ExecutionResult:
    """A request error: no `data`, 200 under application/json, 400 under
    application/graphql-response+json (but see `APQ_NOT_FOUND`)."""
    return ExecutionResult(data=None, errors=[GraphQLError(message, extensions={"code": code})])


def apq_miss(response: GraphQLHTTPResponse) -> bool:
    """Whether a response is APQ's miss, which Apollo's clients expect with 200."""
    errors: list[Any] = response.get("errors") or []
    return bool(errors) and all(
        isinstance(error, dict) and (error.get("extensions") or {}).get("code") == APQ_NOT_FOUND
        for error in errors
    )
