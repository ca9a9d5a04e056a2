"""Template lookup and HTML → PDF for printed forms.

Printing has its own template engine so a site can replace any form by placing a file
under `sites/<site>/templates/printing/...` without touching the desk's templates: the
site's directory is searched first, then this app's `templates/`. Autoescaping is on, so
applicant-supplied text is always printed literally; `core.pdf.html_to_pdf` refuses any
fetch outside our own files as a second line of defence.
"""

from __future__ import annotations

import functools
from pathlib import Path

import segno

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.backends.django import DjangoTemplates

from onestop_tayninh.core.pdf import html_to_pdf

APP_TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static" / "printing"


def site_templates_dir() -> Path:
    return Path(settings.SITES_DIR) / settings.ONESTOP_SITE / "templates"


@functools.lru_cache(maxsize=8)
def _engine(site_dir: str) -> DjangoTemplates:
    return DjangoTemplates(
        {
            "NAME": "printing",
            "DIRS": [site_dir, str(APP_TEMPLATES)],
            "APP_DIRS": False,
            "OPTIONS": {"autoescape": True, "builtins": ["django.templatetags.i18n"]},
        }
    )


def engine() -> DjangoTemplates:
    return _engine(str(site_templates_dir()))


def template_for(names: list[str]):
    """The first of `names` found, the site's directory before the app's."""
    backend = engine()
    for name in names[:-1]:
        try:
            return backend.get_template(name)
        except TemplateDoesNotExist:
            continue
    return backend.get_template(names[-1])


def qr_data_uri(content: str) -> str:
    """A QR code as a PNG data: URL, 8 pixels a module (about 500 dpi at the printed size).

    PNG rather than SVG: WeasyPrint draws an SVG path in Python, which cost more than the
    whole rest of a form; the CSS keeps the modules' edges sharp (image-rendering).
    """
    return segno.make(content, error="m", encoding="utf-8").png_data_uri(scale=8, border=1)


def render_pdf(template_names: list[str], context: dict) -> bytes:
    html = template_for(template_names).render(context)
    return html_to_pdf(html, base_url=STATIC_DIR)
