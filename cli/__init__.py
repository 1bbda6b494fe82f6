"""`metrohub`: run, migrate and seed the hub, export its schema, import and
export partners, and manage the registry of partner subgraphs and a local
federated stack.

Each module here registers one group of subcommands on the parser; their
imports wait until a command runs, so that `metrohub --help` answers at once."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from cli import database, documents, federation, files, keys, schema, serve, subgraphs

__all__ = ["main"]

# In the order `metrohub --help` lists them.
_GROUPS = (
    serve.register,
    database.register,
    schema.register,
    keys.register,
    documents.register,
    files.register,
    subgraphs.register,
    federation.register,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="metrohub",
        description="Metropolis Hub: the GraphQL federation hub of the Metropolis network.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for register in _GROUPS:
        register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from settings import SettingsError

    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except SettingsError as error:
        # A setting the hub cannot run with: one line naming it, no traceback.
        print(f"error: {error}", file=sys.stderr)
        return 2
