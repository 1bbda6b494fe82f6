"""Exports of the directory's lists as files: GeoJSON of any filtered list of
members or partners (HTTP `/export/{list}.geojson` and `metrohub geojson`),
and record files (partners, members, initiatives, links) as CSV or JSON
import files (HTTP `/export/partners.csv|json` and `metrohub export`, staff
only).

An export runs the same GraphQL query a client would, page after page, so the
`where` filter is the API's own `MemberWhere` / `PartnerWhere` input, checked
and explained the same way.
"""

from __future__ import annotations

from typing import Any

from db.engine import Database
from resolvers import imports
from resolvers.access.keys import Principal
from resolvers.context import Context
from resolvers.writes import ForbiddenError
from schema import schema
from schema.nodes import parse_id

__all__ = [
    "EXPORTS",
    "EXPORTS_AT_ONCE",
    "MAX_FEATURES",
    "ExportError",
    "geojson",
    "records_file",
]

MAX_FEATURES = 10_000
# GeoJSON exports one process builds at a time; the others wait their turn.
# An export is ~2 s of the event loop's CPU at 10,000 features (100 pages of
# the API, with a turn for other requests between pages), which no thread can
# take over: four at once finished no sooner all told, and kept /health
# waiting up to 46-172 ms (one alone: ~20-40 ms), since /health then waits
# for a page of each of them, and for the GIL their database threads hold.
# See bench/RESULTS.md.
EXPORTS_AT_ONCE = 1

_FIELDS = """
  id name country latitude longitude
  provenance { sources confidence origin }
"""
EXPORTS = {
    "members": (
        "MemberWhere",
        _FIELDS + "shortName kind status joinedYear population region { name }",
    ),
    "partners": ("PartnerWhere", _FIELDS + "kind sector description period website"),
}


class ExportError(Exception):
    """The export's input was refused: `messages` say why."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def _document(name: str) -> str:
    where_type, fields = EXPORTS[name]
    return f"""
query Export($where: {where_type}, $after: String) {{
  {name}(where: $where, first: 100, after: $after) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    edges {{ node {{ {fields} }} }}
  }}
}}
"""


def _feature(node: dict[str, Any]) -> dict[str, Any]:
    properties = {k: v for k, v in node.items() if k not in {"latitude", "longitude"}}
    return {
        "type": "Feature",
        "id": node["id"],
        "geometry": {"type": "Point", "coordinates": [node["longitude"], node["latitude"]]},
        "properties": properties,
    }


async def geojson(database: Database, name: str, where: Any = None) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the `name` list ("members" or "partners")
    filtered by `where` (the API's input, as JSON). Records without coordinates
    are counted but left out; at most MAX_FEATURES features."""
    if name not in EXPORTS:
        raise ExportError([f"there is no {name!r} export: use one of {', '.join(EXPORTS)}."])
    document = _document(name)
    features: list[dict[str, Any]] = []
    without_place = 0
    after = None
    total = 0
    while True:
        result = await schema.execute(
            document,
            variable_values={"where": where, "after": after},
            context_value=Context.standalone(database),
        )
        if result.errors:
            raise ExportError([error.message for error in result.errors])
        assert result.data is not None
        page = result.data[name]
        total = page["totalCount"]
        for edge in page["edges"]:
            node = edge["node"]
            if node["latitude"] is None or node["longitude"] is None:
                without_place += 1
            elif len(features) < MAX_FEATURES:
                features.append(_feature(node))
        if not page["pageInfo"]["hasNextPage"] or len(features) >= MAX_FEATURES:
            break
        after = page["pageInfo"]["endCursor"]
    return {
        "type": "FeatureCollection",
        "features": features,
        # Foreign members (RFC 7946 section 6.1): what the collection leaves out.
        "totalCount": total,
        "withoutCoordinates": without_place,
        "truncated": len(features) + without_place < total,
    }


IDS = """
query ExportIds($where: %(where)s, $after: String) {
  %(list)s(where: $where, first: 100, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id } }
  }
}
"""
# The lists a record file exports, with the API's filter and type of each.
FILTERED = {
    "partners": ("PartnerWhere", "Partner"),
    "members": ("MemberWhere", "Member"),
    "initiatives": ("InitiativeWhere", "Initiative"),
}


async def records_file(
    database: Database,
    principal: Principal,
    name: str,
    file_format: imports.FileFormat,
    where: Any = None,
) -> bytes:
    """The records of the `name` list ("partners", "members", "initiatives"
    or "links") that `where` selects, as an import file (CSV or JSON) with
    every column the import reads, so that importing it again changes nothing.

    Staff only: a partner file holds every partner's contact details, and
    every file holds drafts and archived records. The filter runs through the
    API as `principal`; the columns are then read from the database directly
    (`imports.read_rows`), because the API shows contact details to keys only
    and the CLI acts as staff without one. At most `imports.MAX_ROWS`
    records, the most one import takes. A links file has every link: it
    takes no filter."""
    if not principal.is_staff:
        raise ForbiddenError("Record files are for staff only.")
    kind = imports.KINDS[name]
    if name not in FILTERED:
        if where is not None:
            raise ExportError([f"the {name} file takes no filter: it holds every {kind.noun}."])
        rows = await imports.read_rows(database, kind)
        if len(rows) > imports.MAX_ROWS:
            raise ExportError([f"{len(rows):,} {name}; a file holds at most {imports.MAX_ROWS:,}."])
        return imports.write_file(rows, file_format, kind)
    where_type, type_name = FILTERED[name]
    document = IDS % {"where": where_type, "list": name}
    ids: list[int] = []
    after = None
    while True:
        result = await schema.execute(
            document,
            variable_values={"where": where, "after": after},
            context_value=Context.standalone(database, principal=principal),
        )
        if result.errors:
            raise ExportError([error.message for error in result.errors])
        assert result.data is not None
        page = result.data[name]
        if page["totalCount"] > imports.MAX_ROWS:
            raise ExportError(
                [
                    f"{page['totalCount']:,} {name} match; a file holds at most "
                    f"{imports.MAX_ROWS:,} (the most one import takes): narrow `where`."
                ]
            )
        ids += [parse_id(edge["node"]["id"], type_name)[2] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    rows = await imports.read_rows(database, kind, ids)
    return imports.write_file(rows, file_format, kind)
