"""Published documents in the database: published for a client, listed,
removed, and found by their id or alias when a request names one."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import Database
from db.models import TrustedDocument
from resolvers.documents.manifests import Manifested, read_manifest
from resolvers.errors import UserInputError

__all__ = [
    "Published",
    "PublishedDocument",
    "find_document",
    "list_documents",
    "publish_manifest",
    "remove_documents",
]

# A client is a name, as apps send it in `apollographql-client-name`.
CLIENT_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._@/:+-]{0,199}")


@dataclass(frozen=True, slots=True)
class Published:
    """What publishing a manifest did: documents new to the client, and those
    it had already."""

    client: str
    published: list[str]
    unchanged: list[str]


@dataclass(frozen=True, slots=True)
class PublishedDocument:
    client: str
    document_id: str
    alias: str | None
    operation_name: str | None
    operation_type: str
    published_at: datetime


def check_client(client: str) -> str:
    if not CLIENT_NAME.fullmatch(client):
        raise UserInputError(
            f"{client[:60]!r} is not a client name: 1 to 200 letters, digits, spaces and "
            "`._@/:+-`, starting with a letter or digit (as apps send it in "
            "`apollographql-client-name`).",
            code="INVALID_CLIENT",
        )
    return client


async def publish_manifest(
    database: Database, client: str, content: bytes | str, validate: Callable[[str], str | None]
) -> Published:
    """Publish every document of a manifest for `client`, or none: the first
    document that fails (its hash, `validate`'s check against the schema, an
    alias taken by another document) refuses the file with a `UserInputError`."""
    check_client(client)
    documents = read_manifest(content)
    for document in documents:
        problem = validate(document.body)
        if problem is not None:
            raise UserInputError(
                f"document {document.alias or document.document_id} "
                f"({document.operation_name or 'unnamed'}) is not valid against the hub's "
                f"schema: {problem} Nothing was published.",
                code="INVALID_DOCUMENT",
            )
    async with database.writer() as session:
        await _check_aliases_free(session, documents)
        existing = set(
            (
                await session.execute(
                    select(TrustedDocument.document_id).where(
                        TrustedDocument.client == client,
                        TrustedDocument.document_id.in_({d.document_id for d in documents}),
                    )
                )
            ).scalars()
        )
        published: list[str] = []
        for document in documents:
            if document.document_id in existing:
                continue
            existing.add(document.document_id)
            published.append(document.document_id)
            session.add(
                TrustedDocument(
                    client=client,
                    document_id=document.document_id,
                    alias=document.alias,
                    operation_name=document.operation_name,
                    operation_type=document.operation_type,
                    body=document.body,
                )
            )
        await session.commit()
    unchanged = sorted({d.document_id for d in documents} - set(published))
    return Published(client, published, unchanged)


async def _check_aliases_free(session: AsyncSession, documents: list[Manifested]) -> None:
    aliases: dict[str | None, str] = {
        d.alias: d.document_id for d in documents if d.alias is not None
    }
    if not aliases:
        return
    rows = await session.execute(
        select(TrustedDocument.alias, TrustedDocument.document_id).where(
            TrustedDocument.alias.in_(aliases)
        )
    )
    for alias, taken_by in rows:
        if aliases.get(alias) != taken_by:
            raise UserInputError(
                f"the id {alias!r} already stands for another published document "
                f"({taken_by}): give this one another id. Nothing was published.",
                code="DOCUMENT_ID_TAKEN",
            )


async def list_documents(database: Database, client: str | None = None) -> list[PublishedDocument]:
    statement = select(
        TrustedDocument.client,
        TrustedDocument.document_id,
        TrustedDocument.alias,
        TrustedDocument.operation_name,
        TrustedDocument.operation_type,
        TrustedDocument.published_at,
    ).order_by(TrustedDocument.client, TrustedDocument.operation_name, TrustedDocument.id)
    if client is not None:
        statement = statement.where(TrustedDocument.client == check_client(client))
    async with database.engine.connect() as connection:
        return [PublishedDocument(*row) for row in await connection.execute(statement)]


async def remove_documents(database: Database, client: str, document: str | None = None) -> int:
    """Remove a client's documents (all, or the one with this id or alias);
    how many were removed. Refused when there is nothing to remove."""
    statement = delete(TrustedDocument).where(TrustedDocument.client == check_client(client))
    if document is not None:
        statement = statement.where(
            or_(TrustedDocument.document_id == document, TrustedDocument.alias == document)
        )
    async with database.writer() as session:
        result = await session.execute(statement)
        await session.commit()
    removed = int(getattr(result, "rowcount", 0) or 0)
    if removed == 0:
        raise UserInputError(
            f"client {client!r} has no published document"
            + (f" with the id {document!r}." if document else "s.")
            + " See `metrohub documents list`.",
            code="NOT_FOUND",
        )
    return removed


async def find_document(database: Database, document: str) -> str | None:
    """The text of the published document with this id (`sha256:<hex>`) or
    alias, whichever client published it; None when none is."""
    async with database.engine.connect() as connection:
        return (
            await connection.execute(
                select(TrustedDocument.body)
                .where(
                    or_(TrustedDocument.document_id == document, TrustedDocument.alias == document)
                )
                .limit(1)
            )
        ).scalar()
