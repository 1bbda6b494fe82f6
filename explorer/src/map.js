// Member governments and partners with coordinates on a world map drawn
// offline: country shapes from world-atlas (Natural Earth 1:110m) projected by
// d3-geo, zoom and pan by d3-zoom (wheel, drag, pinch, or the buttons).
// Markers keep their size as the map zooms; records that share a place
// (Île-de-France and Grand Paris) are spread around it, each its own link.

import { geoEqualEarth, geoPath } from "d3-geo";
import { select } from "d3-selection";
import { zoom, zoomIdentity } from "d3-zoom";
import { feature } from "topojson-client";
import countries from "world-atlas/countries-110m.json";
import { gql, graphiqlLink } from "./api.js";
import { fill, h, plural, svg } from "./dom.js";
import { REGION_COLOURS } from "./palette.js";
import { PLACES } from "./queries.js";
import { nodeLink } from "./router.js";

const WIDTH = 960;
const MARGIN = 16;
const PARTNER_COLOUR = "#333333";
// Markers closer than this (in map units at the first zoom) count as one place.
const SAME_PLACE = 4;
const SPREAD = 11; // how far apart a place's markers are spread, in screen pixels
const MAX_ZOOM = 16;

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

/** Groups of markers at one place: each marker gets its offset from the place (0, 0 when alone). */
function spread(markers) {
  const groups = [];
  for (const marker of markers) {
    const group = groups.find((g) => Math.hypot(g.x - marker.x, g.y - marker.y) < SAME_PLACE);
    if (group) group.items.push(marker);
    else groups.push({ x: marker.x, y: marker.y, items: [marker] });
  }
  for (const group of groups) {
    const n = group.items.length;
    group.items.sort((a, b) => a.node.name.localeCompare(b.node.name));
    group.items.forEach((marker, i) => {
      const angle = -Math.PI / 2 + (2 * Math.PI * i) / n;
      marker.x = group.x;
      marker.y = group.y;
      marker.dx = n > 1 ? SPREAD * Math.cos(angle) : 0;
      marker.dy = n > 1 ? SPREAD * Math.sin(angle) : 0;
      marker.shared = n;
    });
  }
  return groups;
}

