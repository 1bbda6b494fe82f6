// The explorer's colours, one source for each: a record type's colour and a
// sustainability dimension's are the same on every page (graph, map, charts,
// badges). Okabe-Ito-based, colour-blind-safe, dark enough for white text.

export const TYPE_COLOURS = {
  Member: "#1f5fa8", Partner: "#b35400", Initiative: "#2b7a2b", UclgSection: "#7a3d99",
  Region: "#8a6d00", FocusArea: "#b0265d", ActionPlan: "#4d4d4d", Objective: "#6b6b6b",
};

export const DIMENSION_COLOURS = {
  ENVIRONMENTAL: "#00805a", ECONOMIC: "#0067a5", SOCIAL: "#c24e00", CULTURAL: "#a8508a", NONE: "#8c8c8c",
};

// Member regions on the map, by name, so a region keeps its colour whatever is drawn.
export const REGION_COLOURS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"];
