"""Production: refuses to start with the development secret or with DEBUG on."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DEFAULT_SECRET_KEY, SECRET_KEY
from .env import config

DEBUG = config("DJANGO_DEBUG", False)
if DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production.")
if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY to a random value of at least 50 characters.")

SECURE_SSL_REDIRECT = config("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = config("DJANGO_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
# nginx (config/nginx/) is the one reverse proxy; its X-Forwarded-For entry is the client address.
ONESTOP_TRUSTED_PROXY_COUNT = config("ONESTOP_TRUSTED_PROXY_COUNT", 1)
# Debian's clamav-daemon (kept up to date by freshclam), not the development clamd of scripts/setup.sh.
CLAMD_SOCKET = config("CLAMD_SOCKET", "/run/clamav/clamd.ctl")
