"""The reference data: real, sourced facts about Metropolis, read from
`db/reference/*.csv` (see `db/reference/SOURCES.md`) and from the network's
"About us" text (regions, focus areas, Action Plan 2015-2017).

Pure parsing: no database here. Links between records are resolved by name
where the data names both ends; names that cannot be resolved, or match more
than one record, are reported rather than guessed. The package is named apart
from `db/reference/`, the folder that holds the data files.
"""

from db.referencedata.facts import ABOUT_US_URL, ACTION_PLAN, FOCUS_AREAS, REGIONS
from db.referencedata.fields import normalise
from db.referencedata.loader import load_reference
from db.referencedata.rows import ReferenceData, Unresolved

__all__ = [
    "ABOUT_US_URL",
    "ACTION_PLAN",
    "FOCUS_AREAS",
    "REGIONS",
    "ReferenceData",
    "Unresolved",
    "load_reference",
    "normalise",
]
