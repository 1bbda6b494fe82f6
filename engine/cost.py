"""The static cost of a request, and the budget that refuses one over it.

A document's cost, measured before it runs: objects 1, scalars 0, everything
under a list multiplied by its `first`, filters by their conditions and
relation steps (engine/filter_limits.py), mutations 10, with the number of
nodes the answer could hold. Federation `_entities` costs a point per record
it reads (the distinct representations) and its selection once per
representation, since every position of the answer runs it; each
representation is a node, and a request names at most
`HUB_MAX_REPRESENTATIONS` of them. Arguments are priced as execution will see them,
variables and their defaults included (engine/arguments.py). The cost is
reported in `extensions.cost`, requested before execution and actual after,
Shopify style, and charged to a partner key's budget.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLUnionType,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
)
from strawberry.extensions import SchemaExtension

from engine.arguments import argument_values, whole_number, with_defaults
from engine.filter_limits import filter_price
from engine.limits import LIMITS, operation_named
from engine.prices import priced
from engine.selections import Fragment, fragment_of, fragments_of
from resolvers.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

__all__ = ["ENTITIES", "NOTHING_COUNTED", "Cost", "CostBudget", "Counted", "measure"]

UNPAGED_LIST_SIZE = 5
# Parts of an answer whose objects are already counted, by id: the part (kept,
# so that its id stays its own while the request runs) and its objects.
Counted = Mapping[int, tuple[Any, int]]
NOTHING_COUNTED: Counted = {}
# The federation field that resolves a gateway's references.
ENTITIES = "_entities"


@dataclass(frozen=True, slots=True)
class Cost:
    points: int
    nodes: int
    # Federation representations the request names, duplicates included.
    representations: int = 0


def _unwrap(type_: GraphQLOutputType) -> tuple[GraphQLOutputType, bool]:
    """The type inside non-null wrappers, and whether it is a list."""
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return type_, isinstance(type_, GraphQLList)


def _first(arguments: Mapping[str, Any]) -> int:
    first = whole_number(arguments.get("first"))
    if first is None:
        return DEFAULT_PAGE_SIZE
    # Out-of-range sizes are refused by the list itself, with its own message.
    return min(max(first, 1), MAX_PAGE_SIZE)


def _list_size(arguments: Mapping[str, Any]) -> int:
    """How many items an unpaged list counts as: its `limit`, or the number of
    `ids` asked for, or else a handful (such lists are short: a path's nodes,
    a change's fields, a statistics table)."""
    limit = whole_number(arguments.get("limit"))
    if limit is not None:
        return max(limit, 1)
    ids = arguments.get("ids")
    if ids is not None:
        return max(len(_items(ids)), 1)
    return UNPAGED_LIST_SIZE


def _items(value: Any) -> list[Any]:
    # GraphQL takes one item where a list is expected.
    return value if isinstance(value, list) else [value]


def _distinct_references(representations: list[Any]) -> int:
    """How many records the representations name: the same `__typename` and
    `id` twice is one record, read once (malformed ones count one each)."""
    keys: set[tuple[str, str]] = set()
    malformed = 0
    for representation in representations:
        if isinstance(representation, dict):
            type_name, id_ = representation.get("__typename"), representation.get("id")
            if isinstance(type_name, str) and isinstance(id_, str):
                keys.add((type_name, id_))
                continue
        malformed += 1
    return len(keys) + malformed


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any],
) -> Cost:
    """The static cost and node estimate of one operation of a valid document;
    a GraphQLError when one of its filters is over a filter limit."""
    fragments = fragments_of(document)
    walker = _CostWalk(schema, fragments, with_defaults(operation, variables))
    root = schema.mutation_type if operation.operation is OperationType.MUTATION else None
    cost = walker.walk(operation.selection_set, root or schema.query_type, 1, frozenset())
    points = cost.points
    if operation.operation is OperationType.MUTATION:
        points += LIMITS.mutation_cost * len(operation.selection_set.selections)
    return Cost(points, cost.nodes, walker.representations)


