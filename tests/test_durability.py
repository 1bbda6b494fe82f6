"""The load and crash scripts in short form: the hub as its own process under
concurrent reads and writes, and killed with SIGKILL mid-write, loses no
acknowledged write and leaves a sound database. The full-size figures are in
bench/RESULTS.md."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from loadtest.workload import Ack, prepare, verify
from tests.conftest import sqlite_only

# The scripts run their own hub on a SQLite file of their own, whatever the
# suite's database: the run on SQLite covers them.
pytestmark = sqlite_only("the load and crash scripts measure the embedded SQLite hub")

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def script(module: str, *arguments: str) -> tuple[dict[str, str], str, list[str]]:
    """Run `python -m module`: its printed figures by name (the `name: value`
    parts of its lines), its output, and the checks it reported as failed."""
    completed = subprocess.run(
        [sys.executable, "-m", module, *arguments],
        capture_output=True,
        text=True,
        check=False,
        cwd=PROJECT_ROOT,
    )
    assert completed.returncode in (0, 1), completed.stderr  # 1: a check failed
    figures = {}
    for line in completed.stdout.splitlines():
        for part in line.split(", "):
            name, _, value = part.partition(": ")
            figures[name] = value
    failed = [line for line in completed.stderr.splitlines() if line.startswith("FAILED: ")]
    assert failed or completed.returncode == 0, completed.stderr
    return figures, completed.stdout, failed


def test_under_load_every_acknowledged_write_is_in_the_database() -> None:
    # Given the hub serving 8 clients, 80 % reads and 20 % writes, for 5 s,
    figures, _, failed = script("bench.load", "--clients", "8", "--seconds", "5")

    # then it answered each request without a 5xx or a dropped connection,
    assert figures["5xx"] == "0"
    assert figures["transport errors"] == "0"
    assert figures["unexpected answers"] == "0"
    assert int(figures["reads"]) > int(figures["writes"].split()[0]) > 0
    # and the database file holds every write it acknowledged, and is sound.
    assert int(figures["writes acknowledged"]) > 0
    assert figures["found"] == figures["writes acknowledged"]
    assert figures["integrity_check"] == "ok"
    assert failed == []


def test_killed_mid_write_the_hub_loses_no_acknowledged_write() -> None:
    # Given the hub killed with SIGKILL under write load, three times,
    figures, printed, failed = script("bench.crash", "--cycles", "3", "--clients", "4")

    # then it answered again after each restart (how soon is `make crash`'s
    # figure, in bench/RESULTS.md: a busy machine slows any start),
    assert re.search(r"over [\d.]+ s: \d+ of 3$", printed, re.MULTILINE)
    # and no write it acknowledged is missing from a sound database.
    assert int(figures["writes acknowledged"]) > 0
    assert figures["found"] == figures["writes acknowledged"]
    assert figures["integrity_check"] == "ok"
    assert all("restarts slower" in failure for failure in failed)


async def test_the_check_finds_a_write_that_is_not_there(tmp_path: Path) -> None:
    # Given a seeded database and acknowledgements that it does not bear out,
    path = tmp_path / "hub.db"
    await prepare(path, partner_keys=1)
    never_made = Ack(partner_id=1, version=1, marker="never written", created=False)
    too_new = Ack(partner_id=1, version=99, marker="never written", created=False)

    # when the check runs, then it reports both missing.
    verdict = verify(path, [never_made, too_new])
    assert verdict.missing == (never_made, too_new)
    assert (verdict.acknowledged, verdict.found, verdict.integrity) == (2, 0, "ok")
