"""`metrohub keys`: API keys created, listed, revoked and rotated."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cli.arguments import Commands, command_group, existing, record_id

if TYPE_CHECKING:
    from db.engine import Database

__all__ = ["register"]


def register(commands: Commands) -> None:
    key_commands = command_group(
        commands, "keys", help="API keys: create, list, rotate, revoke", dest="keys_command"
    )
    create = key_commands.add_parser("create", help="create a key and print it once")
    create.add_argument(
        "--role",
        required=True,
        choices=["partner", "staff", "admin", "gateway"],
        help="gateway: a federation gateway's key, sent as `Hub-Gateway-Key`; it reads the "
        "subgraph SDL and forwards its end users' requests, with no data privileges of its own",
    )
    create.add_argument("--name", required=True, help="who or what the key is for")
    create.add_argument(
        "--partner",
        type=record_id("Partner"),
        help="the partner the key acts for (partner keys only): its global ID, as the API "
        "shows it (`UGFydG5lcjoxMQ==`), or its number",
    )
    create.add_argument(
        "--trusted-documents-only",
        action="store_true",
        help="the key runs only published documents (`metrohub documents publish`), by id",
    )
    create.set_defaults(run=_create)
    key_commands.add_parser("list", help="list keys (never the keys themselves)").set_defaults(
        run=_list
    )
    for verb, run in (("revoke", _revoke), ("rotate", _rotate)):
        command = key_commands.add_parser(verb, help=f"{verb} a key by its id")
        command.add_argument(
            "id", type=int, help="the key's number, as `keys list` and the API's `apiKeys` show it"
        )
        command.set_defaults(run=run)


def _create(args: argparse.Namespace) -> int:
    from cli.running import run_reporting_input_errors
    from db.models import Role
    from resolvers.access.keys import issue_key

    async def create(database: Database) -> int:
        issued = await issue_key(
            database,
            name=args.name,
            role=Role(args.role),
            partner_id=await existing(database, "--partner", args.partner),
            trusted_documents_only=args.trusted_documents_only,
        )
        print(f"key {issued.id} ({issued.role}, {issued.name!r}); shown once, keep it safe:")
        print(issued.key)
        return 0

    return run_reporting_input_errors(create)


def _list(_args: argparse.Namespace) -> int:
    from cli.running import run_reporting_input_errors
    from resolvers.access.key_list import list_keys
    from schema.history import global_id

    async def listing(database: Database) -> int:
        for key in await list_keys(database):
            state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "live"
            partner = f" partner={global_id('Partner', key.partner_id)}" if key.partner_id else ""
            trusted = " trusted-documents-only" if key.trusted_documents_only else ""
            print(f"{key.id} {key.hint}... {key.role}{partner}{trusted} {key.name!r} {state}")
        return 0

    return run_reporting_input_errors(listing)


def _revoke(args: argparse.Namespace) -> int:
    from cli.running import run_reporting_input_errors
    from resolvers.access.keys import revoke_key

    async def revoke(database: Database) -> int:
        if not await revoke_key(database, args.id):
            return _no_live_key(args.id)
        print(f"key {args.id} revoked")
        return 0

    return run_reporting_input_errors(revoke)


def _rotate(args: argparse.Namespace) -> int:
    from cli.running import run_reporting_input_errors
    from resolvers.access.keys import rotate_key

    async def rotate(database: Database) -> int:
        rotated = await rotate_key(database, args.id)
        if rotated is None:
            return _no_live_key(args.id)
        print(f"key {args.id} revoked; its replacement is key {rotated.id}, shown once:")
        print(rotated.key)
        return 0

    return run_reporting_input_errors(rotate)


def _no_live_key(key_id: int) -> int:
    print(f"error: no live key has the id {key_id}", file=sys.stderr)
    return 2
