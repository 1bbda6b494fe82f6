// The network graph around a record: expand a node on click (or from the
// list), filter by type, and highlight the path between two members. Or the
// whole network (`mode=network`), read a hundred nodes or edges a request;
// a click then shows a node's neighbours. Cytoscape.js draws it; the URL
// keeps the mode, the start and the path's ends.

import cytoscape from "cytoscape";
import fcose from "cytoscape-fcose";
import { gql, graphiqlLink } from "./api.js";
import { fill, h, label } from "./dom.js";
import { TYPE_COLOURS } from "./palette.js";
import { MEMBER_NAMES, NEIGHBOURS, NETWORK_EDGES, NETWORK_NODES, PATH, THROUGH_NO_HUBS } from "./queries.js";
import { navigate, nodeLink, route } from "./router.js";
import { nodeTitle } from "./search.js";

cytoscape.use(fcose);

export { TYPE_COLOURS };

// The API's `NodeType` values, as the type names the colours are keyed by.
const TYPE_NAMES = {
  MEMBER: "Member", PARTNER: "Partner", INITIATIVE: "Initiative", UCLG_SECTION: "UclgSection",
  REGION: "Region", FOCUS_AREA: "FocusArea", ACTION_PLAN: "ActionPlan", OBJECTIVE: "Objective",
};

// Names sit under their node, sized to it, wrapped to two short lines, on a
// white halo so edges do not cross them; the layout makes room for them.
// Below 8 px on screen a name is hidden: zoom in to read it.
const STYLE = [
  { selector: "node", style: {
    label: "data(label)", "background-color": "data(colour)", color: "#1a1a1a", "font-size": 9,
    "font-family": "system-ui, sans-serif", "text-valign": "bottom", "text-margin-y": 3,
    "text-wrap": "wrap", "text-max-width": 110, "text-overflow-wrap": "whitespace",
    "text-outline-color": "#fff", "text-outline-width": 2, "min-zoomed-font-size": 8,
    width: 16, height: 16, "border-width": 1, "border-color": "#fff",
  } },
  { selector: "node.start", style: { width: 26, height: 26, "font-size": 12, "font-weight": 600, "border-width": 3, "border-color": "#1a1a1a" } },
  { selector: "node.expanded", style: { "border-width": 2, "border-color": "#1a1a1a" } },
  { selector: "edge", style: { width: 1, "line-color": "#b5b5b5", "curve-style": "haystack", "haystack-radius": 0 } },
  { selector: ".path", style: { "line-color": "#c40000", "background-color": "#c40000", width: 4, "z-index": 10 } },
  { selector: "node.path", style: { width: 24, height: 24, "font-size": 12, "font-weight": 600 } },
  { selector: ".filtered", style: { display: "none" } },
  // The whole network: nodes and names sized by degree, so the best
  // connected are named first as you zoom in.
  { selector: "node[size]", style: {
    width: "data(size)", height: "data(size)", "font-size": "data(font)", "text-max-width": 90,
  } },
  { selector: ".faded", style: { opacity: 0.15 } },
  { selector: "node.focus", style: { "border-width": 3, "border-color": "#000", "z-index": 20 } },
  // The caption over the grid of nodes with no edge.
  { selector: "node.caption", style: {
    "background-opacity": 0, "border-width": 0, width: 1, height: 1, label: "data(label)", "font-size": 28,
    "font-weight": 600, color: "#444", "text-valign": "top", "text-max-width": 400, "min-zoomed-font-size": 0, events: "no",
  } },
];

