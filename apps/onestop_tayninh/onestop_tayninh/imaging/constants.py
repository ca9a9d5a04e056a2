"""Fixed figures of the imaging package; the limits a site may change are settings (conf/base.py)."""

from __future__ import annotations

# What a photo may be, judged from its content (libmagic), never from its name.
PHOTO_MIMES: dict[str, str] = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}

# Defaults of ONESTOP_PHOTO_MAX_BYTES and ONESTOP_PHOTO_MAX_PIXELS.
DEFAULT_PHOTO_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_PHOTO_MAX_PIXELS = 40_000_000

# The PDF page: A4 portrait in PDF points (1/72 inch), with a margin so no printer cuts the edge.
A4_POINTS = (595.28, 841.89)
PAGE_MARGIN_POINTS = 20.0  # about 7 mm
# A photo's long side on the page: 2400 px over A4's 297 mm is about 205 dpi, enough to read a
# stamp and small print, and a page stays around 300–600 KB as JPEG quality 85.
PAGE_LONG_SIDE_PX = 2400
PAGE_JPEG_QUALITY = 85

# Reading the CCCD's QR code: a photo is scanned at most this size first (zbar is quicker and
# often surer on a moderate image), then at full size; a small photo is enlarged to this.
QR_WORKING_LONG_SIDE_PX = 1600
QR_SMALL_LONG_SIDE_PX = 1000

# Tesseract on the card's front side: the language models (Debian tesseract-ocr-vie, -eng) and
# the longest a run may take before it is abandoned.
OCR_LANGUAGES = "vie+eng"
OCR_TIMEOUT_SECONDS = 30
