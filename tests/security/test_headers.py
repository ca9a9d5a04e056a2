"""HTTP hardening: the Content-Security-Policy header and a clean `check --deploy`."""

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

from django.urls import reverse

from tests.factories import UserFactory

REPO = Path(__file__).resolve().parents[2]


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", reverse("admin:login")])
def test_every_page_sends_a_strict_content_security_policy(client, url):
    response = client.get(url)
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"][0] == "'self'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert all(source == "'self'" or source.startswith("'sha256-") for source in policy["script-src"])
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_the_rq_dashboard_inline_script_is_allowed_by_its_hash(client, settings):
    """django-rq's dashboard has one fixed inline script; its hash is the only exception."""
    import base64
    import hashlib
    import re

    client.force_login(UserFactory(is_superuser=True))
    html = client.get("/desk/rq/queues/0/").content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, re.S)
    assert inline, "django-rq's job list no longer has its inline script: drop the hash from the policy"
    allowed = set(settings.CONTENT_SECURITY_POLICY["script-src"])
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed


def test_production_settings_pass_check_deploy_without_warnings():
    secret = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(60))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "onestop_tayninh.conf.production",
        "DJANGO_SECRET_KEY": secret,
    }
    # The browser tests' Playwright loop sets this for the test process; a server never has it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, str(REPO / "apps/onestop_tayninh/manage.py"), "check", "--deploy"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "no issues" in output


def test_production_refuses_the_development_secret():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "onestop_tayninh.conf.production"}
    env.pop("DJANGO_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, str(REPO / "apps/onestop_tayninh/manage.py"), "check", "--deploy"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
