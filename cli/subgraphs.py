"""`metrohub subgraphs` and `supergraph`: the registry of partner subgraphs,
and the supergraph they compose into with the hub."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cli.arguments import Commands, add_days_argument, command_group, existing, record_id
from cli.output import add_output_argument

if TYPE_CHECKING:
    from db.engine import Database
    from resolvers.registry import Registration

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
    registering.add_argument(
        "--partner",
        type=record_id("Partner"),
        help="the partner that runs it: its global ID, as the API shows it, or its number",
    )
    headers = registering.add_mutually_exclusive_group()
    headers.add_argument(
        "--header",
        action="append",
        dest="headers",
        metavar="'NAME: VALUE'",
        help="a header to send when fetching its SDL, now and on every later fetch, e.g. "
        "'Authorization: Bearer <token>' (repeatable; replaces the stored ones; by default "
        "the stored ones are sent)",
    )
    headers.add_argument(
        "--no-headers",
        action="store_const",
        const=[],
        dest="headers",
        help="send no headers from now on",
    )
    add_days_argument(registering)
    registering.add_argument(
        "--force",
        action="store_true",
        help="accept a version that breaks fields clients used (the report is kept with it)",
    )
    registering.set_defaults(run=_register)
    refreshing = subgraph_commands.add_parser(
        "refresh",
        help="fetch a registered subgraph's SDL again (at its URL, with its headers) and check it",
    )
    refreshing.add_argument("name", help="the registered subgraph's name")
    refreshing.set_defaults(run=_refresh)
    checking = subgraph_commands.add_parser(
        "check",
        help="check a subgraph's next version, storing nothing: does it compose, what does it "
        "change in the API, and which clients' recorded operations does it break (exit 1 when "
        "it does not compose or breaks a used field)",
    )
    checking.add_argument("name", help="the subgraph's name (a new one may be checked too)")
    source = checking.add_mutually_exclusive_group(required=True)
    source.add_argument("url", nargs="?", help="its GraphQL endpoint, to fetch its SDL from")
    source.add_argument("--sdl", metavar="FILE", help="its SDL, from a file")
    add_days_argument(checking)
    checking.add_argument(
        "--header",
        action="append",
        dest="headers",
        metavar="'NAME: VALUE'",
        help="a header to send when fetching its SDL (repeatable; by default the stored ones)",
    )
    checking.set_defaults(run=_check)
    listing = subgraph_commands.add_parser("list", help="list registered subgraphs")
    listing.set_defaults(run=_list_subgraphs)

    supergraph = commands.add_parser(
        "supergraph", help="write the supergraph SDL of the hub and the registered subgraphs"
    )
    supergraph.add_argument(
        "--hub-url",
        help="where gateways reach the hub's /graphql (default: HUB_PUBLIC_URL, else "
        "http://HUB_HOST:HUB_PORT/graphql)",
    )
    add_output_argument(supergraph)
    supergraph.set_defaults(run=_supergraph)


def _check(args: argparse.Namespace) -> int:
    from cli.running import run_reporting_input_errors
    from cli.schema import read_sdl_file
    from resolvers.headers import parse_headers
    from resolvers.registry import check_version
    from schema import hub_subgraph
    from settings import Settings

    settings = Settings.from_env()
    sdl = None
    if args.sdl is not None:
        sdl = read_sdl_file(args.sdl)
        if sdl is None:
            return 2

    async def run(database: Database) -> int:
        report = await check_version(
            database,
            hub_subgraph(settings.public_url),
            args.name,
            url=args.url,
            sdl=sdl,
            headers=None if args.headers is None else parse_headers(args.headers),
            days=args.days,
            required=settings.required_composers,
        )
        print("\n".join(report.lines()))
        return 0 if report.passed else 1

    return run_reporting_input_errors(run, settings)


def _report(result: Registration) -> int:
    """Print what happened: the outcome, the headers sent (masked), why it was
    rejected, and the other composers' warnings. 0 when accepted."""
    print(result.summary)
    for header in result.headers:
        print(f"  sent {header}")
    for message in result.messages:
        print(f"  {message}")
    for warning in result.warnings:
        print(f"  warning: {warning}")
    return 0 if result.accepted else 1


def _register(args: argparse.Namespace) -> int:
    from cli.running import run_reporting_input_errors
    from resolvers.headers import parse_headers
    from resolvers.registry import register
    from schema import hub_subgraph
    from settings import Settings

    settings = Settings.from_env()

    async def run(database: Database) -> int:
        headers = None if args.headers is None else parse_headers(args.headers)
        result = await register(
            database,
            hub_subgraph(settings.public_url),
            args.name,
            args.url,
            partner_id=await existing(database, "--partner", args.partner),
            headers=headers,
            required=settings.required_composers,
            days=args.days,
            force=args.force,
        )
        return _report(result)

    return run_reporting_input_errors(run, settings)


def _refresh(args: argparse.Namespace) -> int:
    from cli.running import run_reporting_input_errors
    from resolvers.registry import refresh
    from schema import hub_subgraph
    from settings import Settings

    settings = Settings.from_env()

    async def run(database: Database) -> int:
        hub = hub_subgraph(settings.public_url)
        return _report(
            await refresh(database, hub, args.name, required=settings.required_composers)
        )

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
            print("".join(f"  header {header}\n" for header in item.headers), end="")
            print("".join(f"  {message}\n" for message in item.messages), end="")
            print("".join(f"  warning: {warning}\n" for warning in item.warnings), end="")

    run_with_database(run)
    return 0


def _supergraph(args: argparse.Namespace) -> int:
    from cli.output import write_output
    from cli.running import run_with_database
    from resolvers.registry import supergraph
    from schema import hub_subgraph
    from settings import Settings

    settings = Settings.from_env()
    hub_url = args.hub_url or settings.public_url
    hub = hub_subgraph(hub_url)
    result = run_with_database(lambda database: supergraph(database, hub), settings)
    if not result.ok or result.supergraph_sdl is None:
        print("composition failed:", *result.errors, sep="\n  ", file=sys.stderr)
        return 1
    write_output(args.output, result.supergraph_sdl)
    # Said, not assumed: a gateway given this file sends the hub's share there.
    source = "--hub-url" if args.hub_url else "HUB_PUBLIC_URL, HUB_HOST and HUB_PORT"
    print(f"the hub's routing URL in the supergraph: {hub_url} (from {source})", file=sys.stderr)
    return 0
