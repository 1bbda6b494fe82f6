// Dashboards: the hub's aggregates (statistics, mostConnected) as plain SVG charts,
// all from one request.

import { gql, graphiqlLink } from "./api.js";
import { fill, h, label, plural, svg } from "./dom.js";
import { DIMENSION_COLOURS, TYPE_COLOURS } from "./palette.js";
import { DASHBOARDS } from "./queries.js";
import { nodeLink } from "./router.js";

const CHART_WIDTH = 520;

/** Horizontal bars as HTML rows (label, bar, value), so the names stay
 * readable at any width: rows of { text, value, href, colour }; `note` says how to read it. */
function barChart(title, rows, colour = "#1f5fa8", note = null) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  const summary = rows.map((r) => `${r.text}: ${r.value}`).join("; ");
  return h("figure", { class: "chart" },
    h("figcaption", {}, h("h2", {}, title), note ? h("p", { class: "note chart-note" }, note) : null),
    // A chart whose labels are links is a group of them, not one image.
    h("div", { class: "bars", role: rows.some((r) => r.href) ? "group" : "img", "aria-label": `${title}. ${summary}` },
      rows.map((r) => h("div", { class: "bar-row" },
        r.href ? h("a", { href: r.href, class: "bar-label", title: r.text }, r.text) : h("span", { class: "bar-label", title: r.text, "aria-hidden": "true" }, r.text),
        h("span", { class: "bar-track", "aria-hidden": "true" },
          h("span", { class: "bar-fill", style: `width:${((100 * r.value) / max).toFixed(1)}%;background:${r.colour || colour}` })),
        h("span", { class: "bar-value", "aria-hidden": r.href ? null : "true" }, r.value)))));
}

/** Vertical stacked bars per year, one segment per sustainability dimension. */
function yearChart(title, years, note) {
  const height = 260;
  const bottom = 30;
  const max = Math.max(1, ...years.map((y) => y.count));
  const scale = (height - bottom - 20) / max;
  const step = Math.min(70, (CHART_WIDTH - 40) / Math.max(1, years.length));
  const summary = years.map((y) => `${y.year ?? "no year"}: ${y.count}`).join("; ");
  return h("figure", { class: "chart" },
    h("figcaption", {}, h("h2", {}, title), h("p", { class: "note chart-note" }, note)),
    svg("svg", { viewBox: `0 0 ${CHART_WIDTH} ${height}`, role: "img", "aria-label": `${title}. ${summary}` },
      years.map((year, i) => {
        const x = 30 + i * step;
        let top = height - bottom;
        const counted = year.dimensions.reduce((sum, d) => sum + d.count, 0);
        const segments = [...year.dimensions, ...(year.count > counted ? [{ dimension: "NONE", count: year.count - counted }] : [])];
        return svg("g", {},
          segments.map((segment) => {
            const size = segment.count * scale;
            top -= size;
            return svg("rect", { x, y: top, width: step * 0.7, height: size, fill: DIMENSION_COLOURS[segment.dimension] },
              svg("title", {}, `${year.year ?? "No year"}: ${segment.count} ${label(segment.dimension === "NONE" ? "no dimension recorded" : segment.dimension)}`));
          }),
          svg("text", { x: x + step * 0.35, y: height - bottom + 16, "text-anchor": "middle", class: "chart-label" }, year.year ?? "n.d."),
          svg("text", { x: x + step * 0.35, y: top - 4, "text-anchor": "middle", class: "chart-value" }, year.count));
      })),
    h("ul", { class: "legend" }, Object.entries(DIMENSION_COLOURS).map(([dimension, colour]) =>
      h("li", {}, h("span", { class: "swatch", style: `background:${colour}` }), ` ${dimension === "NONE" ? "No dimension recorded" : label(dimension)}`))));
}

function total(count, text, id) {
  return h("li", { class: "stat", id }, h("span", { class: "stat-value" }, count.toLocaleString("en")), h("span", { class: "stat-label" }, text));
}

export async function dashboardsView(container, _route, current) {
  const data = await gql(DASHBOARDS);
  if (!current()) return;
  const { statistics, mostConnected } = data;
  const initiatives = data.initiatives.totalCount;
  const dimensionCount = statistics.initiativesByDimension.reduce((sum, d) => sum + d.count, 0);
  const twice = `An initiative with several sustainability dimensions counts once in each, and one with none is not counted: these bars add up to ${dimensionCount} for ${plural(initiatives, "initiative")}.`;
  const yearNote = "Each bar counts an initiative once, by its starting year; its coloured parts count it once per dimension, so they can add up to more than the bar's number.";
  fill(container,
    h("h1", {}, "Dashboards"),
    h("ul", { class: "stats", "aria-label": "Totals" },
      total(data.members.totalCount, "member governments", "total-members"),
      total(data.partners.totalCount, "partners", "total-partners"),
      total(initiatives, "initiatives", "total-initiatives")),
    h("div", { class: "charts" },
      barChart("Members per region", statistics.membersByRegion.map((r) => ({ text: r.region.name, value: r.count, href: nodeLink(r.region.id) })), TYPE_COLOURS.Member),
      yearChart("Initiatives per starting year, by sustainability dimension", statistics.initiativesByYear, yearNote),
      barChart("Initiatives per sustainability dimension",
        statistics.initiativesByDimension.map((d) => ({ text: label(d.dimension), value: d.count, colour: DIMENSION_COLOURS[d.dimension] })), TYPE_COLOURS.Initiative,
        twice),
      barChart("Most connected partners (links to initiatives, members and focus areas)",
        mostConnected.edges.map((e) => ({ text: e.node.name, value: e.score, href: nodeLink(e.node.id) })), TYPE_COLOURS.Partner)),
    h("p", { class: "query-link" }, h("a", { href: graphiqlLink(DASHBOARDS), class: "graphiql" }, "Open this query in GraphiQL")));
}
