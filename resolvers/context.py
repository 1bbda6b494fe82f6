"""The per-request context: who is asking, and the request's loaders.

Built lazily: a request that touches no data opens no connection and creates
no loaders.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from db.engine import Database
from resolvers.keys import ANONYMOUS, Principal
from resolvers.loaders import Loaders

__all__ = ["Context"]


@dataclass
class Context:
    database: Database
    request: Any = None
    principal: Principal = field(default=ANONYMOUS)
    # Ties a request's log lines, masked errors and audit entries together.
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @cached_property
    def loaders(self) -> Loaders:
        return Loaders(self.database, self.principal)
