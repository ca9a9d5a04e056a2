"""HTML → PDF with WeasyPrint, fetching nothing but our own files.

WeasyPrint would otherwise fetch any URL named in its input (an applicant called
`<img src="http://...">` must not make the server issue a request). The fetcher
below allows only `data:` URLs and `file:` URLs inside the project's static
directories and the system font directory; everything else is refused.

Speed (README "Hiệu năng", printed forms): a caller that names its `stylesheet` gets it
parsed once per thread, together with the FontConfiguration holding its @font-face fonts.
A fresh FontConfiguration reloads the system font configuration and every font face, and
Pango's font caches start cold: that was about a third of WeasyPrint's time for a form.
The cyclic garbage collector is paused while WeasyPrint runs: it allocates millions of
objects and every full collection walks all of them (a fifth of a 1,000-row register).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from django.conf import settings
from django.contrib.staticfiles import finders

FONT_ROOTS = (Path("/usr/share/fonts"),)


def _allowed_roots() -> tuple[Path, ...]:
    app_finder = finders.get_finder("django.contrib.staticfiles.finders.AppDirectoriesFinder")
    assert isinstance(app_finder, finders.AppDirectoriesFinder)
    roots = [Path(storage.location).resolve() for storage in app_finder.storages.values()]
    roots += [Path(p).resolve() for p in getattr(settings, "STATICFILES_DIRS", [])]
    roots += [Path(settings.SITES_DIR).resolve()]
    return tuple(roots) + FONT_ROOTS


class OwnFilesOnlyFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type information
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, **kwargs)
        self.roots = _allowed_roots()

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
        parsed = urlparse(url)
        if parsed.scheme == "file":
            path = Path(unquote(parsed.path)).resolve()
            if not any(path.is_relative_to(root) for root in self.roots):
                raise ValueError(f"refused: {url}")
        elif parsed.scheme != "data":
            raise ValueError(f"refused: {url}")
        return super().fetch(url, headers)


# --- reused between renders ----------------------------------------------------------------------

# Per thread: Pango's font map inside a FontConfiguration is not safe to share between threads.
_per_thread = threading.local()
_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run the body with the cyclic garbage collector off (reference counting still frees memory).

    Nested and concurrent uses are counted: the collector comes back, as it was, when the
    last one ends. The garbage WeasyPrint leaves in cycles is collected by the next
    ordinary collection; a 1,000-row register peaks at the same memory either way.
    """
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


def shared_stylesheet(path: str | Path) -> tuple[FontConfiguration, weasyprint.CSS]:
    """The stylesheet at `path` parsed once per thread (again when the file changes), with its fonts.

    The stylesheet is fetched through OwnFilesOnlyFetcher like any other resource, so it
    and the fonts it names must be among our own files.
    """
    path = Path(path).resolve()
    cache = _per_thread.__dict__.setdefault("stylesheets", {})
    stamp = path.stat().st_mtime_ns
    entry = cache.get(path)
    if entry is None or entry[0] != stamp:
        font_config = FontConfiguration()
        css = weasyprint.CSS(url=path.as_uri(), url_fetcher=OwnFilesOnlyFetcher(), font_config=font_config)
        entry = cache[path] = (stamp, font_config, css)
    return entry[1], entry[2]


def html_to_pdf(html: str, *, base_url: str | Path | None = None, stylesheet: str | Path | None = None) -> bytes:
    """Render `html` to PDF bytes; relative URLs resolve against `base_url` (a directory).

    `stylesheet` (a file) is applied as a user stylesheet and kept parsed between calls
    (`shared_stylesheet`); the document's own `<link>`/`<style>` rules, author rules, take
    precedence over it whatever their specificity. Documents rendered with the same
    stylesheet share one font configuration, so @font-face rules belong in that stylesheet.
    """
    base = Path(base_url).resolve().as_uri() + "/" if base_url else None
    with gc_paused():
        document = weasyprint.HTML(string=html, base_url=base, url_fetcher=OwnFilesOnlyFetcher())
        if stylesheet is None:
            pdf: bytes = document.write_pdf()
            return pdf
        font_config, css = shared_stylesheet(stylesheet)
        pdf = document.write_pdf(stylesheets=[css], font_config=font_config)
        return pdf
