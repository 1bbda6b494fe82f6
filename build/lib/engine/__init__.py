"""The engine: how a GraphQL document is run.

What the hub does to a document between its text and its answer: the cache
of parsed and validated documents, the request limits and the cost, what
production shows, the fast path of execution and the lookahead, error codes
and masking, operation metrics, and the runner of the extensions' hooks.
The contract - the types, inputs and roots - is `schema/`'s, which builds
the schema from these parts. Dependencies run one way: `schema/` imports
the engine, the engine imports `resolvers/` and `db/`, never `schema/`.
"""
