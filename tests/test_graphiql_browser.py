"""GraphiQL is served fully offline and really works in a browser.

The application under test is the hub (the ``graphiql_app`` fixture).

The browser test drives Debian's Chromium (``apt-get install -y chromium``)
through Playwright, with every request that is not for the test server's own
loopback origin aborted and recorded.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from playwright.sync_api import ConsoleMessage, Route, expect, sync_playwright
from playwright.sync_api import Request as BrowserRequest
from playwright.sync_api import Response as BrowserResponse
from starlette.applications import Starlette
from starlette.types import ASGIApp

import web
from app.tabs import EXAMPLE_TABS
from db.engine import Database
from db.models import Role
from resolvers.access.keys import issue_key
from server import create_app
from settings import Settings
from tests.conftest import GraphQLClient, serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Belt and braces: no host name resolves, so nothing the browser does on
    # its own (outside page routing) can reach the network either.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
GRAPHIQL_PATH = "/graphql"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
TIMEOUT_MS = 30_000


@pytest.fixture
def graphiql_app(settings: Settings) -> ASGIApp:
    """The app under test: the hub itself, on a fresh seeded database, in
    production mode, where anonymous callers may not introspect: the
    playground reads the client schema from `/schema.json` instead."""
    return create_app(replace(settings, development=False))


@pytest.fixture
def live_server(graphiql_app: ASGIApp) -> Iterator[str]:
    with serving(graphiql_app) as origin:
        yield origin


class _LinkCollector(HTMLParser):
    """Collect every ``src`` and ``href`` attribute value of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls.extend(v or "" for k, v in attrs if k in ("src", "href"))


