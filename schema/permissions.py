"""Who may read which fields: permission classes, applied in the schema.

(Which rows a principal sees is one rule in `resolvers.access.visibility`.)
"""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from schema.context import Info

__all__ = ["AdminOnly", "PartnersAndStaff", "StaffOnly"]


class PartnersAndStaff(BasePermission):
    message = "Contact details are for partner and staff keys: send `Authorization: Bearer <key>`."
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.principal.is_partner_or_staff


class AdminOnly(BasePermission):
    message = "Managing API keys is for admin keys only."
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.principal.is_admin


class StaffOnly(BasePermission):
    message = "This is for Metropolis staff keys only."
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.principal.is_staff
