"""facet values beside the search index

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 03:45:00.000000

Search counts and filters its hits by facet: a member's region, an
initiative's regions (those of its member governments), a partner's kind,
the focus areas of partners and initiatives, an initiative's sustainability
dimensions. Read from their own tables, that is two or three lookups per hit
into wide rows; at 10,000 hits it was most of a faceted search's time.

`search_index_facets(key, facet, value)` holds those values under the search
index's key (`id * 4 + kind`, revision 0005), one row per value, as text. On
SQLite it is a narrow table clustered on the key, so one range read per hit
gives all its facets; triggers on the source tables keep it in step with
every write path, as for the index itself. The same warning holds: a batch
migration that rebuilds one of these tables on SQLite drops its triggers;
recreate them (`_triggers`). On PostgreSQL it is a view over the source
tables, which its planner joins to the hits in bulk.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MEMBER, PARTNER, INITIATIVE = 1, 2, 3

# An initiative's regions are those of its member governments: after any
# change to its links or to a member's region, its region rows are rebuilt
# from the links that remain.
INITIATIVE_REGIONS = (
    "SELECT link.initiative_id * 4 + 3, 'regions', CAST(member.region_id AS TEXT) "
    "FROM member_initiatives AS link JOIN members AS member ON member.id = link.member_id"
)


def _rebuild_regions(initiatives: str) -> str:
    """Statements that rebuild the region rows of the initiatives whose ids
    `initiatives` (a subquery of one column, `id`) selects."""
    return (
        "DELETE FROM search_index_facets WHERE facet = 'regions' "
        f"AND key IN (SELECT id * 4 + 3 FROM ({initiatives})); "
        f"INSERT OR IGNORE INTO search_index_facets {INITIATIVE_REGIONS} "
        f"WHERE link.initiative_id IN (SELECT id FROM ({initiatives}));"
    )


def _trigger(table: str, event: str, body: str, *, of: str = "") -> tuple[str, str]:
    """A trigger's name and its CREATE statement; `of` lists the columns an
    update trigger watches."""
    name = f"search_index_facets_{table}_{event}"
    watched = f" OF {of}" if of else ""
    return name, (
        f"CREATE TRIGGER {name} AFTER {event.upper()}{watched} ON {table} BEGIN {body} END"
    )


def _value_triggers(
    table: str, key: str, facet: str, value: str, *, watched: str, then: str = ""
) -> list[tuple[str, str]]:
    """Triggers for a table whose every row is one facet value of the record
    that `key` (an expression over the row) names; `then` follows an update."""

    def insert(row: str) -> str:
        return (
            "INSERT OR IGNORE INTO search_index_facets VALUES "
            f"({key.format(row=row)}, '{facet}', {row}.{value});"
        )

    def delete(row: str) -> str:
        return (
            f"DELETE FROM search_index_facets WHERE key = {key.format(row=row)} "
            f"AND facet = '{facet}' AND value = {row}.{value};"
        )

    return [
        _trigger(table, "insert", insert("new")),
        _trigger(table, "update", f"{delete('old')} {insert('new')} {then}", of=watched),
        _trigger(table, "delete", delete("old")),
    ]


def _record_deleted(table: str, kind: int) -> tuple[str, str]:
    return _trigger(
        table, "delete", f"DELETE FROM search_index_facets WHERE key = old.id * 4 + {kind};"
    )


def _triggers() -> list[tuple[str, str]]:
    # A member's move to another region moves its initiatives' regions too.
    initiatives_of_member = (
        "SELECT initiative_id AS id FROM member_initiatives WHERE member_id = new.id"
    )
    member_region = _value_triggers(
        "members",
        "{row}.id * 4 + 1",
        "regions",
        "region_id",
        watched="region_id",
        then=_rebuild_regions(initiatives_of_member),
    )
    partner_kind = _value_triggers(
        "partners", "{row}.id * 4 + 2", "partner_kinds", "kind", watched="kind"
    )
    # A record's own delete trigger removes all its rows at once.
    return [
        *member_region[:2],
        _record_deleted("members", MEMBER),
        *partner_kind[:2],
        _record_deleted("partners", PARTNER),
        _record_deleted("initiatives", INITIATIVE),
        *_value_triggers(
            "partner_focus_areas",
            "{row}.partner_id * 4 + 2",
            "focus_areas",
            "focus_area_id",
            watched="partner_id, focus_area_id",
        ),
        *_value_triggers(
            "initiative_focus_areas",
            "{row}.initiative_id * 4 + 3",
            "focus_areas",
            "focus_area_id",
            watched="initiative_id, focus_area_id",
        ),
        *_value_triggers(
            "initiative_dimensions",
            "{row}.initiative_id * 4 + 3",
            "dimensions",
            "dimension",
            watched="initiative_id, dimension",
        ),
        _trigger(
            "member_initiatives", "insert", _rebuild_regions("SELECT new.initiative_id AS id")
        ),
        _trigger(
            "member_initiatives",
            "update",
            _rebuild_regions("SELECT old.initiative_id AS id UNION SELECT new.initiative_id"),
            of="member_id, initiative_id",
        ),
        _trigger(
            "member_initiatives", "delete", _rebuild_regions("SELECT old.initiative_id AS id")
        ),
    ]


# Every record's facet values from their own tables: the table's first fill
# on SQLite, the view on PostgreSQL. (UNION: an initiative counts once in a
# region however many of its members are there.)
FACET_SOURCES = f"""
SELECT id * 4 + 1 AS key, 'regions' AS facet, CAST(region_id AS TEXT) AS value FROM members
UNION SELECT id * 4 + 2, 'partner_kinds', kind FROM partners
UNION SELECT partner_id * 4 + 2, 'focus_areas', CAST(focus_area_id AS TEXT)
  FROM partner_focus_areas
UNION SELECT initiative_id * 4 + 3, 'focus_areas', CAST(focus_area_id AS TEXT)
  FROM initiative_focus_areas
UNION SELECT initiative_id * 4 + 3, 'dimensions', dimension FROM initiative_dimensions
UNION {INITIATIVE_REGIONS}
"""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(f"CREATE VIEW search_index_facets AS {FACET_SOURCES}")
    if dialect != "sqlite":
        return
    # Values as text: one column for ids, kinds and dimensions, the same on
    # both databases (ids are compared as their decimal text).
    op.execute(
        "CREATE TABLE search_index_facets ("
        "key INTEGER NOT NULL, facet TEXT NOT NULL, value TEXT NOT NULL, "
        "PRIMARY KEY (key, facet, value)) WITHOUT ROWID"
    )
    op.execute(f"INSERT INTO search_index_facets {FACET_SOURCES}")
    for _name, trigger in _triggers():
        op.execute(trigger)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP VIEW IF EXISTS search_index_facets")
    if dialect != "sqlite":
        return
    for name, _trigger_sql in _triggers():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS search_index_facets")
