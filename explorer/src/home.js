// The home page: what the network holds (with how much of it the hub has),
// what changed lately, and the ways in: search, map, graph, dashboards.

import { gql, graphiqlLink } from "./api.js";
import { fill, h, label } from "./dom.js";
import { HOME } from "./queries.js";
import { navigate, nodeLink } from "./router.js";
import { searchBox } from "./search.js";

// The ways in, beside the search box: [route, title, what it shows].
export const ENTRY_POINTS = [
  ["map", "Map", "Member governments and partners on a world map, coloured by region."],
  ["graph", "Network graph", "Who works with whom: expand a member's links, or find the path between two members."],
  ["dashboards", "Dashboards", "Members per region, initiatives per year and sustainability dimension, the best connected partners."],
];

function coverageNote(row) {
  const share = row.stated ? Math.round((100 * row.held) / row.stated) : null;
  const source = row.sourceUrl
    ? h("a", { href: row.sourceUrl, rel: "noopener noreferrer external" }, row.source || row.sourceUrl)
    : row.source;
  const records = label(row.records).toLowerCase();
  return h("p", { class: "coverage", "data-records": records },
    h("strong", {}, `${row.held.toLocaleString("en")} of ${row.stated.toLocaleString("en")} ${records}`),
    share === null ? "" : ` (${share}%)`, " held here. ",
    row.statement ? ["Metropolis states “", row.statement, "”"] : null,
    source || row.statedOn ? [" (", source, source && row.statedOn ? ", " : "", row.statedOn, ")"] : null, ".");
}

function stat(count, text, id) {
  return h("li", { class: "stat", id }, h("span", { class: "stat-value" }, count.toLocaleString("en")), h("span", { class: "stat-label" }, text));
}

export async function homeView(container, _route, current) {
  const data = await gql(HOME);
  if (!current()) return;
  const input = searchBox("");
  const form = h("form", { role: "search", class: "search hero-search", onsubmit: (event) => {
    event.preventDefault();
    navigate("search", "", new URLSearchParams(input.value.trim() ? { q: input.value.trim() } : {}));
  } },
    h("label", { for: "search-input" }, "Search members, partners and initiatives"),
    h("div", { class: "combo" }, input, input.listbox),
    h("button", { type: "submit" }, "Search"));
  // The latest size stated for each kind of record (the list is latest first).
  const latest = data.statistics.coverage.filter((row, i, rows) => rows.findIndex((r) => r.records === row.records) === i);
  fill(container,
    h("section", { class: "hero", "aria-labelledby": "home-heading" },
      h("h1", { id: "home-heading" }, "The Metropolis network"),
      h("p", { class: "lead" },
        "Metropolis, the World Association of the Major Metropolises, gathers the governments of major cities and ",
        "metropolitan areas. This directory holds its member governments, their partners and the initiatives they run together ",
        "for urban sustainability."),
      form),
    h("section", { "aria-labelledby": "counts-heading" },
      h("h2", { id: "counts-heading", class: "visually-hidden" }, "The network in numbers"),
      h("ul", { class: "stats" },
        stat(data.members.totalCount, "member governments", "count-members"),
        stat(data.partners.totalCount, "partners", "count-partners"),
        stat(data.initiatives.totalCount, "initiatives", "count-initiatives"),
        stat(data.uclgSections.totalCount, "UCLG sections", "count-sections")),
      latest.map(coverageNote),
      h("p", { class: "note regions" }, "Members per region: ",
        data.statistics.membersByRegion.map((r, i) => [i ? " · " : "", h("a", { href: nodeLink(r.region.id) }, r.region.name), ` ${r.count}`]))),
    h("section", { "aria-labelledby": "ways-heading" },
      h("h2", { id: "ways-heading" }, "Explore"),
      h("ul", { class: "cards" }, ENTRY_POINTS.map(([view, title, text]) =>
        h("li", { class: "card" }, h("h3", {}, h("a", { href: `#/${view}` }, title)), h("p", {}, text))))),
    h("div", { class: "two-columns" },
      h("section", { "aria-labelledby": "newest-heading" },
        h("h2", { id: "newest-heading" }, "Newest members"),
        h("ul", { class: "plain-list" }, data.newestMembers.edges.map(({ node }) => h("li", {},
          h("a", { href: nodeLink(node.id) }, node.name), h("span", { class: "note" }, ` · ${node.countryName} · joined ${node.joinedYear}`))))),
      h("section", { "aria-labelledby": "latest-heading" },
        h("h2", { id: "latest-heading" }, "Latest initiatives"),
        h("ul", { class: "plain-list" }, data.latestInitiatives.edges.map(({ node }) => h("li", {},
          h("a", { href: nodeLink(node.id) }, node.title), node.period ? h("span", { class: "note" }, ` · ${node.period}`) : null))))),
    h("p", { class: "query-link" }, h("a", { href: graphiqlLink(HOME), class: "graphiql" }, "Open this query in GraphiQL")));
}
