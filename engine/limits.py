"""Request limits: what one GraphQL document may ask of the hub.

Checked before execution, with errors that say which limit was hit: tokens,
depth, aliases (counted through fragments), directives, the size and depth of
`where` filters (engine/filter_limits.py), and a static cost (objects 1,
scalars 0, everything under a list multiplied by its `first`, filters by their
conditions and relation steps, mutations 10) with the number of nodes the
answer could hold. Arguments are priced as execution will see them, variables
and their defaults included (engine/arguments.py). The cost is reported in
`extensions.cost`, requested before execution and actual after, Shopify
style. Execution itself has a time budget (see `schema.HubSchema`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    get_named_type,
)
from graphql.validation.rules import overlapping_fields_can_be_merged
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    SchemaExtension,
)

from engine.arguments import argument_values, whole_number, with_defaults
from engine.filter_limits import filter_price
from resolvers.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

__all__ = [
    "LIMITS",
    "CostBudget",
    "Limits",
    "check_selections",
    "expanded_selections",
    "limit_extensions",
    "measure",
    "operation_named",
]


@dataclass(frozen=True, slots=True)
class Limits:
    max_tokens: int = 1000
    # Selections once every fragment spread is replaced by its fragment: what
    # validation and the limits below walk. Tokens alone do not bound it: a
    # fragment that spreads the next one twice, twenty times over, is 200
    # tokens and a million selections.
    max_selections: int = 5_000
    # graphql-core's budget for checking that fields of one name merge (they
    # are compared pairwise; a comparison costs 2): its default, 500,000, lets
    # 990 `__typename`s hold the event loop ~100 ms before it gives up.
    max_merge_checks: int = 100_000
    max_depth: int = 8
    max_aliases: int = 15
    max_directives: int = 50
    max_cost: int = 1000
    max_nodes: int = 10_000
    mutation_cost: int = 10
    time_seconds: float = 10.0
    # `where` filters: conditions (a field compared, a place, a relation step)
    # in one filter, relation steps inside each other (`initiatives: {some:
    # {partners: {some: ...}}}` is two), and `and`/`or`/`not` inside each other.
    max_filter_conditions: int = 50
    max_filter_steps: int = 3
    max_filter_nesting: int = 10
    # A relation step's price: this many points for each step it is from the
    # list (20 points at the first step, 40 inside it, 60 inside that); a condition costs 1.
    filter_step_cost: int = 20
    # Objects and lists inside each other in a request's `variables` or `extensions`.
    max_json_depth: int = 64


LIMITS = Limits()
# Read by the rule each time validation starts (graphql-core's documented knob).
overlapping_fields_can_be_merged.MAX_COMPLEXITY_BUDGET = LIMITS.max_merge_checks
UNPAGED_LIST_SIZE = 5


@dataclass(frozen=True, slots=True)
class Cost:
    points: int
    nodes: int


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
    `ids` or federation `representations` asked for, or else a handful (such
    lists are short: a path's nodes, a change's fields, a statistics table)."""
    limit = whole_number(arguments.get("limit"))
    if limit is not None:
        return max(limit, 1)
    for name in ("ids", "representations"):
        value = arguments.get(name)
        if value is not None:
            # GraphQL takes one item where a list is expected.
            return max(len(value), 1) if isinstance(value, list) else 1
    return UNPAGED_LIST_SIZE


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any],
) -> Cost:
    """The static cost and node estimate of one operation of a valid document;
    a GraphQLError when one of its filters is over a filter limit."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    walker = _CostWalk(schema, fragments, with_defaults(operation, variables))
    root = schema.mutation_type if operation.operation is OperationType.MUTATION else None
    cost = walker.walk(operation.selection_set, root or schema.query_type, 1, frozenset())
    if operation.operation is OperationType.MUTATION:
        mutations = len(operation.selection_set.selections)
        return Cost(cost.points + LIMITS.mutation_cost * mutations, cost.nodes)
    return cost


class _CostWalk:
    """The walk of `measure` through a document's selections. (An object, not
    nested functions that call each other: those would be a reference cycle
    per request, left to the garbage collector.)"""

    __slots__ = ("fragments", "schema", "variables")

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

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
            if isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in seen or name not in fragments:
                    continue
                fragment = fragments[name]
                target = schema.get_type(fragment.type_condition.name.value)
                part = self.walk(fragment.selection_set, target, multiplier, seen | {name}, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = schema.get_type(condition.name.value) if condition else parent
                part = self.walk(selection.selection_set, target, multiplier, seen, page)
            elif isinstance(selection, FieldNode):
                part = self.field(selection, parent, multiplier, seen, page)
            else:  # pragma: no cover - the three kinds of selection are above
                continue
            exclusive = _object_type_condition(schema, selection, parent, fragments)
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
        if node.name.value == "edges" and getattr(parent, "name", "").endswith("Connection"):
            # The page itself: everything in it counts `page` times; the
            # edge wrappers are free.
            return self.walk(node.selection_set, below_type, multiplier * page, seen)
        # An object costs 1; a list of them (unpaged) counts each item.
        size = _list_size(arguments) if is_list else 1
        below = self.walk(node.selection_set, below_type, multiplier * size, seen)
        return Cost(multiplier * size + filtering + below.points, below.nodes)


def _object_type_condition(
    schema: GraphQLSchema,
    selection: Any,
    parent: Any,
    fragments: Mapping[str, FragmentDefinitionNode],
) -> str | None:
    """The object type a fragment under an interface or union applies to alone;
    None for fields and for fragments on the parent or another abstract type."""
    if not isinstance(parent, GraphQLInterfaceType | GraphQLUnionType):
        return None
    condition = None
    if isinstance(selection, InlineFragmentNode):
        condition = selection.type_condition
    elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
        condition = fragments[selection.name.value].type_condition
    if condition is None:
        return None
    name: str = condition.name.value
    return name if isinstance(schema.get_type(name), GraphQLObjectType) else None


def _actual(data: Any, wrapper: bool = False) -> int:
    """Objects in an answer, a connection's edge wrappers aside: what the
    request really cost, counted as its static cost is."""
    # A walk with a stack, not recursion: answers have tens of thousands of objects.
    count = 0
    stack: list[tuple[Any, bool]] = [(data, wrapper)]
    while stack:
        value, wrapped = stack.pop()
        if isinstance(value, dict):
            count += 0 if wrapped else 1
            stack.extend(
                (child, key == "edges")
                for key, child in value.items()
                if isinstance(child, (dict, list))
            )
        elif isinstance(value, list):
            stack.extend((item, wrapped) for item in value if isinstance(item, (dict, list)))
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
        context = self.execution_context
        try:
            self.cost = measure(
                context.schema._schema, document, operation, context.variables or {}
            )
        except GraphQLError as refusal:  # a filter over its limits
            return refusal
        return self._over_budget(self.cost) or await self._spend(self.cost)

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
                f"{max_cost}. Ask for fewer items (`first`) or fewer nested lists.",
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
        return {
            "cost": {
                "requestedQueryCost": self.cost.points,
                # The root object of the answer is free, as in the static cost.
                "actualQueryCost": _actual(result.data) - 1 if result and result.data else 0,
                "maximumAvailable": getattr(
                    self.execution_context.context, "max_cost", self.limits.max_cost
                ),
                "estimatedNodes": self.cost.nodes,
            }
        }


def operation_named(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    """The operation `name` of the document, or its only one; None when there is none."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


