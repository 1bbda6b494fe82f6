"""data version on PostgreSQL

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 03:50:00.000000

The network graph is cached per process and reloaded when the data changes
(`resolvers/graph/cache.py`, through `db/versions.py`). SQLite says whether it has changed with
`PRAGMA data_version`; PostgreSQL has no such thing, so this revision gives it
one: a one-row table `data_version(value)`, counted up once by each
transaction that writes to a table the graph is built from, by triggers.

The triggers are deferred constraint triggers: they run at commit, so the
row is locked only while a transaction commits (never while it holds row
locks it might wait on: no deadlock between writers), and the new value
commits with the data, so a reader never sees the value without the data.
`writer` keeps the id of the last transaction that counted, so a transaction
counts once however many rows it writes.

A table added later that the graph reads needs its trigger too
(`_create_trigger`). On SQLite this revision does nothing.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The tables of the network graph: its nodes and its edges.
GRAPH_TABLES = (
    "action_plans",
    "focus_areas",
    "initiatives",
    "members",
    "objectives",
    "partners",
    "regions",
    "uclg_sections",
    "initiative_focus_areas",
    "initiative_objectives",
    "member_initiatives",
    "member_sections",
    "partner_focus_areas",
    "partner_initiatives",
    "partner_members",
)


def _create_trigger(table: str) -> None:
    op.execute(
        f"CREATE CONSTRAINT TRIGGER data_version_{table} "
        f"AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION count_data_version()"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE TABLE data_version ("
        "id integer PRIMARY KEY CHECK (id = 1), value bigint NOT NULL, writer xid8)"
    )
    op.execute("INSERT INTO data_version (id, value) VALUES (1, 0)")
    op.execute(
        "CREATE FUNCTION count_data_version() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        "UPDATE data_version SET value = value + 1, writer = pg_current_xact_id() "
        "WHERE id = 1 AND writer IS DISTINCT FROM pg_current_xact_id(); "
        "RETURN NULL; "
        "END $$"
    )
    for table in GRAPH_TABLES:
        _create_trigger(table)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in GRAPH_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS data_version_{table} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS count_data_version()")
    op.execute("DROP TABLE IF EXISTS data_version")
