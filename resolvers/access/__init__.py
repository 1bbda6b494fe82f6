"""Who may do what: API keys and the principal they stand for (`keys`), rate
budgets by key and by address (`budgets`), which rows a principal may see
(`visibility`), and the caps on WebSocket connections (`connections`)."""

from resolvers.access.budgets import Budgets, Verdict, caller
from resolvers.access.connections import Connections, RefusedError
from resolvers.access.keys import ANONYMOUS, PREFIX, AuthenticationError, Principal, authenticate
from resolvers.access.visibility import audience, sees_all, visible, where_visible

__all__ = [
    "ANONYMOUS",
    "PREFIX",
    "AuthenticationError",
    "Budgets",
    "Connections",
    "Principal",
    "RefusedError",
    "Verdict",
    "audience",
    "authenticate",
    "caller",
    "sees_all",
    "visible",
    "where_visible",
]