@pytest.mark.asyncio
async def test_page_loads_only_local_assets(graphiql_app: ASGIApp) -> None:
    """Every src/href is a local /assets/ URL, and each one answers 200."""
    transport = httpx.ASGITransport(app=graphiql_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
        page = await client.get(GRAPHIQL_PATH, headers={"accept": "text/html"})
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "<title>Metropolis Hub — GraphiQL</title>" in page.text
        assert "://" not in page.text, "the page names an external URL"

        collector = _LinkCollector()
        collector.feed(page.text)
        assert len(collector.urls) >= 4  # css + react + react-dom + graphiql
        # The empty data: icon keeps browsers from asking for /favicon.ico.
        assert collector.urls.count("data:,") == 1
        for url in (u for u in collector.urls if u != "data:,"):
            assert url.startswith(web.ASSET_URL_PREFIX), url
            asset = await client.get(url)
            assert asset.status_code == 200, url
            assert asset.headers["cache-control"].startswith("public, max-age="), url
            expected = "text/css" if url.split("?")[0].endswith(".css") else "text/"
            assert asset.headers["content-type"].startswith(expected), url


@pytest.mark.asyncio
async def test_asset_route_allow_list_and_missing_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Unknown names are 404; an allowed file missing from disk is a clear 503."""
    app = Starlette(routes=web.asset_routes())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
        assert (await client.get("/assets/package.json")).status_code == 404
        assert (await client.get("/assets/..%2Fpackage.json")).status_code == 404
        assert (await client.get("/assets/")).status_code == 404

        head = await client.head("/assets/graphiql.min.js")
        assert head.status_code == 200
        assert head.headers["content-type"].startswith("text/javascript")

        monkeypatch.setitem(web.ASSETS, "graphiql.min.js", tmp_path / "missing.js")
        missing = await client.get("/assets/graphiql.min.js")
        assert missing.status_code == 503
        assert missing.text == web.MISSING_ASSETS_MESSAGE


def test_example_tabs_are_escaped_into_the_page() -> None:
    """The example tabs survive quotes/newlines and cannot close the script."""
    query = 'query Q {\n  a(x: "</script><script>alert(1)</script>")\n}\n'
    page = web.graphiql_page(
        "/gql?a=1&b=2", "/schema.json", [web.Tab(query, '{"x": 1}'), web.Tab("{ b }")]
    )
    assert "</script><script>alert" not in page
    assert page.count("</script>") == 4  # three asset scripts + the boot script
    start = page.index("var config = ") + len("var config = ")
    config = json.loads(page[start : page.index(";\n", start)])
    assert config == {
        "endpoint": "/gql?a=1&b=2",
        "schema": "/schema.json",
        "staffKeyStorage": "metrohub.staffKey",
        "defaultQuery": query,
        "defaultTabs": [
            {"query": query, "variables": '{"x": 1}'},
            {"query": "{ b }", "variables": None},
        ],
    }


@pytest.mark.parametrize("tab", EXAMPLE_TABS, ids=lambda tab: tab.query.split("query ")[1][:20])
async def test_each_example_tab_runs_on_the_reference_data(
    graphql: GraphQLClient, tab: web.Tab
) -> None:
    """Each example operation the playground opens with answers without errors."""
    data = await graphql.data(tab.query, json.loads(tab.variables or "{}"))
    assert all(value for value in data.values()), data


TYPED_QUERY = "{ regions(first: 2) { totalCount edges { node { name } } } }"
MEMBER_DESCRIPTION = "A member government of Metropolis"


def _is_introspection(response: BrowserResponse) -> bool:
    """Tell the client schema's introspection result, read as the page starts."""
    return urlsplit(response.url).path == "/schema.json"


def _is_typed_query_run(response: BrowserResponse) -> bool:
    """Tell the POST that runs the typed query from GraphiQL's introspection."""
    body = response.request.post_data or ""
    return (
        response.request.method == "POST"
        and "regions(first: 2)" in body
        and "IntrospectionQuery" not in body
    )


def test_graphiql_renders_and_runs_a_query_offline(live_server: str) -> None:
    """GraphiQL renders, runs a query, logs no errors and never leaves loopback."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    origin = urlsplit(live_server)
    offsite: list[str] = []
    failed: list[str] = []
    console_problems: list[str] = []
    page_errors: list[str] = []

    def guard(route: Route) -> None:
        url = urlsplit(route.request.url)
        if (url.scheme, url.netloc) == (origin.scheme, origin.netloc):
            route.continue_()
        else:
            offsite.append(route.request.url)
            route.abort("blockedbyclient")

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            console_problems.append(f"{message.type}: {message.text}")

    def on_request_failed(request: BrowserRequest) -> None:
        failed.append(f"{request.url}: {request.failure}")

    def on_response(response: BrowserResponse) -> None:
        if response.status >= 400:
            failed.append(f"{response.url}: HTTP {response.status}")

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            context.route("**/*", guard)
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.on("console", on_console)
            page.on("pageerror", lambda error: page_errors.append(str(error)))
            page.on("requestfailed", on_request_failed)
            page.on("response", on_response)
            try:
                # The playground opens with the example operations,
                with page.expect_response(_is_introspection) as introspected:
                    page.goto(live_server + GRAPHIQL_PATH, wait_until="load")
                assert introspected.value.ok
                assert "errors" not in introspected.value.json()
                expect(page.locator(".graphiql-container")).to_be_visible()
                editor = page.locator(".graphiql-query-editor")
                expect(editor).to_contain_text("query MembersWithInitiatives")
                # one tab per example: a partner app's two, a search and a path,
                tabs = page.locator(".graphiql-tab")
                expect(tabs).to_have_count(4)
                for name in ("MembersWithInitiatives", "PartnerDirectory", "Search", "Path"):
                    expect(tabs.filter(has_text=name)).to_have_count(1)
                # each readable whole, with no line running past the editor's edge,
                scroller = page.locator(".graphiql-query-editor .CodeMirror-scroll")
                for index in range(4):
                    tabs.nth(index).click()
                    width = scroller.evaluate("e => [e.scrollWidth, e.clientWidth]")
                    assert width[0] <= width[1], f"tab {index + 1} is clipped: {width}"
                tabs.first.click()

                # its docs describe the API's types to an anonymous caller,
                page.get_by_role("button", name="Show Documentation Explorer").click()
                search = page.locator(".graphiql-doc-explorer-search-input input")
                search.fill("Member")
                page.locator(".graphiql-doc-explorer-search").get_by_role(
                    "option", name="Member", exact=True
                ).click()
                docs = page.locator(".graphiql-doc-explorer")
                expect(docs).to_contain_text(MEMBER_DESCRIPTION)
                expect(docs).not_to_contain_text("_entities")
                # and its editor completes a field of Member,
                editor.click()
                page.keyboard.press("Control+A")
                page.keyboard.type("{ members(first: 1) { edges { node { popul")
                expect(page.locator(".CodeMirror-hint").first).to_have_text("population")

                # and a link with `#query=` opens that document, ready to run.
                page.wait_for_load_state("networkidle")
                page.goto("about:blank")
                with page.expect_response(_is_introspection):
                    page.goto(
                        f"{live_server}{GRAPHIQL_PATH}#{urlencode({'query': TYPED_QUERY})}",
                        wait_until="load",
                    )
                expect(editor).to_contain_text("regions(first: 2)")
                with page.expect_response(_is_typed_query_run) as executed:
                    page.locator(".graphiql-execute-button").click()
                assert executed.value.ok
                body = executed.value.json()
                assert "errors" not in body, body
                assert body["data"]["regions"]["totalCount"] == 4

                response_pane = page.locator(".graphiql-response")
                expect(response_pane).to_contain_text('"totalCount": 4')
                expect(response_pane).to_contain_text('"name": "Americas & Caribbean"')
            finally:
                page.screenshot(path=str(ARTIFACTS / "graphiql.png"))
                context.close()
        finally:
            browser.close()

    assert offsite == [], f"requests left the loopback origin: {offsite}"
    assert failed == [], f"failed requests: {failed}"
    assert page_errors == [], f"uncaught page errors: {page_errors}"
    assert console_problems == [], f"console errors/warnings: {console_problems}"


def test_graphiql_sends_the_explorers_staff_key(live_server: str, settings: Settings) -> None:
    """Opened from the explorer in staff mode, GraphiQL sends the staff key."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    key = asyncio.run(_staff_key(settings))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.set_default_timeout(TIMEOUT_MS)
            # Given a tab where the explorer keeps a staff key
            page.goto(live_server + "/explorer", wait_until="load")
            page.evaluate("key => sessionStorage.setItem('metrohub.staffKey', key)", key)
            # When GraphiQL is opened there with a query only staff may run, and run
            page.goto(
                f"{live_server}{GRAPHIQL_PATH}#{urlencode({'query': STAFF_QUERY})}",
                wait_until="load",
            )
            expect(page.locator(".graphiql-query-editor")).to_contain_text("changes")
            with page.expect_response(_is_staff_query_run) as executed:
                page.locator(".graphiql-execute-button").click()
            # Then it ran with the key, and the hub answered as to staff
            assert executed.value.request.headers["authorization"] == f"Bearer {key}"
            body = executed.value.json()
            assert "errors" not in body, body
            assert body["data"]["changes"]["totalCount"] >= 0
        finally:
            browser.close()


STAFF_QUERY = "{ changes(first: 1) { totalCount } }"


async def _staff_key(settings: Settings) -> str:
    database = Database(settings.database_url)
    try:
        return (await issue_key(database, name="staff", role=Role.STAFF)).key
    finally:
        await database.dispose()


def _is_staff_query_run(response: BrowserResponse) -> bool:
    return response.request.method == "POST" and "changes" in (response.request.post_data or "")
