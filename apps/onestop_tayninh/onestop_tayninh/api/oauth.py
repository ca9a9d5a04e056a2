"""django-oauth-toolkit bound to our clients: the scopes a token may carry are the client's own."""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes

from .constants import Scope


def _client_scopes(application: Any) -> list[str]:
    client = getattr(application, "api_client", None)
    if client is None or not client.is_active:
        return []
    return [scope for scope in client.scopes if scope in Scope.values]


class ClientScopes(BaseScopes):
    """Every scope the API knows, and for one application the scopes its ApiClient was granted."""

    def get_all_scopes(self) -> dict[str, str]:
        return {str(value): str(label) for value, label in Scope.choices}

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        return _client_scopes(application) if application is not None else list(Scope.values)

    def get_default_scopes(self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any) -> list[str]:
        # A token asked for without `scope` carries everything the client was granted.
        return _client_scopes(application) if application is not None else []


class ClientValidator(OAuth2Validator):
    """A deactivated client gets no new token (its existing tokens stop at the API's authentication)."""

    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        if not _client_scopes(client):
            return False
        result: bool = super().validate_grant_type(client_id, grant_type, client, request, *args, **kwargs)
        return result
