"""The explorer, driven in Debian's headless Chromium against a live hub.

One hub (on its own copy of the seeded database) and one browser serve the
whole module; each test opens a fresh browser context. Every request outside
the hub's origin is aborted and recorded, and a test fails on any such
request, failed request, HTTP error, uncaught error or console error or
warning (the bad-key test expects exactly the one 401 it provokes). Each view
is saved as a screenshot under test-artifacts/explorer-*.png, and every view
passes axe-core's checks with no serious or critical violation.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Route,
    ViewportSize,
    expect,
    sync_playwright,
)
from playwright.sync_api import Request as BrowserRequest
from playwright.sync_api import Response as BrowserResponse

import explorer
from db.engine import Database
from db.models import Role
from resolvers.access.keys import issue_key
from server import create_app
from settings import Settings
from tests.conftest import serving
from tests.test_graphiql_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS

AXE = Path(explorer.__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"

IDS = """
query Ids {
  members(where: { shortName: { in: ["Berlin", "Accra"] } }) { edges { node { id shortName } } }
  partners(where: { name: { eq: "Cisco" } }) { edges { node { id } } }
  located: members(where: { latitude: { isNull: false } }) { totalCount }
}
"""
PARTNER_UPDATE = """
mutation Update($input: PartnerUpdateInput!) {
  partnerUpdate(input: $input) { partner { version } userErrors { code } }
}
"""
NETWORK_COUNTS = "{ networkNodes(first: 1) { totalCount } networkEdges(first: 1) { totalCount } }"
PARTNER_VERSION = "query Version($id: ID!) { node(id: $id) { ... on Partner { version } } }"
CONTACT = "query Contact($id: ID!) { node(id: $id) { ... on Partner { name contact { name } } } }"
CITY_POPULATIONS = """
query CityPopulations { members(first: 2) { edges { node { name population } } } }
"""
CLIENT_NAMES = "{ clients(days: 30) { name } }"
COUNTS = """
{ members(first: 1) { totalCount } partners(first: 1) { totalCount }
  initiatives(first: 1) { totalCount } uclgSections(first: 1) { totalCount } }
"""
PARIS = """
query Paris { members(first: 100, where: { country: { eq: "FR" } }) { edges { node { id name } } } }
"""
MEMBER_IDS = "query MemberIds { members(first: 100) { edges { node { id name } } } }"
# The nodes a member-to-member path skips unless asked: they join most members.
HUB_TYPES = ("Region", "UCLG section", "Focus area", "Action plan")
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
CITY_APP = {"apollographql-client-name": "city-app", "apollographql-client-version": "2.0"}


@dataclass(frozen=True)
class Hub:
    """The live hub under test, its staff key and the records the tests use."""

    origin: str
    staff_key: str
    admin_key: str
    berlin: str
    accra: str
    cisco: str
    located_members: int

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run an operation as another staff member would (outside the browser)."""
        response = httpx.post(
            f"{self.origin}/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"authorization": f"Bearer {self.staff_key}"},
        )
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data


@pytest.fixture(scope="module")
def hub(module_database_url: str) -> Iterator[Hub]:
    url = module_database_url

    async def staff_keys() -> tuple[str, str]:
        database = Database(url)
        staff = await issue_key(database, name="Explorer tests (staff)", role=Role.STAFF)
        admin = await issue_key(database, name="Explorer tests (admin)", role=Role.ADMIN)
        await database.dispose()
        return staff.key, admin.key

    # In a thread of its own: Playwright's sync API keeps an event loop running here.
    with ThreadPoolExecutor(1) as thread:
        key, admin_key = thread.submit(asyncio.run, staff_keys()).result()
    settings = Settings(
        # A staff tool's session makes many small requests: more than the default
        # anonymous budget allows in a minute of tests. Usage is written every second,
        # for the Schema page to show.
        database_url=url,
        anonymous_budget="100000/minute",
        usage_flush_seconds=1,
    )
    with serving(create_app(settings)) as origin:
        data = httpx.post(f"{origin}/graphql", json={"query": IDS}).json()["data"]
        members = {e["node"]["shortName"]: e["node"]["id"] for e in data["members"]["edges"]}
        yield Hub(
            origin=origin,
            staff_key=key,
            admin_key=admin_key,
            berlin=members["Berlin"],
            accra=members["Accra"],
            cisco=data["partners"]["edges"][0]["node"]["id"],
            located_members=data["located"]["totalCount"],
        )


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@dataclass
class Watch:
    """What went wrong in the browser while a test ran."""

    origin: str
    offsite: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def guard(self, route: Route) -> None:
        url = urlsplit(route.request.url)
        if f"{url.scheme}://{url.netloc}" == self.origin:
            route.continue_()
        else:
            self.offsite.append(route.request.url)
            route.abort("blockedbyclient")

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.console.append(f"{message.type}: {message.text}")

    def on_request_failed(self, request: BrowserRequest) -> None:
        self.failed.append(f"{request.url}: {request.failure}")

    def on_response(self, response: BrowserResponse) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.url}: HTTP {response.status}")

    def assert_clean(self) -> None:
        assert self.offsite == [], f"requests left the hub's origin: {self.offsite}"
        assert self.failed == [], f"failed requests: {self.failed}"
        assert self.page_errors == [], f"uncaught page errors: {self.page_errors}"
        assert self.console == [], f"console errors/warnings: {self.console}"


