"""Tests: fast password hashing, a separate Redis database, files under a temporary root."""

from .base import *  # noqa: F403
from .base import REDIS_URL, VAR_DIR
from .env import config

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TEST_REDIS_URL = config("TEST_REDIS_URL", REDIS_URL.rsplit("/", 1)[0] + "/15")
RQ_QUEUES = {name: {"URL": TEST_REDIS_URL, "DEFAULT_TIMEOUT": 600} for name in ("default", "notifications", "reports")}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": TEST_REDIS_URL,
        "KEY_PREFIX": "test",
    }
}
MEDIA_ROOT = VAR_DIR / "test-files"
