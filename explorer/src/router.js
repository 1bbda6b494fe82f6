// Where the explorer is: the URL's fragment, `#/view/arg?params`, so that a
// view can be shared as a link and the back button returns to the last one.

/** The current route: `#/view/arg?params`. */
export function route() {
  const [path, query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const [view = "home", ...rest] = path.split("/");
  return { view: view || "home", arg: rest.map(decodeURIComponent).join("/"), params: new URLSearchParams(query) };
}

/** Go to a route, adding a history entry (the back button returns). */
export function navigate(view, arg = "", params = new URLSearchParams()) {
  const query = params.toString();
  location.hash = `#/${view}${arg ? `/${encodeURIComponent(arg)}` : ""}${query ? `?${query}` : ""}`;
}

/** The link to a record's page. */
export function nodeLink(id) {
  return `#/node/${encodeURIComponent(id)}`;
}
