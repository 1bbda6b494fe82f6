"""The engine: how a GraphQL document is run.

What the hub does to a document between its text and its answer: the cache
of parsed and validated documents, the request limits and the cost, what
production shows, the compiled read path (`execution.py`, `compiled/`),
error codes and masking, operation metrics, and the runner of the
extensions' hooks.
The contract - the types, inputs and roots - is `schema/`'s, which builds
the schema from these parts. Dependencies run one way: `schema/` imports
the engine, the engine imports `resolvers/` and `db/`, never `schema/`.
"""
