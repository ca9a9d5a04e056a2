import pytest

from django.urls import reverse

from tests.accounts.conftest import citizen  # noqa: F401 - the portal tests' citizen, shared
from tests.factories import PASSWORD


@pytest.fixture
def lockout_on(settings):
    """The login protections switched on (conf.test switches them off for the rest of the suite),
    with the limits of conf.base: pairs locked after 5 (portal) and 3 (desk) failures."""
    settings.AXES_ENABLED = True
    settings.ONESTOP_LOGIN_FAILURE_LIMIT = 5
    settings.ONESTOP_DESK_LOGIN_FAILURE_LIMIT = 3
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


@pytest.fixture
def portal_login():
    """Log in through the portal's login form (phone, e-mail, CCCD or tax code)."""

    def login(client, username: str, password: str = PASSWORD, **extra):
        return client.post(reverse("accounts:login"), {"username": username, "password": password}, **extra)

    return login
