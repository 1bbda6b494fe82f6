"""The facts kept by hand beside the data files: the regions, focus areas and
Action Plan from the network's "About us" text, the spellings that name the
same record, and the keywords that classify initiatives."""

from __future__ import annotations

from db.models import Confidence, SustainabilityDimension
from db.referencedata.rows import ActionPlanRow, FocusAreaRow, RegionRow

__all__ = [
    "ABOUT_US_URL",
    "ACTION_PLAN",
    "DIMENSION_KEYWORDS",
    "FOCUS_AREAS",
    "FOCUS_AREA_KEYWORDS",
    "MEMBER_ALIASES",
    "NETWORK_NAMES",
    "OBJECTIVE_KEYWORDS",
    "PARTNER_ALIASES",
    "PARTNER_MEMBER_LINKS",
    "REGIONS",
    "SECRETARIAT_REGIONS",
]

ABOUT_US_URL = "https://www.metropolis.org/about-us"

# The seed's four world regions. The data files use the five regional
# secretariats' names; both Americas secretariats map to one region.
REGIONS = (
    RegionRow("africa", "Africa"),
    RegionRow("americas-caribbean", "Americas & Caribbean"),
    RegionRow("asia-pacific", "Asia & Pacific"),
    RegionRow("europe", "Europe"),
)
SECRETARIAT_REGIONS = {
    "Africa": "africa",
    "Latin America & Caribbean": "americas-caribbean",
    "North America": "americas-caribbean",
    "Asia-Pacific": "asia-pacific",
    "Europe": "europe",
}

# The six missions, quoted from the "About us" text.
FOCUS_AREAS = (
    FocusAreaRow(
        "metropolitan-governance",
        "Metropolitan governance",
        "Understood as the collaboration between metropolitan governments and other levels "
        "of local, regional and state governments; as well as the cooperation with other "
        "public institutions and private organizations.",
    ),
    FocusAreaRow(
        "technical-financial-assistance",
        "Technical/financial assistance",
        "To mobilize new financial resources for investments marked at sustainable and "
        "efficient development.",
    ),
    FocusAreaRow(
        "mutual-learning",
        "Mutual learning",
        "As a result of the transfer of knowledge, practices and experiences between "
        "metropolitan governments and their associates.",
    ),
    FocusAreaRow(
        "innovation",
        "Innovation",
        "Understood as a result of collaboration between city governments and groundbreaking "
        "businesses and entities in the management of urban issues.",
    ),
    FocusAreaRow(
        "international-forums",
        "Presence in international forums",
        "Presence in international forums and the defense of city interests and concerns.",
    ),
    FocusAreaRow(
        "city-trends",
        "Debate on city trends",
        "The debate about ideas on city trends and evolution.",
    ),
)

ACTION_PLAN = ActionPlanRow(
    "Action Plan 2015-2017",
    2015,
    2017,
    (
        "Represent and give international political visibility to metropolitan interests",
        "Promote reflection on trends in the evolution of cities",
        "Find innovative solutions to metropolitan problems",
        "Contribute to metropolitan governance to reduce metropolitan imbalances",
        "Promote financial and technical assistance to metropolitan areas in developing countries",
        "Promote mutual learning, capacity building and training",
    ),
)

# Names the initiative and section files use for a record that the members and
# partners files spell differently. Each maps to the record's reference name,
# with the confidence of the match.
MEMBER_ALIASES: dict[str, tuple[str, Confidence]] = {
    "São Paulo (State Government)": ("São Paulo (State)", Confidence.HIGH),
    "São Paulo (prefecture)": ("São Paulo (City)", Confidence.HIGH),
    "Barcelona (City Council)": ("Barcelona (Ajuntament / City Council)", Confidence.HIGH),
    "Berlin (Senate Department for Urban Development and the Environment)": (
        "Berlin",
        Confidence.HIGH,
    ),
    "Intendencia de Montevideo": ("Montevideo", Confidence.HIGH),
    "Valle de Aburrá Metropolitan Area": (
        "Valle de Aburrá (Metropolitan Area)",
        Confidence.HIGH,
    ),
    "City of Montréal": ("Montréal", Confidence.HIGH),
    # The members file gives this name in the member's own label.
    "Greater Lyon": ("Métropole de Lyon (Greater Lyon)", Confidence.HIGH),
    # The member is the region's government; the source names the city.
    "Brussels": ("Brussels-Capital Region", Confidence.MEDIUM),
}
PARTNER_ALIASES: dict[str, str] = {
    "United Nations Global Compact Cities Programme": "UN Global Compact Cities Programme",
    "Institute for Culture and Society, Western Sydney University": (
        "Western Sydney University – Institute for Culture and Society"
    ),
    # The region's planning agency, named with its region.
    "Île-de-France Region / Paris Region Institute": (
        "Paris Region Institute (L'Institut Paris Region)"
    ),
}
# The network itself, named among an initiative's parties: every initiative is
# the network's, so it is no link to make (and no name left unlinked).
NETWORK_NAMES = ("Metropolis",)

# Direct partner-member partnerships the partners file states, with the phrase
# of its relationship column that states it (checked when loading).
PARTNER_MEMBER_LINKS = (
    (
        "Guangzhou International Award for Urban Innovation",
        "Guangzhou",
        "co-promoted with Guangzhou since 2011",
    ),
    (
        "Western Sydney University – Institute for Culture and Society",
        "Berlin",
        "co-runs Policy Transfer Platform with Berlin",
    ),
    (
        "Ajuntament de Barcelona",
        "Barcelona (Ajuntament / City Council)",
        "hosts Secretariat General",
    ),
)

# Classification of initiatives from the topic the source states (title and
# theme): keyword -> focus area / dimension / Action Plan objective. These
# links are derived, so they carry medium confidence.
FOCUS_AREA_KEYWORDS = {
    "metropolitan-governance": ("governance",),
    "technical-financial-assistance": ("financ", "ppp", "public-private"),
    "mutual-learning": (
        "mutual learning",
        "policy transfer",
        "knowledge",
        "training",
        "mentoring",
        "experiences",
        "dialogue",
    ),
    "innovation": ("innovation", "digital", "technolog", "labs"),
    "city-trends": ("indicators", "observatory", "trends"),
}
DIMENSION_KEYWORDS = {
    SustainabilityDimension.ENVIRONMENTAL: ("climate", "energy", "green", "environmental"),
    SustainabilityDimension.ECONOMIC: (
        "econom",
        "growth",
        "financ",
        "ppp",
        "procurement",
        "smes",
        "public-private",
    ),
    SustainabilityDimension.SOCIAL: (
        "social",
        "inclusion",
        "informal settlement",
        "slum",
        "wellbeing",
        "participation",
        "citizen",
    ),
    SustainabilityDimension.CULTURAL: ("cultur",),
}
# Positions (1-based) in ACTION_PLAN.objectives.
OBJECTIVE_KEYWORDS = {
    2: ("indicators", "observatory", "trends"),
    3: ("innovation", "labs", "innovative"),
    4: ("governance",),
    5: ("financ",),
    6: ("mutual learning", "policy transfer", "training", "capacity"),
}
