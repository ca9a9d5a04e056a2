import pytest

from django.urls import reverse

from tests.factories import PASSWORD


@pytest.fixture
def lockout_on(settings):
    """django-axes switched on (conf.test switches it off for the rest of the suite)."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    return settings


@pytest.fixture
def two_factor_on(settings):
    settings.ONESTOP_ENFORCE_2FA = True
    settings.ONESTOP_SUPERUSER_2FA = True
    return settings


@pytest.fixture
def desk_login():
    """Log in through the desk's login form, as a person would."""

    def login(client, username: str, password: str = PASSWORD, **extra):
        return client.post(
            reverse("admin:login"), {"username": username, "password": password, "next": "/desk/"}, **extra
        )

    return login