@dataclass
class Session:
    page: Page
    watch: Watch
    hub: Hub

    def open(self, fragment: str = "") -> None:
        self.page.goto(f"{self.hub.origin}{explorer.PATH}{fragment}", wait_until="load")

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(ARTIFACTS / f"explorer-{name}.png"), full_page=True)

    def fragment(self) -> tuple[str, dict[str, list[str]]]:
        """The route in the page's URL: the path and the parameters of its fragment."""
        route, _, query = urlsplit(self.page.url).fragment.partition("?")
        return route, parse_qs(query)

    def assert_accessible(self) -> None:
        """axe-core finds no serious or critical violation on the page as it is."""
        results = self.page.evaluate("axe.run(document, { resultTypes: ['violations'] })")
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
            for v in results["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], serious

    def enter_key(self, key: str) -> None:
        self.page.get_by_role("textbox", name="Staff key").fill(key)
        self.page.get_by_role("button", name="Use key").click()


@pytest.fixture
def session(browser: Browser, hub: Hub) -> Iterator[Session]:
    ARTIFACTS.mkdir(exist_ok=True)
    watch = Watch(hub.origin)
    context: BrowserContext = browser.new_context(viewport={"width": 1280, "height": 900})
    # Injected by the browser itself, so the page's Content-Security-Policy
    # (scripts from the hub only) still applies to everything the page loads.
    context.add_init_script(path=str(AXE))
    context.route("**/*", watch.guard)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("console", watch.on_console)
    page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
    page.on("requestfailed", watch.on_request_failed)
    page.on("response", watch.on_response)
    try:
        yield Session(page, watch, hub)
    finally:
        context.close()


def test_search_with_type_ahead_facets_and_a_shareable_url(session: Session) -> None:
    page = session.page
    # Given the explorer's search page
    session.open()
    box = page.get_by_role("combobox", name="Search members, partners and initiatives")

    # when "climate" is typed, suggestions come as you type,
    box.press_sequentially("climate", delay=20)
    suggestions = page.get_by_role("listbox", name="Suggestions")
    expect(suggestions.get_by_role("option", name=re.compile("The Climate Group"))).to_be_visible()

    # and Enter (no suggestion chosen) runs the search:
    box.press("Enter")
    results = page.locator(".hit")
    expect(page.get_by_role("heading", name="4 results for “climate”")).to_be_visible()
    expect(results).to_have_count(4)
    expect(results.locator("mark").first).to_have_text(re.compile("^climate$", re.IGNORECASE))
    expect(page.get_by_role("checkbox", name=re.compile(r"^Initiative \(3\)"))).to_be_visible()
    session.assert_accessible()
    session.shot("search")

    # When the Initiative facet is picked,
    page.get_by_role("checkbox", name=re.compile(r"^Initiative \(3\)")).check()

    # then only initiatives remain, and the URL says so,
    expect(page.get_by_role("heading", name="3 results for “climate”")).to_be_visible()
    expect(page.locator(".hit .badge")).to_have_text(["Initiative"] * 3)
    assert session.fragment() == ("/search", {"q": ["climate"], "type": ["INITIATIVE"]})
    expect(page.get_by_role("checkbox", name=re.compile(r"^Initiative"))).to_be_checked()
    session.shot("search-facet")

    # the back button returns to the search before the facet,
    shared = page.url
    page.go_back()
    expect(page.get_by_role("heading", name="4 results for “climate”")).to_be_visible()
    assert session.fragment() == ("/search", {"q": ["climate"]})

    # and a shared link opens the same search.
    session.open("#/search")
    page.goto(shared)
    expect(page.get_by_role("heading", name="3 results for “climate”")).to_be_visible()

    # The search opens in GraphiQL, with its variables.
    page.get_by_role("link", name="Open this query in GraphiQL").click()
    expect(page.locator(".graphiql-query-editor")).to_contain_text("query Search(")
    page.wait_for_load_state("networkidle")
    session.watch.assert_clean()


def test_berlin_page_shows_its_facts_sources_and_initiatives(session: Session) -> None:
    page = session.page
    # Given a search for Berlin, by keyboard alone:
    session.open()
    box = page.get_by_role("combobox", name="Search members, partners and initiatives")
    box.press_sequentially("Berlin", delay=20)
    expect(page.get_by_role("option", name=re.compile("^Berlin"))).to_be_visible()

    # when the first suggestion is chosen with the arrow keys and Enter,
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "suggestion-0")
    box.press("Enter")

    # then Berlin's page shows its facts, sources and initiatives, grouped by role.
    expect(page.get_by_role("heading", level=1, name="Berlin")).to_be_visible()
    assert session.fragment()[0] == f"/node/{session.hub.berlin}"
    expect(page.locator(".facts")).to_contain_text("Germany (DE)")
    expect(page.get_by_role("region", name="Provenance")).to_contain_text("Confidence: High")
    initiatives = page.get_by_role("region", name=re.compile(r"^Initiatives \(\d+\)"))
    expect(initiatives.get_by_role("heading", level=3, name="Participant")).to_be_visible()
    expect(initiatives.get_by_role("link", name=re.compile("Climate-Metropole"))).to_be_visible()
    session.assert_accessible()
    session.shot("member")
    session.watch.assert_clean()


