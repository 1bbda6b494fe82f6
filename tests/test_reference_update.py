"""A new edition of the reference data applied to a database seeded from an
earlier one: `metrohub seed` brings it to the state of a fresh seed, keeping
what staff edited in between."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Table, select

from db.engine import Database
from db.migrate import upgrade
from db.models import Base, Initiative, Member, Partner, Role
from db.referencedata import load_reference
from db.seed import seed_reference
from db.staffedits import TABLES, column_of
from resolvers.access.keys import Principal
from resolvers.writes import WRITABLE, WriteContext, unlink, update

PROJECT_DIR = Path(__file__).resolve().parent.parent
# The reference data as the project shipped it before the 2026-12 additions.
EDITION_2025 = Path(__file__).resolve().parent / "fixtures" / "reference-before-2026-12"
STAFF = Principal(role=Role.STAFF, name="Ana (staff)")

# The reference tables, each row named by the natural key of the records it
# refers to (ids differ between databases seeded in different orders).
NATURAL_KEYS = {
    "regions": "slug",
    "focus_areas": "slug",
    "action_plans": "title",
    "objectives": "position",
    "members": "name",
    "uclg_sections": "name",
    "partners": "name",
    "initiatives": "title",
}
LINK_TABLES = (
    "member_sections",
    "member_initiatives",
    "partner_initiatives",
    "partner_members",
    "initiative_focus_areas",
    "initiative_dimensions",
    "initiative_objectives",
    "network_sizes",
)
# Bookkeeping that differs between an updated record and a fresh one.
BOOKKEEPING = {"id", "version", "created_at", "updated_at"}


async def _state(database: Database) -> dict[str, dict[str, dict[str, Any]]]:
    """Every reference table as {row's natural key: its values}."""
    tables = Base.metadata.tables
    state: dict[str, dict[str, dict[str, Any]]] = {}
    async with database.engine.connect() as connection:
        names: dict[str, dict[int, Any]] = {}
        for table_name, key in NATURAL_KEYS.items():
            rows = await connection.execute(select(tables[table_name]))
            names[table_name] = {row.id: row._mapping[key] for row in rows}
        for table_name in (*NATURAL_KEYS, *LINK_TABLES):
            table: Table = tables[table_name]
            state[table_name] = {}
            for row in (await connection.execute(select(table))).mappings():
                values = {name: value for name, value in row.items() if name not in BOOKKEEPING}
                for foreign_key in table.foreign_keys:
                    column, target = foreign_key.parent.name, foreign_key.column.table.name
                    if values.get(column) is not None and target in names:
                        values[column] = names[target][values[column]]
                key = (
                    values[NATURAL_KEYS[table_name]]
                    if table_name in NATURAL_KEYS
                    else json.dumps(values, sort_keys=True, default=str)
                )
                state[table_name][key] = values
    return state


async def _id(database: Database, model: Any, column: Any, value: str) -> tuple[int, int]:
    async with database.engine.connect() as connection:
        row = (
            await connection.execute(select(model.id, model.version).where(column == value))
        ).one()
    return row.id, row.version


async def _seeded(url: str, directory: Path | None = None) -> Database:
    await upgrade(url)
    database = Database(url)
    await seed_reference(database, load_reference(directory) if directory else None)
    return database


def _metrohub_seed(database_url: str) -> str:
    completed = subprocess.run(
        [sys.executable, "-m", "cli", "seed"],
        cwd=PROJECT_DIR,
        env={**os.environ, "HUB_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


async def test_an_earlier_edition_is_brought_up_to_date_keeping_staff_edits(
    new_database_url: str, tmp_path: Path
) -> None:
    # Given a database seeded from the 2025 edition of the reference data
    # (70 members, Moscow and Bangkok at high confidence),
    old = await _seeded(new_database_url, EDITION_2025)
    ctx = WriteContext(old, STAFF)
    # and staff edits made since: Moscow's website, Bangkok's evidence (which
    # the new edition changes too), Cisco renamed, and Montevideo taken off
    # the MEGA pilot project,
    moscow, version = await _id(old, Member, Member.name, "Moscow")
    assert not (
        await update(ctx, "Member", moscow, version, {"website": "https://www.mos.ru"})
    ).errors
    bangkok, version = await _id(old, Member, Member.name, "Bangkok (BMA)")
    evidence = "Checked with the BMA's international affairs division."
    assert not (await update(ctx, "Member", bangkok, version, {"evidence": evidence})).errors
    cisco, version = await _id(old, Partner, Partner.name, "Cisco")
    assert not (await update(ctx, "Partner", cisco, version, {"name": "Cisco Systems"})).errors
    mega, _ = await _id(old, Initiative, Initiative.title, "Metropolis Energy GovernAnce (MEGA)")
    montevideo, _ = await _id(old, Member, Member.name, "Montevideo")
    assert not (await unlink(ctx, "member", mega, montevideo)).errors
    await old.dispose()

    # when `metrohub seed` runs with the current edition,
    report = _metrohub_seed(new_database_url)
    assert "members: 5 created, 2 updated, 1 kept as edited" in report
    assert "member_initiatives: 6 created, 1 kept as edited" in report

    # then the database is in the state of a freshly seeded one,
    updated = Database(new_database_url)
    fresh = await _seeded(f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
    try:
        got, expected = await _state(updated), await _state(fresh)
        assert len(got["members"]) == 75
        # except for exactly what staff edited: Moscow's confidence is lowered
        # and its website kept; Bangkok's confidence lowered, its evidence kept;
        assert (got["members"]["Moscow"]["confidence"], got["members"]["Moscow"]["website"]) == (
            "medium",
            "https://www.mos.ru",
        )
        assert got["members"]["Bangkok (BMA)"]["confidence"] == "medium"
        assert got["members"]["Bangkok (BMA)"]["evidence"] == evidence
        expected["members"]["Moscow"]["website"] = "https://www.mos.ru"
        expected["members"]["Bangkok (BMA)"]["evidence"] = evidence
        # Cisco under its new name only (and its links with it),
        expected["partners"]["Cisco Systems"] = expected["partners"].pop("Cisco")
        expected["partners"]["Cisco Systems"]["name"] = "Cisco Systems"
        for table in LINK_TABLES:
            for key, values in list(expected[table].items()):
                if values.get("partner_id") == "Cisco":
                    del expected[table][key]
                    values["partner_id"] = "Cisco Systems"
                    expected[table][json.dumps(values, sort_keys=True, default=str)] = values
        # and Montevideo still off MEGA.
        (unlinked,) = [
            key
            for key, values in expected["member_initiatives"].items()
            if values["member_id"] == "Montevideo"
            and values["initiative_id"] == "Metropolis Energy GovernAnce (MEGA)"
        ]
        del expected["member_initiatives"][unlinked]
        assert got == expected
        # A second run changes nothing.
        assert (await seed_reference(updated)).changed == 0
    finally:
        await updated.dispose()
        await fresh.dispose()


def test_the_seed_reads_every_audited_field_as_the_column_it_sets() -> None:
    # The audit log names fields by their API names; the seed keeps the
    # columns they set, for every type staff edit.
    assert set(TABLES) == set(WRITABLE)
    for type_name, spec in WRITABLE.items():
        for name, item in spec.fields.items():
            assert column_of(name) == item.attribute, (type_name, name)
