"""The prices of a document's operations, kept in its memo (see
engine/documents.py): a partner app sends the same few documents with the
same few variables, and a published document is priced once, not per request.

An operation's price depends on its variables (a `first: $n`), so it is kept
for each set of them: at most `MAX_PRICES` sets a document, each at most
`MAX_PRICED_VARIABLES` bytes of JSON, so that neither unique variables nor
large ones (a gateway's representations) can grow the memo.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

import orjson
from graphql import OperationDefinitionNode

from engine.documents import memo_of

__all__ = ["MAX_PRICES", "priced"]

PRICES: Final = ("prices",)
MAX_PRICES: Final = 32
MAX_PRICED_VARIABLES: Final = 1_024

T = TypeVar("T")


def priced(
    context: Any,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any],
    measure: Callable[[], T],
) -> T:
    """`measure()`, the operation's price with these variables, from the memo
    of the request's document when it was worked out before."""
    prices: dict[Any, T] = memo_of(context).setdefault(PRICES, {})
    try:
        values = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # a value JSON cannot hold: price it every time
        return measure()
    if len(values) > MAX_PRICED_VARIABLES:
        return measure()
    key = (id(operation), values)
    price = prices.get(key)
    if price is None:
        price = measure()
        if len(prices) < MAX_PRICES:
            prices[key] = price
    return price
