// The Schema page, for staff: the partner subgraphs with their checks, the
// clients seen, each field of a type with who read it, and the deprecated
// fields nobody reads any more (safe to remove).

import { ApiError, clientSchema, gql, graphiqlLink, staffKey } from "./api.js";
import { fill, h, timestamp } from "./dom.js";
import { FIELDS_PER_REQUEST, USAGE_DAYS, fieldUsageQuery, schemaOverviewQuery } from "./queries.js";
import { navigate } from "./router.js";

const DEFAULT_TYPE = "Member";
// What every check has; any other text field of a check (a report) is shown as it is.
const CHECK_FIELDS = new Set(["fetchedAt", "accepted", "messages", "warnings"]);

function when(value) {
  return timestamp(value);
}

function baseType(type) {
  return type.ofType ? baseType(type.ofType) : type;
}

/** The text fields a check has beyond the usual ones (a breaking-change report, once the hub has it). */
function reportFields(types) {
  const check = types.get("SubgraphCheck");
  return (check?.fields || [])
    .filter((f) => !CHECK_FIELDS.has(f.name) && !f.args.some((a) => a.type.kind === "NON_NULL"))
    .filter((f) => baseType(f.type).kind === "SCALAR" && baseType(f.type).name === "String")
    .map((f) => f.name);
}

/** The types whose fields can be looked up: records first, then the root query. */
function typeChoices(types) {
  const records = [...types.values()]
    .filter((t) => t.kind === "OBJECT" && (t.interfaces || []).some((i) => i.name === "Node"))
    .map((t) => t.name)
    .sort();
  return types.has("Query") ? [...records, "Query"] : records;
}

function lines(list) {
  return list.length ? h("ul", {}, list.map((text) => h("li", {}, text))) : "—";
}

function text(value) {
  return Array.isArray(value) ? value.join("\n") : value;
}

