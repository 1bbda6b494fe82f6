"""`metrohub subgraphs` and `supergraph`: the registry of partner subgraphs,
and the supergraph they compose into with the hub."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cli.arguments import Commands, command_group
from cli.output import add_output_argument

if TYPE_CHECKING:
    from db.engine import Database
    from resolvers.composition import SubgraphSource
    from settings import Settings

__all__ = ["register"]


def register(commands: Commands) -> None:
    subgraph_commands = command_group(
        commands, "subgraphs", help="the registry of partner subgraphs", dest="subgraph_command"
    )
    registering = subgraph_commands.add_parser(
        "register",
        help="register (or refresh) a partner subgraph: fetch its SDL and check that it "
        "composes with the hub and the other subgraphs",
    )
    registering.add_argument("name", help="the subgraph's name, e.g. city-indicators")
    registering.add_argument("url", help="its GraphQL endpoint, e.g. http://127.0.0.1:8001/graphql")
    registering.add_argument("--partner", type=int, help="the id of the partner that runs it")
    registering.set_defaults(run=_register)
    listing = subgraph_commands.add_parser("list", help="list registered subgraphs")
    listing.set_defaults(run=_list_subgraphs)

    supergraph = commands.add_parser(
        "supergraph", help="write the supergraph SDL of the hub and the registered subgraphs"
    )
    add_output_argument(supergraph)
    supergraph.set_defaults(run=_supergraph)


def _hub_source(settings: Settings) -> SubgraphSource:
    """The hub as the first subgraph of the composition, at its public URL."""
    from resolvers.composition import SubgraphSource
    from schema import sdl

    return SubgraphSource("hub", settings.public_url, sdl())


def _register(args: argparse.Namespace) -> int:
    from cli.running import run_reporting_input_errors
    from resolvers.registry import register
    from settings import Settings

    settings = Settings.from_env()
    hub = _hub_source(settings)

    async def run(database: Database) -> int:
        result = await register(database, hub, args.name, args.url, partner_id=args.partner)
        if result.accepted:
            print(f"accepted: {result.name} ({result.url}) composes with the hub")
            return 0
        print(f"rejected: {result.name} does not compose; the last good version stands:")
        print("\n".join(f"  {message}" for message in result.messages))
        return 1

    return run_reporting_input_errors(run, settings)


def _list_subgraphs(_args: argparse.Namespace) -> int:
    from cli.running import run_with_database
    from resolvers.registry import list_subgraphs

    async def run(database: Database) -> None:
        for item in await list_subgraphs(database):
            current = item.current_since.isoformat() if item.current_since else "none"
            partner = f" partner={item.partner!r}" if item.partner else ""
            print(
                f"{item.name} {item.url}{partner} current-since={current} last={item.last_outcome}"
            )
            print("".join(f"  {message}\n" for message in item.messages), end="")

    run_with_database(run)
    return 0


def _supergraph(args: argparse.Namespace) -> int:
    from cli.output import write_output
    from cli.running import run_with_database
    from resolvers.registry import supergraph
    from settings import Settings

    settings = Settings.from_env()
    hub = _hub_source(settings)
    result = run_with_database(lambda database: supergraph(database, hub), settings)
    if not result.ok or result.supergraph_sdl is None:
        print("composition failed:", *result.errors, sep="\n  ", file=sys.stderr)
        return 1
    write_output(args.output, result.supergraph_sdl)
    return 0
