"""Search and directory-list latency: p50 and p95 per kind of query, in-process
through the schema (`schema.execute`, as the HTTP endpoint runs it, minus HTTP and JSON).

    .venv/bin/python -m bench.search                      # the seed data
    .venv/bin/python -m bench.search --partners 100000    # and 100,000 demo partners

The database is `var/bench/search-<partners>.db`, migrated, seeded and topped
up with demo data when needed (`metrohub seed --demo N`), and kept for the
next run. The process pins itself to one CPU, so the figures hold for one
core. It prints a Markdown section for `bench/RESULTS.md`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from db.demo import ensure_demo
from db.engine import Database
from db.migrate import upgrade
from db.seed import seed_reference
from resolvers.context import Context
from schema import schema

__all__ = ["KINDS", "Kind", "Timing", "main", "prepare", "run"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# A results page as the explorer shows it: hits with snippets and records.
PAGE = """
query BenchSearch($query: String!, $partnerKinds: [PartnerKind!]) {
  search(query: $query, partnerKinds: $partnerKinds, first: 20) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      rank
      snippet { text matches { start end } }
      node {
        __typename
        ... on Member { id name country }
        ... on Partner { id name kind sector }
        ... on Initiative { id title period }
      }
    }
  }
}
"""

# The same page with every facet, as the explorer's search screen asks.
FACETED = """
query BenchFacetedSearch($query: String!, $partnerKinds: [PartnerKind!]) {
  search(query: $query, partnerKinds: $partnerKinds, first: 20) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      rank
      snippet { text matches { start end } }
      node {
        __typename
        ... on Member { id name country }
        ... on Partner { id name kind sector }
        ... on Initiative { id title period }
      }
    }
    facets {
      types { value count }
      regions { region { id name } count }
      partnerKinds { value count }
      focusAreas { focusArea { id name } count }
      dimensions { value count }
    }
  }
}
"""


# Pages of the partner directory as a filtered, sorted list (no full-text
# index: the `partners` connection with `where` and `orderBy`).
LIST_FIELDS = (
    "totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name kind country } }"
)
LIST_BY_PREFIX = f"""
query BenchListByPrefix($query: String!) {{
  partners(where: {{name: {{startsWith: $query}}}}, orderBy: [{{field: NAME}}], first: 20) {{
    {LIST_FIELDS}
  }}
}}
"""
LIST_BY_WORD_AND_KIND = f"""
query BenchListByWordAndKind($query: String!) {{
  partners(
    where: {{name: {{contains: $query}}, kind: {{eq: ACADEMIC}}}}
    orderBy: [{{field: NAME, direction: DESC}}]
    first: 20
  ) {{
    {LIST_FIELDS}
  }}
}}
"""
LIST_BY_COUNTRY = f"""
query BenchListByCountry($query: String!) {{
  partners(
    where: {{country: {{eq: $query}}, kind: {{in: [BUSINESS, NGO_FOUNDATION]}}}}
    orderBy: [{{field: KIND}}, {{field: NAME}}]
    first: 20
  ) {{
    {LIST_FIELDS}
  }}
}}
"""


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of query: its document and the searches it cycles through."""

    name: str
    document: str
    queries: tuple[str, ...]
    variables: dict[str, Any] = field(default_factory=dict)


# Words chosen from both the reference data and the demo data (Faker's
# company names and catch phrases), so that each kind means the same at
# every size.
KINDS = (
    Kind("common word", PAGE, ("group", "metropolitan", "solutions")),
    Kind("rare word", PAGE, ("climate", "bogota", "cibernarium")),
    Kind("prefix of 3 letters", PAGE, ("gro", "met", "sol")),
    Kind("two words", PAGE, ("open source", "metropolitan governance", "sao paulo")),
    Kind("common word, with facets", FACETED, ("group", "metropolitan", "solutions")),
    Kind("prefix, with facets", FACETED, ("gro", "met", "sol")),
    Kind(
        "common word, facets, kind filter",
        FACETED,
        ("group", "metropolitan", "solutions"),
        {"partnerKinds": ["ACADEMIC"]},
    ),
    # Worst cases, not targets: "demo" is in every demo record's name, "and"
    # in a third of them.
    Kind("worst: every demo record", FACETED, ("demo",)),
    Kind("worst: the word 'and'", FACETED, ("and",)),
    Kind("list: name prefix, by name", LIST_BY_PREFIX, ("Uni", "Wor", "Mar")),
    Kind("list: name contains, kind, by name desc", LIST_BY_WORD_AND_KIND, ("group", "inc", "and")),
    Kind("list: country and kinds, by kind and name", LIST_BY_COUNTRY, ("FR", "US", "ES")),
)


