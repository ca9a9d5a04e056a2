"""Browser test constants. The fixtures (browser, page, screenshot) live in tests/conftest.py, defined
once for the whole run: a session fixture re-imported into a module would start a second Playwright."""

import os
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
