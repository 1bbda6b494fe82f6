"""`metrohub documents`: the trusted documents partner apps publish, listed
and removed."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cli.arguments import Commands, command_group

if TYPE_CHECKING:
    from db.engine import Database

__all__ = ["register"]


def register(commands: Commands) -> None:
    document_commands = command_group(
        commands,
        "documents",
        help="trusted documents: publish a partner app's operations, list, remove",
        dest="documents_command",
    )
    publish = document_commands.add_parser(
        "publish",
        help="publish an app's operations: an Apollo persisted query manifest or Relay's "
        "persisted queries JSON; all of the file or none of it",
    )
    publish.add_argument("client", help="the app's client name (apollographql-client-name)")
    publish.add_argument("file", help="the manifest (JSON)")
    publish.set_defaults(run=_publish)
    listing = document_commands.add_parser("list", help="list published documents")
    listing.add_argument("client", nargs="?", help="only this client's")
    listing.set_defaults(run=_list)
    remove = document_commands.add_parser(
        "remove", help="remove a client's published documents (all, or one by --id)"
    )
    remove.add_argument("client")
    remove.add_argument("--id", help="the document's id (sha256:...) or its app's own id")
    remove.set_defaults(run=_remove)


def _publish(args: argparse.Namespace) -> int:
    from cli.files import read_limited
    from cli.running import run_reporting_input_errors
    from engine.documents import check_document
    from resolvers.documents import MAX_BYTES, publish_manifest
    from schema import schema

    content = read_limited(args.file, MAX_BYTES)
    if content is None:
        return 2

    def validate(body: str) -> str | None:
        return check_document(schema._schema, body)

    async def run(database: Database) -> int:
        published = await publish_manifest(database, args.client, content, validate)
        print(
            f"{len(published.published)} documents published for {published.client!r}, "
            f"{len(published.unchanged)} already published"
        )
        for document_id in published.published:
            print(f"  {document_id}")
        return 0

    return run_reporting_input_errors(run)


def _list(args: argparse.Namespace) -> int:
    from cli.running import run_reporting_input_errors
    from resolvers.documents import list_documents

    async def run(database: Database) -> int:
        for document in await list_documents(database, args.client):
            alias = f" ({document.alias})" if document.alias else ""
            print(
                f"{document.client} {document.document_id}{alias} {document.operation_type} "
                f"{document.operation_name or '(unnamed)'} "
                f"published {document.published_at:%Y-%m-%d %H:%M}"
            )
        return 0

    return run_reporting_input_errors(run)


def _remove(args: argparse.Namespace) -> int:
    from cli.running import run_reporting_input_errors
    from resolvers.documents import remove_documents

    async def run(database: Database) -> int:
        removed = await remove_documents(database, args.client, args.id)
        print(f"{removed} documents of {args.client!r} removed")
        return 0

    return run_reporting_input_errors(run)