/** Every item of one of the network's lists, a page of 100 at a time. */
async function everyPage(query, field, current, progress) {
  const items = [];
  let after = null;
  do {
    const { [field]: page } = await gql(query, { after });
    if (!current()) return null;
    items.push(...page.edges);
    progress(items.length, page.totalCount);
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return items;
}

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
  const whole = params.get("mode") === "network";
  const start = params.get("id") || members.find((m) => m.name === "Berlin")?.id || members[0]?.id;
  const status = h("p", { id: "graph-status", role: "status", class: "note" });
  const pathResult = h("div", { id: "path-result", "aria-live": "polite" });
  const canvas = h("div", { id: "graph-canvas", class: whole ? "graph whole" : "graph", role: "img", "aria-label": whole
    ? "The whole network graph; use the controls to filter types and find paths"
    : "The network graph; use the controls to expand nodes and find paths" });
  const expandSelect = h("select", { id: "expand-node", name: "expand-node" });
  const filters = h("fieldset", { class: "inline" }, h("legend", {}, "Show types"));
  const graphiql = h("p", {});
  const pathForm = h("form", { class: "controls", onsubmit: (event) => {
    event.preventDefault();
    const next = new URLSearchParams(route().params);
    next.set("id", start);
    next.set("from", pathForm.elements["path-from"].value);
    next.set("to", pathForm.elements["path-to"].value);
    if (pathForm.elements["path-hubs"].checked) next.set("hubs", "1"); else next.delete("hubs");
    navigate("graph", "", next);
  } },
    h("h2", {}, "Path between two members"),
    memberSelect("path-from", "From", members, params.get("from")),
    memberSelect("path-to", "To", members, params.get("to")),
    h("div", { class: "check" },
      h("input", { type: "checkbox", id: "path-hubs", name: "path-hubs", checked: params.get("hubs") === "1", "aria-describedby": "path-hubs-note" }),
      h("label", { for: "path-hubs" }, "Go through hubs")),
    h("p", { id: "path-hubs-note", class: "note small" },
      "Hubs are regions, UCLG sections, focus areas and action plans: they join most members, so a path through them says little."),
    h("button", { type: "submit" }, "Find path"));
  fill(container,
    h("h1", {}, "Network graph"),
    h("div", { class: "with-sidebar graph-layout" },
      h("aside", {},
        h("nav", { class: "controls", "aria-label": "Graph views" },
          h("h2", {}, "View"),
          h("ul", {},
            h("li", {}, h("a", { id: "view-around", href: `#/graph?${new URLSearchParams({ id: start })}`, "aria-current": whole ? null : "page" }, "Around a member")),
            h("li", {}, h("a", { id: "view-network", href: "#/graph?mode=network", "aria-current": whole ? "page" : null }, "Whole network")))),
        h("form", { class: "controls", onsubmit: (event) => {
          event.preventDefault();
          navigate("graph", "", new URLSearchParams({ id: event.target.elements["graph-start"].value }));
        } },
          h("h2", {}, "Start"),
          memberSelect("graph-start", "Centre on", members, start),
          h("button", { type: "submit" }, "Show")),
        whole ? null : h("form", { class: "controls", onsubmit: (event) => { event.preventDefault(); expandOrSay(expandSelect.value); } },
          h("h2", {}, "Expand"),
          h("label", { for: "expand-node" }, "Node to expand"), expandSelect,
          h("button", { type: "submit" }, "Expand")),
        filters,
        pathForm),
      h("section", { "aria-label": "Graph" }, status, canvas, pathResult, graphiql)));

  const cy = cytoscape({ container: canvas, style: STYLE, minZoom: 0.005, maxZoom: 4 });
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
    const nodes = cy.nodes().not(".caption");
    nodes.forEach((n) => n.toggleClass("filtered", hidden.has(n.data("type"))));
    const types = [...new Set(nodes.map((n) => n.data("type")))].sort((a, b) => label(a).localeCompare(label(b)));
    fill(filters, h("legend", {}, "Show types"), types.map((type) => {
      const id = `show-${type}`;
      return h("span", { class: "swatch-option" },
        h("input", { type: "checkbox", id, checked: !hidden.has(type), onchange: (event) => {
          if (event.target.checked) hidden.delete(type); else hidden.add(type);
          refresh();
        } }),
        h("label", { for: id }, h("span", { class: "swatch", style: `background:${TYPE_COLOURS[type]}` }), " ", label(type)));
    }));
    const options = nodes.sort((a, b) => a.data("label").localeCompare(b.data("label")));
    fill(expandSelect, options.map((n) => h("option", { value: n.id() }, `${n.data("label")}${expanded.has(n.id()) ? " (expanded)" : ""}`)));
    // The controls above and beside the canvas may have moved it: Cytoscape
    // keeps the canvas's place on the page, for mapping clicks to nodes.
    cy.resize();
    status.textContent = whole
      ? `The whole network: ${nodes.length} nodes and ${cy.edges().length} edges. Click a node to show its neighbours.`
      : `${nodes.length} nodes and ${cy.edges().length} edges shown; ${expanded.size} expanded. Click a node to expand it.`;
  }
  function layout() {
    // fCoSE: force-directed, seconds at a few thousand nodes where CoSE takes
    // minutes; it starts from where the nodes are, so an expansion keeps the
    // picture. Past a few thousand, rings by degree (concentric) are quicker.
    const count = cy.nodes().length;
    // Rings by doubling degree, so thousands of nodes fill rings of their own
    // rather than one ring too wide to fit the canvas.
    const options = count > 2000
      ? { name: "concentric", animate: false, concentric: (n) => Math.log2(1 + n.degree()), levelWidth: () => 1, minNodeSpacing: 4 }
      : { name: "fcose", animate: false, quality: count > 200 ? "draft" : "default", randomize: !laidOut,
        nodeDimensionsIncludeLabels: true, nodeSeparation: 40,
        // The whole network at once: edges longer and nodes pushing harder, for room to read.
        // Spokes of a hub (a section's or region's members) longer still, so they fan out.
        ...(whole ? {
          idealEdgeLength: (edge) => 60 + 8 * Math.sqrt(Math.max(edge.source().degree(), edge.target().degree())),
          nodeRepulsion: () => 12000,
        } : {}) };
    cy.remove("node.caption");
    cy.layout({ ...options, eles: cy.elements().not(".caption") }).run();
    laidOut = true;
    captionLoners();
    // A few nodes fill the canvas at a zoom that makes names larger than
    // their nodes: keep to at most 1.5x.
    if (cy.zoom() > 1.5) { cy.zoom(1.5); cy.center(); }
  }
  /** fCoSE packs the nodes with no edge in a grid of their own: name it. */
  function captionLoners() {
    const loners = cy.nodes().filter((n) => n.degree() === 0 && !n.hasClass("caption"));
    if (!whole || loners.length < 2) return;
    const box = loners.boundingBox();
    cy.add({ group: "nodes", classes: "caption", data: { id: "caption-loners", colour: "#ffffff", label: `Not linked to anything yet (${loners.length})` },
      position: { x: (box.x1 + box.x2) / 2, y: box.y1 - 12 }, selectable: false, grabbable: false, locked: true });
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

  /** Every node and edge of the network, then one layout. */
  async function drawNetwork() {
    const counts = { nodes: "…", edges: "…" };
    const progress = (kind) => (read, total) => {
      counts[kind] = `${read} of ${total}`;
      status.textContent = `Reading the whole network: ${counts.nodes} nodes, ${counts.edges} edges…`;
    };
    const [nodes, edges] = await Promise.all([
      everyPage(NETWORK_NODES, "networkNodes", current, progress("nodes")),
      everyPage(NETWORK_EDGES, "networkEdges", current, progress("edges")),
    ]);
    if (!nodes || !edges) return false;
    cy.batch(() => {
      for (const { node } of nodes) addNode({ id: node.id, __typename: TYPE_NAMES[node.type], name: node.label });
      for (const { source, target, edge } of edges) addEdge({ from: source, to: target, kind: edge.kind });
      cy.nodes().forEach((n) => {
        const grown = Math.min(Math.sqrt(n.degree()), 10);
        n.data({ size: 10 + 3 * grown, font: 7 + 1.2 * grown });
      });
    });
    layout();
    refresh();
    return true;
  }

  /** In the whole network, a click shows a node's neighbours and links to it. */
  function focus(id) {
    const node = cy.getElementById(id);
    const around = node.closedNeighborhood();
    cy.elements().removeClass("focus").addClass("faded");
    around.removeClass("faded");
    node.addClass("focus");
    fill(pathResult,
      h("h2", {}, node.data("label")),
      h("p", {}, `${label(node.data("type"))}, ${node.degree()} edge${node.degree() === 1 ? "" : "s"}. `,
        h("a", { href: nodeLink(id) }, "Open its page"), " · ",
        h("a", { href: `#/graph?${new URLSearchParams({ id })}` }, "Show the graph around it"), " · ",
        h("button", { type: "button", onclick: () => { cy.elements().removeClass("faded focus"); fill(pathResult); } }, "Clear")));
  }

  cy.on("tap", "node", (event) => (whole ? focus(event.target.id()) : expandOrSay(event.target.id())));
  cy.on("dbltap", "node", (event) => { location.hash = nodeLink(event.target.id()); });

  if (whole) {
    if (!(await drawNetwork())) return;
    fill(graphiql, h("a", { href: graphiqlLink(NETWORK_EDGES), class: "graphiql" }, "Open the network's edges query in GraphiQL"));
  } else {
    await expand(start, false);
    for (const id of params.getAll("x")) await expand(id, false);
    cy.getElementById(start).addClass("start");
    fill(graphiql, h("a", { href: graphiqlLink(NEIGHBOURS, { id: start }), class: "graphiql" }, "Open the neighbours query in GraphiQL"));
  }

  const [from, to] = [params.get("from"), params.get("to")];
  if (from && to) {
    const hubs = params.get("hubs") === "1";
    const pathVariables = hubs ? { from, to } : { from, to, through: THROUGH_NO_HUBS };
    const { path } = await gql(PATH, pathVariables);
    if (!current()) return;
    if (!path.length) {
      fill(pathResult, h("p", { role: "alert" }, `No path of up to 6 steps joins these two members${hubs ? "" : " without going through a hub: tick “Go through hubs” to allow them"}.`));
    } else {
      const [best] = path;
      best.nodes.forEach((n, i) => addNode(n, best.nodes[i - 1]?.id));
      const elements = best.edges.map(addEdge);
      best.nodes.forEach((n) => cy.getElementById(n.id).addClass("path"));
      elements.forEach((e) => e.addClass("path"));
      layout();
      refresh();
      fill(pathResult,
        h("h2", {}, `Path of ${best.length} step${best.length === 1 ? "" : "s"}${hubs ? "" : ", avoiding hubs"}`),
        h("ol", { class: "path-list" }, best.nodes.map((n, i) => h("li", {},
          h("a", { href: nodeLink(n.id) }, nodeTitle(n)), h("span", { class: "note" }, ` (${label(n.__typename)})`),
          i < best.edges.length ? h("span", { class: "note" }, ` — ${label(best.edges[i].kind)}${best.edges[i].role ? ` (${label(best.edges[i].role)})` : ""} →`) : null))),
        h("p", {}, h("a", { href: graphiqlLink(PATH, pathVariables), class: "graphiql" }, "Open the path query in GraphiQL")));
    }
  }
}
