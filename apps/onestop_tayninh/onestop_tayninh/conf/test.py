"""Tests: fast password hashing, a separate Redis database, files under a temporary root."""

import os
import sys

from .base import *  # noqa: F403
from .base import DATABASES, REDIS_URL, VAR_DIR, redis_cache, rq_queues
from .env import config

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TEST_REDIS_URL = config("TEST_REDIS_URL", REDIS_URL.rsplit("/", 1)[0] + "/15")
# With pytest-xdist (`make test` runs two workers) each worker takes its own Redis database, counting
# down from the configured one (gw0 → 15, gw1 → 14); the databases get pytest-django's _gw<N> suffix.
# Only the test process computes it; a manage.py process a test starts (an RQ worker) inherits the
# computed address through the environment.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and "pytest" in sys.modules:
    _base, _number = TEST_REDIS_URL.rsplit("/", 1)
    TEST_REDIS_URL = os.environ["TEST_REDIS_URL"] = f"{_base}/{int(_number) - int(_worker[2:])}"
RQ_QUEUES = rq_queues(TEST_REDIS_URL)
CACHES = redis_cache(TEST_REDIS_URL, "test")
MEDIA_ROOT = VAR_DIR / "test-files"
# The suite's fixtures are built on the seed's three-tier site (tests/workflows/conftest.py, the
# printing tests' site templates); tests/sites/ loads tayninh-2025, the default site, explicitly.
ONESTOP_SITE = "tayninh"
# The audit table's trigger refuses DELETE; this backend empties it with TRUNCATE between
# transactional tests (see security/mysql_testing/base.py). Otherwise the stock MariaDB backend.
DATABASES["default"]["ENGINE"] = "onestop_tayninh.security.mysql_testing"
# A second connection for core.dbrouting's tests: a TEST MIRROR of the default database, on the same
# server unless DB_REPLICA_HOST names a real replica (the `cluster` tests, scripts/cluster/mariadb.sh),
# where the test database arrives by replication. Routing to it stays off unless a test turns it on.
DATABASES["replica"] = {
    **DATABASES["default"],
    "HOST": config("DB_REPLICA_HOST", DATABASES["default"]["HOST"]),
    "PORT": config("DB_REPLICA_PORT", DATABASES["default"]["PORT"]),
    "OPTIONS": {**DATABASES["default"]["OPTIONS"], "connect_timeout": 2},
    "TEST": {**DATABASES["default"]["TEST"], "MIRROR": "default"},
}
ONESTOP_DB_READ_REPLICA = ""
# Tests log officials in with force_login()/client.login(), which bypass or upset the login
# protections; tests/security/ switch them on with the `settings` fixture.
ONESTOP_ENFORCE_2FA = False
AXES_ENABLED = False
# The webhook tests' receiver listens on 127.0.0.1 without TLS.
ONESTOP_WEBHOOKS_ALLOW_LOOPBACK_HTTP = True
