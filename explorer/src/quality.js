// Data quality, for staff: what to fix, grouped by kind with counts, each item
// a link to the edit form of its record (with the field concerned focused).

import { ApiError, gql, graphiqlLink, staffKey } from "./api.js";
import { fill, h } from "./dom.js";
import { DATA_QUALITY, DATA_QUALITY_MORE, QUALITY_KINDS, qualityAlias } from "./queries.js";
import { nodeTitle } from "./search.js";

const TITLES = {
  MISSING_COORDINATES: ["Missing coordinates", "Members and partners without a latitude and longitude: they are on no map."],
  MISSING_POPULATION: ["Missing population", "Member governments without a population."],
  MISSING_SOURCES: ["Missing sources", "Records that name no public page for their facts."],
  MISSING_COUNTRY: ["Missing country", "Partners without a country."],
  MEDIUM_CONFIDENCE: ["Medium confidence", "Records whose facts a source implies rather than states: confirm them and raise the confidence."],
  UNLINKED_NAME: ["Names the seed could not link", "Names in the reference data that match no member or partner, or several: link the record meant to the initiative."],
  DEMO_RECORD: ["Demo records", "Generated demo data, not facts."],
};
// Issue fields that are fields of the edit forms: the form opens on them.
const FORM_FIELDS = new Set(["latitude", "population", "sources", "country", "confidence"]);

function editLink(issue) {
  const field = FORM_FIELDS.has(issue.field) ? `?field=${issue.field}` : "";
  return `#/edit/${encodeURIComponent(issue.record.id)}${field}`;
}

function item(issue) {
  if (!issue.record) return h("li", {}, issue.text);
  return h("li", {}, h("a", { href: editLink(issue) }, nodeTitle(issue.record)), ` — ${issue.text}`);
}

function group(kind, page) {
  const [title, about] = TITLES[kind];
  const id = `quality-${kind.toLowerCase().replaceAll("_", "-")}`;
  const list = h("ul", { class: "issues" }, page.edges.map(({ node }) => item(node)));
  const section = h("section", { class: "quality", "aria-labelledby": id },
    h("h2", { id }, `${title} `, h("span", { class: "count" }, `(${page.totalCount})`)),
    h("p", { class: "note" }, about));
  if (!page.totalCount) {
    section.append(h("p", {}, "Nothing to fix."));
    return section;
  }
  section.append(list);
  let { pageInfo } = page;
  let shown = page.edges.length;
  const more = h("button", { type: "button" });
  const status = h("p", { role: "status", class: "note" });
  const update = () => {
    more.textContent = `Show more ${title.toLowerCase()} (${page.totalCount - shown} more)`;
    if (!pageInfo.hasNextPage) more.remove();
  };
  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      const data = await gql(DATA_QUALITY_MORE, { kind, after: pageInfo.endCursor });
      const next = data.dataQuality.issues;
      const items = next.edges.map(({ node }) => item(node));
      list.append(...items);
      shown += items.length;
      pageInfo = next.pageInfo;
      fill(status, `${items.length} more shown.`);
      items[0]?.querySelector("a")?.focus();
    } catch (error) {
      fill(status, h("span", { class: "error" }, error.message));
    }
    more.disabled = false;
    update();
  });
  update();
  section.append(...(pageInfo.hasNextPage ? [more] : []), status);
  return section;
}

export async function qualityView(container, _route, current) {
  const heading = h("h1", {}, "Data quality");
  if (!staffKey()) {
    fill(container, heading, h("p", { role: "alert" }, "The data-quality list needs a staff key: enter it in the Staff key box at the top of the page."));
    return;
  }
  let data;
  try {
    data = await gql(DATA_QUALITY);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (!current()) return;
    fill(container, heading, h("p", { role: "alert", class: "error" }, `${error.message} Enter a staff key in the Staff key box.`));
    return;
  }
  if (!current()) return;
  const quality = data.dataQuality;
  const total = quality.counts.reduce((sum, { count }) => sum + count, 0);
  fill(container,
    heading,
    h("p", {}, `${total} thing${total === 1 ? "" : "s"} to fix. Each links to the record's edit form; archived records are left out.`),
    h("table", { class: "quality-counts" },
      h("caption", {}, "Issues by kind"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Kind"), h("th", { scope: "col" }, "Issues"))),
      h("tbody", {}, quality.counts.map(({ kind, count }) =>
        h("tr", {}, h("th", { scope: "row" }, TITLES[kind][0]), h("td", {}, String(count)))))),
    QUALITY_KINDS.map((kind) => group(kind, quality[qualityAlias(kind)])),
    h("p", {}, h("a", { href: graphiqlLink(DATA_QUALITY), class: "graphiql" }, "Open this query in GraphiQL")));
}
