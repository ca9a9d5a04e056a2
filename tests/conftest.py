import os
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from tests.browser.conftest import ARTIFACTS, CHROMIUM, DESKTOP, Authenticator
from tests.factories import PASSWORD
from tests.province import KEEPER, load_province
from tests.signing_support import signing_keys  # noqa: F401 - a throwaway CA for the tests that sign

# Property tests draw the same examples on every run, so a red CI run is a real defect that can be
# replayed, not a coin toss; a bug they find is pinned with @example. HYPOTHESIS_RANDOM=1 explores.
hypothesis_settings.register_profile("repeatable", derandomize=True)
hypothesis_settings.load_profile("default" if os.environ.get("HYPOTHESIS_RANDOM") else "repeatable")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, with the kept demo province (tests/province.py) rolled back before it goes."""
    KEEPER.blocker = django_db_blocker
    yield
    KEEPER.release()
    KEEPER.blocker = None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # Before any fixture of the test: the province's transaction must be open before the test's own.
    KEEPER.before_test(item)


@pytest.fixture
def loaded_province(db, request) -> None:
    """The seed site's units, agencies, desks, officials, holidays and workflows (tests/province.py): kept
    from the test before when it can be, else loaded now."""
    if not KEEPER.serves(request.node):
        load_province()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: a rate-limit counter or a cached page of an earlier test (in
    whichever order the two test processes took them) never reaches the next one."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Each test writes files under its own temporary root."""
    settings.MEDIA_ROOT = tmp_path / "files"


# --- browser tests (Playwright for Python driving Debian's Chromium; no browser download) -----


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop; Django must allow sync DB calls beside it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def official_login(browser, live_server, settings):
    """Log an official into the desk as production does: password, then the second factor.

    Two-factor login is enforced; an official's first login enrols from the key on the page
    (keeping the recovery codes), later logins type the next code. Returns (context, page).
    """
    settings.ONESTOP_ENFORCE_2FA = True
    phones: dict[str, Authenticator] = {}

    def log_in(username: str, password: str | None = None, viewport: dict | None = None):
        from django.conf import settings as django_settings

        context = browser.new_context(viewport=viewport or DESKTOP, locale="vi-VN")
        page = context.new_page()
        page.goto(f"{live_server.url}/desk/login/")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(password or django_settings.DEMO_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Đăng nhập").click()
        if "/xac-thuc/dang-ky/" in page.url:
            phone = Authenticator(page.inner_text("#otp-secret"))
            page.get_by_label("Mã 6 chữ số trong ứng dụng").fill(phone.next_code())
            page.get_by_role("button", name="Xác nhận").click()
            page.wait_for_selector("#recovery-codes")
            phone.recovery_codes = [code.strip() for code in page.locator("#recovery-codes li").all_inner_texts()]
            phones[username] = phone
            page.get_by_role("link", name="Tiếp tục vào bàn làm việc").click()
        elif "/xac-thuc/" in page.url:
            page.get_by_label("Mã xác thực").fill(phones[username].next_code())
            page.get_by_role("button", name="Xác nhận").click()
        else:
            raise AssertionError(f"{username} reached {page.url} without the second factor")
        page.wait_for_selector("text=Bàn làm việc")
        return context, page

    return log_in


@pytest.fixture
def screenshot():
    """Save a screenshot under test-artifacts/ for a person to look at."""

    def take(page, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def message_templates(db):
    """The message templates the migrations seed: a transactional test's flush empties every table,
    so a later transactional test that sends messages seeds them again first."""
    import importlib

    from django.apps import apps

    for name in (
        "0002_seed_templates",
        "0005_seed_online_dossier_templates",
        "0007_seed_step_waiting_templates",
        "0009_applicant_link_in_result_messages",
        "0010_online_check_templates",
        "0011_refusal_ready_template",
        "0012_citizen_notices_and_portal_inbox",
        "0014_feedback_notices",
    ):
        importlib.import_module(f"onestop_tayninh.notifications.migrations.{name}").seed(apps, None)
    # The Zalo channel's texts of the same notices.
    importlib.import_module("onestop_tayninh.zalo.migrations.0004_zalo_notice_templates").seed(apps, None)
    importlib.import_module("onestop_tayninh.zalo.migrations.0005_chat_replies_in_notices").forwards(apps, None)


@pytest.fixture
def private_redis(settings):
    """Queues and records on a Redis of this test's own (tests.support.RedisServer): no other test
    run's worker takes these jobs, and nothing is left behind."""
    import redis

    from tests.support import RedisServer

    server = RedisServer().start()
    settings.RQ_QUEUES = {name: {"URL": server.url} for name in ("default", "notifications", "reports")}
    yield redis.Redis.from_url(server.url)
    server.stop()
