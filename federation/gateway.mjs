#!/usr/bin/env node
// gateway.mjs — Apollo Gateway (@apollo/gateway) behind Apollo Server (startStandaloneServer) on 127.0.0.1.
//
// Usage:  node federation/gateway.mjs --port 4000 --supergraph path/to/supergraph.graphql
//         node federation/gateway.mjs --port 4000 --subgraph hub=http://127.0.0.1:8000/graphql \
//                                                --subgraph events=http://127.0.0.1:8001/graphql
//   --supergraph FILE   a join-spec supergraph (e.g. compose.mjs "apollo" or "guild" output; not "wundergraph")
//   --subgraph NAME=URL repeatable; composes once at startup with IntrospectAndCompose (no polling)
//   --hub NAME          the hub's subgraph name (default "hub")
//   --port N            0 picks a free port;  --startup-timeout SECONDS (default 60) bounds startup
// To the hub subgraph only, each request carries `Hub-Gateway-Key: $HUB_GATEWAY_KEY` (also when composing at
// startup: IntrospectAndCompose fetches `_service` through the same data source), the end user's
// `Authorization` when they sent one, and `X-Forwarded-For`: what the client sent, then its socket address.
// Partner subgraphs get none of these: the key is the hub's secret, and the user's key is a hub key that a
// partner has no use for and should not be able to replay. Error answers carry no stack traces.
// When ready prints exactly one stdout line "gateway ready at http://127.0.0.1:<port>/"; all logs go to stderr.
// The client's `apollographql-client-name`/`-version` (or `graphql-client-…`) headers go to the hub too, which
// counts its share of each operation per client; and each operation, partner fields included, is reported to
// the hub's `POST /usage` (usage.mjs), in batches every HUB_USAGE_FLUSH_SECONDS (5) and when the gateway stops.
// Landing page (CDN), Apollo's usage/schema reporting and the gateway's telemetry are disabled. SIGTERM/SIGINT stop it
// and exit 0. Exit 1 (error on stderr) if startup fails (composition error, subgraph down); exit 2 on bad usage.

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import { CLIENT_HEADERS, UsageReporter, clientOf } from './usage.mjs';

// No phoning home: @apollo/gateway otherwise sends OpenTelemetry metrics to Apollo (and probes cloud metadata
// endpoints) unless this is set; it is read when the gateway is constructed. Also make sure Apollo Server never
// switches to managed federation / usage reporting because of an APOLLO_KEY in the environment.
process.env.APOLLO_TELEMETRY_DISABLED = 'true';
delete process.env.APOLLO_KEY;
delete process.env.APOLLO_GRAPH_REF;
delete process.env.APOLLO_GRAPH_ID;
delete process.env.APOLLO_GRAPH_VARIANT;

// stdout carries only the "ready" line: route any library console output to stderr.
for (const method of ['log', 'info', 'debug', 'trace', 'dir', 'table']) {
  console[method] = (...args) => console.error(...args);
}

const HOST = '127.0.0.1';

function usageError(message) {
  process.stderr.write(
    `gateway.mjs: ${message}\n` +
      'usage: node gateway.mjs --port N (--supergraph FILE | --subgraph NAME=URL [--subgraph NAME=URL ...])' +
      ' [--hub NAME] [--startup-timeout SECONDS]\n',
    () => process.exit(2),
  );
}