def expanded_selections(document: DocumentNode) -> int:
    """How many selections (fields, fragments and spreads) the document's
    operations hold once every fragment spread is replaced by its fragment,
    as validation and the limits' walks meet them. Worked out in one pass
    over the document (each fragment's size is counted once and kept), so
    that a fragment spread over and over costs nothing to count."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    sizes: dict[str, int] = {}

    def size(selections: SelectionSetNode, visiting: frozenset[str]) -> int:
        total = 0
        for selection in selections.selections:
            total += 1
            if isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in sizes and name in fragments and name not in visiting:
                    # A fragment cycle is refused by validation itself.
                    sizes[name] = size(fragments[name].selection_set, visiting | {name})
                total += sizes.get(name, 0)
            elif (
                isinstance(selection, FieldNode | InlineFragmentNode)
                and selection.selection_set is not None
            ):
                total += size(selection.selection_set, visiting)
        return total

    return sum(
        size(d.selection_set, frozenset())
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    )


def check_selections(document: DocumentNode, limit: int = LIMITS.max_selections) -> None:
    """Raise a `GraphQLError` when the document expands to more than `limit`
    selections: checked before anything walks the expanded document."""
    count = expanded_selections(document)
    if count > limit:
        raise GraphQLError(
            f"The query holds {count:,} selections once its fragments are spread; at most "
            f"{limit:,} are allowed. Spread each fragment fewer times, or ask for less.",
            extensions={"code": "QUERY_TOO_LARGE"},
        )


def _directive_rule(limit: int) -> type[ValidationRule]:
    class DirectiveLimit(ValidationRule):
        """At most `limit` directives in a document, fragments included."""

        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            count = sum(
                len(getattr(node, "directives", None) or ())
                for node in _all_nodes(context.document.definitions)
            )
            if count > limit:
                context.report_error(
                    GraphQLError(
                        f"{count} directives found; a document may use at most {limit}.",
                        extensions={"code": "TOO_MANY_DIRECTIVES"},
                    )
                )

    return DirectiveLimit


def _all_nodes(nodes: Any) -> Iterator[Any]:
    for node in nodes:
        yield node
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            yield from _all_nodes(selection_set.selections)


def _plumbing(parent: Any, name: str) -> bool:
    """A connection's `edges` and an edge's `node`: wrappers, not a step deeper."""
    type_name = getattr(parent, "name", "")
    return (name == "edges" and type_name.endswith("Connection")) or (
        name == "node" and type_name.endswith("Edge")
    )


def depth_of(schema: GraphQLSchema, document: DocumentNode) -> int:
    """How many objects deep the document's deepest operation reaches,
    fragments included; connection wrappers (`edges`, `node`) and introspection
    do not count."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }

    def walk(selections: SelectionSetNode, parent: Any, seen: frozenset[str]) -> int:
        deepest = 0
        for selection in selections.selections:
            if isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in seen or name not in fragments:
                    continue  # a fragment cycle is refused by validation itself
                fragment = fragments[name]
                target = schema.get_type(fragment.type_condition.name.value)
                deepest = max(deepest, walk(fragment.selection_set, target, seen | {name}))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = schema.get_type(condition.name.value) if condition else parent
                deepest = max(deepest, walk(selection.selection_set, target, seen))
            elif (
                isinstance(selection, FieldNode)
                and selection.selection_set is not None
                and not selection.name.value.startswith("__")
            ):
                # Introspection (`__schema`, `__type`) is as deep as the schema's types
                # nest, not as the data does; who may introspect is `Exposure`'s rule.
                definition = (getattr(parent, "fields", None) or {}).get(selection.name.value)
                target = get_named_type(definition.type) if definition else None
                step = 0 if _plumbing(parent, selection.name.value) else 1
                deepest = max(deepest, step + walk(selection.selection_set, target, seen))
        return deepest

    deepest = 0
    for operation in document.definitions:
        if isinstance(operation, OperationDefinitionNode):
            root = (
                schema.mutation_type
                if operation.operation is OperationType.MUTATION
                else schema.query_type
            )
            deepest = max(deepest, walk(operation.selection_set, root, frozenset()))
    return deepest


def _depth_rule(limit: int) -> type[ValidationRule]:
    class DepthLimit(ValidationRule):
        """At most `limit` objects deep."""

        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            depth = depth_of(context.schema, context.document)
            if depth > limit:
                context.report_error(
                    GraphQLError(
                        f"The query is {depth} objects deep; at most {limit} are allowed "
                        "(a connection's `edges { node }` counts once). Ask for less nesting.",
                        extensions={"code": "QUERY_TOO_DEEP"},
                    )
                )

    return DepthLimit


# The rule classes are made once: the validation cache is keyed by them.
_RULES = (
    _depth_rule(LIMITS.max_depth),
    *MaxAliasesLimiter(max_alias_count=LIMITS.max_aliases).validation_rules,
    _directive_rule(LIMITS.max_directives),
)


def limit_extensions() -> list[Any]:
    """The extensions that enforce the limits before validation (as factories:
    a fresh instance per request)."""
    return [
        lambda: MaxTokensLimiter(max_token_count=LIMITS.max_tokens),
        lambda: AddValidationRules(list(_RULES)),
    ]
