"""The hub's web application, in parts: the process's services (`hub`), the
GraphQL view (`view`, with the GraphQL-over-HTTP rules in `graphql_http`), a
module for each middleware, the plain routes (`routes`) and the playground's
example tabs (`tabs`). `server.create_app` puts them together."""
