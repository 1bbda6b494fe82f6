"""The floor: each benchmark query's answer built by hand-written SQL (a few
statements), plain dicts and orjson, with no GraphQL at all.

Each level's parents are bound as one JSON array (`IN (SELECT value FROM
json_each(?))`), as the hub binds them: with one placeholder an id, SQLite
plans a 100-member page's partner statement as a walk over every published
partner, 8x slower than its index lookups, which is no floor.

The benchmark asserts that each answer is byte for byte the hub's, so these
functions pin down exactly what the hub must send. They are written as an
engineer would write one endpoint by hand, for anonymous callers (published
rows only), on the same engine and driver as the hub.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection

from loadtest.queries import (
    DIRECTORY,
    ENTITIES,
    FILTERED,
    NEIGHBOURHOOD,
    NESTED,
    TYPENAME,
    global_id,
)
from resolvers.pagination import encode_cursor

__all__ = ["FLOORS", "answer"]

Floor = Callable[[AsyncConnection, dict[str, Any]], Awaitable[Any]]

# bm25() weights of the index's title and body columns; rowid = id * 4 + kind.
_TITLE_WEIGHT, _BODY_WEIGHT, _KIND_SPAN = 10.0, 1.0, 4
_SEARCH_TYPES = {1: "Member", 2: "Partner", 3: "Initiative"}


def _ids(values: Sequence[int]) -> str:
    """Ids bound as one JSON array, read by `IN (SELECT value FROM json_each(?))`:
    a long `IN (?, …)` list flips SQLite's plan to walking every published
    row of the far table (see db/id_lists.py)."""
    return orjson.dumps(list(values)).decode()


async def _rows(connection: AsyncConnection, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    return list((await connection.exec_driver_sql(sql, tuple(params))).all())


async def _typename(_connection: AsyncConnection, _variables: dict[str, Any]) -> Any:
    return {"__typename": "Query"}


async def _pages(
    connection: AsyncConnection, sql: str, parents: Sequence[int], first: int
) -> dict[int, tuple[int, list[Any]]]:
    """The first `first` rows of each parent's list and its total: `sql`
    selects `parent, total, rank, ...` for the parents bound first."""
    found: dict[int, tuple[int, list[Any]]] = {}
    if not parents:
        return found
    for row in await _rows(connection, sql, [_ids(parents), first]):
        found.setdefault(row[0], (row[1], []))[1].append(row)
    return found


_MEMBER_INITIATIVES = """
SELECT * FROM (
  SELECT mi.member_id, count(*) OVER (PARTITION BY mi.member_id),
         row_number() OVER (PARTITION BY mi.member_id ORDER BY i.title, i.id) AS rank,
         i.id, i.title, mi.role
  FROM member_initiatives mi JOIN initiatives i ON i.id = mi.initiative_id
  WHERE i.publication = 'published' AND mi.member_id IN (SELECT value FROM json_each(?))
) WHERE rank <= ? ORDER BY 1, 3
"""

_INITIATIVE_PARTNERS = """
SELECT * FROM (
  SELECT pi.initiative_id, count(*) OVER (PARTITION BY pi.initiative_id),
         row_number() OVER (PARTITION BY pi.initiative_id ORDER BY p.name, p.id) AS rank,
         p.id, p.name, p.kind, pi.role
  FROM partner_initiatives pi JOIN partners p ON p.id = pi.partner_id
  WHERE p.publication = 'published' AND pi.initiative_id IN (SELECT value FROM json_each(?))
) WHERE rank <= ? ORDER BY 1, 3
"""


async def _nested(connection: AsyncConnection, variables: dict[str, Any]) -> Any:
    first, inner = variables["first"], variables["inner"]
    members = await _rows(
        connection,
        "SELECT id, name, country_code, region_id, "
        "(SELECT count(*) FROM members WHERE publication = 'published') "
        "FROM members WHERE publication = 'published' ORDER BY name, id LIMIT ?",
        [first],
    )
    region_ids = sorted({row[3] for row in members})
    regions = dict(
        await _rows(
            connection,
            "SELECT id, name FROM regions WHERE id IN (SELECT value FROM json_each(?))",
            [_ids(region_ids)],
        )
    )
    initiatives = await _pages(connection, _MEMBER_INITIATIVES, [row[0] for row in members], inner)
    initiative_ids = sorted({row[3] for _, rows in initiatives.values() for row in rows})
    partners = await _pages(connection, _INITIATIVE_PARTNERS, initiative_ids, inner)

    def partner_page(initiative: int) -> dict[str, Any]:
        total, rows = partners.get(initiative, (0, []))
        return {
            "totalCount": total,
            "edges": [
                {
                    "role": row[6].upper(),
                    "node": {
                        "id": global_id("Partner", row[3]),
                        "name": row[4],
                        "kind": row[5].upper(),
                    },
                }
                for row in rows
            ],
        }

    def initiative_page(member: int) -> dict[str, Any]:
        total, rows = initiatives.get(member, (0, []))
        return {
            "totalCount": total,
            "edges": [
                {
                    "role": row[5].upper(),
                    "node": {
                        "id": global_id("Initiative", row[3]),
                        "title": row[4],
                        "partners": partner_page(row[3]),
                    },
                }
                for row in rows
            ],
        }

    return {
        "members": {
            "totalCount": members[0][4] if members else 0,
            "edges": [
                {
                    "node": {
                        "id": global_id("Member", pk),
                        "name": name,
                        "country": country,
                        "region": {"name": regions[region]},
                        "initiatives": initiative_page(pk),
                    }
                }
                for pk, name, country, region, _ in members
            ],
        }
    }


_SEARCH = f"""
WITH hits AS MATERIALIZED (
  SELECT rowid AS key, bm25(search_index, {_TITLE_WEIGHT}, {_BODY_WEIGHT}) AS score
  FROM search_index WHERE search_index MATCH ?
)
SELECT h.key, h.score, coalesce(m.name, p.name, i.title), count(*) OVER ()
FROM hits h
LEFT JOIN members m ON h.key % {_KIND_SPAN} = 1 AND m.id = h.key / {_KIND_SPAN}
LEFT JOIN partners p ON h.key % {_KIND_SPAN} = 2 AND p.id = h.key / {_KIND_SPAN}
LEFT JOIN initiatives i ON h.key % {_KIND_SPAN} = 3 AND i.id = h.key / {_KIND_SPAN}
WHERE coalesce(m.publication, p.publication, i.publication) = 'published'
ORDER BY h.score, h.key LIMIT ?
"""


async def _directory(connection: AsyncConnection, variables: dict[str, Any]) -> Any:
    # One word, searched as a prefix, as the hub's parser makes it.
    rows = await _rows(connection, _SEARCH, [f'"{variables["query"]}"*', 20])
    edges = []
    for key, score, label, _total in rows:
        type_name = _SEARCH_TYPES[key % _KIND_SPAN]
        node: dict[str, Any] = {
            "__typename": type_name,
            "id": global_id(type_name, key // _KIND_SPAN),
        }
        node["title" if type_name == "Initiative" else "name"] = label
        edges.append({"rank": -score, "node": node})
    return {"search": {"totalCount": rows[0][3] if rows else 0, "edges": edges}}


async def _filtered(connection: AsyncConnection, variables: dict[str, Any]) -> Any:
    kind = variables["kind"].lower()
    rows = await _rows(
        connection,
        "SELECT id, name, kind, country_code, "
        "(SELECT count(*) FROM partners WHERE publication = 'published' AND kind = ?) "
        "FROM partners WHERE publication = 'published' AND kind = ? ORDER BY name, id LIMIT 21",
        [kind, kind],
    )
    page = rows[:20]
    cursors = [encode_cursor((name, pk)) for pk, name, *_ in page]
    return {
        "partners": {
            "totalCount": rows[0][4] if rows else 0,
            "pageInfo": {
                "hasNextPage": len(rows) > 20,
                "endCursor": cursors[-1] if cursors else None,
            },
            "edges": [
                {
                    "cursor": cursor,
                    "node": {
                        "id": global_id("Partner", pk),
                        "name": name,
                        "kind": row_kind.upper(),
                        "country": country,
                    },
                }
                for cursor, (pk, name, row_kind, country, _) in zip(cursors, page, strict=True)
            ],
        }
    }


_NEIGHBOURS = """
SELECT id, name, count(*) OVER () FROM members
WHERE publication = 'published' AND id != ?1 AND id IN (
  SELECT b.member_id FROM member_initiatives a
    JOIN member_initiatives b ON b.initiative_id = a.initiative_id
    JOIN initiatives i ON i.id = a.initiative_id AND i.publication = 'published'
  WHERE a.member_id = ?1
  UNION SELECT b.member_id FROM partner_members a
    JOIN partner_members b ON b.partner_id = a.partner_id
    JOIN partners p ON p.id = a.partner_id AND p.publication = 'published'
  WHERE a.member_id = ?1
  UNION SELECT b.member_id FROM member_sections a
    JOIN member_sections b ON b.section_id = a.section_id
    JOIN uclg_sections s ON s.id = a.section_id AND s.publication = 'published'
  WHERE a.member_id = ?1
  UNION SELECT id FROM members WHERE region_id = (SELECT region_id FROM members WHERE id = ?1)
)
ORDER BY name, id LIMIT 50
"""


async def _neighbourhood(connection: AsyncConnection, variables: dict[str, Any]) -> Any:
    rows = await _rows(connection, _NEIGHBOURS, [_pk(variables["id"])])
    return {
        "node": {
            "neighbours": {
                "totalCount": rows[0][2] if rows else 0,
                "edges": [
                    {"distance": 2, "node": {"id": global_id("Member", pk), "name": name}}
                    for pk, name, _ in rows
                ],
            }
        }
    }


def _pk(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().split(":", 1)[1])


async def _entities(connection: AsyncConnection, variables: dict[str, Any]) -> Any:
    ids = [_pk(rep["id"]) for rep in variables["representations"]]
    found = {
        row[0]: row
        for row in await _rows(
            connection,
            "SELECT id, name, kind FROM partners "
            "WHERE publication = 'published' AND id IN (SELECT value FROM json_each(?))",
            [_ids(ids)],
        )
    }
    return {
        "_entities": [
            {"id": global_id("Partner", pk), "name": found[pk][1], "kind": found[pk][2].upper()}
            if pk in found
            else None
            for pk in ids
        ]
    }


FLOORS: dict[str, Floor] = {
    TYPENAME: _typename,
    NESTED: _nested,
    DIRECTORY: _directory,
    FILTERED: _filtered,
    NEIGHBOURHOOD: _neighbourhood,
    ENTITIES: _entities,
}


async def answer(
    connection: AsyncConnection | None, document: str, variables: dict[str, Any]
) -> bytes:
    """The floor's response body for `document` with `variables`."""
    data = await FLOORS[document](connection, variables)  # type: ignore[arg-type]
    return orjson.dumps({"data": data})
