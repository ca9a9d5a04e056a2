"""System checks: deployment must not run with the login protections switched off."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def login_protections_enabled(app_configs, **kwargs):
    problems = []
    if not settings.ONESTOP_ENFORCE_2FA:
        problems.append(
            Warning(
                "ONESTOP_ENFORCE_2FA is off: officials whose role requires two-factor login skip it.",
                id="onestop_security.W001",
            )
        )
    if not getattr(settings, "AXES_ENABLED", True):
        problems.append(Warning("AXES_ENABLED is off: failed logins are not limited.", id="onestop_security.W002"))
    if "onestop_tayninh.security.middleware.ContentSecurityPolicyMiddleware" not in settings.MIDDLEWARE:
        problems.append(Warning("The Content-Security-Policy middleware is not installed.", id="onestop_security.W003"))
    return problems
