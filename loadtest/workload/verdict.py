"""The check, in the database file itself with the hub stopped, that every
acknowledged write is there, and what went wrong in a run."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from loadtest.workload.clients import Ack, Tally

__all__ = [
    "Verdict",
    "failures",
    "verify",
]


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the database file holds of the acknowledged writes."""

    acknowledged: int
    found: int
    missing: tuple[Ack, ...]
    integrity: str


def failures(tally: Tally, verdict: Verdict) -> list[str]:
    """What went wrong in a run, whatever killed or loaded the hub: 5xx,
    unexpected answers, acknowledged writes missing, an unsound file, or no
    write acknowledged at all (a run that proves nothing)."""
    found = []
    if tally.server_errors:
        found.append(f"{tally.server_errors} responses with a 5xx status")
    if tally.bad_answers:
        found.append(f"{len(tally.bad_answers)} unexpected answers, first: {tally.bad_answers[0]}")
    if verdict.missing:
        found.append(f"{len(verdict.missing)} acknowledged writes missing")
    if verdict.integrity != "ok":
        found.append(f"integrity check: {verdict.integrity}")
    if not tally.acks:
        found.append("no write was acknowledged")
    return found


def verify(path: Path, acks: list[Ack]) -> Verdict:
    """Look for every acknowledged write in the database file, with plain
    sqlite3 and the hub stopped: a created partner by its id and name, an
    update by its audit entry (written in the same transaction), and the
    partner at that version or later."""
    missing = []
    connection = sqlite3.connect(path)
    try:
        integrity = "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
        versions = dict(connection.execute("SELECT id, version FROM partners"))
        names = dict(connection.execute("SELECT id, name FROM partners"))
        audited = {
            (int(row[0]), str(row[1]))
            for row in connection.execute(
                "SELECT record_id, json_extract(changes, '$.description[1]') FROM audit_entries "
                "WHERE record_type = 'Partner' AND action IN ('create', 'update')"
            )
        }
    finally:
        connection.close()
    for ack in acks:
        present = (
            versions.get(ack.partner_id, -1) >= ack.version
            and (ack.partner_id, ack.marker) in audited
        )
        if ack.created:
            present = present and names.get(ack.partner_id) == ack.marker
        if not present:
            missing.append(ack)
    return Verdict(len(acks), len(acks) - len(missing), tuple(missing), integrity)
