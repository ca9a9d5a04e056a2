"""Template lookup and HTML → PDF for printed forms.

Printing has its own template engine so a site can replace any form by placing a file
under `sites/<site>/templates/printing/...` without touching the desk's templates: the
site's directory is searched first, then this app's `templates/`. Autoescaping is on, so
applicant-supplied text is always printed literally; `core.pdf.html_to_pdf` refuses any
fetch outside our own files as a second line of defence.

`forms.css` is not linked from the templates: `render_pdf` applies it to every form, parsed
once per worker thread (printing speed). A site's template gets it too, and rules in the
template's own `<style>` (block `extra_head`) take precedence over it.
"""

from __future__ import annotations

import base64
import functools
import io
from pathlib import Path

import segno
from PIL import Image

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.backends.django import DjangoTemplates

from onestop_tayninh.core.pdf import html_to_pdf

APP_TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static" / "printing"
STYLESHEET = STATIC_DIR / "forms.css"
QR_SCALE = 8


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


def site_has_template(name: str) -> bool:
    """Whether the site replaces the app's template `name` with its own."""
    return (site_templates_dir() / name).is_file()


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
    An 8-bit grey PNG rather than segno's 1-bit one: WeasyPrint converts a 1-bit image to
    RGB and encodes it twice; a grey one it embeds as it is (the same pixels, a third of
    the data).
    """
    qr = segno.make(content, error="m", encoding="utf-8")
    width, height = qr.symbol_size(scale=1, border=1)
    modules = bytes(0 if dark else 255 for row in qr.matrix_iter(scale=1, border=1) for dark in row)
    image = Image.frombytes("L", (width, height), modules).resize(
        (width * QR_SCALE, height * QR_SCALE), Image.Resampling.NEAREST
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def render_pdf(template_names: list[str], context: dict) -> bytes:
    html = template_for(template_names).render(context)
    return html_to_pdf(html, base_url=STATIC_DIR, stylesheet=STYLESHEET)