function subgraphsSection(subgraphs, extra) {
  const heading = h("h2", { id: "subgraphs-heading" }, "Subgraphs");
  if (!subgraphs.length) {
    return h("section", { "aria-labelledby": "subgraphs-heading" }, heading,
      h("p", {}, "No partner subgraph is registered: ", h("code", {}, "metrohub subgraphs register NAME URL"), " adds one."));
  }
  return h("section", { "aria-labelledby": "subgraphs-heading" }, heading,
    subgraphs.map((subgraph) => h("article", { class: "subgraph", "aria-labelledby": `subgraph-${subgraph.name}` },
      h("h3", { id: `subgraph-${subgraph.name}` }, subgraph.name),
      h("dl", { class: "facts" },
        h("dt", {}, "URL"), h("dd", {}, h("code", {}, subgraph.url)),
        h("dt", {}, "Partner"), h("dd", {}, subgraph.partner || "—"),
        h("dt", {}, "Current version"), h("dd", {}, subgraph.currentSince ? `Fetched ${when(subgraph.currentSince)} UTC` : "None accepted yet"),
        h("dt", {}, "Last check"), h("dd", {}, `${subgraph.lastOutcome === "accepted" ? "Accepted" : "Rejected"}, ${when(subgraph.lastChecked)} UTC`),
        h("dt", {}, "Why rejected"), h("dd", {}, lines(subgraph.messages)),
        h("dt", {}, "Warnings"), h("dd", {}, lines(subgraph.warnings))),
      h("table", { class: "history", tabindex: 0 },
        h("caption", {}, `${subgraph.name}: its last ${subgraph.history.length} check${subgraph.history.length === 1 ? "" : "s"}, newest first`),
        h("thead", {}, h("tr", {}, ["Fetched (UTC)", "Outcome", "Messages", "Warnings", ...extra].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, subgraph.history.map((check) => h("tr", {},
          h("td", {}, when(check.fetchedAt)),
          h("td", {}, check.accepted ? "Accepted" : "Rejected"),
          h("td", {}, lines(check.messages)),
          h("td", {}, lines(check.warnings)),
          extra.map((name) => h("td", {}, check[name] ? h("pre", { class: "report" }, text(check[name])) : "—")))))))));
}

function clientsSection(clients) {
  return h("section", { "aria-labelledby": "clients-heading" },
    h("h2", { id: "clients-heading" }, `Clients in the last ${USAGE_DAYS} days`),
    clients.length
      ? h("table", { class: "history clients-table", tabindex: 0 },
        h("caption", {}, `${clients.length} client version${clients.length === 1 ? "" : "s"}, by name and version`),
        h("thead", {}, h("tr", {}, ["Client", "Version", "Last seen (UTC)", "Distinct operations", "Requests"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, clients.map((c) => h("tr", {},
          h("td", {}, c.name), h("td", {}, c.version || "—"), h("td", {}, when(c.lastSeen)),
          h("td", {}, String(c.operationCount)), h("td", {}, String(c.requestCount))))))
      : h("p", {}, "No operation was recorded in these days."));
}

function deprecatedSection(fields) {
  return h("section", { "aria-labelledby": "deprecated-heading" },
    h("h2", { id: "deprecated-heading" }, `Deprecated fields nobody read in ${USAGE_DAYS} days`),
    fields.length
      ? h("ul", { class: "deprecated" }, fields.map((f) => h("li", {}, h("code", {}, f.coordinate), `: ${f.deprecationReason}`)))
      : h("p", {}, "None: every deprecated field is still read, or none is deprecated."));
}

function useText(use) {
  const client = use.clientVersion ? `${use.clientName} ${use.clientVersion}` : use.clientName;
  return `${client}, ${use.operationName || "an anonymous operation"}: ${use.count}`;
}

/** Each field of `typeName` with its use, read FIELDS_PER_REQUEST at a time. */
async function fieldUsage(type) {
  const coordinates = type.fields.map((f) => `${type.name}.${f.name}`);
  const batches = [];
  for (let at = 0; at < coordinates.length; at += FIELDS_PER_REQUEST) batches.push(coordinates.slice(at, at + FIELDS_PER_REQUEST));
  const answers = await Promise.all(batches.map((batch) =>
    gql(fieldUsageQuery(batch), Object.fromEntries(batch.map((c, i) => [`c${i}`, c])))));
  return { usage: answers.flatMap((data) => Object.values(data)), first: batches[0] };
}

function usageSection(choices, type, usage, first) {
  const select = h("select", { id: "usage-type", name: "type" },
    choices.map((name) => h("option", { value: name, selected: name === type.name }, name)));
  const form = h("form", { class: "inline", "aria-labelledby": "usage-heading", onsubmit: (event) => {
    event.preventDefault();
    navigate("schema", "", new URLSearchParams({ type: select.value }));
  } }, h("label", { for: "usage-type" }, "Type"), select, h("button", { type: "submit" }, "Show its fields"));
  const unused = usage.filter((u) => u.count === 0).length;
  return h("section", { "aria-labelledby": "usage-heading" },
    h("h2", { id: "usage-heading" }, `Field usage in the last ${USAGE_DAYS} days`),
    form,
    h("table", { class: "history usage-table", tabindex: 0 },
      h("caption", {}, `${type.name}: ${usage.length} fields, ${unused} unused`),
      h("thead", {}, h("tr", {}, ["Field", "Reads", "By client and operation"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, usage.map((u) => h("tr", { dataset: { coordinate: u.coordinate }, class: u.count ? null : "unused" },
        h("th", { scope: "row" }, h("code", {}, u.coordinate.split(".")[1])),
        h("td", {}, u.count ? String(u.count) : h("span", { class: "badge unused" }, "Unused")),
        h("td", {}, u.uses.length ? lines(u.uses.map(useText)) : "—"))))),
    h("p", {}, h("a", { href: graphiqlLink(fieldUsageQuery(first), Object.fromEntries(first.map((c, i) => [`c${i}`, c]))), class: "graphiql" },
      `Open the first ${first.length} fields' query in GraphiQL`)));
}

export async function schemaView(container, route, current) {
  const heading = h("h1", { id: "schema-heading" }, "Schema");
  if (!staffKey()) {
    fill(container, heading, h("p", { role: "alert" }, "The schema's registry and usage need a staff key: enter it in the Staff key box at the top of the page."));
    return;
  }
  const types = await clientSchema();
  const extra = reportFields(types);
  const overview = schemaOverviewQuery(extra.join(" "));
  const choices = typeChoices(types);
  const wanted = route.params.get("type") || DEFAULT_TYPE;
  const type = types.get(choices.includes(wanted) ? wanted : DEFAULT_TYPE);
  let data;
  let usage;
  try {
    [data, usage] = await Promise.all([gql(overview), fieldUsage(type)]);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (!current()) return;
    fill(container, heading, h("p", { role: "alert", class: "error" }, `${error.message} Enter a staff key in the Staff key box to see the schema's usage.`));
    return;
  }
  if (!current()) return;
  fill(container,
    heading,
    wanted === type.name ? null : h("p", { role: "alert", class: "error" }, `There is no type ${wanted} to look up: showing ${type.name}.`),
    h("p", { class: "note" }, "Usage is counted per client: the ", h("code", {}, "apollographql-client-name"), " header a request sends, else its key's name. Gateways report the use of partner subgraphs' fields."),
    subgraphsSection(data.subgraphs || [], extra),
    clientsSection(data.clients || []),
    usageSection(choices, type, usage.usage, usage.first),
    deprecatedSection(data.unusedDeprecatedFields || []),
    h("p", {}, h("a", { href: graphiqlLink(overview), class: "graphiql" }, "Open the subgraphs, clients and deprecated fields' query in GraphiQL")));
}