class _CostWalk:
    """The walk of `measure` through a document's selections. (An object, not
    nested functions that call each other: those would be a reference cycle
    per request, left to the garbage collector.)"""

    __slots__ = ("fragments", "representations", "schema", "variables")

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.representations = 0

    def walk(
        self,
        selections: SelectionSetNode,
        parent: Any,
        multiplier: int,
        seen: frozenset[str],
        page: int = 1,
    ) -> Cost:
        """`page`: the page size of the connection `parent` is, for its edges.

        Fragments on different object types exclude each other (an answer's
        object has one type), so under an interface or union they cost the
        most any one type's share does, not their sum."""
        schema, fragments = self.schema, self.fragments
        points = nodes = 0
        by_type: dict[str, Cost] = {}
        for selection in selections.selections:
            fragment = fragment_of(selection, parent, schema, fragments, seen)
            if fragment is not None:
                part = self.walk(
                    fragment.selections, fragment.type, multiplier, fragment.seen, page
                )
                exclusive = _exclusive_type(schema, fragment, parent)
            elif isinstance(selection, FieldNode):
                part = self.field(selection, parent, multiplier, seen, page)
                exclusive = None
            else:
                continue  # a spread that cannot be followed
            if exclusive is None:
                points, nodes = points + part.points, nodes + part.nodes
            else:
                share = by_type.get(exclusive, Cost(0, 0))
                by_type[exclusive] = Cost(share.points + part.points, share.nodes + part.nodes)
        if by_type:
            points += max(share.points for share in by_type.values())
            nodes += max(share.nodes for share in by_type.values())
        return Cost(points, nodes)

    def field(
        self, node: FieldNode, parent: Any, multiplier: int, seen: frozenset[str], page: int
    ) -> Cost:
        definition = (getattr(parent, "fields", None) or {}).get(node.name.value)
        if definition is None or node.selection_set is None:
            return Cost(0, 0)  # scalars and enums cost nothing
        inner, is_list = _unwrap(definition.type)
        below_type = get_named_type(inner)
        arguments = argument_values(node, self.variables) if node.arguments else {}
        # A filter runs as one statement however many parents ask (see
        # resolvers/loaders.py): it is paid once.
        where = definition.args.get("where")
        filtering = (
            filter_price(get_named_type(where.type), arguments["where"], LIMITS)
            if where is not None and arguments.get("where") is not None
            else 0
        )
        if "first" in definition.args:
            # A connection: one object, whose page of edges holds `first` items
            # (its other fields, a total or facets, come once).
            size = _first(arguments)
            below = self.walk(node.selection_set, below_type, multiplier, seen, page=size)
            return Cost(multiplier + filtering + below.points, multiplier * size + below.nodes)
        if node.name.value == ENTITIES and parent is self.schema.query_type:
            references = _items(arguments.get("representations"))
            return self.entities(node, below_type, references, multiplier, seen)
        if node.name.value == "edges" and getattr(parent, "name", "").endswith("Connection"):
            # The page itself: everything in it counts `page` times; the
            # edge wrappers are free.
            return self.walk(node.selection_set, below_type, multiplier * page, seen)
        # An object costs 1; a list of them (unpaged) counts each item.
        size = _list_size(arguments) if is_list else 1
        below = self.walk(node.selection_set, below_type, multiplier * size, seen)
        return Cost(multiplier * size + filtering + below.points, below.nodes)

    def entities(
        self,
        node: FieldNode,
        below_type: Any,
        representations: list[Any],
        multiplier: int,
        seen: frozenset[str],
    ) -> Cost:
        """`_entities`: a point per record read (duplicates are read once), the
        selection once per representation (each position of the answer runs
        it), and every representation a node."""
        count = multiplier * len(representations)
        self.representations += count
        assert node.selection_set is not None  # an object field, checked by the caller
        below = self.walk(node.selection_set, below_type, count, seen)
        records = multiplier * _distinct_references(representations)
        return Cost(records + below.points, count + below.nodes)


def _exclusive_type(schema: GraphQLSchema, fragment: Fragment, parent: Any) -> str | None:
    """The object type a fragment under an interface or union applies to alone;
    None for fragments on the parent or another abstract type."""
    if not isinstance(parent, GraphQLInterfaceType | GraphQLUnionType):
        return None
    name = fragment.condition
    return name if name and isinstance(schema.get_type(name), GraphQLObjectType) else None


