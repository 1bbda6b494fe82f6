// The explorer: a hash router over the views, the staff key panel and the page frame.

import { AuthError, gql, setStaffKey, staffKey } from "./api.js";
import { fill, h } from "./dom.js";
import { KEY_CHECK } from "./queries.js";
import { route } from "./router.js";
import { homeView } from "./home.js";
import { searchView } from "./search.js";
import { entityView } from "./entity.js";
import { graphView } from "./graph.js";
import { mapView } from "./map.js";
import { dashboardsView } from "./dashboards.js";
import { editView } from "./curation.js";
import { keysView } from "./keys.js";
import { schemaView } from "./schema.js";
import { qualityView } from "./quality.js";

// The menu: [route, text, view]. A page joins by adding its entry here (or to
// STAFF_VIEWS when only staff see it); the router finds its view by route.
const VIEWS = [
  ["home", "Home", homeView],
  ["search", "Search", searchView],
  ["graph", "Graph", graphView],
  ["map", "Map", mapView],
  ["dashboards", "Dashboards", dashboardsView],
];
// In the menu once a staff key is entered.
const STAFF_VIEWS = [["keys", "Keys", keysView], ["schema", "Schema", schemaView], ["quality", "Data quality", qualityView]];
const HIDDEN_VIEWS = { node: entityView, edit: editView };

function menu() {
  return staffKey() ? [...VIEWS, ...STAFF_VIEWS] : VIEWS;
}

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const keyPanel = document.getElementById("key-panel");

function renderNav(current) {
  fill(
    nav,
    h("ul", {}, menu().map(([name, text]) =>
      h("li", {}, h("a", { href: `#/${name}`, "aria-current": current === name ? "page" : null }, text)),
    )),
  );
}

// The header's one status line: the last thing the key panel has to say, or
// the key's state when there is nothing new.
function renderKeyPanel(message = "", isError = false) {
  const text = message || (staffKey() ? "Staff key in use for this session." : "");
  const status = h("p", { id: "key-status", role: isError ? "alert" : "status", class: isError ? "error" : "note" }, text);
  if (staffKey()) {
    fill(keyPanel,
      status,
      h("button", { type: "button", onclick: () => { setStaffKey(null); renderKeyPanel("Key forgotten."); render(); } }, "Forget key"));
    return;
  }
  const input = h("input", { id: "staff-key", name: "staff-key", type: "password", autocomplete: "off", placeholder: "mh_live_…" });
  const form = h("form", { class: "inline", onsubmit: async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) { renderKeyPanel("Enter a staff key first.", true); return; }
    try {
      const data = await gql(KEY_CHECK, {}, { key });
      if (data.changes === null) {
        renderKeyPanel("This key works but is not a staff key: curation needs a staff key.", true);
        return;
      }
      setStaffKey(key);
      renderKeyPanel("Staff key accepted: you can edit records.");
      render();
    } catch (error) {
      const why = error instanceof AuthError ? `The hub refused this key: ${error.message}` : error.message;
      renderKeyPanel(`${why} Check the key and enter it again.`, true);
    }
  } },
    h("label", { for: "staff-key" }, "Staff key"), input, h("button", { type: "submit" }, "Use key"));
  fill(keyPanel, form, status);
}

let rendering = 0;
async function render() {
  const current = route();
  const view = [...VIEWS, ...STAFF_VIEWS].find(([name]) => name === current.view)?.[2] || HIDDEN_VIEWS[current.view];
  renderNav(current.view);
  document.title = `${[...VIEWS, ...STAFF_VIEWS].find(([name]) => name === current.view)?.[1] || "Explorer"} — Metropolis Hub`;
  const ticket = ++rendering;
  const container = h("div", { "aria-busy": "true" }, h("p", { class: "note" }, "Loading…"));
  fill(main, container);
  if (!view) {
    fill(container, h("h1", {}, "Not found"), h("p", {}, "There is no such page: ", h("a", { href: "#/home" }, "go to the home page"), "."));
    container.removeAttribute("aria-busy");
    return;
  }
  try {
    await view(container, current, () => ticket === rendering);
  } catch (error) {
    if (ticket !== rendering) return;
    if (error instanceof AuthError) {
      setStaffKey(null);
      renderKeyPanel(`The hub refused the staff key: ${error.message} Enter a valid key.`, true);
    }
    fill(container, h("h1", {}, "Something went wrong"), h("p", { role: "alert", class: "error" }, error.message));
  }
  container.removeAttribute("aria-busy");
}

window.addEventListener("hashchange", render);
renderKeyPanel();
render();
