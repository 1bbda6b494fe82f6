"""Schema checks: what a proposed schema changes for clients, and whom it breaks.

graphql-core diffs the API schemas (`find_schema_changes`, which
`find_breaking_changes` and `find_dangerous_changes` filter): every change is
breaking, dangerous or safe as it classifies it. Each breaking change is
mapped to the schema coordinates it touches (graphql-core names them in its
descriptions: `Member.population`, `Query.members(first:)`, `Kind.CITY`,
`Member`; each is resolved in the old schema) and to the fields through which
clients use them, which the recorded usage of the last days answers
(`usage_of`). A check fails when composition fails or a breaking change hits
a field that some client used; a breaking change nobody used passes.

A removed enum value breaks only the operations that may send it: those
whose signature writes it, or passes that enum in a variable or in a literal
the signature hides (a list, an input object). An operation that only reads
a field returning the enum still validates, and is not counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from graphql import (
    BreakingChangeType,
    DangerousChangeType,
    EnumValueNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLType,
    GraphQLUnionType,
    ListValueNode,
    ObjectValueNode,
    TypeInfo,
    TypeInfoVisitor,
    VariableDefinitionNode,
    Visitor,
    get_named_type,
    parse,
    type_from_ast,
    visit,
)
from graphql.utilities import find_schema_changes

from db.engine import Database
from resolvers.api_schema import api_schema
from resolvers.errors import UserInputError
from resolvers.usage import CoordinateUse, signatures_of, usage_of

__all__ = ["CheckReport", "SchemaChange", "Severity", "Use", "check_schemas", "read_schema"]

# A schema coordinate as graphql-core writes them: `Type`, `Type.field`,
# `Type.field(arg:)`, `Enum.VALUE`, `@directive`, `@directive(arg:)`.
COORDINATE: Final = re.compile(
    r"(?<![\w@.])(@?)([_A-Za-z]\w*)(?:\.([_A-Za-z]\w*))?(?:\(([_A-Za-z]\w*):\))?"
)
# Changes to a type as a whole: their coordinates are bare type names.
TYPE_CHANGES: Final = frozenset(
    {BreakingChangeType.TYPE_REMOVED, BreakingChangeType.TYPE_CHANGED_KIND}
)
# "Member was removed from union type Entity.", "Member no longer implements
# interface Node.": the abstract type, named last, is what clients select.
MEMBERSHIP_CHANGES: Final = frozenset(
    {BreakingChangeType.TYPE_REMOVED_FROM_UNION, BreakingChangeType.IMPLEMENTED_INTERFACE_REMOVED}
)


class Severity(StrEnum):
    BREAKING = "breaking"
    DANGEROUS = "dangerous"
    SAFE = "safe"


@dataclass(frozen=True, slots=True)
class Use:
    """A client's operation that used a field a change touches, in the days asked."""

    coordinate: str
    client_name: str
    client_version: str
    operation_name: str
    signature_hash: str
    count: int

    @property
    def client(self) -> str:
        return f"{self.client_name} {self.client_version}".strip()


@dataclass(frozen=True, slots=True)
class SchemaChange:
    severity: Severity
    # graphql-core's name for the kind of change, e.g. FIELD_REMOVED.
    kind: str
    description: str
    # The schema coordinates it touches.
    coordinates: tuple[str, ...] = ()
    # For a breaking change, the recorded operations it breaks, most used first.
    uses: tuple[Use, ...] = ()


@dataclass(frozen=True, slots=True)
class CheckReport:
    """A check's outcome: composition errors first, then every change."""

    subject: str
    days: int
    composition_errors: list[str] = field(default_factory=list)
    changes: list[SchemaChange] = field(default_factory=list)

    @property
    def breaking(self) -> bool:
        return any(change.severity is Severity.BREAKING for change in self.changes)

    @property
    def breaks_usage(self) -> bool:
        return any(change.uses for change in self.changes)

    @property
    def passed(self) -> bool:
        return not self.composition_errors and not self.breaks_usage

    def lines(self) -> list[str]:
        """The report as text, a line each: outcome, composition errors, changes."""
        lines = [self.summary]
        lines += [f"  composition: {error}" for error in self.composition_errors]
        for change in self.changes:
            unused = change.severity is Severity.BREAKING and not change.uses
            note = f" (no recorded use in {self.days} days)" if unused else ""
            lines.append(f"  {change.severity.value}: {change.description}{note}")
            lines += [
                f"    used by {use.client}: {use.operation_name or '(anonymous operation)'} "
                f"[{use.signature_hash[:12]}] via {use.coordinate}, {use.count} times"
                for use in change.uses
            ]
        return lines

    @property
    def summary(self) -> str:
        if self.composition_errors:
            return f"failed: {self.subject} does not compose with the hub and the other subgraphs."
        counts = {s: sum(c.severity is s for c in self.changes) for s in Severity}
        tally = ", ".join(f"{counts[s]} {s.value}" for s in Severity)
        if self.breaks_usage:
            broken = sum(bool(c.uses) for c in self.changes)
            return (
                f"failed: {self.subject} breaks fields clients used in the last {self.days} "
                f"days ({broken} breaking changes with usage; {tally})."
            )
        if not self.changes:
            return f"passed: {self.subject} changes nothing in the API schema."
        return f"passed: no change in {self.subject} breaks recorded usage ({tally})."