def test_graph_expands_berlin_and_finds_a_path_between_two_members(session: Session) -> None:
    page = session.page
    hub = session.hub
    # Given the graph around Berlin's region, reached from Berlin's page
    session.open(f"#/node/{hub.berlin}")
    page.locator(".facts").get_by_role("link", name="Europe").click()
    page.get_by_role("link", name="Show in the graph").click()
    status = page.locator("#graph-status")
    expect(status).to_contain_text("1 expanded")
    shown = int(status.inner_text().split()[0])

    # when Berlin's node is clicked in the graph,
    position = page.evaluate("id => hubGraph.getElementById(id).renderedPosition()", hub.berlin)
    box = page.locator("#graph-canvas").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + position["x"], box["y"] + position["y"])

    # then Berlin is expanded: its initiatives and partners join the graph.
    expect(status).to_contain_text("2 expanded")
    assert int(status.inner_text().split()[0]) > shown
    assert page.evaluate("id => hubGraph.getElementById(id).hasClass('expanded')", hub.berlin)
    expect(page.locator("#expand-node option", has_text="Berlin (expanded)")).to_have_count(1)

    # Types can be hidden:
    page.get_by_role("checkbox", name="Initiative").uncheck()
    hidden = "() => hubGraph.nodes('.filtered').length"
    assert page.evaluate(hidden) > 0
    page.get_by_role("checkbox", name="Initiative").check()
    assert page.evaluate(hidden) == 0
    session.shot("graph")

    # When the path from Berlin to Accra is asked for, which only hubs join,
    page.get_by_label("From", exact=True).select_option(hub.berlin)
    page.get_by_label("To", exact=True).select_option(hub.accra)
    page.get_by_role("button", name="Find path").click()
    # (the page says so, and how to allow them)
    expect(page.locator("#path-result")).to_contain_text("without going through a hub")
    page.get_by_label("Go through hubs").check()
    page.get_by_role("button", name="Find path").click()

    # then it is listed and highlighted in the graph, and the URL keeps it.
    steps = page.locator(".path-list li")
    expect(steps.first).to_contain_text("Berlin")
    expect(steps.last).to_contain_text("Accra")
    assert page.evaluate("() => hubGraph.nodes('.path').length") == steps.count()
    assert page.evaluate("() => hubGraph.edges('.path').length") == steps.count() - 1
    route, state = session.fragment()
    assert (route, state["from"], state["to"]) == ("/graph", [hub.berlin], [hub.accra])
    # Berlin's expansion is in the URL too, and kept.
    assert state["x"] == [hub.berlin]
    expect(status).to_contain_text("2 expanded")
    session.assert_accessible()
    session.shot("path")
    session.watch.assert_clean()


