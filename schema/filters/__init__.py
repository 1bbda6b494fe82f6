"""Filter and order inputs: `where:` and `orderBy:` on every list.

`operators` holds the conditions a field takes, `where` each type's
`...Where` input and `to_filter`, `order` the sort keys and `to_order`.
"""

from schema.filters.order import (
    ORDER_BY,
    ActionPlanOrder,
    InitiativeOrder,
    MemberOrder,
    PartnerOrder,
    UclgSectionOrder,
    to_order,
)
from schema.filters.where import (
    ROLES,
    WHERE,
    ActionPlanWhere,
    FocusAreaWhere,
    InitiativeWhere,
    MemberWhere,
    ObjectiveWhere,
    PartnerWhere,
    RegionWhere,
    UclgSectionWhere,
    to_filter,
)

__all__ = [
    "ORDER_BY",
    "ROLES",
    "WHERE",
    "ActionPlanOrder",
    "ActionPlanWhere",
    "FocusAreaWhere",
    "InitiativeOrder",
    "InitiativeWhere",
    "MemberOrder",
    "MemberWhere",
    "ObjectiveWhere",
    "PartnerOrder",
    "PartnerWhere",
    "RegionWhere",
    "UclgSectionOrder",
    "UclgSectionWhere",
    "to_filter",
    "to_order",
]
