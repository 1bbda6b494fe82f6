"""Federation: the npm composers and gateway (`compose.mjs`, `gateway.mjs`), the
example partner subgraph (`examples/`), and `stack`, which runs a hub, a
partner subgraph and a gateway together on loopback."""
