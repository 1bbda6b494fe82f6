// Curation: edit a member, partner or initiative with the staff key, see the
// hub's userErrors next to the fields, settle version conflicts, and read the
// record's history.

import { gql, graphiqlLink, staffKey } from "./api.js";
import { fill, h, label, timestamp } from "./dom.js";
import { RECORD, UPDATES } from "./queries.js";
import { nodeLink } from "./router.js";
import { nodeTitle } from "./search.js";

const KINDS = {
  member: ["CITY", "METROPOLITAN_AREA", "REGIONAL_GOVERNMENT"],
  memberStatus: ["ACTIVE", "FORMER"],
  partner: ["BUSINESS", "MULTILATERAL", "DEVELOPMENT_FINANCE", "CITY_NETWORK", "ACADEMIC", "NGO_FOUNDATION", "OTHER"],
  initiative: ["INITIATIVE", "PILOT_PROJECT"],
  initiativeStatus: ["COMPLETED", "ONGOING", "UNKNOWN"],
  confidence: ["HIGH", "MEDIUM"],
};
// Where every record's facts come from: the same two fields on each form.
const PROVENANCE = [
  ["sources", "Sources (one URL a line)", (r) => r.provenance?.sources, "lines"],
  ["confidence", "Confidence", (r) => r.provenance?.confidence, KINDS.confidence],
];

// Per type: [input field, label, how to read it from the record, control].
const FIELDS = {
  Member: [
    ["name", "Name"], ["shortName", "Short name"], ["country", "Country (ISO code)"], ["countryName", "Country name"],
    ["kind", "Kind", (r) => r.memberKind, KINDS.member], ["status", "Status", (r) => r.memberStatus, KINDS.memberStatus],
    ["joinedYear", "Joined (year)", null, "int"], ["population", "Population", null, "int"],
    ["latitude", "Latitude", null, "float"], ["longitude", "Longitude", null, "float"],
    ["website", "Website", null, "url"], ["evidence", "Evidence", null, "textarea"], ...PROVENANCE,
  ],
  Partner: [
    ["name", "Name"], ["kind", "Kind", (r) => r.partnerKind, KINDS.partner], ["sector", "Sector"],
    ["country", "Country (ISO code)", (r) => r.partnerCountry], ["website", "Website", null, "url"],
    ["description", "Description", null, "textarea"], ["period", "Period"],
    ["latitude", "Latitude", null, "float"], ["longitude", "Longitude", null, "float"],
    ["contactName", "Contact name", (r) => r.contact?.name], ["contactEmail", "Contact email", (r) => r.contact?.email, "email"],
    ["contactPhone", "Contact phone", (r) => r.contact?.phone], ...PROVENANCE,
  ],
  Initiative: [
    ["title", "Title"], ["kind", "Kind", (r) => r.initiativeKind, KINDS.initiative], ["period", "Period"],
    ["startYear", "Start year", null, "int"], ["endYear", "End year", null, "int"],
    ["status", "Status", (r) => r.initiativeStatus, KINDS.initiativeStatus], ["summary", "Summary", null, "textarea"],
    ...PROVENANCE,
  ],
};
const MUTATION_FIELD = { Member: "memberUpdate", Partner: "partnerUpdate", Initiative: "initiativeUpdate" };

function control(name, value, kind) {
  const common = { id: `field-${name}`, name, "aria-describedby": `error-${name}` };
  if (Array.isArray(kind)) {
    return h("select", common, kind.map((v) => h("option", { value: v, selected: v === value }, label(v))));
  }
  if (kind === "textarea" || kind === "lines") {
    const area = h("textarea", { ...common, rows: 3 });
    area.value = kind === "lines" ? (value ?? []).join("\n") : value ?? "";
    return area;
  }
  const type = { int: "text", float: "text", url: "url", email: "email" }[kind] || "text";
  const inputmode = { int: "numeric", float: "decimal" }[kind];
  return h("input", { ...common, type, inputmode, value: value ?? "" });
}

function parsed(text, kind) {
  if (kind === "lines") return text.split("\n").map((line) => line.trim()).filter(Boolean);
  if (kind !== "int" && kind !== "float") return text;
  if (text.trim() === "") return null;
  const number = Number(text);
  if (!Number.isFinite(number) || (kind === "int" && !Number.isInteger(number))) {
    throw new FieldError(kind === "int" ? "Enter a whole number." : "Enter a number.");
  }
  return number;
}

class FieldError extends Error {}

