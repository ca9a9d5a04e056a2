"""Development: DEBUG on, the development secret allowed."""

from .base import *  # noqa: F403
from .env import config

DEBUG = config("DJANGO_DEBUG", True)
# Webhook receivers on this machine (scripts, a local test receiver) may be plain http://.
ONESTOP_WEBHOOKS_ALLOW_LOOPBACK_HTTP = config("ONESTOP_WEBHOOKS_ALLOW_LOOPBACK_HTTP", True)
