"""What each field of a record means, written once.

A record type's field, its create and update inputs' fields, its `...Where`
filter and its `...OrderField` sort key say the same fact: each takes its text
from here, and adds only what is its own (a null's meaning on the type, a
bound or a default on an input). tests/test_descriptions.py checks over the
built schema that they do not drift apart.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ActionPlanFields",
    "ApiKeyFields",
    "FocusAreaFields",
    "InitiativeFields",
    "MemberFields",
    "ObjectiveFields",
    "PartnerFields",
    "RecordFields",
    "RegionFields",
    "UclgSectionFields",
]

# What the types add to a fact: a null's meaning.
NULL_WHERE_UNKNOWN: Final = " Null where unknown."
NULL_WHERE_UNSTATED: Final = " Null where no source states it."


class RecordFields:
    """The fields the curated records share."""

    WEBSITE: Final = "Its website."
    WEBSITE_URL: Final = " An http(s) URL."
    VERSION: Final = "Changes with every edit: send it back to update the record safely."
    PUBLICATION: Final = "Who can see the record: drafts and archived records are for staff only."
    CONFIDENCE: Final = "How sure the hub is of the record."
    STAFF_ONLY: Final = " Staff only."


class MemberFields:
    """A member government's fields."""

    NAME: Final = (
        "The name the sources give, with its qualifier where there is one "
        "(e.g. `Barcelona (Ajuntament / City Council)`)."
    )
    SHORT_NAME: Final = "The name without its qualifier (e.g. `Barcelona`)."
    COUNTRY: Final = "The country, as its ISO 3166-1 alpha-2 code (e.g. `DE`)."
    COUNTRY_NAME: Final = "The country's English name."
    REGION: Final = "The world region it belongs to."
    KIND: Final = "What kind of government it is."
    STATUS: Final = "Whether it is still a member."
    JOINED_YEAR: Final = "The year it joined."
    EVIDENCE: Final = "The statement that confirms its membership, as the source gives it."
    LATITUDE: Final = (
        "Latitude in degrees (WGS 84) of the city, or of the core city of a "
        "metropolitan or regional government."
    )
    LONGITUDE: Final = "Longitude in degrees (WGS 84), as for `latitude`."
    POPULATION: Final = (
        "Population of the city, or of the core city of a metropolitan or "
        "regional government (GeoNames)."
    )


class PartnerFields:
    """A partner organisation's fields."""

    NAME: Final = "The organisation's name."
    KIND: Final = "What kind of organisation it is."
    SECTOR: Final = (
        "The organisation's type as the source describes it "
        "(e.g. `multilateral (development bank)`)."
    )
    COUNTRY: Final = "Its home country, as its ISO 3166-1 alpha-2 code."
    DESCRIPTION: Final = "Its relationship with Metropolis, as the sources state it."
    PERIOD: Final = "The years the relationship is documented for (e.g. `2005-2020`, `n.d.`)."
    LATITUDE: Final = "Latitude in degrees (WGS 84) of its office."
    LONGITUDE: Final = "Longitude in degrees (WGS 84) of its office."


class InitiativeFields:
    """An initiative's fields."""

    TITLE: Final = "The initiative's title."
    KIND: Final = "Initiative or pilot project."
    PERIOD: Final = "Its period in words, as the source gives it (e.g. `2012-2014`)."
    START_YEAR: Final = "The first year of its period."
    END_YEAR: Final = "The last year of its period."
    STATUS: Final = "Where it stands."
    SUMMARY: Final = "Its topic, as the source states it."


class UclgSectionFields:
    """A UCLG section's fields."""

    NAME: Final = "The section's short name (e.g. `UCLG Africa`)."
    KIND: Final = "What the section covers."
    SEAT_CITY: Final = "The city of its seat."


class ActionPlanFields:
    """An action plan's fields."""

    TITLE: Final = "The plan's title."
    START_YEAR: Final = "The first year the plan covers."


class ObjectiveFields:
    """An action plan objective's fields."""

    TEXT: Final = "The objective, as the plan states it."


class RegionFields:
    """A world region's fields."""

    SLUG: Final = "A stable, URL-friendly name (e.g. `europe`)."
    NAME: Final = "The region's name."


class FocusAreaFields:
    """A focus area's fields."""

    SLUG: Final = "A stable, URL-friendly name."
    NAME: Final = "The mission's name."


class ApiKeyFields:
    """An API key's fields."""

    NAME: Final = "Who or what the key is for."
    ROLE: Final = "What the key may do: `partner`, `staff`, `admin` or `gateway`."
