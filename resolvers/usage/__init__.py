"""Which clients use which operations and fields: recorded as the hub runs
operations and as gateways report theirs, kept per day, and read back for the
API and for schema checks (`usage_of`)."""

from resolvers.usage.deprecation import DeprecatedField, unused_deprecated_fields
from resolvers.usage.recorder import HUB_SOURCE, Operation, UsageRecorder, client_of
from resolvers.usage.reports import read_report, record_report
from resolvers.usage.signature import field_coordinates, operation_signature, signature_hash
from resolvers.usage.store import ClientUse, CoordinateUse, clients, signatures_of, usage_of

__all__ = [
    "HUB_SOURCE",
    "ClientUse",
    "CoordinateUse",
    "DeprecatedField",
    "Operation",
    "UsageRecorder",
    "client_of",
    "clients",
    "field_coordinates",
    "operation_signature",
    "read_report",
    "record_report",
    "signature_hash",
    "signatures_of",
    "unused_deprecated_fields",
    "usage_of",
]
