#!/usr/bin/env node
// compose.mjs — compose Apollo Federation v2 subgraphs with Apollo's, The Guild's and WunderGraph's composers.
// Usage:  node federation/compose.mjs < request.json > result.json
//   stdin:  {"composers": ["apollo", "guild", "wundergraph"],
//            "subgraphs": [{"name": "hub", "url": "http://127.0.0.1:8000/graphql", "sdl": "<_service { sdl }>"}]}
//   stdout: {"results": [{"composer": "apollo", "ok": true, "supergraphSdl": "..." | null,
//                         "errors": ["[CODE] message", ...], "warnings": ["[CODE] hint", ...]}, ...]}
//   One result per requested composer, in the order asked. "wundergraph"'s supergraphSdl is Cosmo's router schema
//   (no join__ directives): Apollo Gateway cannot load it; "apollo" and "guild" output can be.
// Exit 0 whenever the JSON was written (even if composition failed); 2 with a message on stderr for malformed
// input. Only the JSON goes to stdout (library console output is sent to stderr).

import { parse } from 'graphql';

// Keep stdout for the JSON result only: anything a library logs goes to stderr.
for (const method of ['log', 'info', 'debug', 'trace', 'dir', 'table']) {
  console[method] = (...args) => console.error(...args);
}

const COMPOSERS = {
  apollo: composeApollo,
  guild: composeGuild,
  wundergraph: composeWundergraph,
};

class InputError extends Error {}

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (chunk) => chunks.push(chunk));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

function validateRequest(text) {
  let request;
  try {
    request = JSON.parse(text);
  } catch (err) {
    throw new InputError(`stdin is not valid JSON: ${err.message}`);
  }
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    throw new InputError('stdin must be a JSON object with "composers" and "subgraphs"');
  }
  const { composers, subgraphs } = request;
  if (!Array.isArray(composers) || composers.length === 0) {
    throw new InputError('"composers" must be a non-empty array of composer names');
  }
  for (const name of composers) {
    if (typeof name !== 'string' || !Object.hasOwn(COMPOSERS, name)) {
      throw new InputError(
        `unknown composer ${JSON.stringify(name)} (known: ${Object.keys(COMPOSERS).join(', ')})`,
      );
    }
  }
  if (!Array.isArray(subgraphs) || subgraphs.length === 0) {
    throw new InputError('"subgraphs" must be a non-empty array of {"name", "url", "sdl"} objects');
  }
  subgraphs.forEach((subgraph, index) => {
    if (subgraph === null || typeof subgraph !== 'object' || Array.isArray(subgraph)) {
      throw new InputError(`subgraphs[${index}] must be an object with "name", "url" and "sdl"`);
    }
    for (const field of ['name', 'url', 'sdl']) {
      if (typeof subgraph[field] !== 'string') {
        throw new InputError(`subgraphs[${index}].${field} is missing or not a string`);
      }
    }
    if (subgraph.name === '') throw new InputError(`subgraphs[${index}].name is empty`);
  });
  return { composers, subgraphs };
}

/** "[CODE] message" when the error carries a code (GraphQLError extensions.code), else the message. */
function formatError(err) {
  const message = err && typeof err.message === 'string' ? err.message : String(err);
  const code = err?.extensions?.code;
  return code ? `[${code}] ${message}` : message;
}

/**
 * Parse every subgraph SDL afresh (composers may keep or annotate the AST). A syntax error is reported as a
 * composition error of every composer, in Apollo's terms (INVALID_GRAPHQL), since none of them got to run.
 */
function parseSubgraphs(subgraphs) {
  const parsed = [];
  const errors = [];
  for (const { name, url, sdl } of subgraphs) {
    try {
      parsed.push({ name, url, typeDefs: parse(sdl) });
    } catch (err) {
      errors.push(`[INVALID_GRAPHQL] [${name}] ${err.message}`);
    }
  }
  return { parsed, errors };
}

async function composeApollo(subgraphs) {
  const { composeServices } = await import('@apollo/composition');
  const result = composeServices(subgraphs.map(({ name, url, typeDefs }) => ({ name, url, typeDefs })));
  const warnings = (result.hints ?? []).map((hint) => `[${hint.definition.code}] ${hint.message}`);
  if (result.errors?.length) {
    return { ok: false, supergraphSdl: null, errors: result.errors.map(formatError), warnings };
  }
  return { ok: true, supergraphSdl: result.supergraphSdl, errors: [], warnings };
}

async function composeGuild(subgraphs) {
  const { composeServices } = await import('@theguild/federation-composition');
  const result = composeServices(subgraphs.map(({ name, url, typeDefs }) => ({ name, url, typeDefs })));
  // The Guild's composer reports no hints/warnings, only errors.
  if (result.errors?.length) {
    return { ok: false, supergraphSdl: null, errors: result.errors.map(formatError), warnings: [] };
  }
  return { ok: true, supergraphSdl: result.supergraphSdl, errors: [], warnings: [] };
}

async function composeWundergraph(subgraphs) {
  const { federateSubgraphs, ROUTER_COMPATIBILITY_VERSION_ONE } = await import('@wundergraph/composition');
  const { print } = await import('graphql');
  const result = federateSubgraphs({
    subgraphs: subgraphs.map(({ name, url, typeDefs }) => ({ name, url, definitions: typeDefs })),
    version: ROUTER_COMPATIBILITY_VERSION_ONE,
  });
  const warnings = (result.warnings ?? []).map((warning) => warning.message);
  if (!result.success) {
    const errors = (result.errors ?? []).map(formatError);
    return { ok: false, supergraphSdl: null, errors: errors.length ? errors : ['composition failed'], warnings };
  }
  // Cosmo's "router schema" (what cosmo's control plane stores as the federated graph SDL).
  return { ok: true, supergraphSdl: print(result.federatedGraphAST), errors: [], warnings };
}

async function runComposer(name, subgraphs) {
  const { parsed, errors } = parseSubgraphs(subgraphs);
  if (errors.length) {
    return { composer: name, ok: false, supergraphSdl: null, errors, warnings: [] };
  }
  try {
    return { composer: name, ...(await COMPOSERS[name](parsed)) };
  } catch (err) {
    process.stderr.write(`compose.mjs: composer ${name} threw: ${err?.stack ?? err}\n`);
    const message = err && typeof err.message === 'string' ? err.message : String(err);
    return {
      composer: name,
      ok: false,
      supergraphSdl: null,
      errors: [`${name} composer threw: ${err?.name ?? 'Error'}: ${message}`],
      warnings: [],
    };
  }
}

async function main() {
  let request;
  try {
    request = validateRequest(await readStdin());
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    process.stderr.write(`compose.mjs: malformed input: ${err.message}\n`, () => process.exit(2));
    return;
  }
  const results = [];
  for (const name of request.composers) {
    results.push(await runComposer(name, request.subgraphs));
  }
  // Exit explicitly once the JSON is flushed: a library may leave a timer or handle behind.
  process.stdout.write(JSON.stringify({ results }) + '\n', () => process.exit(0));
}

main().catch((err) => {
  process.stderr.write(`compose.mjs: internal error: ${err?.stack ?? err}\n`, () => process.exit(1));
});
