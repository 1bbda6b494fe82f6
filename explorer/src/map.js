// Member cities and partners with coordinates on a world map drawn offline:
// country shapes from world-atlas (Natural Earth 1:110m) projected by d3-geo.

import { geoEqualEarth, geoPath } from "d3-geo";
import { feature } from "topojson-client";
import countries from "world-atlas/countries-110m.json";
import { gql, graphiqlLink } from "./api.js";
import { fill, h, svg } from "./dom.js";
import { PLACES } from "./queries.js";
import { nodeLink } from "./router.js";

const WIDTH = 960;
const HEIGHT = 500;
// Colour-blind-safe (Okabe-Ito), dark enough for white outlines.
const REGION_COLOURS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"];
const PARTNER_COLOUR = "#333333";

async function places() {
  const found = { members: [], partners: [] };
  const done = { members: false, partners: false };
  const after = { members: null, partners: null };
  while (!done.members || !done.partners) {
    const data = await gql(PLACES, { afterMembers: after.members, afterPartners: after.partners });
    for (const list of ["members", "partners"]) {
      if (done[list]) continue; // fetched again alongside the other list's next page
      found[list].push(...data[list].edges.map((e) => e.node));
      done[list] = !data[list].pageInfo.hasNextPage;
      after[list] = done[list] ? null : data[list].pageInfo.endCursor;
    }
  }
  return found;
}

export async function mapView(container, _route, current) {
  const { members, partners } = await places();
  if (!current()) return;
  const land = feature(countries, countries.objects.countries);
  const projection = geoEqualEarth().fitSize([WIDTH, HEIGHT], { type: "Sphere" });
  const path = geoPath(projection);
  const regions = [...new Map(members.map((m) => [m.region.id, m.region.name])).entries()].sort((a, b) => a[1].localeCompare(b[1]));
  const colourOf = new Map(regions.map(([id], i) => [id, REGION_COLOURS[i % REGION_COLOURS.length]]));

  const marker = (node, shape, colour, kind) => {
    const [x, y] = projection([node.longitude, node.latitude]);
    const title = `${node.name} (${kind})`;
    return svg("a", { href: nodeLink(node.id), class: `marker ${kind.toLowerCase()}`, "aria-label": title, "data-id": node.id },
      svg("title", {}, title),
      shape === "circle"
        ? svg("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: 5, fill: colour, stroke: "#fff", "stroke-width": 1 })
        : svg("rect", { x: (x - 4).toFixed(1), y: (y - 4).toFixed(1), width: 8, height: 8, fill: colour, stroke: "#fff", "stroke-width": 1 }));
  };
  const map = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "map", role: "group", "aria-label": "World map of member governments and partners" },
    svg("path", { d: path({ type: "Sphere" }), fill: "#eef4f8" }),
    svg("path", { d: path(land), fill: "#d9d9d9", stroke: "#fff", "stroke-width": 0.5 }),
    svg("g", {}, partners.map((p) => marker(p, "square", PARTNER_COLOUR, "Partner"))),
    svg("g", {}, members.map((m) => marker(m, "circle", colourOf.get(m.region.id), "Member"))));
  fill(container,
    h("h1", {}, "Map"),
    h("p", { id: "map-status", role: "status" }, `${members.length} member governments and ${partners.length} partners with coordinates.`),
    h("ul", { class: "legend", "aria-label": "Legend" },
      regions.map(([id, name]) => h("li", {}, h("span", { class: "swatch round", style: `background:${colourOf.get(id)}` }), ` ${name}`)),
      h("li", {}, h("span", { class: "swatch", style: `background:${PARTNER_COLOUR}` }), " Partner")),
    h("figure", {}, map, h("figcaption", { class: "note" }, "Country shapes: Natural Earth via world-atlas. Select a marker to open its page.")),
    h("p", {}, h("a", { href: graphiqlLink(PLACES), class: "graphiql" }, "Open this query in GraphiQL")));
}