def test_whole_network_draws_every_node_in_a_few_requests(session: Session) -> None:
    page = session.page
    hub = session.hub
    # Given the network's size as the API counts it for the public,
    counts = httpx.post(f"{hub.origin}/graphql", json={"query": NETWORK_COUNTS}).json()["data"]
    nodes, edges = counts["networkNodes"]["totalCount"], counts["networkEdges"]["totalCount"]
    # (the 75 members, 46 partners and 24 initiatives, and 27 sections, regions,
    # focus areas, action plans and objectives)
    assert (nodes, edges) == (75 + 46 + 24 + 27, 250)
    pages: list[str] = []
    page.on(
        "request",
        lambda request: (
            pages.append(match[1])
            if (match := re.search(r"query (Network\w+)", request.post_data or ""))
            else None
        ),
    )

    # when the graph view's "Whole network" is picked,
    session.open("#/graph")
    page.get_by_role("link", name="Whole network").click()

    # then every node and edge is drawn, read 100 at a time,
    status = page.locator("#graph-status")
    expect(status).to_contain_text(
        f"The whole network: {nodes} nodes and {edges} edges.", timeout=TIMEOUT_MS
    )
    assert page.evaluate("() => hubGraph.nodes().not('.caption').length") == nodes
    assert page.evaluate("() => hubGraph.edges().length") == edges
    assert sorted(pages) == ["NetworkEdges"] * 3 + ["NetworkNodes"] * 2
    assert session.fragment() == ("/graph", {"mode": ["network"]})
    # spread over the canvas by fCoSE, coloured by type, Berlin among the members.
    spread = page.evaluate("() => hubGraph.nodes().boundingBox()")
    assert spread["w"] > 400, spread
    assert spread["h"] > 400, spread
    colour = "id => hubGraph.getElementById(id).style('background-color')"
    assert page.evaluate(colour, hub.berlin) == "rgb(31,95,168)"
    assert page.evaluate(colour, hub.cisco) == "rgb(179,84,0)"
    session.assert_accessible()
    session.shot("network")

    # Types can be hidden, as around a member:
    page.get_by_role("checkbox", name="Partner").uncheck()
    assert page.evaluate("() => hubGraph.nodes('.filtered').length") == 46
    page.get_by_role("checkbox", name="Partner").check()

    # a click on Berlin shows its neighbours and links to its page,
    page.evaluate("() => hubGraph.fit(undefined, 20)")
    position = page.evaluate("id => hubGraph.getElementById(id).renderedPosition()", hub.berlin)
    box = page.locator("#graph-canvas").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + position["x"], box["y"] + position["y"])
    expect(page.get_by_role("heading", level=2, name="Berlin")).to_be_visible()
    degree = page.evaluate("id => hubGraph.getElementById(id).degree()", hub.berlin)
    shown = "() => hubGraph.nodes().filter(n => !n.hasClass('faded')).length"
    assert page.evaluate(shown) == degree + 1
    expect(page.get_by_role("link", name="Open its page")).to_have_attribute(
        "href", f"#/node/{hub.berlin}"
    )

    # and a path is highlighted in the whole network, which the URL keeps.
    page.get_by_label("From", exact=True).select_option(hub.berlin)
    page.get_by_label("To", exact=True).select_option(hub.accra)
    page.get_by_label("Go through hubs").check()
    page.get_by_role("button", name="Find path").click()
    steps = page.locator(".path-list li")
    expect(steps.last).to_contain_text("Accra")
    assert page.evaluate("() => hubGraph.nodes('.path').length") == steps.count()
    assert page.evaluate("() => hubGraph.nodes().not('.caption').length") == nodes
    assert session.fragment()[1]["mode"] == ["network"]
    session.assert_accessible()
    session.watch.assert_clean()


def test_map_has_a_marker_per_member_with_coordinates(session: Session) -> None:
    page = session.page
    # Given the map, drawn offline
    session.open("#/map")

    # then each member with coordinates has a marker, over the country shapes,
    markers = page.locator("svg.map a.marker.member")
    expect(markers).to_have_count(session.hub.located_members)
    assert session.hub.located_members == 75
    assert len(page.locator("svg.map path").nth(1).get_attribute("d") or "") > 10_000
    session.assert_accessible()
    session.shot("map")

    # and a marker opens its record's page.
    page.locator(f'svg.map a.marker[data-id="{session.hub.berlin}"]').click()
    assert session.fragment()[0] == f"/node/{quote(session.hub.berlin)}"
    expect(page.get_by_role("heading", level=1, name="Berlin")).to_be_visible(timeout=TIMEOUT_MS)
    session.watch.assert_clean()


