"""Benchmarks: their own database, so generated volume never mixes with the demo."""

from .base import *  # noqa: F403
from .base import DATABASES, REDIS_URL, redis_cache, rq_queues
from .env import config

DEBUG = False
DATABASES["default"]["NAME"] = config("DB_BENCH_NAME", "onestop_tayninh_bench")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Their own Redis database too: jobs a benchmark queues (the deadline scan's notices, thousands of
# e-mails) must never reach the `make run` worker, which would look their ids up in the demo database.
BENCH_REDIS_URL = config("BENCH_REDIS_URL", REDIS_URL.rsplit("/", 1)[0] + "/14")
RQ_QUEUES = rq_queues(BENCH_REDIS_URL)
CACHES = redis_cache(BENCH_REDIS_URL, "bench")
