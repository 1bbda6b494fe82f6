"""The load and crash scripts in short form: the hub as its own process under
concurrent reads and writes, and killed with SIGKILL mid-write, loses no
acknowledged write and leaves a sound database. The full-size figures are in
bench/RESULTS.md."""

from __future__ import annotations

from pathlib import Path

from bench import crash, load
from bench.workload import Ack, prepare, verify
from tests.conftest import sqlite_only

# The scripts run their own hub on a SQLite file of their own, whatever the
# suite's database: the run on SQLite covers them.
pytestmark = sqlite_only("the load and crash scripts measure the embedded SQLite hub")


async def test_under_load_every_acknowledged_write_is_in_the_database(tmp_path: Path) -> None:
    # Given the hub serving 8 clients, 80 % reads and 20 % writes, for 5 s,
    result = await load.run(8, 5, directory=tmp_path)

    # then it answered each request without a 5xx or a dropped connection,
    assert result.tally.server_errors == 0
    assert result.tally.transport_errors == 0
    assert result.tally.bad_answers == []
    assert len(result.tally.read_ms) > len(result.tally.write_ms) > 0
    # and the database file holds every write it acknowledged, and is sound.
    assert result.verdict.found == result.verdict.acknowledged == len(result.tally.acks)
    assert result.verdict.integrity == "ok"
    assert result.failures == []


async def test_killed_mid_write_the_hub_loses_no_acknowledged_write(tmp_path: Path) -> None:
    # Given the hub killed with SIGKILL under write load, three times,
    result = await crash.run(3, 4, directory=tmp_path)

    # then it answered again after each restart (how soon is `make crash`'s
    # figure, in bench/RESULTS.md: a busy machine slows any start),
    assert len(result.restarts_s) == 3
    # and no write it acknowledged is missing from a sound database.
    assert result.verdict.acknowledged > 0
    assert result.verdict.missing == ()
    assert result.verdict.integrity == "ok"


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
