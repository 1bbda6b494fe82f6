"""Reading the reference data: how names, years and kinds are derived."""

from __future__ import annotations

import pytest

from db.models import Confidence, MemberKind, MemberRole, PartnerKind, PartnerRole
from db.referencedata import ReferenceData, load_reference
from db.referencedata.facts import MEMBER_ALIASES
from db.referencedata.fields import (
    NameIndex,
    joined_year,
    member_kind,
    normalise,
    partner_kind,
    period_years,
    source_urls,
)


def test_names_match_regardless_of_accents_case_and_punctuation() -> None:
    assert normalise("São Paulo") == normalise("sao paulo") == "sao paulo"
    assert normalise("Montréal") == normalise("MONTREAL")
    assert normalise("Île-de-France Region") == "ile de france region"


def test_a_name_shared_by_two_members_is_ambiguous_not_guessed() -> None:
    names = ["São Paulo (State)", "São Paulo (City)", "Berlin", "Brussels-Capital Region"]
    index = NameIndex(names, MEMBER_ALIASES)
    assert index.find("São Paulo")[0] == ["São Paulo (City)", "São Paulo (State)"]
    assert index.find("São Paulo (State Government)", "São Paulo")[0] == ["São Paulo (State)"]
    assert index.find("Brussels") == (["Brussels-Capital Region"], Confidence.MEDIUM)
    assert index.find("Melbourne") == ([], Confidence.HIGH)


def test_an_alias_names_a_record_only_when_the_files_hold_it() -> None:
    # Given data files without the member an alias points to (an earlier edition),
    index = NameIndex(["Berlin"], MEMBER_ALIASES)
    # then the alias finds nothing rather than a record that does not exist.
    assert index.find("Greater Lyon") == ([], Confidence.HIGH)
    lyon = "Métropole de Lyon (Greater Lyon)"
    assert NameIndex([lyon], MEMBER_ALIASES).find("Greater Lyon") == ([lyon], Confidence.HIGH)


@pytest.mark.parametrize(
    ("period", "years"),
    [
        ("2012-2014", (2012, 2014)),
        ("2012-2014 (approved Nov 2011 for 2012)", (2012, 2014)),
        ("2014 (listed under 2014 guidelines)", (2014, 2014)),
        ("2016- (launched end 2016)", (2016, None)),
        ("n.d. (builds on Dakar's 2016 climate-energy plan)", (None, None)),
    ],
)
def test_period_years(period: str, years: tuple[int | None, int | None]) -> None:
    assert period_years(period) == years


@pytest.mark.parametrize(
    ("evidence", "statement_year", "year"),
    [
        ("Regional Secretary for Europe; member since 1991", 2020, 1991),
        ("Joined at Porto Alegre congress 2011 (126 members)", 2011, 2011),
        ("Moscow mayoral order No. 89-RM of 27 March 2003 'On membership in ...'", None, 2003),
        ("New member ratified 2018", 2018, 2018),
        ("Approved as new member at BoD 2015", 2015, 2015),
        ("Regional Secretary for Africa", 2020, None),
    ],
)
def test_joined_year_only_where_a_source_states_it(
    evidence: str, statement_year: int | None, year: int | None
) -> None:
    assert joined_year(evidence, statement_year) == year


def test_member_and_partner_kinds() -> None:
    assert member_kind("São Paulo (State)") is MemberKind.REGIONAL_GOVERNMENT
    assert member_kind("Gauteng (Provincial Government)") is MemberKind.REGIONAL_GOVERNMENT
    assert member_kind("Barcelona Metropolitan Area (AMB)") is MemberKind.METROPOLITAN_AREA
    assert member_kind("Antalya (Metropolitan Municipality)") is MemberKind.CITY
    assert partner_kind("multilateral (development bank)", "") is PartnerKind.DEVELOPMENT_FINANCE
    assert partner_kind("think tank", "Academic / Knowledge partner") is PartnerKind.ACADEMIC
    assert partner_kind("business (technology)", "") is PartnerKind.BUSINESS
    assert partner_kind("organisation", "") is PartnerKind.OTHER


def test_source_urls_are_extracted_from_annotated_text() -> None:
    text = "https://a.example/x (Xinhua 2018: 'quoted'); https://b.example/y ; https://a.example/x"
    assert source_urls(text) == ["https://a.example/x", "https://b.example/y"]


def test_initiative_links_resolve_roles_from_the_data() -> None:
    data = load_reference()
    members = {(link.member, link.initiative): link.role for link in data.member_links}
    partners = {(link.partner, link.initiative): link.role for link in data.partner_links}
    assert members[("São Paulo (City)", _title(data, "Cooperation between public"))] is (
        MemberRole.LEAD
    )
    assert members[("Montevideo", _title(data, "Metropolis Energy"))] is MemberRole.PARTICIPANT
    assert partners[("Cisco", _title(data, "Promotion and Development"))] is PartnerRole.LEAD
    assert partners[("Merience", _title(data, "Metropolis Energy"))] is (
        PartnerRole.TECHNICAL_PARTNER
    )
    revitalisation = _title(data, "Innovations in revitalisation")
    assert members[("Brussels-Capital Region", revitalisation)] is MemberRole.LEAD
    assert members[("Montréal", revitalisation)] is MemberRole.PARTICIPANT
    clearing_house = _title(data, "CLEARING HOUSE")
    assert members[("Barcelona Metropolitan Area (AMB)", clearing_house)] is (
        MemberRole.PARTICIPANT
    )
    assert partners[("European Forest Institute", clearing_house)] is PartnerRole.LEAD
    # The network itself, named as a party, is no record to link nor a name left over.
    assert not [u for u in data.unresolved if u.name == "Metropolis"]
    agile = _title(data, "Agile Cities")
    assert {p for (p, i), role in partners.items() if i == agile and role is PartnerRole.LEAD} == {
        "Living Labs Global",
        "Citymart.com",
        "The Climate Group",
    }


def _title(data: ReferenceData, prefix: str) -> str:
    return next(i.title for i in data.initiatives if i.title.startswith(prefix))
