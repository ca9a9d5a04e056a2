"""The citizen's chip-based CCCD card, read from a photo (docs/domain.md; DOMAIN.md §11).

The card's back carries a QR code with the holder's data as UTF-8 text, fields separated by "|":
`number|old CMND (may be empty)|full name|date of birth ddmmyyyy|Nam/Nữ|permanent address|issue
date ddmmyyyy`. `cccd_from_photo()` reads it with zbar, trying the preparations a phone photo
needs (uneven light, blur, a small or sideways card) until one decodes; `cccd_parse()` keeps a
payload only if every field is well formed and the number's century, sex and year digits agree
with the date of birth and sex (accounts.cccd, the same rule as registration).

`cccd_from_front_ocr()` reads the front side with Tesseract when the back is not at hand. OCR
misreads: what it gives is a suggestion to show the citizen, never data to file unconfirmed.
So is the QR's content: it proves the card was photographed, not who sent the photo.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import subprocess
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from PIL import Image, ImageChops, ImageFilter, ImageOps
from pyzbar import pyzbar

from onestop_tayninh.accounts.cccd import cccd_problems
from onestop_tayninh.accounts.constants import Sex

from .constants import (
    OCR_LANGUAGES,
    OCR_TIMEOUT_SECONDS,
    QR_SMALL_LONG_SIDE_PX,
    QR_WORKING_LONG_SIDE_PX,
)
from .photos import max_photo_pixels

logger = logging.getLogger("onestop_tayninh.imaging.idcard")

__all__ = ["CccdData", "OcrSuggestion", "cccd_from_front_ocr", "cccd_from_photo", "cccd_parse"]

_SEX = {"Nam": Sex.MALE, "Nữ": Sex.FEMALE}
_NUMBER = re.compile(r"\d{12}", re.ASCII)
# The old identity card (CMND): 9 digits, or 12 for those issued 2012–2016.
_OLD_NUMBER = re.compile(r"\d{9}|\d{12}", re.ASCII)
_DATE = re.compile(r"(\d{2})(\d{2})(\d{4})", re.ASCII)
# A person's name: letters (any script's, diacritics included), spaces, and rarely an apostrophe
# or hyphen (names of ethnic minorities: "H'Hen Niê", "Ksor Y-Linh").
_NAME = re.compile(r"[^\W\d_]+(?:['’\- ][^\W\d_]+)*")


@dataclass(frozen=True)
class CccdData:
    number: str
    old_id_number: str  # "" when the card's QR has none
    full_name: str
    date_of_birth: dt.date
    sex: str  # "Nam" or "Nữ", as on the card
    address: str
    issued_on: dt.date
    source: Literal["qr", "ocr"]


@dataclass(frozen=True)
class OcrSuggestion:
    """What OCR of the card's front side seems to say: each field None when it was not read."""

    number: str | None
    full_name: str | None
    date_of_birth: dt.date | None
    raw_text: str


def _clean_text(value: str) -> str:
    """NFC (the card's printer and a phone's keyboard may compose Vietnamese letters differently),
    single spaces, no ends."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def _date(value: str) -> dt.date | None:
    match = _DATE.fullmatch(value)
    if not match:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def cccd_parse(text: str, *, today: dt.date | None = None) -> CccdData | None:
    """The data of a CCCD card's QR text, or None if it is not one or contradicts itself.

    `today` (for a date of birth or issue in the future) defaults to the machine's date.
    """
    fields = [_clean_text(field) for field in unicodedata.normalize("NFC", text.strip().lstrip("\ufeff")).split("|")]
    if len(fields) != 7:
        return None
    number, old_number, full_name, born, sex, address, issued = fields
    date_of_birth, issued_on = _date(born), _date(issued)
    today = today or dt.date.today()
    if (
        not _NUMBER.fullmatch(number)
        or (old_number and not _OLD_NUMBER.fullmatch(old_number))
        or not _NAME.fullmatch(full_name)
        or sex not in _SEX
        or len(address) < 5
        or date_of_birth is None
        or issued_on is None
        or not date_of_birth <= issued_on <= today
    ):
        return None
    if cccd_problems(number, date_of_birth=date_of_birth, sex=_SEX[sex]):
        return None
    return CccdData(
        number=number,
        old_id_number=old_number,
        full_name=full_name,
        date_of_birth=date_of_birth,
        sex=sex,
        address=address,
        issued_on=issued_on,
        source="qr",
    )


# --- the QR code ---------------------------------------------------------------------------


def _load(data: bytes) -> Image.Image | None:
    """The photo decoded, upright, in grayscale; None if it is not an image we can open safely."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > max_photo_pixels():
                return None
            image.load()
            return ImageOps.exif_transpose(image).convert("L")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, SyntaxError, ValueError, EOFError):
        return None


