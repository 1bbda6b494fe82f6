"""Usage reports from the gateways (`POST /usage`): read and checked whole
before anything is kept, so a bad report is refused with what was wrong and
nothing of it counts.

    {"operations": [{"client": {"name": "web", "version": "1.2"},
                     "operationName": "AfricaDaylight",
                     "signature": "query AfricaDaylight($date:Date!){...}",
                     "fields": ["Member.daylight", "Query.regions"],
                     "count": 3}]}
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final, NoReturn

from resolvers.errors import UserInputError
from resolvers.usage.recorder import GATEWAY_SOURCE, MAX_NAME, Operation, UsageRecorder
from resolvers.usage.signature import signature_hash

__all__ = ["Report", "read_report", "record_report"]

MAX_OPERATIONS: Final = 1_000
MAX_FIELDS: Final = 2_000
MAX_SIGNATURE: Final = 65_536
MAX_COUNT: Final = 1_000_000_000
COORDINATE: Final = re.compile(r"[_A-Za-z][_0-9A-Za-z]*\.[_A-Za-z][_0-9A-Za-z]*")
NAME: Final = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")

# One operation of a report: the operation, its client's name and version, its count.
Report = list[tuple[Operation, str, str, int]]


def read_report(body: Any) -> Report:
    """The operations of a report, or `UserInputError` naming the first thing
    wrong (by its place: `operations[2].fields[0]`)."""
    if not isinstance(body, dict) or not isinstance(body.get("operations"), list):
        raise UserInputError(
            'A usage report is a JSON object {"operations": [...]}: see the README\'s "Usage".',
            code="BAD_REQUEST",
        )
    operations = body["operations"]
    if len(operations) > MAX_OPERATIONS:
        raise UserInputError(
            f"A usage report holds at most {MAX_OPERATIONS} operations, this one "
            f"{len(operations)}: send them in several reports.",
            code="BAD_REQUEST",
        )
    return [_operation(entry, f"operations[{at}]") for at, entry in enumerate(operations)]


def record_report(recorder: UsageRecorder | None, report: Report) -> None:
    if recorder is None:
        return
    for operation, client_name, client_version, count in report:
        recorder.record(operation, client_name, client_version, GATEWAY_SOURCE, count)


def _operation(entry: Any, place: str) -> tuple[Operation, str, str, int]:
    if not isinstance(entry, dict):
        _refuse(place, "must be an object")
    client = entry.get("client", {})
    if not isinstance(client, dict):
        _refuse(f"{place}.client", 'must be an object {"name": ..., "version": ...}')
    name = _text(client.get("name"), f"{place}.client.name", MAX_NAME, required=True)
    version = _text(client.get("version"), f"{place}.client.version", MAX_NAME)
    operation_name = _text(entry.get("operationName"), f"{place}.operationName", 200)
    if operation_name and not NAME.fullmatch(operation_name):
        _refuse(f"{place}.operationName", "must be a GraphQL name")
    signature = _text(entry.get("signature"), f"{place}.signature", MAX_SIGNATURE, required=True)
    fields = entry.get("fields")
    if not isinstance(fields, list) or len(fields) > MAX_FIELDS:
        _refuse(f"{place}.fields", f"must be a list of at most {MAX_FIELDS} `Type.field` strings")
    count = entry.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        _refuse(f"{place}.count", f"must be a whole number from 1 to {MAX_COUNT}")
    coordinates = tuple(sorted(set(_coordinates(fields, f"{place}.fields"))))
    operation = Operation(operation_name, signature, signature_hash(signature), coordinates)
    return operation, name, version, count


def _coordinates(fields: list[Any], place: str) -> Iterator[str]:
    for at, field in enumerate(fields):
        if not isinstance(field, str) or not COORDINATE.fullmatch(field):
            _refuse(f"{place}[{at}]", "must be a schema coordinate such as `Member.population`")
        yield field


def _text(value: Any, place: str, limit: int, *, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        _refuse(place, "must be a non-empty string" if required else "must be a string")
    if len(value) > limit:
        _refuse(place, f"must be at most {limit} characters")
    return str(value).strip()


def _refuse(place: str, problem: str) -> NoReturn:
    raise UserInputError(f"`{place}` {problem}.", code="BAD_REQUEST")
