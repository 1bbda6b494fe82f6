// The GraphQL documents the explorer sends, one per view, each within the
// hub's cost limit (1000 points a request). GraphiQL links open them as they are.

const PROVENANCE = "provenance { sources confidence origin }";

export const NODE_LABEL = `
fragment NodeLabel on Node {
  __typename
  id
  ... on Member { name }
  ... on Partner { name }
  ... on Initiative { title }
  ... on UclgSection { name }
  ... on Region { name }
  ... on FocusArea { name }
  ... on ActionPlan { title }
  ... on Objective { text }
}`;

export const SEARCH = `
query Search($query: String!, $types: [SearchType!], $regions: [ID!], $partnerKinds: [PartnerKind!],
             $focusAreas: [ID!], $dimensions: [SustainabilityDimension!], $first: Int = 20, $after: String) {
  search(query: $query, types: $types, regions: $regions, partnerKinds: $partnerKinds,
         focusAreas: $focusAreas, dimensions: $dimensions, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      snippet { text matches { start end } }
      node {
        __typename
        ... on Member { id name countryName region { name } }
        ... on Partner { id name kind country }
        ... on Initiative { id title period }
      }
    }
    facets {
      types { value count }
      regions { count region { id name } }
      partnerKinds { value count }
      focusAreas { count focusArea { id name } }
      dimensions { value count }
    }
  }
}`;

export const SUGGEST = `
query Suggest($query: String!) {
  search(query: $query, first: 6) {
    edges {
      node {
        __typename
        ... on Member { id name }
        ... on Partner { id name }
        ... on Initiative { id title }
      }
    }
  }
}`;

export const ENTITY = `
query Entity($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Member {
      name shortName country countryName memberKind: kind status joinedYear population
      latitude longitude website evidence version publication
      ${PROVENANCE}
      region { id name }
      sections(first: 10) { edges { node { id name } } }
      initiatives(first: 50) { totalCount edges { memberRole: role ${PROVENANCE} node { id title period } } }
      partners(first: 50) { totalCount edges { relationship ${PROVENANCE} node { id name kind } } }
      collaborators(first: 10) { totalCount edges { sharedCount node { id name } } }
    }
    ... on Partner {
      name partnerKind: kind sector partnerCountry: country website description period latitude longitude
      version publication
      ${PROVENANCE}
      initiatives(first: 50) { totalCount edges { partnerRole: role ${PROVENANCE} node { id title period } } }
      members(first: 50) { totalCount edges { relationship ${PROVENANCE} node { id name } } }
      focusAreas(first: 10) { edges { node { id name } } }
    }
    ... on Initiative {
      title initiativeKind: kind period startYear endYear initiativeStatus: status summary dimensions
      version publication
      ${PROVENANCE}
      members(first: 80) { totalCount edges { memberRole: role ${PROVENANCE} node { id name } } }
      partners(first: 50) { totalCount edges { partnerRole: role ${PROVENANCE} node { id name } } }
      focusAreas(first: 10) { edges { node { id name } } }
    }
    ... on UclgSection {
      name fullName sectionKind: kind area seatCity seatCountry seatNote version
      ${PROVENANCE}
      seatMember { id name }
      members(first: 100) { totalCount edges { node { id name } } }
    }
    ... on Region {
      name slug
      ${PROVENANCE}
      members(first: 100) { totalCount edges { node { id name countryName } } }
    }
    ... on FocusArea {
      name mission: description
      ${PROVENANCE}
      initiatives(first: 50) { totalCount edges { node { id title } } }
      partners(first: 50) { totalCount edges { node { id name } } }
    }
  }
}`;

export const NEIGHBOURS = `
query Neighbours($id: ID!) {
  node(id: $id) {
    ...NodeLabel
    ... on Member { neighbours(first: 100) { ...Around } }
    ... on Partner { neighbours(first: 100) { ...Around } }
    ... on Initiative { neighbours(first: 100) { ...Around } }
    ... on UclgSection { neighbours(first: 100) { ...Around } }
    ... on Region { neighbours(first: 100) { ...Around } }
    ... on FocusArea { neighbours(first: 100) { ...Around } }
    ... on ActionPlan { neighbours(first: 100) { ...Around } }
    ... on Objective { neighbours(first: 100) { ...Around } }
  }
}
fragment Around on NeighbourConnection {
  totalCount
  edges { via { kind role from { id } to { id } } node { ...NodeLabel } }
}
${NODE_LABEL}`;

