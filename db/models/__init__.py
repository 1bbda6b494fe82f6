"""The network graph as tables: typed SQLAlchemy 2 models.

Every record carries its provenance (where the fact comes from, how sure we
are, and whether it is reference data, staff input, a partner's submission or
generated demo data). Editable records carry a `version` for optimistic
concurrency. Relationships are `lazy="raise"`: reads go through batched
queries, so a missed batch fails loudly instead of issuing one query per row.
"""

from db.models.base import Base
from db.models.enums import (
    Confidence,
    InitiativeKind,
    InitiativeStatus,
    MemberKind,
    MemberRole,
    MemberStatus,
    Origin,
    PartnerKind,
    PartnerRole,
    Publication,
    Role,
    SectionKind,
    SustainabilityDimension,
)
from db.models.network import (
    ActionPlan,
    FocusArea,
    Initiative,
    InitiativeDimension,
    InitiativeFocusArea,
    InitiativeObjective,
    Member,
    MemberInitiative,
    MemberSection,
    NetworkSize,
    Objective,
    Partner,
    PartnerFocusArea,
    PartnerInitiative,
    PartnerMember,
    Region,
    UclgSection,
)
from db.models.quality import UnlinkedName
from db.models.service import (
    ApiKey,
    AuditEntry,
    IdempotencyRecord,
    Subgraph,
    SubgraphVersion,
    TrustedDocument,
)
from db.models.usage import UsageField, UsageOperation

__all__ = [
    "ActionPlan",
    "ApiKey",
    "AuditEntry",
    "Base",
    "Confidence",
    "FocusArea",
    "IdempotencyRecord",
    "Initiative",
    "InitiativeDimension",
    "InitiativeFocusArea",
    "InitiativeKind",
    "InitiativeObjective",
    "InitiativeStatus",
    "Member",
    "MemberInitiative",
    "MemberKind",
    "MemberRole",
    "MemberSection",
    "MemberStatus",
    "NetworkSize",
    "Objective",
    "Origin",
    "Partner",
    "PartnerFocusArea",
    "PartnerInitiative",
    "PartnerKind",
    "PartnerMember",
    "PartnerRole",
    "Publication",
    "Region",
    "Role",
    "SectionKind",
    "Subgraph",
    "SubgraphVersion",
    "SustainabilityDimension",
    "TrustedDocument",
    "UclgSection",
    "UnlinkedName",
    "UsageField",
    "UsageOperation",
]
