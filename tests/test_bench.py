"""The search benchmark still runs: a tiny version of it, on the seed data."""

from __future__ import annotations

from pathlib import Path

from bench.search import KINDS, prepare, report, run


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
