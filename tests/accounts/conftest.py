"""Citizen accounts: a registered citizen, the seeded message templates, a clean rate-limit cache."""

import importlib
import re

import pytest

from django.apps import apps
from django.core.cache import cache
from django.utils import timezone

from onestop_tayninh.accounts import services
from onestop_tayninh.notifications.models import Message
from onestop_tayninh.notifications.rendering import message_render

PASSWORD = "Ngay-mai-troi-nang-2026"
CCCD = "072190001234"
PHONE = "0912345678"
EMAIL = "lan.nguyen@example.vn"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and SMS codes live in the (test) Redis cache; start each test empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def message_templates(db):
    """The templates seeded by accounts/0003 (a transactional test elsewhere may have flushed them)."""
    migration = importlib.import_module("onestop_tayninh.accounts.migrations.0003_citizen_message_templates")
    migration.seed(apps, None)


def register(**overrides):
    arguments = {
        "applicant_kind": "individual",
        "full_name": "Nguyễn Thị Lan",
        "password": PASSWORD,
        "phone": PHONE,
        "email": EMAIL,
        "cccd": CCCD,
        "at": timezone.now(),
    }
    arguments.update(overrides)
    return services.citizen_register(**arguments)


@pytest.fixture
def citizen():
    return register()


def latest_message(template_key: str) -> Message:
    return Message.objects.filter(template_key=template_key).latest("pk")


def message_body(message: Message) -> str:
    return message_render(message)[1]


def link_path(body: str) -> str:
    """The path of the first portal link in a message body."""
    match = re.search(r"https?://[^/\s]+(/\S+)", body)
    assert match, body
    return match.group(1)
