"""full-text search index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 02:10:00.000000

One SQLite FTS5 table, `search_index(title, body)`, holds the searchable text
of every member, partner and initiative. Its rowid names the record:
`id * 4 + kind`, kind 1 for members, 2 for partners, 3 for initiatives (see
`resolvers/search/model.py`), so a trigger finds a record's row by rowid, not by a
scan. Three source tables cannot share one external-content table, so the
index keeps its own copy of the text (a few MB at 100,000 partners).

Triggers keep it in sync with the tables: every write path (the seed, demo
data, mutations, imports, plain SQL) updates it with no code to remember.
Beware: a batch migration that rebuilds `members`, `partners` or
`initiatives` on SQLite (copy, drop, rename) drops their triggers with the old
table; recreate them (`_create_triggers`) in that migration.

On PostgreSQL the index is a plain table `search_index(key, title, body,
document)` with the same keys and text, kept by the same kind of triggers (one
PL/pgSQL function per table). `document` is a stored tsvector, the title
weighted A and the body B, with a GIN index; its text search configuration
`hub_search` is `simple` with the `unaccent` dictionary in front (the
`unaccent` extension, trusted since PostgreSQL 13: a database owner may create
it), so "Bogota" finds "Bogotá" there too. The configuration, not a wrapper
around unaccent(), lets `ts_headline` mark the accented original words.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Middle dot between a body's fields: readable in snippets, and a separator
# for the tokenizer.
SEPARATOR = " · "


@dataclass(frozen=True)
class Document:
    """How one table's rows become index rows: a title column, and body
    columns in order. `extra` columns join the body only when the title does
    not already contain them (a member's short name is in its name, its
    geocoded city mostly too): repeating the title's words would inflate the
    record's score and fill its snippet with the name again."""

    table: str
    kind: int
    title: str
    body: tuple[str, ...]
    extra: frozenset[str] = frozenset()


DOCUMENTS = (
    Document(
        "members",
        1,
        "name",
        ("short_name", "geocoded_city", "country_name", "evidence"),
        extra=frozenset({"short_name", "geocoded_city"}),
    ),
    Document("partners", 2, "name", ("sector", "description")),
    Document("initiatives", 3, "title", ("summary", "period")),
)


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _clean(expression: str) -> str:
    # Snippets mark matches with the control characters STX and ETX
    # (resolvers/search/snippets.py): strip them from the text so that data can never
    # forge a marker.
    char = "chr" if _postgresql() else "char"
    return f"replace(replace({expression}, {char}(2), ''), {char}(3), '')"


def _title(document: Document, row: str) -> str:
    return _clean(f"{row}.{document.title}")


def _field(document: Document, row: str, column: str) -> str:
    value = f"nullif({row}.{column}, '')"
    if column in document.extra:
        title = f"{row}.{document.title}"
        found = (
            f"strpos({title}, {row}.{column})"
            if _postgresql()
            else f"instr({title}, {row}.{column})"
        )
        value = f"CASE WHEN {found} > 0 THEN NULL ELSE {value} END"
    return value


def _body(document: Document, row: str) -> str:
    # Each present field prefixed with the separator, then the first one's
    # dropped (SQLite 3.40 has no concat_ws).
    parts = " || ".join(
        f"coalesce('{SEPARATOR}' || {_field(document, row, column)}, '')"
        for column in document.body
    )
    return _clean(f"substr({parts}, {len(SEPARATOR) + 1})")


def _insert(document: Document, row: str) -> str:
    return (
        "INSERT INTO search_index(rowid, title, body) VALUES "
        f"({row}.id * 4 + {document.kind}, {_title(document, row)}, {_body(document, row)});"
    )


def _delete(document: Document, row: str) -> str:
    return f"DELETE FROM search_index WHERE rowid = {row}.id * 4 + {document.kind};"


def _create_triggers(document: Document) -> None:
    table = document.table
    watched = ", ".join(("id", document.title, *document.body))
    op.execute(
        f"CREATE TRIGGER search_index_{table}_insert AFTER INSERT ON {table} "
        f"BEGIN {_insert(document, 'new')} END"
    )
    # Only edits of the indexed columns touch the index, not version bumps.
    op.execute(
        f"CREATE TRIGGER search_index_{table}_update AFTER UPDATE OF {watched} ON {table} "
        f"BEGIN {_delete(document, 'old')} {_insert(document, 'new')} END"
    )
    op.execute(
        f"CREATE TRIGGER search_index_{table}_delete AFTER DELETE ON {table} "
        f"BEGIN {_delete(document, 'old')} END"
    )


