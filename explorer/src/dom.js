// Building DOM nodes from data: text always goes in as text, never as HTML.

/** An element: h("a", {href: "#/"}, "Home", h("span", {}, "!")). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

/** An SVG element (charts, the map). */
export function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace what `element` holds. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

// Enum values whose name does not read well in sentence case.
// Type names (`ActionPlan`) as people write them.
const LABELS = {
  NGO_FOUNDATION: "NGO or foundation", UCLG_SECTION: "UCLG section", UclgSection: "UCLG section",
  ActionPlan: "Action plan", FocusArea: "Focus area", ACTION_PLAN: "Action plan", FOCUS_AREA: "Focus area",
};

/** `TECHNICAL_PARTNER` -> `Technical partner`. */
export function label(value) {
  if (value === null || value === undefined) return "";
  if (LABELS[value]) return LABELS[value];
  const text = String(value).toLowerCase().replaceAll("_", " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Text with the given [start, end) ranges wrapped in <mark>. */
export function highlighted(text, ranges) {
  const parts = [];
  let at = 0;
  for (const { start, end } of [...ranges].sort((a, b) => a.start - b.start)) {
    if (start < at) continue;
    parts.push(text.slice(at, start), h("mark", {}, text.slice(start, end)));
    at = end;
  }
  parts.push(text.slice(at));
  return parts;
}

/** A moment as staff read it, with its time zone: `2026-12-02 17:03 UTC`. */
export function timestamp(value, { seconds = false } = {}) {
  if (!value) return "—";
  const text = new Date(value).toISOString().replace("T", " ").slice(0, seconds ? 19 : 16);
  return `${text} UTC`;
}

/** The date alone, with its time zone: `2026-12-02 (UTC)`. */
export function day(value) {
  return value ? `${new Date(value).toISOString().slice(0, 10)} (UTC)` : "";
}

/** `3 initiatives`, `1 initiative`. */
export function plural(count, one, many = `${one}s`) {
  return `${count.toLocaleString("en")} ${count === 1 ? one : many}`;
}