def _scaled(image: Image.Image, long_side: int) -> Image.Image:
    ratio = long_side / max(image.size)
    size = (max(1, round(image.width * ratio)), max(1, round(image.height * ratio)))
    return image.resize(size, Image.Resampling.LANCZOS if ratio < 1 else Image.Resampling.BICUBIC)


def _otsu(image: Image.Image) -> Image.Image:
    """Black and white at the threshold that best splits the histogram in two (Otsu's method)."""
    histogram = image.histogram()[:256]
    total = sum(histogram)
    weighted_total = sum(level * count for level, count in enumerate(histogram))
    best_level, best_spread = 128, -1.0
    below = weighted_below = 0
    for level, count in enumerate(histogram):
        below += count
        if below == 0 or below == total:
            continue
        weighted_below += level * count
        above = total - below
        mean_below = weighted_below / below
        mean_above = (weighted_total - weighted_below) / above
        spread = below * above * (mean_below - mean_above) ** 2
        if spread > best_spread:
            best_level, best_spread = level, spread
    return image.point(lambda value: 255 if value > best_level else 0)


def _flattened(image: Image.Image) -> Image.Image:
    """The light evened out: each pixel against a heavily blurred copy of the photo (the lighting
    alone), so a card half in shadow has one white and one black again, then stretched."""
    radius = max(8, max(image.size) // 30)
    background = image.filter(ImageFilter.BoxBlur(radius))
    # How much darker each pixel is than its surroundings: dark modules stay dark in the shadow.
    darker = ImageChops.subtract(background, image)
    return ImageOps.autocontrast(ImageOps.invert(darker), cutoff=1)


def _preparations(gray: Image.Image) -> Iterator[Image.Image]:
    """The photo prepared one way after another, cheapest and likeliest first."""
    sizes = []
    if max(gray.size) > QR_WORKING_LONG_SIDE_PX:
        sizes.append(_scaled(gray, QR_WORKING_LONG_SIDE_PX))
    elif max(gray.size) < QR_SMALL_LONG_SIDE_PX:
        sizes.append(_scaled(gray, QR_SMALL_LONG_SIDE_PX * 2))
    sizes.append(gray)
    for image in sizes:
        yield image
        yield ImageOps.autocontrast(image, cutoff=2)
        yield ImageOps.equalize(image)
        yield _flattened(image)
        yield image.filter(ImageFilter.UnsharpMask(radius=3, percent=200, threshold=2))
        yield _otsu(_flattened(image))
    working = sizes[0]
    for angle in (90, 180, 270):
        rotated = working.rotate(angle, expand=True)
        yield rotated
        yield _otsu(_flattened(rotated))


def _payload(raw: bytes) -> str:
    """The QR's text. zbar guesses the character set of a code without an ECI marker and may have
    read UTF-8 as Latin-1 (or Shift JIS), so "Nữ" arrives as "Ná»¯": undone when it round-trips."""
    text = raw.decode("utf-8", errors="replace")
    for guessed in ("latin-1", "cp1252", "shift_jis"):
        try:
            repaired = text.encode(guessed).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if repaired != text:
            return repaired
    return text


def cccd_from_photo(data: bytes) -> CccdData | None:
    """The card's data from a photo of its QR side, or None (no QR found, or not a CCCD's QR)."""
    gray = _load(data)
    if gray is None:
        return None
    for attempt, prepared in enumerate(_preparations(gray)):
        symbols = pyzbar.decode(prepared, symbols=[pyzbar.ZBarSymbol.QRCODE])
        if not symbols:
            continue
        for symbol in symbols:
            parsed = cccd_parse(_payload(symbol.data))
            if parsed is not None:
                logger.info("cccd_qr_read attempt=%s", attempt)
                return parsed
        # A QR read in full (its error correction makes a misread unlikely) that is not a card's:
        # another preparation would read the same text.
        logger.info("cccd_qr_not_a_card attempt=%s symbols=%s", attempt, len(symbols))
        return None
    logger.info("cccd_qr_not_found")
    return None


# --- the front side by OCR -----------------------------------------------------------------

# Letters OCR confuses with digits inside a number.
_DIGIT_LOOKALIKES = str.maketrans(
    {"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1", "S": "5", "B": "8"}
)
_NUMBER_RUN = re.compile(r"(?<![0-9A-Za-z])[0-9OoDQIl|SB][0-9OoDQIl|SB ]{10,16}[0-9OoDQIl|SB](?![0-9A-Za-z])")
_WRITTEN_DATE = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})", re.ASCII)
_NAME_LABEL = re.compile(r"h[oọ]\s*v[aà]\s*t[eê]n|full\s*name", re.IGNORECASE)
_BIRTH_LABEL = re.compile(r"ng[aà]y\s*sinh|date\s*of\s*birth", re.IGNORECASE)


