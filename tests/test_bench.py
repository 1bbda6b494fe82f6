"""The benchmarks still run: tiny versions of them, on the seed data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench import streams
from bench.reads import measure, table
from bench.search import KINDS, prepare, report, run

PROJECT_ROOT = Path(__file__).resolve().parent.parent


async def test_the_search_benchmark_runs_every_kind_of_query(tmp_path: Path) -> None:
    path = tmp_path / "bench.db"
    seconds = await prepare(path, partners=0)
    timings = await run(path, iterations=3, warmup=1)
    assert [timing.kind for timing in timings] == [kind.name for kind in KINDS]
    assert all(0 < timing.p50_ms <= timing.p95_ms for timing in timings)
    rare = next(timing for timing in timings if timing.kind == "rare word")
    assert rare.hits == {"climate": 4, "bogota": 1, "cibernarium": 1}
    table = report(timings, partners=0, records=130, seconds=seconds, command="bench")
    assert "| rare word |" in table


async def test_the_read_benchmark_answers_match_the_floor_byte_for_byte(tmp_path: Path) -> None:
    # Given the seed data, when each benchmark query runs once each way
    # (`measure` raises when an answer differs from the floor's by one byte)
    figures = await measure(tmp_path / "reads.db", full=False, rounds=1)
    # Then every query was timed on every path that has it, with few statements
    assert [m.query for m in figures.measured][:3] == [
        "{__typename}",
        "nested, 20 members",
        "nested, 70 members",
    ]
    nested = figures.measured[1]
    assert set(nested.ms) == {"floor", "stock", "hub"}
    assert nested.statements["hub"] <= 5
    assert "| nested, 20 members |" in table(figures)


async def test_the_streams_benchmark_measures_each_number_of_streams(tmp_path: Path) -> None:
    # Given the seed data, when the benchmark runs with no stream, then with 20
    runs = await streams.run(tmp_path / "streams.db", [0, 20], demo=0, idle_s=0.5, mutations=1)
    # Then each step was measured, and every stream got the step's change
    assert [run.streams for run in runs] == [0, 20]
    assert [len(run.query_ms) for run in runs] == [1, 1]
    assert [len(run.fan_out_ms) for run in runs] == [1, 1]


def test_the_hooks_benchmark_times_both_runners_on_the_same_answers(tmp_path: Path) -> None:
    # Given the seed data, when the runner benchmark runs one round as a script
    # (it raises when the two runners' answers differ),
    completed = subprocess.run(
        [sys.executable, "-m", "bench.hooks", "--rounds", "1", "--database", tmp_path / "h.db"],
        capture_output=True,
        text=True,
        check=False,
        cwd=PROJECT_ROOT,
    )
    # then it times both queries with both runners.
    assert completed.returncode == 0, completed.stderr
    assert "| {__typename} |" in completed.stdout
    assert "| nested, 20 members |" in completed.stdout
