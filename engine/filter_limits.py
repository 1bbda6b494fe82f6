"""How big a `where` filter may be, and what it costs.

Each relation step of a filter (`initiatives: {some: ...}`) is a correlated
subquery. Its statement is built and compiled in Python, on the event loop
(about 2 ms a step), and the database runs it for every row it considers,
many times over when steps nest: an `or` of 600 three-step branches took
~10 s of event loop time before the database saw it. So a filter's
conditions, relation steps inside each other and `and`/`or`/`not` levels are
limited, and each step is priced by how deep it is. A `theme` condition is
priced and limited as the comparisons and steps it runs
(resolvers/filters/fields.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import GraphQLError, GraphQLInputObjectType, get_named_type

from resolvers.filters.fields import THEMES, record_name, theme_shape

if TYPE_CHECKING:
    from engine.limits import Limits

__all__ = ["filter_price"]

RELATION_QUANTIFIERS = frozenset({"some", "none", "every"})

# The comparisons and relation steps of `theme` on each `...Where` input that has it.
THEME_SHAPES = {f"{record_name(record)}Where": theme_shape(record) for record in THEMES}


def filter_price(filter_type: Any, where: Any, limits: Limits) -> int:
    """The points a `where` filter of input type `filter_type` costs: 1 a
    condition, and `limits.filter_step_cost` times its depth a relation step.
    A GraphQLError when it is over a filter limit; values that are not what
    the input type says are left to validation."""
    conditions = points = 0
    # A stack, not recursion: (input type, value, relation steps, and/or/not levels).
    pending: list[tuple[Any, Any, int, int]] = [(filter_type, where, 0, 0)]
    while pending:
        type_, value, steps, nesting = pending.pop()
        if nesting > limits.max_filter_nesting:
            raise _refusal(
                "FILTER_TOO_DEEP",
                f"This filter nests `and`/`or`/`not` {nesting} levels deep; at most "
                f"{limits.max_filter_nesting} are allowed. Write it with fewer levels.",
            )
        if not isinstance(value, dict) or not isinstance(type_, GraphQLInputObjectType):
            continue
        for name, item in value.items():
            field = type_.fields.get(name)
            if field is None or item is None:
                continue
            inner = get_named_type(field.type)
            if name in ("and", "or"):
                # GraphQL takes one item where a list is expected.
                items = item if isinstance(item, list) else [item]
                pending.extend((inner, part, steps, nesting + 1) for part in items)
            elif name == "not":
                pending.append((inner, item, steps, nesting + 1))
            elif _is_relation(inner) and isinstance(item, dict):
                for quantifier, part in item.items():
                    if part is None or quantifier not in RELATION_QUANTIFIERS:
                        continue
                    if steps + 1 > limits.max_filter_steps:
                        raise _refusal(
                            "FILTER_TOO_DEEP",
                            f"This filter goes through {steps + 1} relations inside each other "
                            f"(the last at `{name}: {{{quantifier}: ...}}`); at most "
                            f"{limits.max_filter_steps} are allowed. Filter the list at the "
                            "other end of the relations, or in fewer steps.",
                        )
                    conditions += 1
                    points += limits.filter_step_cost * (steps + 1)
                    target = get_named_type(inner.fields[quantifier].type)
                    pending.append((target, part, steps + 1, nesting))
            elif name == "theme" and type_.name in THEME_SHAPES and isinstance(item, dict):
                comparisons, depths = THEME_SHAPES[type_.name]
                if steps + max(depths) > limits.max_filter_steps:
                    raise _refusal(
                        "FILTER_TOO_DEEP",
                        f"This filter's `theme` goes through {steps + max(depths)} relations "
                        f"inside each other ({max(depths)} of its own); at most "
                        f"{limits.max_filter_steps} are allowed. Filter by theme at the other "
                        "end of the relations, or in fewer steps.",
                    )
                # Each operator given runs the whole theme condition once.
                times = sum(1 for operand in item.values() if operand is not None)
                conditions += times * (comparisons + len(depths))
                points += times * (
                    comparisons + sum(limits.filter_step_cost * (steps + d) for d in depths)
                )
            else:
                conditions += 1
                points += 1
    if conditions > limits.max_filter_conditions:
        raise _refusal(
            "FILTER_TOO_LARGE",
            f"This filter has {conditions} conditions (each field compared, place and "
            f"relation step counts); at most {limits.max_filter_conditions} are allowed. "
            "Use `in` for a field's many values, or split the request.",
        )
    return points


def _is_relation(type_: Any) -> bool:
    return isinstance(type_, GraphQLInputObjectType) and set(type_.fields) == RELATION_QUANTIFIERS


def _refusal(code: str, message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})
