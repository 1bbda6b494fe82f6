"""Read performance against the floor and the stock path.

    .venv/bin/python -m bench.reads            # in-process and HTTP, both databases
    .venv/bin/python -m bench.reads --quick    # fewer rounds (a smoke run)

For each query of `loadtest.queries`, on the seed data and on the generated
full-scale network (`bench.network`), it runs interleaved rounds of:

- the floor (`bench.floor`): hand-written SQL + dicts + orjson, whose bytes
  must equal the hub's;
- the stock path (`bench.stock`): plain Strawberry + DataLoaders over ORM
  entities, where it has the query's fields (its bytes must equal them too);
- the hub as shipped (`schema.execute` as the `/graphql` endpoint runs it,
  and orjson), without the response cache, whose hits are measured over HTTP.

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
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import event, select

from bench.floor import answer as floor_answer
from bench.http import HttpRun, load, serving, wrk_available
from bench.network import prepare
from bench.search import machine
from bench.stock import StockPath
from db.engine import Database
from db.models import Member, Partner, Publication
from db.versions import DataVersion
from loadtest.queries import INNER_PAGE, NESTED, TYPENAME, BenchQuery, queries
from resolvers.context import Context, Standalone
from resolvers.graph import GraphCache
from schema import schema
from server import tune_gc

__all__ = ["BENCH_MAX_COST", "Figures", "Hub", "Measured", "main", "measure"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = PROJECT_ROOT / "var" / "bench"
# The 100-member nested page costs more than the default 1,000 points.
BENCH_MAX_COST = 1_000_000
PATHS = ("floor", "stock", "hub")
START, END = "<!-- bench.reads: start -->", "<!-- bench.reads: end -->"

Runner = Callable[[BenchQuery], Awaitable[bytes]]


class Hub:
    """The hub as the `/graphql` endpoint runs it, for anonymous callers."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.versions = DataVersion(database)
        self.graphs = GraphCache(database, self.versions)

    async def __call__(self, query: BenchQuery) -> bytes:
        context = Context(
            Standalone(self.database, self.graphs), max_cost=BENCH_MAX_COST, development=False
        )
        result = await schema.execute(
            query.document, query.fresh_variables(), context_value=context
        )
        if result.errors:
            raise RuntimeError(f"{query.name}: {[error.message for error in result.errors]}")
        return orjson.dumps({"data": result.data})

    async def close(self) -> None:
        await self.graphs.close()
        await self.versions.close()


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
    # query, the hub's and the floor's peak bytes, answer bytes
    peak_memory: tuple[str, int, int, int] | None = None


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
                    select(Partner.id)
                    .where(Partner.publication == Publication.PUBLISHED)
                    .order_by(Partner.id)
                )
            ).scalars()
        )
        member = (
            await connection.execute(select(Member.id).order_by(Member.name, Member.id).limit(1))
        ).scalar_one()
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
                    # CPU time of the process (all its threads, the driver's too):
                    # other work on the shared machine does not count against it.
                    started = time.process_time()
                    await runners[name](query)
                    samples[name].append((time.process_time() - started) * 1000)
            measured.ms = {name: statistics.median(values) for name, values in samples.items()}
            results.append(measured)
        largest = bench_queries[2]
        peak = await _peak_memory(hub, largest)
        floor_peak = await _peak_memory(floor, largest)
        return Figures(
            f"full scale ({page}-member page)" if full else "seed data",
            results,
            (largest.name, peak, floor_peak, results[2].answer_bytes),
        )
    finally:
        await hub.close()
        await database.dispose()


async def _peak_memory(runner: Runner, query: BenchQuery) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        await runner(query)
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
        name, peak, floor_peak, size = figures.peak_memory
        lines += [
            "",
            f"Peak memory of the hub for {name}: {peak:,} bytes, "
            f"{peak / size:.1f}x its {size:,}-byte answer (the floor's: {floor_peak:,} "
            f"bytes, {floor_peak / size:.1f}x).",
        ]
    return "\n".join(lines)


async def run(*, rounds: int, seed_database: Path | None = None) -> list[Figures]:
    if seed_database is not None:
        return [await measure(seed_database, full=False, rounds=rounds)]
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    return [
        await measure(BENCH_DIR / "reads-seed.db", full=False, rounds=rounds),
        await measure(BENCH_DIR / "reads-full.db", full=True, rounds=rounds),
    ]