function parseCommandLine() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      supergraph: { type: 'string' },
      subgraph: { type: 'string', multiple: true },
      hub: { type: 'string', default: 'hub' },
      'startup-timeout': { type: 'string', default: '60' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.port === undefined) throw new Error('--port is required');
  if (!/^\d+$/.test(values.port) || Number(values.port) > 65535) {
    throw new Error(`--port must be an integer from 0 to 65535, got ${JSON.stringify(values.port)}`);
  }
  const timeout = Number(values['startup-timeout']);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new Error('--startup-timeout must be a positive number');
  const subgraphArgs = values.subgraph ?? [];
  if (values.supergraph !== undefined && subgraphArgs.length > 0) {
    throw new Error('give either --supergraph or --subgraph, not both');
  }
  if (values.supergraph === undefined && subgraphArgs.length === 0) {
    throw new Error('give --supergraph FILE or at least one --subgraph NAME=URL');
  }
  const subgraphs = [];
  for (const arg of subgraphArgs) {
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : '';
    const url = eq > 0 ? arg.slice(eq + 1) : '';
    if (!name || !/^https?:\/\/.+/.test(url)) {
      throw new Error(`--subgraph must be NAME=http(s)://URL, got ${JSON.stringify(arg)}`);
    }
    if (subgraphs.some((s) => s.name === name)) throw new Error(`subgraph ${JSON.stringify(name)} given twice`);
    subgraphs.push({ name, url });
  }
  if (!values.hub) throw new Error('--hub must name a subgraph');
  if (subgraphs.length > 0 && !subgraphs.some((s) => s.name === values.hub)) {
    throw new Error(`no --subgraph is named ${JSON.stringify(values.hub)}, the hub's name given by --hub`);
  }
  return {
    port: Number(values.port),
    supergraph: values.supergraph,
    subgraphs,
    hub: values.hub,
    startupTimeoutMs: timeout * 1000,
  };
}

// Apollo's Logger interface, writing to stderr (the default loglevel logger writes info to stdout).
const logger = {
  debug: () => {},
  info: (message) => process.stderr.write(`gateway.mjs: ${message}\n`),
  warn: (message) => process.stderr.write(`gateway.mjs: warning: ${message}\n`),
  error: (message) => process.stderr.write(`gateway.mjs: error: ${message}\n`),
};

/** The client's socket address, without the IPv4-mapped IPv6 prefix. */
function socketAddress(req) {
  const address = req.socket?.remoteAddress;
  if (!address) return undefined;
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

/** What the hub needs to know of the end user's request: their key, their address and their client. */
function endUser({ req }) {
  const sent = req.headers['x-forwarded-for']; // Node joins repeated headers with ", "
  const address = socketAddress(req);
  return {
    authorization: req.headers.authorization,
    forwardedFor: address ? (sent ? `${sent}, ${address}` : address) : sent,
    client: CLIENT_HEADERS.filter((name) => typeof req.headers[name] === 'string').map((name) => [
      name,
      req.headers[name],
    ]),
  };
}

/** Reports each operation that ran (it was valid) to the hub, with its client. */
function usagePlugin(usage) {
  return {
    async serverWillStart() {
      return {
        async serverWillStop() {
          await usage.stop();
        },
      };
    },
    async requestDidStart() {
      return {
        async willSendResponse({ schema, document, operation, operationName, request }) {
          if (!document || !operation) return;
          const headers = request.http?.headers;
          usage.record(schema, document, operationName, clientOf((name) => headers?.get(name)));
        },
      };
    },
  };
}

const STATUS_CODES = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 429: 'RATE_LIMITED' };

/** The data source of every subgraph. A subgraph's non-2xx answer (the hub says 401, 403 or 429 with a
 * GraphQL body) reaches the client as the subgraph's first error, not as Apollo's default error, which
 * carries the subgraph's internal URL and whole body; a subgraph that cannot be reached is named, and its
 * address and the network error stay in the gateway's log. */
function subgraphDataSource(RemoteGraphQLDataSource, GraphQLError) {
  return class SubgraphDataSource extends RemoteGraphQLDataSource {
    constructor({ name, url }) {
      super({ url });
      this.subgraphName = name;
    }

    didEncounterError(error, fetchRequest) {
      if (error instanceof GraphQLError) throw error;
      logger.error(`subgraph ${this.subgraphName} at ${fetchRequest.url}: ${error?.message ?? error}`);
      throw new GraphQLError(`The ${this.subgraphName} subgraph did not answer; try again later.`, {
        extensions: { code: 'SUBGRAPH_UNAVAILABLE' },
      });
    }

    async errorFromResponse(response) {
      let first;
      try {
        first = (await this.parseBody(response))?.errors?.[0];
      } catch {
        first = undefined;
      }
      const message = typeof first?.message === 'string' ? first.message : `${response.status}: ${response.statusText}`;
      const code = first?.extensions?.code ?? STATUS_CODES[response.status] ?? 'DOWNSTREAM_SERVICE_ERROR';
      return new GraphQLError(message, { extensions: { code } });
    }
  };
}

