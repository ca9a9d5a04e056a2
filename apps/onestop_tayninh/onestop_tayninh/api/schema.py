"""The OpenAPI contract: every operation lists the problem details it may answer, and its scope."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema

from .permissions import required_scope
from .serializers import ProblemSerializer

PROBLEM_MEDIA = ["application/problem+json"]
# What any authenticated call may answer besides its success.
COMMON_PROBLEMS = ("400", "401", "403", "404", "405", "406", "415", "429")
WRITE_PROBLEMS = ("409", "413", "422")


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        codes = COMMON_PROBLEMS + (WRITE_PROBLEMS if self.method in ("POST", "PUT", "PATCH", "DELETE") else ())
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(ProblemSerializer, code, PROBLEM_MEDIA, direction)
        return responses


class ClientTokenScheme(OpenApiAuthenticationExtension):
    target_class = "onestop_tayninh.api.authentication.ClientTokenAuthentication"
    name = "oauth2"

    def get_security_requirement(self, auto_schema: Any) -> dict[str, list[str]]:
        scope = required_scope(auto_schema.view, auto_schema.method)
        return {self.name: [scope] if scope else []}

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        from .oauth import ClientScopes

        return {
            "type": "oauth2",
            "flows": {
                "clientCredentials": {"tokenUrl": "/api/v1/oauth/token/", "scopes": ClientScopes().get_all_scopes()}
            },
        }