def _actual(data: Any, wrapper: bool = False, counted: Counted = NOTHING_COUNTED) -> int:
    """Objects in an answer, a connection's edge wrappers aside: what the
    request really cost, counted as its static cost is; parts of it already
    counted (`counted`, by id) are not walked again. Recursive: an answer is
    at most as deep as its document (`limits.py` bounds it)."""
    if counted:
        found = counted.get(id(data))
        if found is not None:
            return found[1]
    if type(data) is dict:
        count = 0 if wrapper else 1
        for key, child in data.items():
            kind = type(child)
            if kind is dict or kind is list:
                count += _actual(child, key == "edges", counted)
        return count
    count = 0
    if type(data) is list:
        for item in data:
            kind = type(item)
            if kind is dict or kind is list:
                count += _actual(item, wrapper, counted)
    return count


class CostBudget(SchemaExtension):
    """Refuses a valid document whose cost or size is over budget before it
    runs, and reports `extensions.cost`. Runs after validation (it comes after
    the validation cache among the schema's extensions), so it sees the
    variables and only measures documents that validate."""

    limits = LIMITS

    def __init__(self) -> None:
        self.cost: Cost | None = None

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and not context.pre_execution_errors:
            operation = operation_named(document, context.operation_name)
            if operation is not None:
                error = await self._check(document, operation)
                if error is not None:
                    context.pre_execution_errors = [error]
        yield

    async def _check(
        self, document: DocumentNode, operation: OperationDefinitionNode
    ) -> GraphQLError | None:
        try:
            context = self.execution_context
            variables = context.variables or {}
            self.cost = priced(
                context.context,
                operation,
                variables,
                lambda: measure(context.schema._schema, document, operation, variables),
            )
        except GraphQLError as refusal:  # a filter over its limits
            return refusal
        return (
            self._too_many_representations(self.cost)
            or self._over_budget(self.cost)
            or await self._spend(self.cost)
        )

    def _too_many_representations(self, cost: Cost) -> GraphQLError | None:
        most = getattr(
            self.execution_context.context, "max_representations", self.limits.max_representations
        )
        if cost.representations <= most:
            return None
        return GraphQLError(
            f"This request names {cost.representations:,} federation representations; a "
            f"request may name at most {most:,}. Split the references over several requests.",
            extensions={"code": "TOO_MANY_REPRESENTATIONS"},
        )

    async def _spend(self, cost: Cost) -> GraphQLError | None:
        """Charge a partner key's budget; refuse the request when it does not fit."""
        hub = self.execution_context.context
        budgets = getattr(hub, "budgets", None)
        hub.cost = cost.points
        if budgets is None:
            return None
        verdict = await budgets.spend(hub.principal, cost.points)
        if verdict is None:
            return None
        if hub.response is not None:
            hub.response.headers.update(verdict.headers())
            if not verdict.allowed:
                hub.response.status_code = 429
        if verdict.allowed:
            return None
        return GraphQLError(
            f"This request costs {cost.points} points and your key has {verdict.remaining} of "
            f"{verdict.limit} left in this window: try again in {verdict.retry_after} s.",
            extensions={"code": "RATE_LIMITED"},
        )

    def _over_budget(self, cost: Cost) -> GraphQLError | None:
        max_cost = getattr(self.execution_context.context, "max_cost", self.limits.max_cost)
        if cost.points > max_cost:
            return GraphQLError(
                f"This query costs {cost.points} points; a request may cost at most "
                f"{max_cost}. A list counts as many items as its `first` (or "
                f"{DEFAULT_PAGE_SIZE} without it) and nested lists multiply: ask for fewer "
                "items (`first`) or fewer nested lists.",
                extensions={"code": "QUERY_TOO_COSTLY"},
            )
        if cost.nodes > self.limits.max_nodes:
            return GraphQLError(
                f"This query could return {cost.nodes} nodes; a request may return at most "
                f"{self.limits.max_nodes}. Ask for fewer items (`first`).",
                extensions={"code": "QUERY_TOO_LARGE"},
            )
        return None

    def get_results(self) -> dict[str, Any]:
        if self.cost is None:
            return {}
        result = self.execution_context.result
        # What the compiled path counted as it answered (engine/execution.py).
        counted = getattr(self.execution_context.context, "counted", NOTHING_COUNTED)
        return {
            "cost": {
                "requestedQueryCost": self.cost.points,
                # The root object of the answer is free, as in the static cost.
                "actualQueryCost": _actual(result.data, counted=counted) - 1
                if result and result.data
                else 0,
                "maximumAvailable": getattr(
                    self.execution_context.context, "max_cost", self.limits.max_cost
                ),
                "estimatedNodes": self.cost.nodes,
            }
        }
