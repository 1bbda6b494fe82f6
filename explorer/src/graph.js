// The network graph around a record: expand a node on click (or from the
// list), filter by type, and highlight the path between two members.
// Cytoscape.js draws it; the URL keeps the start and the path's ends.

import cytoscape from "cytoscape";
import fcose from "cytoscape-fcose";
import { gql, graphiqlLink } from "./api.js";
import { fill, h, label } from "./dom.js";
import { MEMBER_NAMES, NEIGHBOURS, PATH } from "./queries.js";
import { navigate, nodeLink, route } from "./router.js";
import { nodeTitle } from "./search.js";

cytoscape.use(fcose);

export const TYPE_COLOURS = {
  Member: "#1f5fa8", Partner: "#b35400", Initiative: "#2b7a2b", UclgSection: "#7a3d99",
  Region: "#8a6d00", FocusArea: "#b0265d", ActionPlan: "#4d4d4d", Objective: "#6b6b6b",
};

const STYLE = [
  { selector: "node", style: {
    label: "data(label)", "background-color": "data(colour)", color: "#1a1a1a", "font-size": 10,
    "text-wrap": "ellipsis", "text-max-width": 120, width: 18, height: 18,
  } },
  { selector: "node.start", style: { width: 28, height: 28, "border-width": 3, "border-color": "#000" } },
  { selector: "node.expanded", style: { "border-width": 2, "border-color": "#333" } },
  { selector: "edge", style: { width: 1, "line-color": "#9a9a9a", "curve-style": "bezier" } },
  { selector: ".path", style: { "line-color": "#d40000", "background-color": "#d40000", width: 4, "z-index": 10 } },
  { selector: "node.path", style: { width: 26, height: 26 } },
  { selector: ".filtered", style: { display: "none" } },
];

