// A record's page: its facts, where they come from, and its relationships as
// lists grouped by role.

import { gql, graphiqlLink, staffKey } from "./api.js";
import { fill, h, label } from "./dom.js";
import { DIMENSION_COLOURS } from "./palette.js";
import { ENTITY } from "./queries.js";
import { nodeLink } from "./router.js";
import { nodeTitle } from "./search.js";

export const EDITABLE = new Set(["Member", "Partner", "Initiative"]);

const FACTS = {
  Member: (n) => [
    ["Short name", n.shortName], ["Country", `${n.countryName} (${n.country})`], ["Kind", label(n.memberKind)],
    ["Status", label(n.status)], ["Region", n.region && h("a", { href: nodeLink(n.region.id) }, n.region.name)],
    ["Joined", n.joinedYear], ["Population", n.population?.toLocaleString("en")],
    ["Coordinates", coordinates(n)], ["Website", website(n.website)], ["Evidence", n.evidence],
  ],
  Partner: (n) => [
    ["Kind", label(n.partnerKind)], ["Sector", n.sector], ["Country", n.partnerCountry], ["Website", website(n.website)],
    ["Description", n.description], ["Period", n.period], ["Coordinates", coordinates(n)],
  ],
  Initiative: (n) => [
    ["Kind", label(n.initiativeKind)], ["Period", n.period], ["Years", [n.startYear, n.endYear].filter(Boolean).join("–")],
    ["Status", label(n.initiativeStatus)], ["Summary", n.summary], ["Sustainability", n.dimensions.length ? n.dimensions.map((d) => h("span", { class: "chip", style: `--chip:${DIMENSION_COLOURS[d]}` }, label(d))) : null],
  ],
  UclgSection: (n) => [
    ["Full name", n.fullName], ["Kind", label(n.sectionKind)], ["Area", n.area],
    ["Seat", [n.seatCity, n.seatCountry].filter(Boolean).join(", ")], ["Seat note", n.seatNote],
    ["Seat member", n.seatMember && h("a", { href: nodeLink(n.seatMember.id) }, n.seatMember.name)],
  ],
  Region: (n) => [["Slug", n.slug]],
  FocusArea: (n) => [["Mission", n.mission]],
};

// Roles in the order people read them: who leads first.
const MEMBER_ROLES = ["LEAD", "PARTICIPANT", "COLLABORATOR"];
const PARTNER_ROLES = ["LEAD", "FUNDER", "TECHNICAL_PARTNER", "KNOWLEDGE_PARTNER", "SUPPORTER"];
const byRole = (order, role) => ({ group: label(role), rank: order.includes(role) ? order.indexOf(role) : order.length });

// Relationship lists: [heading, connection, how an edge groups (a heading per
// role, in order), what an edge says beside its link (free text)].
const RELATIONS = {
  Member: (n) => [
    ["Initiatives", n.initiatives, (e) => byRole(MEMBER_ROLES, e.memberRole)],
    ["Partners", n.partners, null, (e) => e.relationship],
    ["UCLG sections", n.sections],
    ["Collaborators (shared initiatives)", n.collaborators, null, (e) => `${e.sharedCount} shared`],
  ],
  Partner: (n) => [
    ["Initiatives", n.initiatives, (e) => byRole(PARTNER_ROLES, e.partnerRole)],
    ["Member governments", n.members, null, (e) => e.relationship],
    ["Focus areas", n.focusAreas],
  ],
  Initiative: (n) => [
    ["Member governments", n.members, (e) => byRole(MEMBER_ROLES, e.memberRole)],
    ["Partners", n.partners, (e) => byRole(PARTNER_ROLES, e.partnerRole)],
    ["Focus areas", n.focusAreas],
  ],
  UclgSection: (n) => [["Members", n.members]],
  Region: (n) => [["Members", n.members]],
  FocusArea: (n) => [["Initiatives", n.initiatives], ["Partners", n.partners]],
};

