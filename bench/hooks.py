"""The hub's extension runner against Strawberry's stock one.

    .venv/bin/python -m bench.hooks              # 301 interleaved rounds
    .venv/bin/python -m bench.hooks --rounds 21  # a smoke run

`schema` runs its ten extensions through a runner of the hub's own
(`engine/hooks.py`, while it exists) or Strawberry's `SchemaExtensionsRunner`.
On the seed data, in-process as `bench.reads` runs the hub, it times
`{__typename}` and the nested 20-member page with each runner in
interleaved rounds (the order alternating), CPU time of the process,
and prints the medians per request and the share of a request the hub's
runner saves.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext

from bench.network import prepare
from bench.reads import BENCH_DIR, Hub
from db.engine import Database
from loadtest.queries import INNER_PAGE, NESTED, TYPENAME, BenchQuery
from schema import schema
from server import tune_gc

__all__ = ["Compared", "main", "measure"]

RUNNERS = ("hub", "stock")
# Requests per sample: enough that a sample outlasts the clock's resolution.
BATCH = {"{__typename}": 20, "nested, 20 members": 2}


def _stock_runner(
    self: strawberry.Schema, execution_context: ExecutionContext, extensions: list[SchemaExtension]
) -> SchemaExtensionsRunner:
    return SchemaExtensionsRunner(execution_context=execution_context, extensions=extensions)


@contextmanager
def runner(name: str) -> Iterator[None]:
    """`schema` with the runner `name`: the hub's as shipped, or Strawberry's."""
    if name == "hub":
        yield
        return
    # An attribute of the instance hides the class's method for this schema only.
    setattr(schema, "create_extensions_runner", types.MethodType(_stock_runner, schema))  # noqa: B010
    try:
        yield
    finally:
        delattr(schema, "create_extensions_runner")


@dataclass
class Compared:
    """One query: median CPU microseconds per request with each runner."""

    query: str
    us: dict[str, float]

    @property
    def saved(self) -> float:
        """The share of a request (with Strawberry's runner) the hub's saves."""
        return (self.us["stock"] - self.us["hub"]) / self.us["stock"]


async def measure(path: Path, *, rounds: int) -> list[Compared]:
    await prepare(path, full=False)
    database = Database(f"sqlite+aiosqlite:///{path}")
    hub = Hub(database)
    try:
        bench_queries = [
            BenchQuery("{__typename}", TYPENAME),
            BenchQuery("nested, 20 members", NESTED, {"first": 20, "inner": INNER_PAGE}),
        ]
        compared = []
        for query in bench_queries:
            answers = set()
            for name in RUNNERS:
                with runner(name):
                    answers.add(await hub(query))  # warm, and the same answer both ways
            if len(answers) != 1:
                raise AssertionError(f"{query.name}: the runners' answers differ")
            batch = BATCH[query.name]
            samples: dict[str, list[float]] = {name: [] for name in RUNNERS}
            for round_ in range(rounds):
                order = RUNNERS if round_ % 2 == 0 else RUNNERS[::-1]
                for name in order:
                    with runner(name):
                        started = time.process_time()
                        for _ in range(batch):
                            await hub(query)
                        elapsed = time.process_time() - started
                    samples[name].append(elapsed / batch * 1e6)
            compared.append(
                Compared(query.name, {n: statistics.median(v) for n, v in samples.items()})
            )
        return compared
    finally:
        await hub.close()
        await database.dispose()


def table(compared: list[Compared]) -> str:
    lines = [
        "| query | hub's runner µs | Strawberry's µs | hub / Strawberry | saved of a request |",
        "|---|---:|---:|---:|---:|",
    ]
    for c in compared:
        lines.append(
            f"| {c.query} | {c.us['hub']:.0f} | {c.us['stock']:.0f} | "
            f"{c.us['hub'] / c.us['stock']:.3f} | {c.saved:.1%} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=301, help="interleaved rounds per query")
    parser.add_argument(
        "--database", type=Path, default=BENCH_DIR / "reads-seed.db", help="SQLite file to seed"
    )
    args = parser.parse_args(argv)
    tune_gc()  # as the server does at start-up
    args.database.parent.mkdir(parents=True, exist_ok=True)
    compared = asyncio.run(measure(args.database, rounds=args.rounds))
    print(table(compared))


if __name__ == "__main__":
    main()
