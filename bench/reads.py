"""Read performance against the floor and the stock path.

    .venv/bin/python -m bench.reads            # in-process and HTTP, both databases
    .venv/bin/python -m bench.reads --quick    # fewer rounds (a smoke run)

For each query of `bench.queries`, on the seed data and on the generated
full-scale network (`bench.network`), it runs interleaved rounds of:

- the floor (`bench.floor`): hand-written SQL + dicts + orjson, whose bytes
  must equal the hub's;
- the stock path (`bench.stock`): plain Strawberry + DataLoaders over ORM
  entities, where it has the query's fields (its bytes must equal them too);
- the hub as shipped (`schema.execute` as the `/graphql` endpoint runs it,
  and orjson).

It prints the median time of each as a ratio to the floor of the same run,
SQL statements per request, the peak memory of the largest nested query, and
the HTTP figures of `bench.http`; and writes a Markdown section that
`bench/RESULTS.md` keeps.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import event, select

from bench.floor import answer as floor_answer
from bench.network import prepare
from bench.queries import TYPENAME, BenchQuery, queries
from bench.stock import StockPath
from db.engine import Database
from db.models import Member, Partner, Publication
from resolvers.context import Context
from resolvers.graph import GraphCache
from schema import schema

__all__ = ["BENCH_MAX_COST", "Figures", "Hub", "Measured", "main", "measure"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = PROJECT_ROOT / "var" / "bench"
# The 100-member nested page costs more than the default 1,000 points.
BENCH_MAX_COST = 1_000_000
PATHS = ("floor", "stock", "hub")

Runner = Callable[[BenchQuery], Awaitable[bytes]]


class Hub:
    """The hub as the `/graphql` endpoint runs it, for anonymous callers."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.graphs = GraphCache(database)

    async def __call__(self, query: BenchQuery) -> bytes:
        context = Context(self.database, graphs=self.graphs, max_cost=BENCH_MAX_COST, development=False)
        result = await schema.execute(query.document, query.fresh_variables(), context_value=context)
        if result.errors:
            raise RuntimeError(f"{query.name}: {[error.message for error in result.errors]}")
        return orjson.dumps({"data": result.data})

    async def close(self) -> None:
        await self.graphs.close()


class Floor:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def __call__(self, query: BenchQuery) -> bytes:
        if query.document == TYPENAME:  # no data: no connection
            return await floor_answer(None, query.document, query.variables)
        async with self.database.engine.connect() as connection:
            return await floor_answer(connection, query.document, query.variables)


@dataclass
class Measured:
    """One query on one database: medians (ms) and statements per path."""

    query: str
    ms: dict[str, float] = field(default_factory=dict)
    statements: dict[str, int] = field(default_factory=dict)
    answer_bytes: int = 0

    def ratio(self, path: str) -> float | None:
        if path not in self.ms:
            return None
        return self.ms[path] / self.ms["floor"]


@dataclass
class Figures:
    database: str
    measured: list[Measured]
    peak_memory: tuple[str, int, int] | None = None  # query, peak bytes, answer bytes


@contextmanager
def counting(database: Database) -> Iterator[list[str]]:
    """The SQL statements sent while the block runs (PRAGMAs and BEGIN excluded)."""
    statements: list[str] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA")):
            statements.append(statement)

    engine = database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


async def _samples(database: Database) -> tuple[list[int], int]:
    """100 published partners (spread over the directory) and the first member."""
    async with database.engine.connect() as connection:
        partners = list(
            (
                await connection.execute(
                    select(Partner.id).where(Partner.publication == Publication.PUBLISHED).order_by(Partner.id)
                )
            ).scalars()
        )
        member = (await connection.execute(select(Member.id).order_by(Member.name, Member.id).limit(1))).scalar_one()
    step = max(1, len(partners) // 100)
    return partners[::step][:100], member


async def measure(path: Path, *, full: bool, rounds: int) -> Figures:
    """Interleaved rounds of floor, stock and hub on every query; the answers
    are checked byte for byte first."""
    await prepare(path, full=full)
    database = Database(f"sqlite+aiosqlite:///{path}")
    hub, floor, stock = Hub(database), Floor(database), StockPath(database)
    runners: dict[str, Runner] = {"floor": floor, "stock": stock, "hub": hub}
    try:
        partner_ids, member_id = await _samples(database)
        page = 100 if full else 70
        bench_queries = queries(page=page, partner_ids=partner_ids, member_id=member_id)
        results = []
        for query in bench_queries:
            paths = [name for name in PATHS if name != "stock" or query.stock]
            measured = Measured(query.name)
            expected = await floor(query)
            measured.answer_bytes = len(expected)
            for name in paths:
                got = await runners[name](query)
                if got != expected:
                    raise AssertionError(
                        f"{query.name}: the {name} answer differs from the floor's:\n"
                        f"{got[:400]!r}\n{expected[:400]!r}"
                    )
                with counting(database) as statements:
                    await runners[name](query)
                measured.statements[name] = len(statements)
            samples: dict[str, list[float]] = {name: [] for name in paths}
            for round_ in range(rounds):
                # Rotate the order so that no path always runs first (or after a GC).
                for name in paths[round_ % len(paths) :] + paths[: round_ % len(paths)]:
                    started = time.perf_counter()
                    await runners[name](query)
                    samples[name].append((time.perf_counter() - started) * 1000)
            measured.ms = {name: statistics.median(values) for name, values in samples.items()}
            results.append(measured)
        largest = bench_queries[2]
        peak = await _peak_memory(hub, largest)
        return Figures(
            f"full scale ({page}-member page)" if full else "seed data",
            results,
            (largest.name, peak, results[2].answer_bytes),
        )
    finally:
        await hub.close()
        await database.dispose()


async def _peak_memory(hub: Hub, query: BenchQuery) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        await hub(query)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}x"


def table(figures: Figures) -> str:
    lines = [
        f"### In-process, {figures.database}",
        "",
        "| query | floor ms | stock | hub | hub ms | SQL floor / stock / hub | answer bytes |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    for m in figures.measured:
        sql = " / ".join(str(m.statements.get(name, "—")) for name in PATHS)
        lines.append(
            f"| {m.query} | {m.ms['floor']:.3f} | {_ratio(m.ratio('stock'))} | "
            f"{_ratio(m.ratio('hub'))} | {m.ms['hub']:.3f} | {sql} | {m.answer_bytes:,} |"
        )
    if figures.peak_memory:
        name, peak, size = figures.peak_memory
        lines += ["", f"Peak memory of the hub for {name}: {peak:,} bytes, {peak / size:.1f}x its {size:,}-byte answer."]
    return "\n".join(lines)


async def run(*, rounds: int) -> list[Figures]:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    return [
        await measure(BENCH_DIR / "reads-seed.db", full=False, rounds=rounds),
        await measure(BENCH_DIR / "reads-full.db", full=True, rounds=rounds),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=41, help="interleaved rounds per query")
    parser.add_argument("--quick", action="store_true", help="5 rounds, for a smoke run")
    args = parser.parse_args(argv)
    figures = asyncio.run(run(rounds=5 if args.quick else args.rounds))
    print("\n\n".join(table(f) for f in figures))


if __name__ == "__main__":
    main()