def test_dashboards_chart_the_aggregates(session: Session) -> None:
    page = session.page
    # Given the dashboards
    session.open("#/dashboards")

    # then each aggregate is a chart.
    charts = page.locator("figure.chart")
    expect(charts).to_have_count(4)
    regions = page.get_by_role("group", name=re.compile("^Members per region"))
    expect(regions).to_have_attribute("aria-label", re.compile("Europe: 13"))
    expect(charts.nth(1).locator("rect")).not_to_have_count(0)
    expect(charts.nth(3).locator("a")).not_to_have_count(0)
    session.assert_accessible()
    session.shot("dashboards")
    session.watch.assert_clean()


def test_staff_edit_a_partner_and_settle_a_version_conflict(session: Session) -> None:
    page = session.page
    hub = session.hub
    # Given staff, with their key entered once, on Cisco's edit form
    session.open(f"#/node/{hub.cisco}")
    session.enter_key(hub.staff_key)
    expect(page.locator("#key-status")).to_have_text("Staff key accepted: you can edit records.")
    page.get_by_role("link", name="Edit and history").click()
    website = page.get_by_label("Website")
    expect(website).to_be_visible()
    session.assert_accessible()

    # when a bad website is saved, the hub's userError shows next to the field;
    website.fill("not a website")
    website.press("Enter")
    expect(website).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#error-website")).not_to_be_empty()
    session.shot("edit-error")

    # when a good one is saved,
    website.fill(
        "https://www.cisco.com/c/en/us/solutions/industries/smart-connected-communities.html"
    )
    page.get_by_role("button", name="Save changes").click()

    # then the form says so, the history shows it, and the record's page has it.
    expect(page.locator(".saved")).to_contain_text("Saved: now version 2.")
    history = page.get_by_role("table")
    expect(history).to_contain_text("website")
    expect(history).to_contain_text("Explorer tests (staff)")
    session.shot("edit")
    page.get_by_role("link", name="View the record").click()
    expect(page.locator(".facts")).to_contain_text("smart-connected-communities")

    # Given the form open at version 2 while someone else saves version 3,
    page.get_by_role("link", name="Edit and history").click()
    expect(page.get_by_text("Version 2.")).to_be_visible()
    update = {"id": hub.cisco, "expectedVersion": 2, "sector": "Networking"}
    assert hub.graphql(PARTNER_UPDATE, {"input": update})["partnerUpdate"]["userErrors"] == []

    # when this form is saved, the conflict is reported with the choice to make;
    page.get_by_label("Period").fill("2015-2018")
    page.get_by_role("button", name="Save changes").click()
    conflict = page.locator(".conflict")
    expect(conflict).to_contain_text("Changed by someone else")
    expect(conflict).to_contain_text("version 3")
    session.shot("conflict")

    # and overwriting saves this change over theirs, keeping theirs where it differs.
    conflict.get_by_role("button", name=re.compile("^Overwrite")).click()
    expect(page.locator(".saved")).to_contain_text("Saved: now version 4.")
    version = hub.graphql(PARTNER_VERSION, {"id": hub.cisco})["node"]["version"]
    assert version == 4
    session.watch.assert_clean()


def _as_key(hub: Hub, key: str) -> httpx.Response:
    """Cisco's contact details asked for with `key`, as a partner's app would."""
    return httpx.post(
        f"{hub.origin}/graphql",
        json={"query": CONTACT, "variables": {"id": hub.cisco}},
        headers={"authorization": f"Bearer {key}"},
    )