def _ocr_text(data: bytes) -> str | None:
    image = _load(data)
    if image is None:
        return None
    # Tesseract reads printed text best at about 300 dpi: a card photographed small is enlarged.
    if image.width < 1600:
        image = _scaled(image, 1600)
    image = ImageOps.autocontrast(image, cutoff=1)
    png = io.BytesIO()
    image.save(png, format="PNG")
    try:
        finished = subprocess.run(  # noqa: S603
            ["tesseract", "-", "-", "-l", OCR_LANGUAGES, "--psm", "6"],  # noqa: S607
            input=png.getvalue(),
            capture_output=True,
            timeout=OCR_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        logger.warning("cccd_ocr_failed error=%s", exc)
        return None
    if finished.returncode != 0:
        logger.warning("cccd_ocr_failed returncode=%s stderr=%s", finished.returncode, finished.stderr[-300:])
        return None
    return unicodedata.normalize("NFC", finished.stdout.decode("utf-8", errors="replace"))


def _ocr_number(lines: list[str]) -> str | None:
    for line in lines:
        for found in _NUMBER_RUN.finditer(line):
            digits = found.group().translate(_DIGIT_LOOKALIKES).replace(" ", "")
            if _NUMBER.fullmatch(digits) and not cccd_problems(digits):
                return digits
    return None


def _after_label(lines: list[str], label: re.Pattern[str]) -> list[str]:
    """The rest of the line a label is on (after its colon), then the next two lines."""
    for index, line in enumerate(lines):
        match = label.search(line)
        if match:
            rest = line[match.end() :]
            rest = rest.split(":", 1)[1] if ":" in rest else rest
            return [rest, *lines[index + 1 : index + 3]]
    return []


def _ocr_name(lines: list[str]) -> str | None:
    for candidate in _after_label(lines, _NAME_LABEL):
        # The bilingual label's English half ("/ Full name:") may follow on the same line.
        candidate = _NAME_LABEL.sub("", candidate).strip(" /:.,-")
        letters = [c for c in candidate if c.isalpha()]
        # The name is printed in capitals; at least two words of letters only.
        if (
            len(candidate.split()) >= 2
            and _NAME.fullmatch(candidate)
            and sum(c.isupper() for c in letters) >= 0.8 * len(letters)
        ):
            return candidate.title()
    return None


def _ocr_date_of_birth(lines: list[str]) -> dt.date | None:
    for candidate in _after_label(lines, _BIRTH_LABEL):
        match = _WRITTEN_DATE.search(candidate)
        if match:
            day, month, year = (int(part) for part in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                return None
    return None


def cccd_from_front_ocr(data: bytes) -> OcrSuggestion | None:
    """What the card's front side seems to say (Tesseract, Vietnamese model), or None if OCR read
    none of the number, the name and the date of birth. A suggestion for the citizen to confirm."""
    text = _ocr_text(data)
    if text is None:
        return None
    lines = [_clean_text(line) for line in text.splitlines() if line.strip()]
    suggestion = OcrSuggestion(
        number=_ocr_number(lines),
        full_name=_ocr_name(lines),
        date_of_birth=_ocr_date_of_birth(lines),
        raw_text=text,
    )
    if suggestion.number is None and suggestion.full_name is None and suggestion.date_of_birth is None:
        return None
    return suggestion
