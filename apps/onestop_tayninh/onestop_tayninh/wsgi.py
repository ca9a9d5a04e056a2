import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop_tayninh.conf.production")

application = get_wsgi_application()

# Gunicorn loads this module in each worker (no preload), so each worker settles its own heap.
from onestop_tayninh.core.runtime import settle_heap  # noqa: E402 - needs the apps set up above

settle_heap()