/** The headers each request to the hub carries; `context` is endUser's answer (empty when composing). */
function hubDataSource(SubgraphDataSource, gatewayKey) {
  return class HubDataSource extends SubgraphDataSource {
    willSendRequest({ request, context }) {
      const headers = request.http.headers;
      if (gatewayKey) headers.set('hub-gateway-key', gatewayKey);
      if (context?.authorization) headers.set('authorization', context.authorization);
      if (context?.forwardedFor) headers.set('x-forwarded-for', context.forwardedFor);
      for (const [name, value] of context?.client ?? []) headers.set(name, value);
    }
  };
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000}s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function fail(err) {
  const message = err?.stack ?? String(err);
  process.stderr.write(`gateway.mjs: startup failed: ${message}\n`, () => process.exit(1));
}

async function main() {
  let options;
  try {
    options = parseCommandLine();
  } catch (err) {
    usageError(err.message);
    return;
  }

  const [
    { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource },
    { ApolloServer },
    { startStandaloneServer },
    disabled,
    { GraphQLError },
  ] =
    await Promise.all([
      import('@apollo/gateway'),
      import('@apollo/server'),
      import('@apollo/server/standalone'),
      import('@apollo/server/plugin/disabled'),
      import('graphql'),
    ]);

  let supergraphSdl;
  if (options.supergraph !== undefined) {
    try {
      supergraphSdl = await readFile(options.supergraph, 'utf8');
    } catch (err) {
      fail(new Error(`cannot read supergraph file ${options.supergraph}: ${err.message}`));
      return;
    }
  } else {
    supergraphSdl = new IntrospectAndCompose({ subgraphs: options.subgraphs, logger });
  }

  const gatewayKey = process.env.HUB_GATEWAY_KEY ?? '';
  if (!gatewayKey) logger.warn('HUB_GATEWAY_KEY is not set: the hub will see this gateway as an anonymous client');
  const SubgraphDataSource = subgraphDataSource(RemoteGraphQLDataSource, GraphQLError);
  const HubDataSource = hubDataSource(SubgraphDataSource, gatewayKey);
  const usage = gatewayKey
    ? new UsageReporter({ gatewayKey, flushSeconds: process.env.HUB_USAGE_FLUSH_SECONDS, log: logger.warn })
    : null;
  const gateway = new ApolloGateway({
    supergraphSdl,
    logger,
    buildService: ({ name, url }) => {
      if (name !== options.hub) return new SubgraphDataSource({ name, url });
      usage?.hubAt(url);
      return new HubDataSource({ name, url });
    },
  });
  const server = new ApolloServer({
    gateway,
    logger,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    stopOnTerminationSignals: false, // handled below, so that a signal exits 0 after a clean stop
    plugins: [
      disabled.ApolloServerPluginLandingPageDisabled(),
      disabled.ApolloServerPluginUsageReportingDisabled(),
      disabled.ApolloServerPluginSchemaReportingDisabled(),
      ...(usage ? [usagePlugin(usage)] : []),
    ],
  });

  let stopping = false;
  const stop = async (signal) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received, stopping`);
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 10s, exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    try {
      await server.stop(); // drains the HTTP server and stops the gateway
    } catch (err) {
      logger.error(`stop failed: ${err?.message ?? err}`);
      process.exit(1);
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  // startStandaloneServer does not listen for the HTTP server's 'error' event (e.g. EADDRINUSE): without this
  // the process would die with an unhandled-error dump instead of a clean startup failure.
  let ready = false;
  process.on('uncaughtException', (err) => {
    if (!ready) {
      fail(err);
      return;
    }
    process.stderr.write(`gateway.mjs: uncaught exception: ${err?.stack ?? err}\n`, () => process.exit(1));
  });

  let httpUrl;
  try {
    ({ url: httpUrl } = await withTimeout(
      startStandaloneServer(server, { listen: { host: HOST, port: options.port }, context: endUser }),
      options.startupTimeoutMs,
      'gateway startup',
    ));
  } catch (err) {
    fail(err);
    return;
  }
  if (stopping) return;
  ready = true;
  const port = new URL(httpUrl).port;
  process.stdout.write(`gateway ready at http://${HOST}:${port}/\n`);
}

main().catch(fail);