// A path between members that skips the hubs (regions, UCLG sections, focus
// areas, action plans), which join most pairs and tell staff nothing.
export const THROUGH_NO_HUBS = ["MEMBER", "PARTNER", "INITIATIVE", "OBJECTIVE"];

export const PATH = `
query Path($from: ID!, $to: ID!, $through: [NodeType!]) {
  path(from: $from, to: $to, maxLength: 6, limit: 1, through: $through) {
    length
    nodes { ...NodeLabel }
    edges { kind role from { id } to { id } }
  }
}
${NODE_LABEL}`;

export const MEMBER_NAMES = `
query MemberNames($after: String) {
  members(first: 100, after: $after, orderBy: [{ field: NAME }]) {
    pageInfo { hasNextPage endCursor }
    edges { node { id name } }
  }
}`;

export const PLACES = `
query Places($afterMembers: String, $afterPartners: String) {
  members(first: 100, after: $afterMembers, where: { latitude: { isNull: false } }) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name countryName latitude longitude region { id name } } }
  }
  partners(first: 100, after: $afterPartners, where: { latitude: { isNull: false } }) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name kind latitude longitude } }
  }
}`;

const TOTALS = `
  members(first: 1) { totalCount }
  partners(first: 1) { totalCount }
  initiatives(first: 1) { totalCount }`;

export const HOME = `
query Home {${TOTALS}
  uclgSections(first: 1) { totalCount }
  statistics {
    membersByRegion { count region { id name } }
    coverage { records held stated statement source sourceUrl statedOn }
  }
  newestMembers: members(first: 5, where: { joinedYear: { isNull: false } },
                         orderBy: [{ field: JOINED_YEAR, direction: DESC }, { field: NAME }]) {
    edges { node { id name countryName joinedYear } }
  }
  latestInitiatives: initiatives(first: 5, orderBy: [{ field: START_YEAR, direction: DESC }, { field: TITLE }]) {
    edges { node { id title period } }
  }
}`;

export const DASHBOARDS = `
query Dashboards {${TOTALS}
  statistics {
    membersByRegion { count region { id name } }
    initiativesByYear { year count dimensions { dimension count } }
    initiativesByDimension { dimension count }
  }
  mostConnected(metric: DEGREE, types: [PARTNER], first: 10) {
    edges { rank score node { id ... on Partner { name kind } } }
  }
}`;

export const KEY_CHECK = `
query KeyCheck {
  changes(first: 1) { totalCount }
}`;

const HISTORY_FIELDS = "history(first: 50) { totalCount edges { node { id at actor action fields { field before after } } } }";

export const RECORD = `
query Record($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Member {
      name shortName country countryName memberKind: kind memberStatus: status joinedYear latitude
      longitude population website evidence version provenance { sources confidence }
      ${HISTORY_FIELDS}
    }
    ... on Partner {
      name partnerKind: kind sector partnerCountry: country website description period latitude
      longitude version contact { name email phone } provenance { sources confidence }
      ${HISTORY_FIELDS}
    }
    ... on Initiative {
      title initiativeKind: kind period startYear endYear initiativeStatus: status summary version
      provenance { sources confidence }
      ${HISTORY_FIELDS}
    }
  }
}`;

const PAYLOAD = "userErrors { field message code }";

export const UPDATES = {
  Member: `
mutation MemberUpdate($input: MemberUpdateInput!) {
  memberUpdate(input: $input) { member { id version } ${PAYLOAD} }
}`,
  Partner: `
mutation PartnerUpdate($input: PartnerUpdateInput!) {
  partnerUpdate(input: $input) { partner { id version } ${PAYLOAD} }
}`,
  Initiative: `
mutation InitiativeUpdate($input: InitiativeUpdateInput!) {
  initiativeUpdate(input: $input) { initiative { id version } ${PAYLOAD} }
}`,
};

export const NETWORK_NODES = `
query NetworkNodes($after: String) {
  networkNodes(first: 100, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id type label } }
  }
}`;

