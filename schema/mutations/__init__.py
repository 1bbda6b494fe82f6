"""Mutations: staff curate members, partners and initiatives and their links;
a partner key keeps its own profile current and proposes initiatives; staff
publish partner apps' trusted documents; staff, and a partner key for its own
subgraph, check a subgraph's next version; admins manage API keys.

Shopify style: `xCreate / xUpdate / xArchive / xRestore`, one `input:`, and a
payload with the object and `userErrors { field message code }` (see
`schema.payloads`). Bad input is always a userError; top-level errors are for
denied access. Each entity's inputs and mutations are a module of this
package; `Mutation` only puts them together, in the order the schema lists
them.
"""

from __future__ import annotations

import strawberry

from schema.imports import ImportMutations
from schema.mutations.documents import DocumentMutations
from schema.mutations.initiatives import InitiativeMutations
from schema.mutations.keys import KeyMutations, KeyRole
from schema.mutations.members import MemberMutations
from schema.mutations.partners import PartnerMutations
from schema.mutations.subgraph_checks import SubgraphCheckMutations
from schema.subgraphs import SubgraphMutations

__all__ = ["KeyRole", "Mutation"]


@strawberry.type(description="Changes to the network graph. Every write needs an API key.")
class Mutation(
    ImportMutations,
    SubgraphMutations,
    SubgraphCheckMutations,
    DocumentMutations,
    MemberMutations,
    PartnerMutations,
    InitiativeMutations,
    KeyMutations,
):
    pass