export async function editView(container, { arg: id, params }, current) {
  if (!staffKey()) {
    fill(container, h("h1", {}, "Edit"), h("p", { role: "alert" }, "Curation needs a staff key: enter it in the Staff key box at the top of the page."));
    return;
  }
  const { node: record } = await gql(RECORD, { id });
  if (!current()) return;
  if (!record || !FIELDS[record.__typename]) {
    fill(container, h("h1", {}, "Edit"), h("p", { role: "alert" }, "Only members, partners and initiatives can be edited here, and this is none of them."));
    return;
  }
  const type = record.__typename;
  const fields = FIELDS[type];
  const initial = Object.fromEntries(fields.map(([name, , read]) => [name, (read ? read(record) : record[name]) ?? null]));
  const status = h("div", { id: "form-status", "aria-live": "polite" });
  const form = h("form", { class: "edit", novalidate: true, "aria-labelledby": "edit-heading" },
    fields.map(([name, text, , kind]) => h("div", { class: "field" },
      h("label", { for: `field-${name}` }, text),
      control(name, initial[name], kind),
      h("p", { id: `error-${name}`, class: "field-error" }))),
    h("p", { class: "field-error", id: "error-form" }),
    h("button", { type: "submit" }, "Save changes"));

  const changes = () => {
    const input = {};
    const problems = {};
    for (const [name, , , kind] of fields) {
      const element = form.elements[name];
      try {
        const value = parsed(element.value, kind);
        const empty = kind === "int" || kind === "float" ? null : kind === "lines" ? [] : "";
        const before = initial[name] ?? empty;
        if (JSON.stringify(value) !== JSON.stringify(before)) input[name] = value;
      } catch (error) {
        problems[name] = error.message;
      }
    }
    return { input, problems };
  };
  const showErrors = (errors) => {
    for (const [name] of fields) {
      form.elements[name].removeAttribute("aria-invalid");
      form.querySelector(`#error-${name}`).textContent = "";
    }
    form.querySelector("#error-form").textContent = "";
    for (const [name, message] of Object.entries(errors)) {
      const element = form.elements[name];
      if (element && !(element instanceof RadioNodeList)) {
        element.setAttribute("aria-invalid", "true");
        form.querySelector(`#error-${name}`).textContent = message;
      } else {
        form.querySelector("#error-form").textContent = message;
      }
    }
    const first = form.querySelector("[aria-invalid=true]");
    if (first) first.focus();
  };

  async function save(input, version) {
    const data = await gql(UPDATES[type], { input: { id, expectedVersion: version, ...input } });
    const payload = data[MUTATION_FIELD[type]];
    const conflict = payload.userErrors.find((e) => e.code === "VERSION_CONFLICT");
    if (conflict) {
      showErrors({});
      fill(status, h("div", { role: "alert", class: "conflict" },
        h("p", {}, h("strong", {}, "Changed by someone else. "), conflict.message),
        h("button", { type: "button", onclick: () => window.dispatchEvent(new HashChangeEvent("hashchange")) }, "Reload (discard my edits)"),
        " ",
        h("button", { type: "button", onclick: async () => {
          const fresh = await gql(RECORD, { id });
          await save(input, fresh.node.version);
        } }, "Overwrite (save my edits over theirs)")));
      return;
    }
    if (payload.userErrors.length) {
      showErrors(Object.fromEntries(payload.userErrors.map((e) => [e.field[e.field.length - 1], e.message])));
      fill(status, h("p", { role: "alert", class: "error" }, `Not saved: ${payload.userErrors.length} problem${payload.userErrors.length === 1 ? "" : "s"} to fix.`));
      return;
    }
    const saved = Object.values(payload)[0];
    fill(status, h("p", { role: "status", class: "saved" }, `Saved: now version ${saved.version}. `, h("a", { href: nodeLink(id) }, "View the record")));
    window.setTimeout(() => window.dispatchEvent(new HashChangeEvent("hashchange")), 0);
    sessionStorage.setItem("metrohub.lastSaved", `Saved: now version ${saved.version}.`);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { input, problems } = changes();
    if (Object.keys(problems).length) {
      showErrors(problems);
      fill(status, h("p", { role: "alert", class: "error" }, "Not saved: fix the marked fields."));
      return;
    }
    if (!Object.keys(input).length) {
      showErrors({});
      fill(status, h("p", { role: "status" }, "Nothing changed: nothing to save."));
      return;
    }
    await save(input, record.version);
  });

  const lastSaved = sessionStorage.getItem("metrohub.lastSaved");
  sessionStorage.removeItem("metrohub.lastSaved");
  if (lastSaved) fill(status, h("p", { role: "status", class: "saved" }, lastSaved, " ", h("a", { href: nodeLink(id) }, "View the record")));
  fill(container,
    h("p", {}, h("a", { href: nodeLink(id) }, `← ${nodeTitle(record)}`)),
    h("h1", { id: "edit-heading" }, `Edit ${label(type).toLowerCase()}: ${nodeTitle(record)}`),
    h("p", { class: "note" }, `Version ${record.version}. Only the fields you change are sent.`),
    status, form,
    history(record.history),
    h("p", {}, h("a", { href: graphiqlLink(RECORD, { id }), class: "graphiql" }, "Open this query in GraphiQL")));
  // Opened from the data-quality list: on the field to fix.
  const focus = params.get("field");
  if (focus && form.elements[focus] && !lastSaved) form.elements[focus].focus();
}

function show(value) {
  if (value === null || value === undefined) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function history(connection) {
  const section = h("section", { "aria-labelledby": "history-heading" }, h("h2", { id: "history-heading" }, "History"));
  if (!connection || !connection.edges.length) {
    section.append(h("p", { class: "note" }, "No recorded changes."));
    return section;
  }
  section.append(h("table", { class: "history", tabindex: 0 },
    h("caption", {}, `${connection.totalCount} change${connection.totalCount === 1 ? "" : "s"}, oldest first`),
    h("thead", {}, h("tr", {}, ["When", "Who", "What", "Fields"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, connection.edges.map(({ node: change }) => h("tr", {},
      h("td", {}, timestamp(change.at, { seconds: true })),
      h("td", {}, change.actor), h("td", {}, change.action),
      h("td", {}, h("ul", {}, change.fields.map((f) => h("li", {}, h("code", {}, f.field), `: ${show(f.before)} → ${show(f.after)}`)))))))));
  return section;
}