export const NETWORK_EDGES = `
query NetworkEdges($after: String) {
  networkEdges(first: 100, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { source { id } target { id } edge { kind role } }
  }
}`;

const API_KEY_FIELDS = "id name role hint createdAt revokedAt replacedBy partner { id name }";

export const API_KEYS = `
query ApiKeys($first: Int = 50, $after: String) {
  apiKeys(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { ${API_KEY_FIELDS} } }
  }
}`;

export const PARTNER_OPTIONS = `
query PartnerOptions($query: String!) {
  search(query: $query, types: [PARTNER], first: 8) { edges { node { ... on Partner { id name } } } }
}`;

export const API_KEY_CREATE = `
mutation ApiKeyCreate($input: ApiKeyCreateInput!) {
  apiKeyCreate(input: $input) { key apiKey { ${API_KEY_FIELDS} } userErrors { field message code } }
}`;

export const API_KEY_ROTATE = `
mutation ApiKeyRotate($id: Int!) {
  apiKeyRotate(input: { id: $id }) { key apiKey { ${API_KEY_FIELDS} } userErrors { field message code } }
}`;

export const API_KEY_REVOKE = `
mutation ApiKeyRevoke($id: Int!) {
  apiKeyRevoke(input: { id: $id }) { userErrors { field message code } }
}`;

// The Schema page (staff): the subgraph registry, the clients seen and the
// deprecated fields nobody reads, in one request; field usage in requests of
// their own (see fieldUsageQuery). `report` is added to the checks when the
// hub's schema has it.
export const USAGE_DAYS = 30;

export function schemaOverviewQuery(checkFields = "") {
  return `
query SchemaOverview($days: Int! = ${USAGE_DAYS}) {
  subgraphs {
    name url partner currentSince lastOutcome lastChecked messages warnings
    history(last: 10) { fetchedAt accepted messages warnings${checkFields ? ` ${checkFields}` : ""} }
  }
  clients(days: $days) { name version lastSeen operationCount requestCount }
  unusedDeprecatedFields(days: $days) { coordinate deprecationReason }
}`;
}

// The hub takes at most 15 aliases a request: one per field.
export const FIELDS_PER_REQUEST = 15;

/** One request for the use of each of `coordinates` (at most FIELDS_PER_REQUEST), as variables $c0, $c1, …. */
export function fieldUsageQuery(coordinates) {
  const names = coordinates.map((_, i) => `c${i}`);
  return `
query FieldUsage($days: Int! = ${USAGE_DAYS}, ${names.map((n) => `$${n}: SchemaCoordinate!`).join(", ")}) {
${names.map((n) => `  ${n}: fieldUsage(coordinate: $${n}, days: $days) { ...Use }`).join("\n")}
}

fragment Use on FieldUsage { coordinate count uses { clientName clientVersion operationName count } }`;
}

// The data-quality page: every kind's count and first issues in one request
// (7 kinds of 25 issues, each with its record: about 360 points), then more
// of one kind at a time.
export const QUALITY_KINDS = [
  "MISSING_COORDINATES", "MISSING_POPULATION", "MISSING_SOURCES", "MISSING_COUNTRY",
  "MEDIUM_CONFIDENCE", "UNLINKED_NAME", "DEMO_RECORD",
];
const QUALITY_PAGE = `
fragment QualityPage on DataQualityIssueConnection {
  totalCount
  pageInfo { hasNextPage endCursor }
  edges { node { kind field text record { ...NodeLabel } } }
}`;
const alias = (kind) => kind.toLowerCase().replace(/_(.)/g, (_, c) => c.toUpperCase());

export const DATA_QUALITY = `
query DataQuality($first: Int = 25) {
  dataQuality {
    counts { kind count }
${QUALITY_KINDS.map((kind) => `    ${alias(kind)}: issues(kinds: [${kind}], first: $first) { ...QualityPage }`).join("\n")}
  }
}
${QUALITY_PAGE}
${NODE_LABEL}`;

export const DATA_QUALITY_MORE = `
query DataQualityMore($kind: DataQualityKind!, $after: String) {
  dataQuality { issues(kinds: [$kind], first: 100, after: $after) { ...QualityPage } }
}
${QUALITY_PAGE}
${NODE_LABEL}`;

export const qualityAlias = alias;
