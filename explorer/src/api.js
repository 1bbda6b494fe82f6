// The explorer's one way to the hub: GraphQL over HTTP at /graphql, same origin,
// with the staff key (kept in session storage) when one is entered.

const KEY_STORAGE = "metrohub.staffKey";

export class AuthError extends Error {}
export class ApiError extends Error {}

export function staffKey() {
  return sessionStorage.getItem(KEY_STORAGE);
}

export function setStaffKey(key) {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
}

const GRAPHQL_RESPONSE = "application/graphql-response+json, application/json";

/** Run one operation; `data` on success, AuthError for a refused key, ApiError otherwise.
 * `accept: "application/json"` has a document the hub rejects answered 200 (not 400),
 * for a field the page asks for only where the hub has it. */
export async function gql(query, variables = {}, { key = staffKey(), accept = GRAPHQL_RESPONSE } = {}) {
  const headers = { "content-type": "application/json", accept };
  if (key) headers.authorization = `Bearer ${key}`;
  let response;
  try {
    response = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  } catch (error) {
    throw new ApiError(`The hub did not answer (${error.message}). Is it running?`);
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`The hub answered ${response.status} with something other than JSON.`);
  }
  const message = (body.errors || []).map((error) => error.message).join(" ");
  if (response.status === 401) throw new AuthError(message || "The key was refused.");
  if (body.errors && !body.data) throw new ApiError(message);
  if (body.errors) throw new ApiError(message);
  return body.data;
}

/** The GraphiQL page with this operation open, ready to run. */
export function graphiqlLink(query, variables = {}) {
  const params = new URLSearchParams({ query: query.trim() });
  if (Object.keys(variables).length) params.set("variables", JSON.stringify(variables, null, 2));
  return `/graphql#${params}`;
}

/** The client schema as the hub publishes it (`/schema.json`, an introspection
 * result, served even where introspection queries are off): its types by name. */
export async function clientSchema() {
  let response;
  try {
    response = await fetch("/schema.json", { headers: { accept: "application/json" } });
  } catch (error) {
    throw new ApiError(`The hub did not answer (${error.message}). Is it running?`);
  }
  if (!response.ok) throw new ApiError(`The hub answered ${response.status} for its schema.`);
  const body = await response.json();
  return new Map(body.data.__schema.types.map((type) => [type.name, type]));
}
