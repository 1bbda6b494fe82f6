// API keys, for admins: every key listed (never the keys themselves), a form to
// create one (for a partner picked by name or ID), rotate and revoke buttons,
// and a new key shown once, with a way to copy it.

import { ApiError, gql, graphiqlLink, staffKey } from "./api.js";
import { day, fill, h } from "./dom.js";
import { API_KEYS, API_KEY_CREATE, API_KEY_REVOKE, API_KEY_ROTATE, PARTNER_OPTIONS } from "./queries.js";
import { nodeLink } from "./router.js";

const ROLES = [
  ["PARTNER", "Partner (a partner's app)"],
  ["STAFF", "Staff (curates everything)"],
  ["ADMIN", "Admin (staff who manage keys)"],
  ["GATEWAY", "Gateway (a federation gateway)"],
];
const FORM_FIELDS = ["name", "role", "partnerId"];

function state(key) {
  if (!key.revokedAt) return "Live";
  return key.replacedBy ? `Rotated ${day(key.revokedAt)}: replaced by key ${key.replacedBy}` : `Revoked ${day(key.revokedAt)}`;
}

export async function keysView(container, _route, current) {
  const heading = h("h1", { id: "keys-heading" }, "API keys");
  if (!staffKey()) {
    fill(container, heading, h("p", { role: "alert" }, "Managing keys needs an admin key: enter it in the Staff key box at the top of the page."));
    return;
  }
  let first;
  try {
    first = await gql(API_KEYS);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (!current()) return;
    fill(container, heading, h("p", { role: "alert", class: "error" }, `${error.message} Enter an admin key in the Staff key box to manage keys.`));
    return;
  }
  if (!current()) return;

  const status = h("div", { id: "keys-status", "aria-live": "polite" });
  const shown = h("div", { id: "new-key-panel" });
  const listing = h("section", { "aria-labelledby": "keys-list-heading" });
  let keys = [];

  function renderList(connection, append = false) {
    keys = append ? [...keys, ...connection.edges.map((e) => e.node)] : connection.edges.map((e) => e.node);
    const more = connection.pageInfo.hasNextPage
      ? h("button", { type: "button", onclick: async () => renderList((await gql(API_KEYS, { after: connection.pageInfo.endCursor })).apiKeys, true) }, "Show more keys")
      : null;
    fill(listing,
      h("h2", { id: "keys-list-heading" }, "Keys"),
      h("table", { class: "history keys-table", tabindex: 0 },
        h("caption", {}, `${connection.totalCount} key${connection.totalCount === 1 ? "" : "s"}, oldest first; showing ${keys.length}`),
        h("thead", {}, h("tr", {}, ["Number", "Name", "Role", "Partner", "Starts with", "Created", "State", "Actions"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, keys.map((key) => h("tr", { dataset: { key: key.id } },
          h("td", {}, String(key.id)),
          h("td", {}, key.name, staffKey()?.startsWith(key.hint) ? h("span", { class: "note" }, " (the key in use here)") : null),
          h("td", {}, key.role),
          h("td", {}, key.partner ? h("a", { href: nodeLink(key.partner.id) }, key.partner.name) : "—"),
          h("td", {}, h("code", {}, `${key.hint}…`)), h("td", {}, day(key.createdAt)), h("td", {}, state(key)),
          h("td", {}, key.revokedAt ? "" : h("span", { class: "inline" },
            h("button", { type: "button", "aria-label": `Rotate key ${key.id} (${key.name})`, onclick: () => confirmAction(key, "rotate") }, "Rotate"),
            h("button", { type: "button", class: "danger", "aria-label": `Revoke key ${key.id} (${key.name})`, onclick: () => confirmAction(key, "revoke") }, "Revoke"))))))),
      more);
  }

  async function reload() {
    renderList((await gql(API_KEYS)).apiKeys);
  }

  function showNewKey(key, details, what) {
    const note = h("p", { id: "copy-note", class: "note", "aria-live": "polite" }, "Press Copy, or select the key and press Ctrl+C (⌘C on a Mac).");
    const input = h("input", { id: "new-key", type: "text", readonly: true, value: key, size: key.length, "aria-describedby": "new-key-warning copy-note", onfocus: (event) => event.target.select() });
    const title = h("h2", { id: "new-key-heading", tabindex: "-1" }, `${what}: copy it now`);
    fill(shown, h("section", { class: "new-key", "aria-labelledby": "new-key-heading" },
      title,
      h("p", { id: "new-key-warning" },
        `Key ${details.id} for ${details.name} (${details.role}${details.partner ? `, ${details.partner.name}` : ""}). `,
        h("strong", {}, "It is shown this once:"), " the hub keeps only its digest. Give it to its holder over a private channel."),
      h("div", { class: "inline" },
        h("label", { for: "new-key" }, "New key"), input,
        h("button", { type: "button", onclick: async () => {
          try {
            await navigator.clipboard.writeText(key);
            note.textContent = "Copied to the clipboard.";
          } catch {
            input.focus();
            note.textContent = "The browser did not allow copying: the key is selected, press Ctrl+C (⌘C on a Mac).";
          }
        } }, "Copy"),
        h("button", { type: "button", onclick: () => { fill(shown); fill(status, h("p", { role: "status" }, "The new key is hidden now.")); } }, "Done: hide the key")),
      note));
    title.focus();
  }

  function confirmAction(key, verb) {
    const consequence = verb === "rotate"
      ? "A new key with the same role and partner replaces it; apps sending the old one are refused from their next request."
      : "Apps sending it are refused from their next request. This cannot be undone.";
    const confirm = h("button", { type: "button", class: verb === "revoke" ? "danger" : null, onclick: () => act(key, verb) }, `${verb === "rotate" ? "Rotate" : "Revoke"} key ${key.id}`);
    fill(status, h("div", { role: "alert", class: "conflict" },
      h("p", {}, h("strong", {}, `${verb === "rotate" ? "Rotate" : "Revoke"} key ${key.id} (${key.name})? `), consequence),
      confirm, " ",
      h("button", { type: "button", onclick: () => fill(status, h("p", { role: "status" }, "Nothing changed.")) }, "Cancel")));
    confirm.focus();
  }

  async function act(key, verb) {
    if (verb === "rotate") {
      const { apiKeyRotate: payload } = await gql(API_KEY_ROTATE, { id: key.id });
      if (payload.userErrors.length) { fill(status, h("p", { role: "alert", class: "error" }, payload.userErrors[0].message)); return; }
      fill(status, h("p", { role: "status", class: "saved" }, `Key ${key.id} rotated: key ${payload.apiKey.id} replaces it.`));
      showNewKey(payload.key, payload.apiKey, `Key ${key.id} rotated: its replacement`);
    } else {
      const { apiKeyRevoke: payload } = await gql(API_KEY_REVOKE, { id: key.id });
      if (payload.userErrors.length) { fill(status, h("p", { role: "alert", class: "error" }, payload.userErrors[0].message)); return; }
      fill(status, h("p", { role: "status", class: "saved" }, `Key ${key.id} (${key.name}) revoked.`));
    }
    await reload();
  }

  const form = createForm(async (input, showErrors) => {
    const { apiKeyCreate: payload } = await gql(API_KEY_CREATE, { input });
    if (payload.userErrors.length) {
      showErrors(Object.fromEntries(payload.userErrors.map((e) => [e.field[e.field.length - 1], e.message])));
      fill(status, h("p", { role: "alert", class: "error" }, "No key was created: see the marked fields."));
      return false;
    }
    fill(status, h("p", { role: "status", class: "saved" }, `Key ${payload.apiKey.id} created for ${payload.apiKey.name}.`));
    showNewKey(payload.key, payload.apiKey, "New key");
    await reload();
    return true;
  });

  renderList(first.apiKeys);
  fill(container,
    heading,
    h("p", { class: "note" }, "Keys are sent as ", h("code", {}, "Authorization: Bearer <key>"), ". The hub keeps only each key's digest and first characters: a lost key cannot be shown again, only rotated."),
    status, shown,
    h("section", { "aria-labelledby": "create-heading" }, h("h2", { id: "create-heading" }, "Create a key"), form),
    listing,
    h("p", {}, h("a", { href: graphiqlLink(API_KEYS), class: "graphiql" }, "Open this query in GraphiQL")));
}

function createForm(submit) {
  const options = h("datalist", { id: "partner-options" });
  const partner = h("input", { id: "field-partnerId", name: "partnerId", list: "partner-options", autocomplete: "off", "aria-describedby": "hint-partnerId error-partnerId" });
  const role = h("select", { id: "field-role", name: "role", "aria-describedby": "error-role" }, ROLES.map(([value, text]) => h("option", { value }, text)));
  const partnerField = h("div", { class: "field" },
    h("label", { for: "field-partnerId" }, "Partner"), partner,
    h("p", { id: "hint-partnerId", class: "note" }, "Type its name and pick it, or paste its ID."),
    h("p", { id: "error-partnerId", class: "field-error" }));
  role.addEventListener("change", () => { partnerField.hidden = role.value !== "PARTNER"; });

  let timer;
  partner.addEventListener("input", () => {
    clearTimeout(timer);
    const words = partner.value.trim();
    if (words.length < 2 || options.querySelector(`option[value="${CSS.escape(words)}"]`)) return;
    timer = setTimeout(async () => {
      try {
        const data = await gql(PARTNER_OPTIONS, { query: words });
        fill(options, data.search.edges.map(({ node }) => h("option", { value: node.id, label: node.name }, node.name)));
      } catch {
        // Suggestions are a convenience: an ID can still be pasted.
      }
    }, 200);
  });

  const form = h("form", { class: "edit", novalidate: true, "aria-labelledby": "create-heading" },
    h("div", { class: "field" },
      h("label", { for: "field-name" }, "Name (who or what the key is for)"),
      h("input", { id: "field-name", name: "name", required: true, maxlength: 200, "aria-describedby": "error-name" }),
      h("p", { id: "error-name", class: "field-error" })),
    h("div", { class: "field" }, h("label", { for: "field-role" }, "Role"), role, h("p", { id: "error-role", class: "field-error" })),
    partnerField, options,
    h("p", { class: "field-error", id: "error-form" }),
    h("button", { type: "submit" }, "Create key"));

  const showErrors = (errors) => {
    for (const name of FORM_FIELDS) {
      form.elements[name].removeAttribute("aria-invalid");
      form.querySelector(`#error-${name}`).textContent = "";
    }
    form.querySelector("#error-form").textContent = "";
    for (const [name, message] of Object.entries(errors)) {
      if (FORM_FIELDS.includes(name)) {
        form.elements[name].setAttribute("aria-invalid", "true");
        form.querySelector(`#error-${name}`).textContent = message;
      } else {
        form.querySelector("#error-form").textContent = message;
      }
    }
    form.querySelector("[aria-invalid=true]")?.focus();
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = form.elements.name.value.trim();
    const typed = partner.value.trim();
    // A name picked or typed in full stands for the ID of the partner it names.
    const named = [...options.options].find((option) => option.label.toLowerCase() === typed.toLowerCase());
    const input = { name, role: role.value };
    const problems = {};
    if (!name) problems.name = "Enter who or what the key is for.";
    if (role.value === "PARTNER") {
      if (!typed) problems.partnerId = "A partner key needs its partner: type its name and pick it, or paste its ID.";
      else input.partnerId = named ? named.value : typed;
    }
    showErrors(problems);
    if (Object.keys(problems).length) return;
    if (await submit(input, showErrors)) {
      form.reset();
      partnerField.hidden = false;
    }
  });
  return form;
}
