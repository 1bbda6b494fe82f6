// Search: one box with type-ahead, highlighted results and facet filters, all
// in the URL (`#/search?q=climate&type=PARTNER`) so a search can be shared.

import { gql, graphiqlLink } from "./api.js";
import { fill, h, highlighted, label } from "./dom.js";
import { DIMENSION_COLOURS } from "./palette.js";
import { SEARCH, SUGGEST } from "./queries.js";
import { navigate, nodeLink } from "./router.js";

// URL parameter -> the search argument it fills, and how a facet's values read.
const FACETS = [
  { param: "type", argument: "types", legend: "Type", values: (f) => f.types.map((t) => [t.value, label(t.value), t.count]) },
  { param: "region", argument: "regions", legend: "Region", values: (f) => f.regions.map((r) => [r.region.id, r.region.name, r.count]) },
  { param: "kind", argument: "partnerKinds", legend: "Partner kind", values: (f) => f.partnerKinds.map((k) => [k.value, label(k.value), k.count]) },
  { param: "focus", argument: "focusAreas", legend: "Focus area", values: (f) => f.focusAreas.map((a) => [a.focusArea.id, a.focusArea.name, a.count]) },
  { param: "dim", argument: "dimensions", legend: "Sustainability dimension", values: (f) => f.dimensions.map((d) => [d.value, label(d.value), d.count]) },
];


export function nodeTitle(node) {
  return node.name ?? node.title ?? node.text ?? node.id;
}

function variablesOf(params) {
  const variables = { query: params.get("q") || "" };
  for (const facet of FACETS) {
    const values = params.getAll(facet.param);
    if (values.length) variables[facet.argument] = values;
  }
  return variables;
}

export async function searchView(container, { params }, current) {
  const text = params.get("q") || "";
  const input = searchBox(text);
  const form = h("form", { role: "search", class: "search", onsubmit: (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (input.value.trim()) next.set("q", input.value.trim());
    navigate("search", "", next);
  } },
    h("label", { for: "search-input" }, "Search members, partners and initiatives"),
    h("div", { class: "combo" }, input, input.listbox),
    h("button", { type: "submit" }, "Search"));
  fill(container, h("h1", {}, "Search the network"), form);
  if (!text) {
    container.append(h("p", { class: "note" }, "Type a name, a city, a topic: for example climate, Berlin or mobility."));
    return;
  }
  const variables = variablesOf(params);
  const data = await gql(SEARCH, variables);
  if (!current()) return;
  const { search } = data;
  const hits = h("ol", { class: "hits" }, search.edges.map(hit));
  const more = h("p", {});
  let next = search.pageInfo;
  const showMore = () => fill(more, next.hasNextPage
    ? h("button", { type: "button", onclick: async () => {
        const page = (await gql(SEARCH, { ...variables, after: next.endCursor })).search;
        hits.append(...page.edges.map(hit));
        next = page.pageInfo;
        showMore();
      } }, "Show more results")
    : null);
  showMore();
  const results = h("section", { class: "results", "aria-labelledby": "results-heading" },
    h("h2", { id: "results-heading" }, `${search.totalCount} result${search.totalCount === 1 ? "" : "s"} for “${text}”`),
    hits, more,
    h("p", {}, h("a", { href: graphiqlLink(SEARCH, variables), class: "graphiql" }, "Open this query in GraphiQL")));
  container.append(h("div", { class: "with-sidebar" }, facetFilters(search.facets, params), results));
}

function hit(edge) {
  const node = edge.node;
  const facts = {
    Member: () => [node.countryName, node.region?.name],
    Partner: () => [label(node.kind), node.country],
    Initiative: () => [node.period],
  }[node.__typename]().filter(Boolean).join(" · ");
  return h("li", { class: "hit" },
    h("a", { href: nodeLink(node.id) }, nodeTitle(node)),
    " ", h("span", { class: `badge ${node.__typename.toLowerCase()}` }, label(node.__typename)),
    h("p", { class: "snippet" }, highlighted(edge.snippet.text, edge.snippet.matches)),
    facts && h("p", { class: "note" }, facts));
}

function facetFilters(facets, params) {
  const form = h("form", { class: "facets", "aria-label": "Filters" });
  for (const facet of FACETS) {
    const chosen = new Set(params.getAll(facet.param));
    const values = facet.values(facets);
    if (!values.length && !chosen.size) continue;
    const fieldset = h("fieldset", {}, h("legend", {}, facet.legend));
    for (const [value, text, count] of values) {
      const id = `facet-${facet.param}-${value}`.replace(/[^\w-]/g, "_");
      const box = h("input", { type: "checkbox", id, name: facet.param, value, checked: chosen.has(value), onchange: () => {
        const next = new URLSearchParams(params);
        next.delete(facet.param);
        for (const other of chosen) if (other !== value) next.append(facet.param, other);
        if (box.checked) next.append(facet.param, value);
        navigate("search", "", next);
      } });
      const swatch = facet.param === "dim" && DIMENSION_COLOURS[value]
        ? [h("span", { class: "swatch", style: `background:${DIMENSION_COLOURS[value]}` }), " "] : null;
      fieldset.append(h("div", {}, box, " ", h("label", { for: id }, swatch, text, " ", h("span", { class: "count" }, `(${count})`))));
    }
    form.append(fieldset);
  }
  return h("aside", {}, h("h2", {}, "Filter"), form);
}

/** The search input, an ARIA combobox whose list suggests records as you type. */
export function searchBox(text) {
  const listbox = h("ul", { id: "suggestions", role: "listbox", "aria-label": "Suggestions", hidden: true });
  const input = h("input", {
    id: "search-input", name: "q", type: "search", value: text, autocomplete: "off",
    role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": "suggestions",
  });
  input.listbox = listbox;
  let active = -1;
  let timer;
  let asked = 0;
  const options = () => [...listbox.querySelectorAll("[role=option]")];
  const close = () => {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const mark = (index) => {
    const all = options();
    active = (index + all.length) % all.length;
    all.forEach((option, i) => option.setAttribute("aria-selected", String(i === active)));
    input.setAttribute("aria-activedescendant", all[active].id);
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const words = input.value.trim();
    if (words.length < 2) { close(); return; }
    timer = setTimeout(async () => {
      const ticket = ++asked;
      let data;
      try {
        data = await gql(SUGGEST, { query: words });
      } catch {
        close(); // suggestions are a convenience: the search itself reports errors
        return;
      }
      if (ticket !== asked) return;
      const edges = data.search.edges;
      fill(listbox, edges.map(({ node }, i) => h("li", {
        id: `suggestion-${i}`, role: "option", "aria-selected": "false", dataset: { id: node.id },
        onmousedown: (event) => { event.preventDefault(); location.hash = nodeLink(node.id); },
      }, nodeTitle(node), " ", h("span", { class: "note" }, label(node.__typename)))));
      listbox.hidden = edges.length === 0;
      input.setAttribute("aria-expanded", String(edges.length > 0));
      active = -1;
    }, 200);
  });
  input.addEventListener("keydown", (event) => {
    if (listbox.hidden) return;
    if (event.key === "ArrowDown") { event.preventDefault(); mark(active + 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); mark(active - 1); }
    else if (event.key === "Escape") close();
    else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      location.hash = nodeLink(options()[active].dataset.id);
    }
  });
  input.addEventListener("blur", close);
  return input;
}
