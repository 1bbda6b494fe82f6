"""The explorer's data-quality page, driven in Debian's headless Chromium
against a live hub, with the explorer tests' hub, browser and checks (every
request stays on the hub's origin, no console error, axe-core clean)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.test_explorer_browser import Session
from tests.test_explorer_browser import browser as browser  # the module's fixtures
from tests.test_explorer_browser import hub as hub
from tests.test_explorer_browser import session as session

A_REGION = "{ regions(first: 1) { edges { node { id } } } }"
MEMBER_CREATE = """
mutation Create($input: MemberCreateInput!) {
  memberCreate(input: $input) { member { id } userErrors { code } }
}
"""
POPULATION = "query Population($id: ID!) { node(id: $id) { ... on Member { population } } }"
NAME = "Quality Fix City"


def _count(session: Session, kind: str) -> int:
    row = session.page.get_by_role("row", name=re.compile(f"^{kind} "))
    return int(row.get_by_role("cell").inner_text())


def test_the_data_quality_list_leads_to_a_fix(session: Session) -> None:
    page, hub = session.page, session.hub
    # Given a member entered without a population,
    region = hub.graphql(A_REGION)["regions"]["edges"][0]["node"]["id"]
    values = {"name": NAME, "country": "FR", "regionId": region, "kind": "CITY"}
    created = hub.graphql(MEMBER_CREATE, {"input": {**values, "sources": ["https://example.org"]}})
    member = created["memberCreate"]["member"]["id"]
    # and staff with their key on the data-quality page, in the staff navigation,
    session.open("#/search")
    session.enter_key(hub.staff_key)
    page.get_by_role("navigation").get_by_role("link", name="Data quality").click()
    missing = page.get_by_role("region", name=re.compile("^Missing population"))
    expect(missing.get_by_role("link", name=NAME)).to_be_visible()
    before = _count(session, "Missing population")
    assert before >= 1
    expect(
        page.get_by_role("region", name=re.compile("^Names the seed could not link"))
    ).to_be_visible()
    session.assert_accessible()
    session.shot("quality")

    # when they open its item from the keyboard, the form opens on the field to fix;
    missing.get_by_role("link", name=NAME).focus()
    page.keyboard.press("Enter")
    population = page.get_by_label("Population")
    expect(population).to_be_focused()
    session.assert_accessible()
    page.keyboard.type("250000")
    page.keyboard.press("Enter")
    expect(page.locator(".saved")).to_contain_text("Saved: now version 2.")
    assert hub.graphql(POPULATION, {"id": member})["node"]["population"] == 250000

    # then back on the list, the item is gone and the count one lower,
    page.go_back()
    missing = page.get_by_role("region", name=re.compile("^Missing population"))
    expect(missing).to_be_visible()
    expect(missing.get_by_role("link", name=NAME)).to_have_count(0)
    assert _count(session, "Missing population") == before - 1
    # while the coordinates it still lacks keep it on that list (past its first page).
    located = page.get_by_role("region", name=re.compile("^Missing coordinates"))
    shown = located.get_by_role("listitem").count()
    located.get_by_role("button", name=re.compile("^Show more")).click()
    expect(located.get_by_role("link", name=NAME)).to_be_visible()
    assert located.get_by_role("listitem").count() > shown
    expect(located.get_by_role("button")).to_have_count(0)
    session.assert_accessible()
    session.watch.assert_clean()


def test_a_medium_confidence_record_is_confirmed_in_its_form(session: Session) -> None:
    page, hub = session.page, session.hub
    # Given staff on the data-quality page, with medium-confidence records listed,
    session.open("#/search")
    session.enter_key(hub.staff_key)
    session.open("#/quality")
    medium = page.get_by_role("region", name=re.compile("^Medium confidence"))
    first = medium.get_by_role("listitem").first.get_by_role("link")
    name = first.inner_text()
    before = _count(session, "Medium confidence")
    # when one is opened, its confidence raised and a source added,
    first.click()
    confidence = page.get_by_label("Confidence")
    expect(confidence).to_be_focused()
    confidence.select_option("HIGH")
    sources = page.get_by_label("Sources (one URL a line)")
    sources.fill(sources.input_value() + "\nhttps://www.metropolis.org/members")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".saved")).to_contain_text("Saved:")
    expect(page.get_by_role("table")).to_contain_text("confidence")
    expect(page.get_by_label("Sources (one URL a line)")).to_have_value(
        re.compile(r"\nhttps://www\.metropolis\.org/members$")
    )

    # then it leaves the list.
    page.go_back()
    medium = page.get_by_role("region", name=re.compile("^Medium confidence"))
    expect(medium).to_be_visible()
    expect(medium.get_by_role("link", name=name, exact=True)).to_have_count(0)
    assert _count(session, "Medium confidence") == before - 1
    session.watch.assert_clean()
