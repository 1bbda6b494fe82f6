"""The benchmarks still run: tiny versions of them, on the seed data, each as
the script it is (`python -m bench.x`), read from what it prints."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEARCH_KINDS = ("common word", "rare word", "prefix of 3 letters", "two words")


def script(module: str, *arguments: str | Path) -> list[list[str]]:
    """Run `python -m module`: the cells of each Markdown table row it prints."""
    completed = subprocess.run(
        [sys.executable, "-m", module, *map(str, arguments)],
        capture_output=True,
        text=True,
        check=False,
        cwd=PROJECT_ROOT,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in completed.stdout.splitlines()
        if line.startswith("| ")
    ]


def test_the_search_benchmark_runs_every_kind_of_query(tmp_path: Path) -> None:
    # Given the seed data, when each kind of search runs three times
    rows = script("bench.search", "--iterations", "3", "--database", tmp_path / "bench.db")
    # Then each kind has its row, with its timings and the hits of each search
    timed = {row[0]: row for row in rows if row[0] != "query kind"}
    assert set(SEARCH_KINDS) <= set(timed)
    assert all(0 <= float(row[1]) <= float(row[2]) for row in timed.values())
    assert timed["rare word"][3] == "`climate` (4), `bogota` (2), `cibernarium` (1)"


def test_the_read_benchmark_answers_match_the_floor_byte_for_byte(tmp_path: Path) -> None:
    # Given the seed data, when each benchmark query runs once each way
    # (the script fails when an answer differs from the floor's by one byte)
    rows = script("bench.reads", "--rounds", "1", "--seed-database", tmp_path / "reads.db")
    # Then every query was timed on every path that has it, with few statements
    measured = [row for row in rows if row[0] != "query"]
    assert [row[0] for row in measured][:3] == [
        "{__typename}",
        "nested, 20 members",
        "nested, 70 members",
    ]
    nested = measured[1]
    assert nested[2] != "—"  # the stock path has it
    hub_statements = int(nested[5].split(" / ")[2])
    assert hub_statements <= 5


def test_the_streams_benchmark_measures_each_number_of_streams() -> None:
    # Given the seed data, when the benchmark runs with no stream, then with 20
    rows = script(
        "bench.streams", "--streams", "0", "20", "--demo", "0", "--idle", "0.5", "--mutations", "1"
    )
    # Then each step was measured, and every stream got the step's change
    steps = [row for row in rows if row[0].isdigit()]
    assert [row[0] for row in steps] == ["0", "20"]
    assert all(cell != "-" for row in steps for cell in row[2:])


def test_the_hooks_benchmark_times_both_runners_on_the_same_answers(tmp_path: Path) -> None:
    # Given the seed data, when the runner benchmark runs one round
    # (it fails when the two runners' answers differ),
    rows = script("bench.hooks", "--rounds", "1", "--database", tmp_path / "hooks.db")
    # then it times both queries with both runners.
    assert [row[0] for row in rows[1:]] == ["{__typename}", "nested, 20 members"]
    assert all(float(row[1]) > 0 and float(row[2]) > 0 for row in rows[1:])


def test_the_usage_benchmark_times_requests_with_recording_on_and_off(tmp_path: Path) -> None:
    # Given the seed data, when the usage benchmark runs one round
    rows = script("bench.usage", "--rounds", "1", "--database", tmp_path / "usage.db")
    # then it prints the CPU per request both ways and their ratio.
    [measured] = [row for row in rows if row[0] == "CPU per request"]
    on, off, ratio = float(measured[1]), float(measured[2]), float(measured[3])
    assert on > 0
    assert off > 0
    assert abs(ratio - on / off) < 0.01