async function allMembers() {
  const members = [];
  let after = null;
  do {
    const { members: page } = await gql(MEMBER_NAMES, { after });
    members.push(...page.edges.map((e) => e.node));
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return members;
}

function memberSelect(id, text, members, chosen) {
  return [
    h("label", { for: id }, text),
    h("select", { id, name: id }, h("option", { value: "" }, "— choose a member —"),
      members.map((m) => h("option", { value: m.id, selected: m.id === chosen }, m.name))),
  ];
}

export async function graphView(container, { params }, current) {
  const members = await allMembers();
  if (!current()) return;
  const start = params.get("id") || members.find((m) => m.name === "Berlin")?.id || members[0]?.id;
  const status = h("p", { id: "graph-status", role: "status", class: "note" });
  const pathResult = h("div", { id: "path-result", "aria-live": "polite" });
  const canvas = h("div", { id: "graph-canvas", class: "graph", role: "img", "aria-label": "The network graph; use the controls to expand nodes and find paths" });
  const expandSelect = h("select", { id: "expand-node", name: "expand-node" });
  const filters = h("fieldset", { class: "inline" }, h("legend", {}, "Show types"));
  const graphiql = h("p", {});
  const pathForm = h("form", { class: "controls", onsubmit: (event) => {
    event.preventDefault();
    const next = new URLSearchParams(route().params);
    next.set("id", start);
    next.set("from", pathForm.elements["path-from"].value);
    next.set("to", pathForm.elements["path-to"].value);
    navigate("graph", "", next);
  } },
    h("h2", {}, "Path between two members"),
    memberSelect("path-from", "From", members, params.get("from")),
    memberSelect("path-to", "To", members, params.get("to")),
    h("button", { type: "submit" }, "Find path"));
  fill(container,
    h("h1", {}, "Network graph"),
    h("div", { class: "with-sidebar" },
      h("aside", {},
        h("form", { class: "controls", onsubmit: (event) => {
          event.preventDefault();
          navigate("graph", "", new URLSearchParams({ id: event.target.elements["graph-start"].value }));
        } },
          h("h2", {}, "Start"),
          memberSelect("graph-start", "Centre on", members, start),
          h("button", { type: "submit" }, "Show")),
        h("form", { class: "controls", onsubmit: (event) => { event.preventDefault(); expandOrSay(expandSelect.value); } },
          h("h2", {}, "Expand"),
          h("label", { for: "expand-node" }, "Node to expand"), expandSelect,
          h("button", { type: "submit" }, "Expand")),
        filters,
        pathForm),
      h("section", { "aria-label": "Graph" }, status, canvas, pathResult, graphiql)));

  const cy = cytoscape({ container: canvas, style: STYLE, minZoom: 0.05, maxZoom: 4 });
  window.hubGraph = cy; // for debugging and the browser tests
  const hidden = new Set();
  const expanded = new Set();

  let laidOut = false;

  /** A node joins next to the one it was found from, for the layout to start there. */
  function addNode(node, near = null) {
    if (cy.getElementById(node.id).nonempty()) return;
    const origin = near && cy.getElementById(near).nonempty() ? cy.getElementById(near).position() : { x: 0, y: 0 };
    cy.add({
      group: "nodes",
      data: { id: node.id, label: nodeTitle(node), type: node.__typename, colour: TYPE_COLOURS[node.__typename] || "#555" },
      position: { x: origin.x + (Math.random() - 0.5) * 40, y: origin.y + (Math.random() - 0.5) * 40 },
    });
  }
  function addEdge(edge) {
    const [a, b] = [edge.from.id, edge.to.id].sort();
    const id = `${edge.kind}:${a}:${b}`;
    if (cy.getElementById(id).nonempty()) return cy.getElementById(id);
    return cy.add({ group: "edges", data: { id, source: edge.from.id, target: edge.to.id, kind: edge.kind } });
  }
  function refresh() {
    cy.nodes().forEach((n) => n.toggleClass("filtered", hidden.has(n.data("type"))));
    const types = [...new Set(cy.nodes().map((n) => n.data("type")))].sort();
    fill(filters, h("legend", {}, "Show types"), types.map((type) => {
      const id = `show-${type}`;
      return h("span", { class: "swatch-option" },
        h("input", { type: "checkbox", id, checked: !hidden.has(type), onchange: (event) => {
          if (event.target.checked) hidden.delete(type); else hidden.add(type);
          refresh();
        } }),
        h("label", { for: id }, h("span", { class: "swatch", style: `background:${TYPE_COLOURS[type]}` }), " ", label(type)));
    }));
    const options = cy.nodes().sort((a, b) => a.data("label").localeCompare(b.data("label")));
    fill(expandSelect, options.map((n) => h("option", { value: n.id() }, `${n.data("label")}${expanded.has(n.id()) ? " (expanded)" : ""}`)));
    // The controls above and beside the canvas may have moved it: Cytoscape
    // keeps the canvas's place on the page, for mapping clicks to nodes.
    cy.resize();
    status.textContent = `${cy.nodes().length} nodes and ${cy.edges().length} edges shown; ${expanded.size} expanded. Click a node to expand it.`;
  }
  function layout() {
    // fCoSE: force-directed, seconds at a few thousand nodes where CoSE takes
    // minutes; it starts from where the nodes are, so an expansion keeps the
    // picture. Past a few thousand, rings by degree (concentric) are quicker.
    const count = cy.nodes().length;
    const options = count > 2000
      ? { name: "concentric", animate: false }
      : { name: "fcose", animate: false, quality: count > 200 ? "draft" : "default", randomize: !laidOut };
    cy.layout(options).run();
    laidOut = true;
  }
  /** Expand a node; the URL keeps the expanded nodes, so a reload or a shared link shows them. */
  async function expand(id, remember = true) {
    if (!id || expanded.has(id)) return;
    const { node } = await gql(NEIGHBOURS, { id });
    if (!node) return;
    addNode(node);
    for (const edge of node.neighbours.edges) {
      addNode(edge.node, id);
      addEdge(edge.via);
    }
    expanded.add(id);
    cy.getElementById(id).addClass("expanded");
    if (remember) {
      const current = route();
      if (!current.params.getAll("x").includes(id) && id !== start) {
        current.params.append("x", id);
        history.replaceState(null, "", `#/graph?${current.params}`);
      }
    }
    layout();
    refresh();
  }

  const expandOrSay = (id) => expand(id).catch((error) => {
    fill(pathResult, h("p", { role: "alert", class: "error" }, `Could not expand this node: ${error.message}`));
  });
  cy.on("tap", "node", (event) => expandOrSay(event.target.id()));
  cy.on("dbltap", "node", (event) => { location.hash = nodeLink(event.target.id()); });

  await expand(start, false);
  for (const id of params.getAll("x")) await expand(id, false);
  cy.getElementById(start).addClass("start");
  fill(graphiql, h("a", { href: graphiqlLink(NEIGHBOURS, { id: start }), class: "graphiql" }, "Open the neighbours query in GraphiQL"));

  const [from, to] = [params.get("from"), params.get("to")];
  if (from && to) {
    const { path } = await gql(PATH, { from, to });
    if (!current()) return;
    if (!path.length) {
      fill(pathResult, h("p", { role: "alert" }, "No path of up to 6 steps joins these two members."));
    } else {
      const [best] = path;
      best.nodes.forEach((n, i) => addNode(n, best.nodes[i - 1]?.id));
      const elements = best.edges.map(addEdge);
      best.nodes.forEach((n) => cy.getElementById(n.id).addClass("path"));
      elements.forEach((e) => e.addClass("path"));
      layout();
      refresh();
      fill(pathResult,
        h("h2", {}, `Path of ${best.length} step${best.length === 1 ? "" : "s"}`),
        h("ol", { class: "path-list" }, best.nodes.map((n, i) => h("li", {},
          h("a", { href: nodeLink(n.id) }, nodeTitle(n)),
          i < best.edges.length ? h("span", { class: "note" }, ` — ${label(best.edges[i].kind)}${best.edges[i].role ? ` (${label(best.edges[i].role)})` : ""} →`) : null))),
        h("p", {}, h("a", { href: graphiqlLink(PATH, { from, to }), class: "graphiql" }, "Open the path query in GraphiQL")));
    }
  }
}
