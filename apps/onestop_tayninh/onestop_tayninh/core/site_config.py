"""Declarative site configuration: `sites/<name>/*.yaml`, applied idempotently by `load_site`.

Each app contributes loaders for its own files; SECTIONS fixes the order, so
references (a desk's agency, a procedure's sector) always exist when needed.
A missing file is skipped: a site only describes what it has.
"""

from __future__ import annotations

import copy
import functools
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.module_loading import import_string


@dataclass
class SiteContext:
    name: str
    directory: Path
    demo: bool = True
    reset_roles: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    # What a loader deliberately left as it found it, in words for the person running the load
    # (e.g. a procedure whose draft an official is editing in the desk).
    notes: list[str] = field(default_factory=list)


# (file name, loader path). A loader takes (rows, context=...) and returns how many rows it applied.
SECTIONS: list[tuple[str, str]] = [
    ("units.yaml", "onestop_tayninh.directory.site_loaders.load_units"),
    ("agencies.yaml", "onestop_tayninh.directory.site_loaders.load_agencies"),
    ("desks.yaml", "onestop_tayninh.directory.site_loaders.load_desks"),
    ("holidays.yaml", "onestop_tayninh.calendars.site_loaders.load_holidays"),
    ("officials.yaml", "onestop_tayninh.directory.site_loaders.load_officials"),
    ("sectors.yaml", "onestop_tayninh.catalog.site_loaders.load_sectors"),
    ("document_types.yaml", "onestop_tayninh.catalog.site_loaders.load_document_types"),
    ("procedures.yaml", "onestop_tayninh.catalog.site_loaders.load_procedures"),
    ("workflows.yaml", "onestop_tayninh.workflows.site_loaders.load_workflows"),
    ("demo_dossiers.yaml", "onestop_tayninh.demo_dossiers.load_demo_dossiers"),
]


class SiteConfigError(Exception):
    """A site file is invalid; the message says which file and row."""


def _nfc(value: Any) -> Any:
    # Vietnamese text typed on different systems arrives in NFC or NFD; store NFC only.
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    if isinstance(value, dict):
        return {k: _nfc(v) for k, v in value.items()}
    return value


# libyaml's parser when PyYAML was built with it (ten times faster: the tests load a site hundreds of
# times), the pure-Python one otherwise; both build the same safe types.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """The file's data, NFC-normalised. A fresh copy each call: loaders may change what they are given."""
    stat = path.stat()
    return copy.deepcopy(_parsed_yaml(path, stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=64)
def _parsed_yaml(path: Path, mtime_ns: int, size: int) -> Any:
    # Keyed by the file's modification time and size too, so an edited file is read again.
    with path.open(encoding="utf-8") as handle:
        return _nfc(yaml.load(handle, Loader=_YAML_LOADER))  # noqa: S506 - a safe loader (C or Python)


def site_directory(name: str) -> Path:
    directory = Path(settings.SITES_DIR) / name
    if not (directory / "site.yaml").is_file():
        raise SiteConfigError(f"Không tìm thấy cấu hình site '{name}' ({directory / 'site.yaml'}).")
    return directory


def site_settings() -> dict[str, Any]:
    """The running site's `site.yaml` (title, province code, hotline…), {} when the site has none.

    The portal's home page asks on every visit: read_yaml keeps the file parsed while it is unchanged,
    and an edited file is seen without a restart.
    """
    try:
        data = read_yaml(Path(settings.SITES_DIR) / settings.ONESTOP_SITE / "site.yaml")
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def load_site(name: str, *, demo: bool = True, reset_roles: bool = False, only: set[str] | None = None) -> SiteContext:
    """Apply every section of the site (or only the named files), in one transaction."""
    directory = site_directory(name)
    context = SiteContext(name=name, directory=directory, demo=demo, reset_roles=reset_roles)
    context.settings = read_yaml(directory / "site.yaml") or {}
    with transaction.atomic():
        for file_name, loader_path in SECTIONS:
            path = directory / file_name
            if (only is not None and file_name not in only) or not path.is_file():
                continue
            loader: Callable[..., int] = import_string(loader_path)
            rows = read_yaml(path) or []
            try:
                context.counts[file_name] = loader(rows, context=context)
            except ValidationError as exc:
                raise SiteConfigError(f"{file_name}: {'; '.join(exc.messages)}") from exc
    return context
