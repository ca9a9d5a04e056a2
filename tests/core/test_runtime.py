"""A web worker's start (wsgi.py → core.runtime.settle_heap): every view imported, the heap frozen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

APPS = Path(__file__).resolve().parents[2] / "apps" / "onestop_tayninh"

PROBE = """
import gc, json, sys
import onestop_tayninh.wsgi
frozen = gc.get_freeze_count()
print(json.dumps({
    "frozen": frozen,
    "views_loaded": "onestop_tayninh.reports.desk_views" in sys.modules,
}))
"""


def test_loading_the_wsgi_module_imports_the_views_and_freezes_what_it_loaded():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "onestop_tayninh.conf.test", "PYTHONPATH": str(APPS)}
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    # The views came in with the URL configuration, before any request…
    assert probe["views_loaded"]
    # …and the objects loaded by then sit in the permanent generation (a worker holds about 250,000).
    assert probe["frozen"] > 100_000