def read_schema(sdl: str, source: str) -> GraphQLSchema:
    """The API schema of `sdl`, or a one-line `UserInputError` naming `source`."""
    try:
        return api_schema(sdl)
    except (GraphQLError, TypeError) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise UserInputError(
            f"{source} is not a valid GraphQL schema: {message}", code="INVALID_SDL"
        ) from error


async def check_schemas(
    database: Database, subject: str, old: GraphQLSchema, new: GraphQLSchema, days: int
) -> CheckReport:
    """Diff `old` against `new` and look each breaking change up in the usage
    of the last `days` days."""
    found = find_schema_changes(old, new)
    touched = {
        index: _coordinates(change.type, change.description, old)
        for index, change in enumerate(found)
        if isinstance(change.type, BreakingChangeType)
    }
    through = {index: _used_through(coordinates, old) for index, coordinates in touched.items()}
    usage = await usage_of(database, {c for fields in through.values() for c in fields}, days)
    values = {
        index: coordinates[0]
        for index, coordinates in touched.items()
        if found[index].type is BreakingChangeType.VALUE_REMOVED_FROM_ENUM and coordinates
    }
    if values:
        usage = await _sending(database, usage, values, through, old)
    changes = []
    for index, change in enumerate(found):
        severity = (
            Severity.BREAKING
            if isinstance(change.type, BreakingChangeType)
            else Severity.DANGEROUS
            if isinstance(change.type, DangerousChangeType)
            else Severity.SAFE
        )
        uses = [
            Use(
                coordinate,
                u.client_name,
                u.client_version,
                u.operation_name,
                u.signature_hash,
                u.count,
            )
            for coordinate in through.get(index, ())
            for u in usage[coordinate]
        ]
        changes.append(
            SchemaChange(
                severity,
                change.type.name,
                change.description,
                touched.get(index, ()),
                tuple(sorted(uses, key=lambda u: (-u.count, u.coordinate, u.client))),
            )
        )
    order = list(Severity)
    changes.sort(key=lambda c: order.index(c.severity))
    return CheckReport(subject, days, changes=changes)


def _coordinates(
    kind: BreakingChangeType, description: str, schema: GraphQLSchema
) -> tuple[str, ...]:
    """The coordinates of `schema` that the change described touches: those
    graphql-core names in its description that resolve in the old schema."""
    found: list[str] = []
    for match in COORDINATE.finditer(description):
        at, type_name, member, argument = match.groups()
        if member is None and kind in MEMBERSHIP_CHANGES and type_name in schema.type_map:
            found[:] = [match.group(0)]
        elif (
            at
            or (member is not None and _resolves(schema, kind, type_name, member, argument))
            or (member is None and kind in TYPE_CHANGES and type_name in schema.type_map)
        ):
            found.append(match.group(0))
    return tuple(dict.fromkeys(found))


def _resolves(
    schema: GraphQLSchema,
    kind: BreakingChangeType,
    type_name: str,
    member: str,
    argument: str | None,
) -> bool:
    """Whether the coordinate names something of the old schema (for an
    added required argument or input field, the field or type it is added to)."""
    named = schema.type_map.get(type_name)
    if isinstance(named, GraphQLEnumType):
        return argument is None and member in named.values
    if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
        return False
    if member not in named.fields:
        return kind is BreakingChangeType.REQUIRED_INPUT_FIELD_ADDED
    if argument is None or kind is BreakingChangeType.REQUIRED_ARG_ADDED:
        return True
    return argument in getattr(named.fields[member], "args", {})


