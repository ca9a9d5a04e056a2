"""Private stays private: `Cache-Control: no-store` on every private answer, and the desk shut to citizens.

The URL names are walked from the URL configuration itself (every name of the desk, the portal and
the citizen's account), so a page added later is checked without being listed here.
"""

import itertools

import pytest

from django.test import Client
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse

from tests.factories import CitizenFactory, UserFactory

pytestmark = pytest.mark.django_db

DESK_REFUSED = "Trang dành cho cán bộ"
# Values tried for each argument of a URL: an id, a slug, an app label the desk's app pages accept.
ARGUMENT_VALUES = ("1", "x", "accounts")


def _named_patterns(resolver=None, namespace: str = ""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_patterns(pattern, inner)
        elif pattern.name:
            yield f"{namespace}{pattern.name}", list(pattern.pattern.regex.groupindex)


def _url(name: str, arguments: list[str]) -> str | None:
    for values in itertools.product(ARGUMENT_VALUES, repeat=len(arguments)):
        try:
            return reverse(name, kwargs=dict(zip(arguments, values, strict=True)))
        except NoReverseMatch:
            continue
    return None


def urls(where) -> dict[str, str]:
    found = {}
    for name, arguments in _named_patterns():
        url = _url(name, arguments)
        if url is not None and where(name, url):
            found.setdefault(name, url)
    return found


def desk_urls() -> dict[str, str]:
    return urls(lambda name, url: url.startswith("/desk/"))


def citizen_urls() -> dict[str, str]:
    return urls(lambda name, url: name.split(":")[0] in ("portal", "accounts"))


def test_the_walk_reaches_the_whole_desk_and_portal():
    desk, citizen = desk_urls(), citizen_urls()
    assert len(desk) > 150, len(desk)
    for name in (
        "admin:index",
        "admin:login",
        "notifications:notice_list",
        "security:otp_enrol",
        "security:otp_verify",
    ):
        assert name in desk, name
    assert desk["notifications:notice_list"] == "/desk/thong-bao/"
    assert {"portal:my_dossiers", "portal:result", "portal:vault_download", "accounts:profile"} <= set(citizen)


def test_every_desk_answer_is_no_store(settings):
    official = Client(raise_request_exception=False)
    official.force_login(UserFactory(is_staff=True, is_superuser=True))
    anonymous = Client(raise_request_exception=False)
    missing = {}
    for name, url in desk_urls().items():
        for client in (official, anonymous):
            response = client.get(url)
            if "no-store" not in response.get("Cache-Control", ""):
                missing[name] = (url, response.status_code)
    assert not missing


def test_every_answer_to_a_logged_in_citizen_is_no_store():
    client = Client(raise_request_exception=False)
    client.force_login(CitizenFactory().user)
    missing = {}
    for name, url in citizen_urls().items():
        response = client.get(url)
        if "no-store" not in response.get("Cache-Control", ""):
            missing[name] = (url, response.status_code)
    assert not missing


def test_pages_opened_by_a_secret_are_no_store_without_an_account_and_public_pages_are_not(settings):
    client = Client(raise_request_exception=False)
    every = citizen_urls()
    for name in settings.ONESTOP_PRIVATE_URL_NAMES:
        response = client.get(every[name])
        assert "no-store" in response.get("Cache-Control", ""), name
    for name in ("portal:home", "portal:procedure_list"):
        assert "no-store" not in client.get(every[name]).get("Cache-Control", ""), name


def test_a_citizen_session_is_refused_from_every_desk_url():
    client = Client(raise_request_exception=False)
    client.force_login(CitizenFactory().user)
    let_through = {}
    for name, url in desk_urls().items():
        response = client.get(url)
        if response.status_code != 403 or DESK_REFUSED not in response.content.decode():
            let_through[name] = (url, response.status_code)
    assert not let_through
    # A form sent to the desk is refused the same way, the two-factor enrolment included.
    response = client.post(reverse("security:otp_enrol"), {"token": "123456"})
    assert response.status_code == 403 and DESK_REFUSED in response.content.decode()
    page = client.get("/desk/thong-bao/").content.decode()
    assert "Đăng xuất để đăng nhập tài khoản cán bộ" in page and reverse("portal:my_dossiers") in page
