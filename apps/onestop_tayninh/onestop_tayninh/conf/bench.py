"""Benchmarks: their own database, so generated volume never mixes with the demo."""

from .base import *  # noqa: F403
from .base import DATABASES
from .env import config

DEBUG = False
DATABASES["default"]["NAME"] = config("DB_BENCH_NAME", "onestop_tayninh_bench")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
