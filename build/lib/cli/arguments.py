"""The parser's shared parts: subcommands with subcommands of their own, and
whole numbers with a floor."""

from __future__ import annotations

import argparse
from typing import TypeAlias

__all__ = ["Commands", "at_least", "command_group"]

# What `add_subparsers` returns (generic only to type checkers).
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def command_group(commands: Commands, name: str, help: str, dest: str) -> Commands:
    """The subcommand `name` (e.g. `keys`), to which its own subcommands are
    added (`keys create`); which one was given is in `dest`."""
    group = commands.add_parser(name, help=help)
    return group.add_subparsers(dest=dest, required=True)


def at_least(minimum: int, value: str) -> int:
    """`value` as a whole number no smaller than `minimum`, for an argument's
    type; argparse names the calling function when `value` is no number."""
    number = int(value)
    if number < minimum:
        raise argparse.ArgumentTypeError(f"expected {minimum} or more, got {number}")
    return number
