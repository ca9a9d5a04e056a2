"""Which scope each call needs: a view's `required_scopes`, by HTTP method."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from django.utils.translation import gettext as _


def required_scope(view: Any, method: str) -> str | None:
    scopes: dict[str, str] = getattr(view, "required_scopes", {})
    return scopes.get(method) or scopes.get("*")


class HasClientScope(BasePermission):
    """The token carries the scope the call needs and the client still holds it (a scope taken away in
    the desk stops the client at once, whatever its tokens say)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        client = getattr(request._request, "api_client", None)
        if client is None or request.auth is None:
            raise exceptions.NotAuthenticated(_("Cần mã truy cập (Authorization: Bearer …) để gọi API."))
        scope = required_scope(view, request.method or "GET")
        if scope is None:
            return True
        if not (client.has_scope(scope) and request.auth.allow_scopes([scope])):
            raise exceptions.PermissionDenied(
                _("Mã truy cập không có phạm vi “%(scope)s” cần cho thao tác này.") % {"scope": scope}
            )
        return True
