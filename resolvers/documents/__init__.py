"""Trusted documents: the operations partner apps publish ahead of time and
then run by id (see the README's "Trusted documents").

One concept a module: `manifests` (the files apps' builds write, Apollo's and
Relay's, checked against their ids) and `store` (the published documents in
the database)."""

from resolvers.documents.manifests import MAX_BYTES, Manifested, document_id, read_manifest
from resolvers.documents.store import (
    Published,
    PublishedDocument,
    find_document,
    list_documents,
    publish_manifest,
    remove_documents,
)

__all__ = [
    "MAX_BYTES",
    "Manifested",
    "Published",
    "PublishedDocument",
    "document_id",
    "find_document",
    "list_documents",
    "publish_manifest",
    "read_manifest",
    "remove_documents",
]
