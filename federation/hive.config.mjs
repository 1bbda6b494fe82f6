// hive.config.mjs — Hive Gateway (@graphql-hive/gateway) configured for Metropolis Hub.
//
// Usage:  HUB_GATEWAY_KEY=<key> npx --prefix federation hive-gateway supergraph supergraph.graphql \
//           --config-path federation/hive.config.mjs --host 127.0.0.1 --port 4000
//   The supergraph is `metrohub supergraph` output (Apollo's composer); the hub is the subgraph named
//   HUB_SUBGRAPH ("hub" unless set). Queries are served at /graphql. The CLI watches the supergraph file and
//   loads it again when `metrohub supergraph` rewrites it.
//
// To the hub subgraph only, each request carries
//   - `Hub-Gateway-Key: <HUB_GATEWAY_KEY>`: the hub knows the request comes through its gateway;
//   - the end user's `Authorization`, when they sent one: the hub answers as that user, under their budget;
//   - `X-Forwarded-For`: what the client sent, then the client's socket address (the hub takes the last entry).
//   - the client's `apollographql-client-name`/`-version` (or `graphql-client-…`) headers: the hub counts its
//     share of each operation per client.
// Each operation, partner fields included, is reported to the hub's `POST /usage` (usage.mjs) in batches every
// HUB_USAGE_FLUSH_SECONDS (5) and when the gateway stops; the hub's URL comes from the supergraph (the hub's
// first fetch), or HUB_USAGE_URL.
// Partner subgraphs get none of these: the key is the hub's secret and the user's key is a hub key, which a
// partner has no use for and should not be able to replay.
//
// No phoning home: no landing page, no GraphiQL (the Laboratory loads from a CDN), no usage reporting or
// tracing (those need HIVE_* / APOLLO_* / OPENTELEMETRY settings, which `metrohub federation up` removes from
// the gateway's environment). Errors are masked and carry no stack trace: `maskedErrors.isDev` is off even
// when NODE_ENV=development.

import { defineConfig } from '@graphql-hive/gateway';

import { CLIENT_HEADERS, UsageReporter, clientOf } from './usage.mjs';

const hubSubgraph = process.env.HUB_SUBGRAPH || 'hub';
const gatewayKey = process.env.HUB_GATEWAY_KEY || '';

/** The client's socket address, without the IPv4-mapped IPv6 prefix. */
function socketAddress(context) {
  const address = context?.req?.socket?.remoteAddress;
  if (!address) return undefined;
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

/** The client's X-Forwarded-For with its socket address appended, as a proxy does. */
function forwardedFor(request, context) {
  const sent = request.headers.get('x-forwarded-for');
  const address = socketAddress(context);
  if (!address) return sent ?? undefined;
  return sent ? `${sent}, ${address}` : address;
}

/** Reports each operation that ran to the hub, with its client; learns the hub's URL from its transport. */
function usagePlugin(usage) {
  return {
    onSubgraphExecute({ subgraphName, transportEntry }) {
      if (subgraphName === hubSubgraph) usage.hubAt(transportEntry?.location);
    },
    onExecute({ args }) {
      return {
        onExecuteDone() {
          const headers = args.contextValue?.request?.headers;
          usage.record(args.schema, args.document, args.operationName, clientOf((name) => headers?.get(name)));
        },
      };
    },
    async onDispose() {
      await usage.stop();
    },
  };
}

const usage = gatewayKey
  ? new UsageReporter({
      gatewayKey,
      flushSeconds: process.env.HUB_USAGE_FLUSH_SECONDS,
      log: (message) => process.stderr.write(`hive.config.mjs: warning: ${message}\n`),
    })
  : null;

export const gatewayConfig = defineConfig({
  landingPage: false,
  graphiql: false,
  maskedErrors: { isDev: false },
  // Queries only: the hub's subscriptions are served by the hub itself.
  disableWebsockets: true,
  transportEntries: {
    [hubSubgraph]: {
      headers: gatewayKey ? [['Hub-Gateway-Key', gatewayKey]] : [],
    },
  },
  propagateHeaders: {
    fromClientToSubgraphs({ request, context, subgraphName }) {
      if (subgraphName !== hubSubgraph) return undefined;
      const client = Object.fromEntries(
        CLIENT_HEADERS.map((name) => [name, request.headers.get(name) ?? undefined]),
      );
      return {
        ...client,
        authorization: request.headers.get('authorization') ?? undefined,
        'x-forwarded-for': forwardedFor(request, context),
      };
    },
  },
  plugins: () => (usage ? [usagePlugin(usage)] : []),
});
