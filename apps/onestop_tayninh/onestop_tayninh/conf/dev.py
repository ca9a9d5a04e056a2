"""Development: DEBUG on, the development secret allowed."""

from .base import *  # noqa: F403
from .env import config

DEBUG = config("DJANGO_DEBUG", True)