def measure_http(path: Path, *, seconds: float) -> list[HttpRun]:
    """`{__typename}` on the bare endpoint and the hub, and the 20-member nested
    page on the hub, at 1 and 16 connections: run every time (the response
    cache off), and answered from the response cache (on, as shipped: every
    request after the first is a hit). `{__typename}` reads no data, so the
    cache never keeps it: the hub runs as shipped."""
    env = {
        "HUB_DATABASE_URL": f"sqlite+aiosqlite:///{path}",
        "HUB_MAX_COST": str(BENCH_MAX_COST),
        "HUB_ANONYMOUS_BUDGET": "1000000000/minute",
        "HUB_AUTO_SEED": "false",
    }
    typename = orjson.dumps({"query": TYPENAME})
    nested = orjson.dumps({"query": NESTED, "variables": {"first": 20, "inner": INNER_PAGE}})
    runs = []
    for server, factory, bodies, cache in (
        ("bare Starlette", "bench.http:bare_app", {"{__typename}": typename}, {}),
        ("hub", "server:create_app", {"{__typename}": typename}, {}),
        (
            "hub, run every time",
            "server:create_app",
            {"nested, 20 members": nested},
            {"HUB_RESPONSE_CACHE_MB": "0"},
        ),
        ("hub, response cache warm", "server:create_app", {"nested, 20 members": nested}, {}),
    ):
        with serving(factory, {**env, **cache}) as (url, pid):
            for query, body in bodies.items():
                for connections in (1, 16):
                    runs.append(
                        load(
                            url,
                            pid,
                            body,
                            connections=connections,
                            seconds=seconds,
                            server=server,
                            query=query,
                        )
                    )
    return runs


def http_table(runs: list[HttpRun]) -> str:
    bare = {run.connections: run for run in runs if run.server == "bare Starlette"}
    one = {(run.server, run.query): run for run in runs if run.connections == 1}
    lines = [
        "### HTTP (uvicorn, loopback, wrk; full-scale database)",
        "",
        '"of bare" is the share of the bare endpoint\'s requests per second in the same '
        'run; "of bare, by CPU" is the bare endpoint\'s server CPU per request over the '
        "hub's: the share of its throughput the hub reaches on a core of its own, which "
        "other load on the machine does not skew.",
        "",
        "| server | query | connections | req/s | of bare | of bare, by CPU | p50 ms | p99 ms "
        "| CPU ms/request | CPU vs 1 conn |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        floor = bare[run.connections]
        share = run.requests_per_s / floor.requests_per_s
        by_cpu = floor.cpu_ms_per_request / run.cpu_ms_per_request
        cpu = run.cpu_ms_per_request / one[(run.server, run.query)].cpu_ms_per_request
        lines.append(
            f"| {run.server} | {run.query} | {run.connections} | {run.requests_per_s:,.0f} | "
            f"{share:.0%} | {by_cpu:.0%} | {run.p50_ms:.2f} | {run.p99_ms:.2f} | "
            f"{run.cpu_ms_per_request:.3f} | {cpu:.2f}x |"
        )
    return "\n".join(lines)


def write_results(section: str) -> None:
    """Put `section` between the read benchmark's markers in bench/RESULTS.md."""
    results = PROJECT_ROOT / "bench" / "RESULTS.md"
    text = results.read_text() if results.exists() else ""
    block = f"{START}\n{section}\n{END}"
    if START in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    results.write_text(text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=41, help="interleaved rounds per query")
    parser.add_argument("--seconds", type=float, default=5, help="length of each HTTP run")
    parser.add_argument("--quick", action="store_true", help="5 rounds, 2 s runs: a smoke run")
    parser.add_argument("--no-http", action="store_true", help="in-process figures only")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md")
    parser.add_argument(
        "--seed-database",
        type=Path,
        help="in-process on the seed data only, in this SQLite file; print only",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    tune_gc()  # as the server does at start-up
    rounds = 5 if args.quick else args.rounds
    figures = asyncio.run(run(rounds=rounds, seed_database=args.seed_database))
    sections = [table(f) for f in figures]
    print("\n\n".join(sections), flush=True)
    if args.no_http or args.seed_database:
        pass
    elif wrk_available():
        sections.append(
            http_table(
                measure_http(BENCH_DIR / "reads-full.db", seconds=4 if args.quick else args.seconds)
            )
        )
    else:
        sections.append(
            "### HTTP\n\nNot measured: `wrk` is not installed (`apt-get install -y wrk`)."
        )
    command = "python -m bench.reads " + " ".join(sys.argv[1:] if argv is None else argv)
    header = (
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n"
        f"- machine: {machine()}\n"
        f"- command: `{command.strip()}` ({time.perf_counter() - started:.0f} s)\n"
        f"- the hub runs with `HUB_MAX_COST={BENCH_MAX_COST}` (the larger nested page costs more "
        "than the default 1,000 points)"
    )
    section = "\n\n".join([header, *sections])
    print(sections[-1])
    if not (args.no_write or args.seed_database):
        write_results(section)


if __name__ == "__main__":
    main()
