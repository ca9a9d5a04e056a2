"""The evaluation's background jobs (declared in core/cron.py)."""

from __future__ import annotations

from typing import Any

from .services import indicators_recompute


def indicators_recompute_nightly() -> dict[str, Any]:
    """Rebuild every fact and sum from the dossiers: whatever a lost refresh missed is right by morning."""
    return indicators_recompute()
