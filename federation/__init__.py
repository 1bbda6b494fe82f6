"""Federation: the npm composers and gateways (`compose.mjs`, `gateway.mjs`,
`hive.config.mjs`), the example partner subgraph (`examples/`), `gateways`,
which says how to run Apollo's or Hive's gateway, and `stack`, which runs a
hub, a partner subgraph and a gateway together on loopback."""
