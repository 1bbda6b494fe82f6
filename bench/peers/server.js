// PostGraphile over the hub's PostgreSQL database, for `make bench-peers`:
// one Node process, one HTTP route (/graphql), configured as its docs advise
// for production (no GraphiQL, no query log, no watch mode). The database
// role in DATABASE_URL decides what it sees (bench/postgraphile.py grants it
// the published network only).
"use strict";

const http = require("http");
const { postgraphile } = require("postgraphile");
const PgManyToManyPlugin = require("@graphile-contrib/pg-many-to-many");
const PgSimplifyInflectorPlugin = require("@graphile-contrib/pg-simplify-inflector");

const middleware = postgraphile(process.env.DATABASE_URL, "public", {
  appendPlugins: [PgSimplifyInflectorPlugin, PgManyToManyPlugin],
  disableDefaultMutations: true,
  ignoreRBAC: false,
  setofFunctionsContainNulls: false,
  legacyRelations: "omit",
  disableQueryLog: true,
  graphiql: false,
  enableQueryBatching: false,
  watchPg: false,
  retryOnInitFail: false,
  exportGqlSchemaPath: process.env.SCHEMA_PATH || undefined,
});

http.createServer(middleware).listen(Number(process.env.PORT || 5000), "127.0.0.1");
