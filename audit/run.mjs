// Audits a GraphQL endpoint against the GraphQL-over-HTTP spec with graphql-http's
// server audits, and prints one JSON line per audit: {id, name, status, reason}.
// status is graphql-http's: ok, notice (a failed MAY), warn (a failed SHOULD) or
// error (a failed MUST). Exits 1 when any audit is an error, 2 on bad usage.
//
//   node audit/run.mjs URL [--header 'name: value']...
//
// --header adds a header to every request the audits send: the hub refuses GET
// requests without a CSRF-prevention header, so a well-behaved client sends one.

import { serverAudits } from 'graphql-http';

function usage(message) {
  console.error(`${message}\nusage: node audit/run.mjs URL [--header 'name: value']...`);
  process.exit(2);
}

const [url, ...rest] = process.argv.slice(2);
if (!url || url.startsWith('--')) usage('missing the URL to audit');

const extraHeaders = {};
for (let i = 0; i < rest.length; i += 2) {
  if (rest[i] !== '--header' || rest[i + 1] === undefined) usage(`unexpected argument ${rest[i]}`);
  const [name, ...value] = rest[i + 1].split(':');
  if (!name.trim() || value.length === 0) usage(`--header needs 'name: value', got ${rest[i + 1]}`);
  extraHeaders[name.trim()] = value.join(':').trim();
}

// The audits' own headers win, so a header given here never hides what an audit checks.
const fetchFn = (input, init = {}) =>
  fetch(input, { ...init, headers: { ...extraHeaders, ...init.headers } });

// One after another: the results then come in the suite's order, and the hub's
// log (if any) reads the same way.
let errors = 0;
for (const { fn } of serverAudits({ url, fetchFn })) {
  const { id, name, status, reason } = await fn();
  if (status === 'error') errors += 1;
  console.log(JSON.stringify({ id, name, status, reason: reason ?? null }));
}
process.exit(errors ? 1 : 0);