# Every token type of the `simple` parser, so that unaccent sees every word.
TOKEN_TYPES = (
    "asciiword, word, numword, asciihword, hword, numhword, "
    "hword_asciipart, hword_part, hword_numpart"
)


def _split_hyphens(column: str) -> str:
    # The parser reads "2012-2014" as 2012 and -2014, and keeps "climate-energy"
    # whole beside its parts; FTS5 splits both at the hyphen. So does this.
    return f"translate({column}, '-', ' ')"


def _upgrade_postgresql() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute("CREATE TEXT SEARCH CONFIGURATION hub_search (COPY = simple)")
    op.execute(
        f"ALTER TEXT SEARCH CONFIGURATION hub_search ALTER MAPPING FOR {TOKEN_TYPES} "
        "WITH unaccent, simple"
    )
    op.execute(
        "CREATE TABLE search_index ("
        "key bigint PRIMARY KEY, title text NOT NULL, body text NOT NULL, "
        "document tsvector GENERATED ALWAYS AS ("
        f"setweight(to_tsvector('hub_search', {_split_hyphens('title')}), 'A') || "
        f"setweight(to_tsvector('hub_search', {_split_hyphens('body')}), 'B')) STORED)"
    )
    op.execute("CREATE INDEX search_index_document ON search_index USING gin (document)")
    for document in DOCUMENTS:
        table = document.table
        op.execute(
            "INSERT INTO search_index(key, title, body) SELECT "
            f"row.id * 4 + {document.kind}, {_title(document, 'row')}, {_body(document, 'row')} "
            f"FROM {table} AS row"
        )
        op.execute(
            f"CREATE FUNCTION search_index_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN "
            "IF TG_OP <> 'INSERT' THEN "
            f"DELETE FROM search_index WHERE key = OLD.id * 4 + {document.kind}; "
            "END IF; "
            "IF TG_OP <> 'DELETE' THEN "
            "INSERT INTO search_index(key, title, body) VALUES "
            f"(NEW.id * 4 + {document.kind}, {_title(document, 'NEW')}, {_body(document, 'NEW')}); "
            "END IF; "
            "RETURN NULL; "
            "END $$"
        )
        watched = ", ".join(("id", document.title, *document.body))
        op.execute(
            f"CREATE TRIGGER search_index_{table} "
            f"AFTER INSERT OR DELETE OR UPDATE OF {watched} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION search_index_{table}()"
        )


def _downgrade_postgresql() -> None:
    for document in DOCUMENTS:
        op.execute(f"DROP TRIGGER IF EXISTS search_index_{document.table} ON {document.table}")
        op.execute(f"DROP FUNCTION IF EXISTS search_index_{document.table}()")
    op.execute("DROP TABLE IF EXISTS search_index")
    op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS hub_search")


def upgrade() -> None:
    if _postgresql():
        _upgrade_postgresql()
        return
    if op.get_bind().dialect.name != "sqlite":
        return
    # remove_diacritics 2: "Bogota" finds "Bogotá", "sao paulo" finds "São Paulo".
    # Prefix indexes of 2-4 characters keep type-ahead (`"barc"*`) fast.
    op.execute(
        "CREATE VIRTUAL TABLE search_index USING fts5("
        "title, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4')"
    )
    for document in DOCUMENTS:
        op.execute(
            "INSERT INTO search_index(rowid, title, body) SELECT "
            f"row.id * 4 + {document.kind}, {_title(document, 'row')}, {_body(document, 'row')} "
            f"FROM {document.table} AS row"
        )
        _create_triggers(document)


def downgrade() -> None:
    if _postgresql():
        _downgrade_postgresql()
        return
    if op.get_bind().dialect.name != "sqlite":
        return
    for document in DOCUMENTS:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS search_index_{document.table}_{event}")
    op.execute("DROP TABLE IF EXISTS search_index")