def test_an_admin_creates_a_partner_key_that_the_partner_then_uses(session: Session) -> None:
    page = session.page
    hub = session.hub
    # Given an admin, with their key entered once, on the Keys page
    session.open("#/search")
    session.enter_key(hub.admin_key)
    page.get_by_role("link", name="Keys", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="API keys")).to_be_visible()
    expect(page.locator(".keys-table")).to_contain_text("Explorer tests (admin)")
    session.assert_accessible()

    # when they create a partner key for Cisco, pasting Cisco's ID,
    page.get_by_label("Name (who or what the key is for)").fill("Cisco's dashboard")
    page.get_by_label("Role", exact=True).select_option("PARTNER")
    page.get_by_label("Partner", exact=True).fill(hub.cisco)
    page.get_by_role("button", name="Create key").click()

    # then the key is shown this once, with how to copy it,
    shown = page.get_by_label("New key", exact=True)
    expect(shown).to_have_value(re.compile("^mh_live_"))
    key = shown.input_value()
    expect(page.locator(".new-key")).to_contain_text("It is shown this once")
    expect(page.locator("#copy-note")).to_contain_text("Ctrl+C")
    # and listed with its partner, never whole,
    row = page.locator(".keys-table tr", has_text="Cisco's dashboard")
    expect(row).to_contain_text("partner")
    expect(row.get_by_role("link", name="Cisco")).to_have_attribute(
        "href", f"#/node/{quote(hub.cisco, safe='')}"
    )
    expect(row).to_contain_text(f"{key[:12]}…")
    assert key[12:20] not in page.locator(".keys-table").inner_text()
    session.assert_accessible()
    session.shot("keys")

    # and Cisco's app reads contact details with it.
    answer = _as_key(hub, key)
    assert answer.status_code == 200
    assert "errors" not in answer.json()
    assert answer.json()["data"]["node"]["contact"] is not None

    # When the admin rotates it, confirming,
    row.get_by_role("button", name=re.compile(r"^Rotate key \d+ \(Cisco's dashboard\)$")).click()
    confirm = page.get_by_role("button", name=re.compile(r"^Rotate key \d+$"))
    expect(confirm).to_be_focused()
    confirm.click()

    # then its replacement is shown once, and the old key is refused,
    expect(shown).not_to_have_value(key)
    replacement = shown.input_value()
    assert _as_key(hub, key).status_code == 401
    assert _as_key(hub, replacement).status_code == 200
    expect(row.first).to_contain_text("Rotated")

    # and once revoked, the replacement is refused too.
    page.get_by_role("button", name=re.compile(r"^Revoke key \d+ \(Cisco's dashboard\)$")).click()
    page.get_by_role("button", name=re.compile(r"^Revoke key \d+$")).click()
    expect(page.locator("#keys-status")).to_contain_text("revoked")
    assert _as_key(hub, replacement).status_code == 401
    expect(page.locator(".keys-table tr", has_text="Cisco's dashboard").last).to_contain_text(
        "Revoked"
    )
    session.watch.assert_clean()


