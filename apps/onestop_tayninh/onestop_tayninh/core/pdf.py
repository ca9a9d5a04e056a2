"""HTML → PDF with WeasyPrint, fetching nothing but our own files.

WeasyPrint would otherwise fetch any URL named in its input (an applicant called
`<img src="http://...">` must not make the server issue a request). The fetcher
below allows only `data:` URLs and `file:` URLs inside the project's static
directories and the system font directory; everything else is refused.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import weasyprint
from weasyprint.urls import URLFetcher

from django.conf import settings
from django.contrib.staticfiles import finders

FONT_ROOTS = (Path("/usr/share/fonts"),)


def _allowed_roots() -> tuple[Path, ...]:
    roots = [
        Path(root).resolve()
        for root in finders.get_finder("django.contrib.staticfiles.finders.AppDirectoriesFinder").storages.values()
        for root in [root.location]
    ]
    roots += [Path(p).resolve() for p in getattr(settings, "STATICFILES_DIRS", [])]
    roots += [Path(settings.SITES_DIR).resolve()]
    return tuple(roots) + FONT_ROOTS


class OwnFilesOnlyFetcher(URLFetcher):
    def __init__(self, **kwargs):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, **kwargs)
        self.roots = _allowed_roots()

    def fetch(self, url, headers=None):
        parsed = urlparse(url)
        if parsed.scheme == "file":
            path = Path(unquote(parsed.path)).resolve()
            if not any(path.is_relative_to(root) for root in self.roots):
                raise ValueError(f"refused: {url}")
        elif parsed.scheme != "data":
            raise ValueError(f"refused: {url}")
        return super().fetch(url, headers)


def html_to_pdf(html: str, *, base_url: str | Path | None = None) -> bytes:
    """Render `html` to PDF bytes; relative URLs resolve against `base_url` (a directory)."""
    base = Path(base_url).resolve().as_uri() + "/" if base_url else None
    document = weasyprint.HTML(string=html, base_url=base, url_fetcher=OwnFilesOnlyFetcher())
    return document.write_pdf()
