"""One helper to read settings from the environment, with typed defaults.

Every variable read here is documented in `.env.example` at the repository root.
"""

import os
import re
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _to_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"not a boolean: {value!r}")


def _to_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


CASTS: dict[type, Callable[[str], Any]] = {bool: _to_bool, list: _to_list, int: int, float: float, str: str}


def config(name: str, default: T, cast: type | None = None) -> T:
    """Read `name` from the environment, cast to the default's type (or `cast`)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    target = cast or type(default)
    try:
        return CASTS.get(target, target)(raw)
    except ValueError as exc:
        raise ValueError(f"Environment variable {name}: {exc}") from exc


def site_database_name(site: str) -> str:
    """The default database of a site, onestop_<site>: each site has its own, as their unit codes collide.

    tayninh-2025 → onestop_tayninh_2025, tayninh → onestop_tayninh. scripts/site-env.sh applies
    the same rule for `make`; DB_NAME overrides it.
    """
    return "onestop_" + re.sub(r"[^0-9A-Za-z]+", "_", site).strip("_")