def test_the_schema_page_shows_who_reads_which_field(session: Session) -> None:
    page = session.page
    hub = session.hub
    # Given a partner's app that read members' populations through the hub,
    answer = httpx.post(f"{hub.origin}/graphql", json={"query": CITY_POPULATIONS}, headers=CITY_APP)
    assert "errors" not in answer.json()
    # (its usage is written within the flush interval, a second here)
    _wait_for_client(hub, "city-app")

    # when staff, with their key entered, open the Schema page,
    session.open("#/search")
    session.enter_key(hub.staff_key)
    page.get_by_role("link", name="Schema", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Schema")).to_be_visible()

    # then the app is among the clients, with its version,
    clients = page.locator(".clients-table")
    expect(clients.locator("tr", has_text="city-app")).to_contain_text("2.0")
    # each of Member's fields is listed with its reads: population by the app's operation,
    usage = page.locator(".usage-table")
    expect(usage).to_contain_text(re.compile(r"Member: \d+ fields, \d+ unused"))
    population = usage.locator('tr[data-coordinate="Member.population"]')
    expect(population).to_contain_text("city-app 2.0, CityPopulations: 1")
    # and a field nobody read marked unused;
    expect(usage.locator('tr[data-coordinate="Member.geonamesId"]')).to_contain_text("Unused")
    expect(page.get_by_role("region", name="Subgraphs")).to_contain_text("No partner subgraph")
    session.assert_accessible()
    session.shot("schema")

    # another type is picked by keyboard, and the URL keeps it.
    page.get_by_label("Type", exact=True).select_option("Partner")
    page.get_by_role("button", name="Show its fields").press("Enter")
    expect(usage).to_contain_text("Partner:")
    assert session.fragment() == ("/schema", {"type": ["Partner"]})
    expect(page.locator('tr[data-coordinate="Partner.name"]')).to_be_visible()
    session.assert_accessible()
    session.watch.assert_clean()


def _wait_for_client(hub: Hub, name: str) -> None:
    """Until the hub's usage lists the client `name` (written every flush interval)."""
    for _ in range(100):
        if any(c["name"] == name for c in hub.graphql(CLIENT_NAMES)["clients"]):
            return
        time.sleep(0.1)
    pytest.fail(f"the hub never listed the client {name}")


def test_a_bad_key_gets_a_clear_message(session: Session) -> None:
    page = session.page
    # Given the explorer
    session.open()

    # when a key the hub does not know is entered,
    session.enter_key("mh_live_not-a-real-key")

    # then the page says the hub refused it and what to do,
    message = page.locator("#key-status")
    expect(message).to_have_attribute("role", "alert")
    expect(message).to_contain_text("The hub refused this key")
    expect(message).to_contain_text("Check the key and enter it again.")
    session.assert_accessible()
    session.shot("bad-key")

    # and the one failure is the refused key's 401 (and the browser's line about it).
    watch = session.watch
    assert watch.failed == [f"{session.hub.origin}/graphql: HTTP 401"]
    assert [line for line in watch.console if "401" not in line] == []
    watch.failed.clear()
    watch.console.clear()
    # An edit form without a key says what is missing.
    session.open(f"#/edit/{session.hub.cisco}")
    expect(page.get_by_role("main").get_by_role("alert")).to_contain_text(
        "Curation needs a staff key"
    )
    watch.assert_clean()


def test_page_names_no_other_origin(hub: Hub) -> None:
    # Given the explorer's page
    response = httpx.get(f"{hub.origin}{explorer.PATH}")

    # then it loads its script and style from the hub and allows nothing else.
    assert response.status_code == 200
    assert "://" not in response.text
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "connect-src 'self'" in policy
    assert "script-src 'self'" in policy
    for name in ("explorer.js", "explorer.css"):
        asset = httpx.get(f"{hub.origin}{explorer.PATH}/{name}")
        assert asset.status_code == 200, name
    assert httpx.get(f"{hub.origin}{explorer.PATH}/package.json").status_code == 404


def test_home_page_counts_the_network_and_its_coverage(session: Session) -> None:
    page = session.page
    hub = session.hub
    # Given the network's size as the API counts it,
    counts = hub.graphql(COUNTS)

    # when the explorer is opened at its home page,
    session.open()

    # then it names Metropolis and its purpose, and counts members, partners,
    # initiatives and UCLG sections,
    expect(page.get_by_role("heading", level=1, name="The Metropolis network")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text(
        "World Association of the Major Metropolises"
    )
    for name, shown in (
        ("members", "count-members"),
        ("partners", "count-partners"),
        ("initiatives", "count-initiatives"),
        ("uclgSections", "count-sections"),
    ):
        expect(page.locator(f"#{shown} .stat-value")).to_have_text(
            f"{counts[name]['totalCount']:,}"
        )
    assert counts["members"]["totalCount"] == 75
    # with the newest members, the latest initiatives and the ways in,
    expect(page.get_by_role("region", name="Newest members").get_by_role("link")).to_have_count(5)
    expect(page.get_by_role("region", name="Latest initiatives").get_by_role("link")).to_have_count(
        5
    )
    for way in ("Map", "Network graph", "Dashboards"):
        expect(page.get_by_role("link", name=way, exact=True).last).to_be_visible()
    session.assert_accessible()
    session.shot("home")
    session.watch.assert_clean()

    # and the share of members it holds against the latest size Metropolis
    # stated (one line, not one per statement), with the statement and its date.
    coverage = page.locator('.coverage[data-records="members"]')
    expect(coverage).to_have_count(1)
    expect(coverage).to_contain_text("75 of 163 members")
    expect(coverage).to_contain_text("163 member cities in 65 countries")
    expect(coverage).to_contain_text("2025-09")
    session.watch.assert_clean()


def test_map_opens_each_of_two_records_at_one_place(session: Session) -> None:
    page = session.page
    hub = session.hub
    # Given Île-de-France and the Métropole du Grand Paris, which share coordinates,
    french = {e["node"]["name"]: e["node"]["id"] for e in hub.graphql(PARIS)["members"]["edges"]}
    paris = [
        next(i for name, i in french.items() if "Île-de-France" in name),
        next(i for name, i in french.items() if "Grand Paris" in name),
    ]

    # when the map is opened,
    session.open("#/map")
    markers = [page.locator(f'svg.map a.marker[data-id="{id_}"]') for id_ in paris]

    # then their markers are spread apart, each one it own target,
    boxes = [box for marker in markers if (box := marker.bounding_box()) is not None]
    assert len(boxes) == 2
    centres = [(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2) for b in boxes]
    assert abs(centres[0][0] - centres[1][0]) + abs(centres[0][1] - centres[1][1]) >= 10
    # the legend lists only what is drawn (no partner has coordinates),
    legend = page.get_by_role("list", name="Legend")
    expect(legend).not_to_contain_text("Partner")
    expect(legend).to_contain_text("Europe")
    # and the map zooms, with its markers keeping their size.
    size = boxes[0]["width"]
    page.get_by_role("button", name="Zoom in").click()
    expect(page.locator("svg.map")).to_have_attribute("data-zoom", "2.00")
    zoomed = markers[0].bounding_box()
    assert zoomed is not None
    assert abs(zoomed["width"] - size) < 1
    page.get_by_role("button", name="Whole world").click()
    expect(page.locator("svg.map")).to_have_attribute("data-zoom", "1.00")
    session.assert_accessible()

    # Each opens its own page.
    for id_ in paris:
        session.open("#/map")
        page.locator(f'svg.map a.marker[data-id="{id_}"]').click()
        assert session.fragment()[0] == f"/node/{quote(id_)}"
        expect(page.get_by_role("heading", level=1)).to_contain_text(
            re.compile("Île-de-France|Grand Paris")
        )
    session.watch.assert_clean()


def test_a_path_between_members_avoids_hubs_unless_asked(session: Session) -> None:
    page = session.page
    hub = session.hub
    # Given São Paulo and Montevideo, joined through their region, the
    # Metropolis section and an initiative,
    ids = {e["node"]["name"]: e["node"]["id"] for e in hub.graphql(MEMBER_IDS)["members"]["edges"]}
    sao_paulo, montevideo = ids["São Paulo (City)"], ids["Montevideo"]
    session.open(f"#/graph?id={quote(sao_paulo)}")
    expect(page.locator("#graph-status")).to_contain_text("1 expanded")

    # when the path between them is asked for,
    page.get_by_label("From", exact=True).select_option(sao_paulo)
    page.get_by_label("To", exact=True).select_option(montevideo)
    page.get_by_role("button", name="Find path").click()

    # then it runs through the initiative they share, not through a hub,
    steps = page.locator(".path-list li")
    expect(page.get_by_role("heading", name=re.compile("avoiding hubs"))).to_be_visible()
    expect(steps).to_have_count(3)
    expect(steps.nth(1)).to_contain_text("(Initiative)")
    for hub_type in HUB_TYPES:
        expect(page.locator(".path-list")).not_to_contain_text(f"({hub_type})")
    assert "hubs" not in session.fragment()[1]
    session.assert_accessible()
    session.shot("path-without-hubs")

    # and with "Go through hubs" ticked, the shortest path may use one, and the
    # URL keeps the choice.
    page.get_by_label("Go through hubs").check()
    page.get_by_role("button", name="Find path").click()
    expect(page.get_by_role("heading", name=re.compile("avoiding hubs"))).to_have_count(0)
    expect(steps).to_have_count(3)
    assert session.fragment()[1]["hubs"] == ["1"]
    session.watch.assert_clean()


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_every_view_reads_well_on_a_desktop_and_a_phone(session: Session, width: str) -> None:
    page = session.page
    hub = session.hub
    page.set_viewport_size(DESKTOP if width == "desktop" else PHONE)
    views = [
        ("home", "", page.locator("#count-members")),
        ("search", "#/search?q=climate", page.locator(".hit").first),
        ("member", f"#/node/{quote(hub.berlin)}", page.locator(".facts")),
        ("partner", f"#/node/{quote(hub.cisco)}", page.locator(".facts")),
        ("graph", f"#/graph?id={quote(hub.berlin)}", page.get_by_text(re.compile("1 expanded"))),
        ("network", "#/graph?mode=network", page.get_by_text(re.compile("^The whole network:"))),
        ("map", "#/map", page.locator("svg.map a.marker").first),
        ("dashboards", "#/dashboards", page.locator("figure.chart").first),
    ]
    staff_views = [
        ("edit", f"#/edit/{quote(hub.cisco)}", page.get_by_role("button", name="Save changes")),
        ("keys", "#/keys", page.locator(".keys-table")),
        ("schema", "#/schema", page.locator(".usage-table")),
    ]
    # Given each view, and then the staff's views with an admin key,
    for number, (name, fragment, ready) in enumerate([*views, *staff_views]):
        if number == len(views):
            session.open()
            session.enter_key(hub.admin_key)
            expect(page.locator("#key-status")).to_contain_text("Staff key accepted")
        session.open(fragment)
        expect(ready).to_be_visible(timeout=TIMEOUT_MS)
        # then the page names Metropolis, shows one status line in its header,
        expect(page.get_by_role("banner")).to_contain_text("Metropolis Hub")
        assert page.locator("header [role=status], header [role=alert]").count() <= 1
        # nothing runs off the side of the screen,
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} is {overflow}px wider than the {width} screen"
        # and it passes axe-core's checks.
        session.assert_accessible()
        session.shot(f"{name}-{width}")
    session.watch.assert_clean()