@dataclass(frozen=True, slots=True)
class Timing:
    kind: str
    p50_ms: float
    p95_ms: float
    hits: dict[str, int]


async def prepare(path: Path, partners: int) -> float:
    """Migrate, seed and top up the demo data at `path`; seconds it took."""
    started = time.perf_counter()
    url = f"sqlite+aiosqlite:///{path}"
    await upgrade(url)
    database = Database(url)
    try:
        await seed_reference(database)
        if partners:
            await ensure_demo(database, partners)
    finally:
        await database.dispose()
    return time.perf_counter() - started


async def _time(database: Database, kind: Kind, query: str) -> tuple[float, int]:
    variables = {"query": query, **kind.variables}
    started = time.perf_counter()
    result = await schema.execute(
        kind.document, variable_values=variables, context_value=Context.standalone(database)
    )
    elapsed = time.perf_counter() - started
    if result.errors or result.data is None:
        raise RuntimeError(f"{kind.name} {query!r}: {result.errors}")
    [connection] = result.data.values()
    return elapsed, int(connection["totalCount"])


async def run(
    path: Path, kinds: Sequence[Kind] = KINDS, *, iterations: int, warmup: int = 5
) -> list[Timing]:
    """Time `iterations` searches of each kind (cycling through its queries)."""
    database = Database(f"sqlite+aiosqlite:///{path}")
    timings = []
    try:
        for kind in kinds:
            hits = {}
            for query in kind.queries:
                for _ in range(warmup):
                    _, hits[query] = await _time(database, kind, query)
            samples = [
                (await _time(database, kind, kind.queries[i % len(kind.queries)]))[0] * 1000
                for i in range(iterations)
            ]
            p95 = statistics.quantiles(samples, n=20, method="inclusive")[-1]
            timings.append(Timing(kind.name, statistics.median(samples), p95, hits))
    finally:
        await database.dispose()
    return timings


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        model = next(
            line.split(":", 1)[1].strip()
            for line in lscpu.splitlines()
            if line.startswith("Model name")
        )
    except (OSError, subprocess.CalledProcessError, StopIteration):
        pass
    return (
        f"{model}, {os.cpu_count()} CPUs (nproc), Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}"
    )


def report(
    timings: Sequence[Timing], *, partners: int, records: int, seconds: float, command: str
) -> str:
    lines = [
        f"### {partners:,} demo partners ({records:,} indexed records)",
        "",
        f"- date: {date.today().isoformat()}",
        f"- machine: {machine()}; pinned to one core",
        f"- command: `{command}`",
        f"- preparing the database (migrate, seed, demo data) took {seconds:.1f} s",
        "",
        "| query kind | p50 ms | p95 ms | searches (hits) |",
        "|---|---:|---:|---|",
    ]
    for timing in timings:
        hits = ", ".join(f"`{query}` ({count:,})" for query, count in timing.hits.items())
        lines.append(f"| {timing.kind} | {timing.p50_ms:.1f} | {timing.p95_ms:.1f} | {hits} |")
    return "\n".join(lines) + "\n"


def _indexed_records(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        [(count,)] = connection.execute("SELECT count(*) FROM search_index")
    return int(count)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__)
    parser.add_argument("--partners", type=int, default=0, help="demo partners (default 0)")
    parser.add_argument("--iterations", type=int, default=100, help="searches per kind")
    parser.add_argument("--database", type=Path, help="default var/bench/search-<partners>.db")
    parser.add_argument(
        "--all-cores", action="store_true", help="do not pin the process to one core"
    )
    args = parser.parse_args(argv)
    if not args.all_cores and hasattr(os, "sched_setaffinity"):
        # Before any thread starts: aiosqlite's threads inherit the affinity.
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    path = args.database or PROJECT_ROOT / "var" / "bench" / f"search-{args.partners}.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    seconds = asyncio.run(prepare(path, args.partners))
    # Seeding leaves garbage whose full collection (~100 ms) would land in
    # some sample; a server in steady state has long-lived objects only.
    gc.collect()
    gc.freeze()
    timings = asyncio.run(run(path, iterations=args.iterations))
    command = " ".join(["python -m bench.search", *(argv if argv is not None else sys.argv[1:])])
    print(
        report(
            timings,
            partners=args.partners,
            records=_indexed_records(path),
            seconds=seconds,
            command=command,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