function coordinates(n) {
  return n.latitude == null ? null : `${n.latitude.toFixed(3)}, ${n.longitude.toFixed(3)}`;
}

function website(url) {
  return url && h("a", { href: url, rel: "noopener noreferrer external" }, url);
}

export function provenance(p, heading = "h2") {
  return h("section", { class: "provenance", "aria-label": "Provenance" },
    h(heading, {}, "Sources"),
    h("p", {}, `Confidence: ${label(p.confidence)} · origin: ${label(p.origin)}`),
    p.sources.length
      ? h("ul", {}, p.sources.map((url) => h("li", {}, h("a", { href: url, rel: "noopener noreferrer external" }, url))))
      : h("p", { class: "note" }, "No source recorded."));
}

function relation([heading, connection, groupOf, says]) {
  if (!connection) return null;
  const id = `rel-${heading.replace(/\W+/g, "-").toLowerCase()}`;
  const section = h("section", { class: "relation", "aria-labelledby": id },
    h("h2", { id }, `${heading} (${connection.totalCount ?? connection.edges.length})`));
  if (!connection.edges.length) {
    section.append(h("p", { class: "note" }, "None recorded."));
    return section;
  }
  if (connection.totalCount > connection.edges.length) {
    section.append(h("p", { class: "note" }, `The first ${connection.edges.length} of ${connection.totalCount}; GraphiQL pages through the rest.`));
  }
  const groups = new Map();
  for (const edge of connection.edges) {
    const { group, rank } = groupOf ? groupOf(edge) : { group: "", rank: 0 };
    if (!groups.has(group)) groups.set(group, { rank, edges: [] });
    groups.get(group).edges.push(edge);
  }
  for (const [group, { edges }] of [...groups].sort((a, b) => a[1].rank - b[1].rank)) {
    if (group) section.append(h("h3", {}, group));
    section.append(h("ul", { class: "relation-list" }, edges.map((edge) => h("li", {},
      h("a", { href: nodeLink(edge.node.id) }, nodeTitle(edge.node)),
      says && says(edge) ? h("span", { class: "relationship" }, ` — ${says(edge)}`) : null,
      edge.node.period ? h("span", { class: "note" }, ` · ${edge.node.period}`) : null,
      edge.provenance ? h("span", { class: "note" }, ` · ${label(edge.provenance.confidence)} confidence`) : null))));
  }
  return section;
}

export async function entityView(container, { arg: id }, current) {
  const data = await gql(ENTITY, { id });
  if (!current()) return;
  const node = data.node;
  if (!node) {
    fill(container, h("h1", {}, "Not found"), h("p", { role: "alert" }, "There is no record with this ID (or it is not published)."));
    return;
  }
  const kind = node.__typename;
  const facts = (FACTS[kind] || (() => []))(node).filter(([, value]) => value !== null && value !== undefined && value !== "");
  fill(container,
    h("p", { class: "badge-line" }, h("span", { class: `badge ${kind.toLowerCase()}` }, label(kind)),
      node.publication && node.publication !== "PUBLISHED" ? h("span", { class: "badge draft" }, label(node.publication)) : null),
    h("h1", {}, nodeTitle(node)),
    h("nav", { class: "actions", "aria-label": "Record actions" },
      h("a", { href: `#/graph?id=${encodeURIComponent(id)}` }, "Show in the graph"),
      EDITABLE.has(kind) && staffKey() ? h("a", { href: `#/edit/${encodeURIComponent(id)}` }, "Edit and history") : null,
      h("a", { href: graphiqlLink(ENTITY, { id }), class: "graphiql" }, "Open this query in GraphiQL")),
    h("dl", { class: "facts" }, facts.map(([name, value]) => [h("dt", {}, name), h("dd", {}, value)])),
    node.provenance ? provenance(node.provenance) : null,
    (RELATIONS[kind] || (() => []))(node).map(relation));
}