def _used_through(coordinates: tuple[str, ...], schema: GraphQLSchema) -> tuple[str, ...]:
    """The `Type.field` coordinates through which clients use `coordinates`:
    the field itself; a type's own fields and the fields that return it; for
    an input type or an enum, the fields that take it (or return the enum)."""
    fields: dict[str, None] = {}
    for coordinate in coordinates:
        if coordinate.startswith("@"):
            continue  # directives are not recorded as usage
        type_name, _, rest = coordinate.partition(".")
        member = rest.split("(")[0]
        named = schema.type_map[type_name]
        if member and isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            fields[f"{type_name}.{member}"] = None
            continue
        if not member and isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            fields.update((f"{type_name}.{name}", None) for name in named.fields)
        # An enum value is sent in arguments; reading a field returning it breaks nothing.
        returning = not (member and isinstance(named, GraphQLEnumType))
        fields.update((found, None) for found in _fields_reaching(named, schema, returning))
    return tuple(fields)


async def _sending(
    database: Database,
    usage: dict[str, list[CoordinateUse]],
    values: dict[int, str],
    through: dict[int, tuple[str, ...]],
    schema: GraphQLSchema,
) -> dict[str, list[CoordinateUse]]:
    """`usage`, less the uses of the fields that take a removed enum value by
    operations that cannot send it (their signatures say)."""
    taking = {coordinate: values[index] for index in values for coordinate in through[index]}
    hashes = {use.signature_hash for coordinate in taking for use in usage[coordinate]}
    signatures = await signatures_of(database, hashes)
    kept = dict(usage)
    for coordinate, value in taking.items():
        enum_name, _, value_name = value.partition(".")
        kept[coordinate] = [
            use
            for use in usage[coordinate]
            if _may_send(schema, signatures.get(use.signature_hash), enum_name, value_name)
        ]
    return kept


def _may_send(schema: GraphQLSchema, signature: str | None, enum_name: str, value: str) -> bool:
    """Whether the operation of `signature` may send enum value `enum_name.value`:
    it writes it, or passes the enum in a variable or in a literal that the
    signature hides (`[]`, `{}`). Unknown or unreadable: it may."""
    if signature is None:
        return True
    try:
        document = parse(signature)
    except GraphQLError:
        return True
    holding = _inputs_holding(schema.type_map[enum_name], schema)
    type_info = TypeInfo(schema)
    sends: list[bool] = []

    def holds(type_: GraphQLType | None) -> bool:
        return type_ is not None and get_named_type(type_).name in holding

    class Sends(Visitor):
        def enter_enum_value(self, node: EnumValueNode, *_: object) -> None:
            named = type_info.get_input_type()
            if named is not None and get_named_type(named).name == enum_name:
                sends.append(node.value == value)

        def enter_variable_definition(self, node: VariableDefinitionNode, *_: object) -> None:
            sends.append(holds(type_from_ast(schema, node.type)))

        def enter_list_value(self, node: ListValueNode, *_: object) -> None:
            sends.append(not node.values and holds(type_info.get_input_type()))

        def enter_object_value(self, node: ObjectValueNode, *_: object) -> None:
            sends.append(not node.fields and holds(type_info.get_input_type()))

    visit(document, TypeInfoVisitor(type_info, Sends()))
    return any(sends)


def _fields_reaching(
    named: GraphQLNamedType, schema: GraphQLSchema, returning: bool = True
) -> Iterator[str]:
    """The output fields that take `named` as an argument (directly or inside
    input objects), and those that return it unless not `returning`."""
    inputs = _inputs_holding(named, schema)
    for type_ in schema.type_map.values():
        if type_.name.startswith("__") or not isinstance(
            type_, GraphQLObjectType | GraphQLInterfaceType
        ):
            continue
        for name, definition in type_.fields.items():
            returned = get_named_type(definition.type)
            taken = {get_named_type(arg.type).name for arg in definition.args.values()}
            if (returning and returned is named) or taken & inputs:
                yield f"{type_.name}.{name}"


def _inputs_holding(named: GraphQLNamedType, schema: GraphQLSchema) -> set[str]:
    """`named` and every input object whose fields hold it, at any depth."""
    holding = {named.name}
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
        return holding
    grew = True
    while grew:
        grew = False
        for type_ in schema.type_map.values():
            if isinstance(type_, GraphQLInputObjectType) and type_.name not in holding:
                held = {get_named_type(f.type).name for f in type_.fields.values()}
                if held & holding:
                    holding.add(type_.name)
                    grew = True
    return holding
