"""System checks: deployment must not run with the login protections switched off; no ungated file field."""

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import models

from .uploads import GatedFileField, GeneratedFileField


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


@register(Tags.models)
def file_fields_gated(app_configs, **kwargs):
    """Every file field of our apps says where its files come from (security.uploads)."""
    problems = []
    configs = app_configs or apps.get_app_configs()
    for config in configs:
        if not config.name.startswith("onestop_tayninh."):
            continue
        for model in config.get_models():
            for field in model._meta.local_fields:
                if isinstance(field, models.FileField) and not isinstance(field, (GatedFileField, GeneratedFileField)):
                    problems.append(
                        Error(
                            f"{model._meta.label}.{field.name} is a plain {type(field).__name__}.",
                            hint="Use security.uploads.GatedFileField for files from outside "
                            "(upload gate, generated name) or GeneratedFileField for files the system makes.",
                            obj=field,
                            id="onestop_security.E001",
                        )
                    )
    return problems