export async function mapView(container, _route, current) {
  const { members, partners } = await places();
  if (!current()) return;
  const land = feature(countries, countries.objects.countries);
  const sphere = { type: "Sphere" };
  // The height follows the projection's own shape, with a margin: the poles are not cut.
  const probe = geoEqualEarth().fitWidth(WIDTH - 2 * MARGIN, sphere);
  const [[, top], [, bottom]] = geoPath(probe).bounds(sphere);
  const height = Math.ceil(bottom - top + 2 * MARGIN);
  const projection = geoEqualEarth().fitExtent([[MARGIN, MARGIN], [WIDTH - MARGIN, height - MARGIN]], sphere);
  const path = geoPath(projection);
  const regions = [...new Map(members.map((m) => [m.region.id, m.region.name])).entries()].sort((a, b) => a[1].localeCompare(b[1]));
  const colourOf = new Map(regions.map(([id], i) => [id, REGION_COLOURS[i % REGION_COLOURS.length]]));

  const markers = [
    ...partners.map((node) => ({ node, kind: "Partner", colour: PARTNER_COLOUR })),
    ...members.map((node) => ({ node, kind: "Member", colour: colourOf.get(node.region.id) })),
  ].map((m) => {
    const [x, y] = projection([m.node.longitude, m.node.latitude]);
    return { ...m, x, y };
  });
  const groups = spread(markers);
  const shared = groups.filter((g) => g.items.length > 1);

  const drawn = markers.map((m) => {
    const title = `${m.node.name} (${m.kind}${m.shared > 1 ? `, one of ${m.shared} at this place` : ""})`;
    const shape = m.kind === "Member"
      ? svg("circle", { cx: m.dx.toFixed(1), cy: m.dy.toFixed(1), r: 5, fill: m.colour, stroke: "#fff", "stroke-width": 1.2 })
      : svg("rect", { x: (m.dx - 4).toFixed(1), y: (m.dy - 4).toFixed(1), width: 8, height: 8, fill: m.colour, stroke: "#fff", "stroke-width": 1.2 });
    const element = svg("a", { href: nodeLink(m.node.id), class: `marker ${m.kind.toLowerCase()}`, "aria-label": title, "data-id": m.node.id },
      svg("title", {}, title),
      m.shared > 1 ? svg("line", { x1: 0, y1: 0, x2: m.dx.toFixed(1), y2: m.dy.toFixed(1), class: "leader" }) : null,
      shape);
    return { m, element };
  });
  const pins = shared.map((g) => svg("circle", { class: "place", r: 2, cx: 0, cy: 0 }));
  const viewport = svg("g", { class: "viewport" },
    svg("path", { d: path(sphere), class: "sphere" }),
    svg("path", { d: path(land), class: "land" }));
  const layer = svg("g", { class: "markers" }, pins, drawn.filter(({ m }) => m.kind === "Partner").map((d) => d.element),
    drawn.filter(({ m }) => m.kind === "Member").map((d) => d.element));
  const map = svg("svg", { viewBox: `0 0 ${WIDTH} ${height}`, class: "map", role: "group", "aria-label": "World map of member governments and partners" },
    viewport, layer);

  // Markers follow the zoom but keep their size on screen, whatever the
  // map's width (a phone draws the map at a third of its units).
  let shown = zoomIdentity;
  const place = (k, t) => {
    shown = t;
    const width = map.getBoundingClientRect().width;
    const s = width > 0 ? Math.min(2, WIDTH / width) : 1;
    const at = (x, y) => `translate(${(t.x + x * k).toFixed(1)} ${(t.y + y * k).toFixed(1)}) scale(${s.toFixed(3)})`;
    drawn.forEach(({ m, element }) => element.setAttribute("transform", at(m.x, m.y)));
    pins.forEach((pin, i) => pin.setAttribute("transform", at(shared[i].x, shared[i].y)));
  };
  new ResizeObserver(() => place(shown.k, shown)).observe(map);
  const zoomer = zoom().scaleExtent([1, MAX_ZOOM]).translateExtent([[0, 0], [WIDTH, height]])
    .on("zoom", ({ transform }) => {
      viewport.setAttribute("transform", transform.toString());
      place(transform.k, transform);
      map.dataset.zoom = transform.k.toFixed(2);
    });
  const chosen = select(map);
  chosen.call(zoomer);
  place(1, zoomIdentity);
  const zoomButton = (text, action) => h("button", { type: "button", class: "secondary", onclick: action }, text);

  const legend = [
    ...regions.map(([id, name]) => h("li", {}, h("span", { class: "swatch round", style: `background:${colourOf.get(id)}` }), ` ${name}`)),
    partners.length ? h("li", {}, h("span", { class: "swatch", style: `background:${PARTNER_COLOUR}` }), " Partner") : null,
    shared.length ? h("li", {}, h("span", { class: "swatch pin" }), " Records at one place, spread around it") : null,
  ];
  const counted = [plural(members.length, "member government"), partners.length ? plural(partners.length, "partner") : null].filter(Boolean);
  fill(container,
    h("h1", {}, "Map"),
    h("p", { id: "map-status", role: "status", class: "lead" }, `${counted.join(" and ")} with coordinates.`),
    h("ul", { class: "legend", "aria-label": "Legend" }, legend),
    h("div", { class: "map-tools", role: "group", "aria-label": "Zoom" },
      zoomButton("Zoom in", () => zoomer.scaleBy(chosen, 2)),
      zoomButton("Zoom out", () => zoomer.scaleBy(chosen, 0.5)),
      zoomButton("Whole world", () => zoomer.transform(chosen, zoomIdentity)),
      h("span", { class: "note" }, "Or zoom with the wheel or a pinch, and drag to pan.")),
    h("figure", { class: "map-frame" }, map, h("figcaption", { class: "note" }, "Country shapes: Natural Earth via world-atlas. Select a marker to open its page.")),
    h("p", { class: "query-link" }, h("a", { href: graphiqlLink(PLACES), class: "graphiql" }, "Open this query in GraphiQL")));
}
