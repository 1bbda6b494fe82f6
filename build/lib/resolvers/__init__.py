"""The hub's behaviour: per-request context, batched loaders, reads.

Takes plain arguments and returns plain records; knows nothing of GraphQL types.
"""
