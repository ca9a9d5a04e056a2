"""A job the worker test enqueues for a real `manage.py rqworker` (kept apart from the test module, which
the work-horse would otherwise import with its fixtures)."""

import os
import sys


def what_the_horse_started_with() -> dict:
    """What the work-horse held when the job began, before the job loaded anything itself."""
    from django.urls import get_resolver
    from django.utils import translation

    return {
        "pid": os.getpid(),
        # Django's own flag: the resolver's reverse tables are filled (a `reverse` would fill them).
        "urls_filled": get_resolver()._populated,
        "jobs_modules": sorted(
            name for name in sys.modules if name.startswith("onestop_tayninh.") and name.endswith(".jobs")
        ),
        "language_loaded": "vi" in translation.trans_real._translations,
    }
