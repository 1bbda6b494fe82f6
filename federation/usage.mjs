// usage.mjs — what a gateway reports to the hub of the operations it serves (`POST /usage` on the hub, with
// the gateway's key in `Hub-Gateway-Key`): per client and operation, Apollo's usage signature and the
// `Type.field` coordinates it reads over the supergraph, partner subgraphs' fields included, counted and sent
// in batches every HUB_USAGE_FLUSH_SECONDS (5) and when the gateway stops. The format is in the README's
// "Usage". Used by gateway.mjs (Apollo Gateway) and hive.config.mjs (Hive Gateway).

import { calculateReferencedFieldsByType, usageReportingSignature } from '@apollo/utils.usagereporting';
import { getOperationAST } from 'graphql';

const MAX_PENDING = 10_000; // distinct client operations held between two reports
const MAX_REPORT = 1_000; // operations per report (the hub's bound)
const MAX_MEMO = 1_000; // documents whose signature and fields are kept

/** The headers that name the client, which gateways pass on to the hub. */
export const CLIENT_HEADERS = [
  'apollographql-client-name',
  'apollographql-client-version',
  'graphql-client-name',
  'graphql-client-version',
];

/** The client's name and version, as the hub reads them: Apollo's headers, else GraphQL's, else none. */
export function clientOf(header) {
  const name = header('apollographql-client-name') || header('graphql-client-name') || 'anonymous';
  const version = header('apollographql-client-version') || header('graphql-client-version') || '';
  return { name: name.trim().slice(0, 100) || 'anonymous', version: version.trim().slice(0, 100) };
}

/** `/usage` beside the hub's GraphQL URL (`http://hub/graphql` -> `http://hub/usage`). */
export function usageUrl(hubGraphqlUrl) {
  return new URL('usage', hubGraphqlUrl).toString();
}

export class UsageReporter {
  constructor({ gatewayKey, flushSeconds, log }) {
    this.gatewayKey = gatewayKey;
    this.flushMs = Math.max(1, Number(flushSeconds) || 5) * 1000;
    this.log = log;
    this.url = process.env.HUB_USAGE_URL || undefined;
    this.pending = new Map();
    this.memo = new WeakMap(); // schema -> Map(document text + operation name -> operation)
    this.timer = setInterval(() => this.flush().catch(() => {}), this.flushMs);
    this.timer.unref();
  }

  /** Where to report, once the hub's URL is known (a gateway learns it from its supergraph). */
  hubAt(hubGraphqlUrl) {
    if (!this.url && hubGraphqlUrl) this.url = usageUrl(hubGraphqlUrl);
  }

  /** Count one operation of `document` run over `schema` for `client`. */
  record(schema, document, operationName, client) {
    const operation = this.operation(schema, document, operationName);
    if (!operation) return;
    const key = `${client.name}\n${client.version}\n${operation.operationName}\n${operation.signature}`;
    const held = this.pending.get(key);
    if (held) held.count += 1;
    else if (this.pending.size < MAX_PENDING) this.pending.set(key, { client, ...operation, count: 1 });
  }

  operation(schema, document, operationName) {
    let bySchema = this.memo.get(schema);
    if (!bySchema) this.memo.set(schema, (bySchema = new Map()));
    const text = document.loc?.source?.body;
    const memoKey = text === undefined ? undefined : `${operationName ?? ''}\n${text}`;
    if (memoKey !== undefined && bySchema.has(memoKey)) return bySchema.get(memoKey);
    const definition = getOperationAST(document, operationName ?? undefined);
    let operation = null;
    if (definition) {
      const name = definition.name?.value ?? '';
      const referenced = calculateReferencedFieldsByType({ document, schema, resolvedOperationName: name || null });
      const fields = [];
      for (const [typeName, { fieldNames }] of Object.entries(referenced)) {
        for (const field of fieldNames) if (!field.startsWith('__')) fields.push(`${typeName}.${field}`);
      }
      operation = { operationName: name, signature: usageReportingSignature(document, name || null), fields: fields.sort() };
    }
    if (memoKey !== undefined) {
      if (bySchema.size >= MAX_MEMO) bySchema.clear();
      bySchema.set(memoKey, operation);
    }
    return operation;
  }

  /** Send what is held; what the hub could not take is dropped and logged (a gateway holds no backlog). */
  async flush() {
    if (this.pending.size === 0 || !this.url) return;
    const held = [...this.pending.values()];
    this.pending = new Map();
    for (let start = 0; start < held.length; start += MAX_REPORT) {
      const operations = held.slice(start, start + MAX_REPORT).map((entry) => ({
        client: entry.client,
        operationName: entry.operationName,
        signature: entry.signature,
        fields: entry.fields,
        count: entry.count,
      }));
      try {
        const response = await fetch(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'hub-gateway-key': this.gatewayKey },
          body: JSON.stringify({ operations }),
        });
        if (!response.ok) this.log(`usage report refused by the hub: ${response.status} ${await response.text()}`);
      } catch (error) {
        this.log(`usage report not sent: ${error?.message ?? error}`);
      }
    }
  }

  async stop() {
    clearInterval(this.timer);
    await this.flush();
  }
}
