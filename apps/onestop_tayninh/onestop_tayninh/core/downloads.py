"""File names of downloads that say, in Vietnamese, what the file is.

A stored file's name is random (security.uploads), so a download is named after what it holds:
"Mẫu - Tờ khai đăng ký kết hôn.docx". The header carries that name UTF-8 encoded (`filename*`,
RFC 6266 / RFC 5987), which every current browser reads, and an ASCII form of it without
diacritics (`filename`) for the few clients that do not.
"""

import re
import unicodedata
from urllib.parse import quote

from django.utils.text import slugify

from .text import fold

# Characters Windows, macOS or a shell would refuse or misread in a file name, and control characters.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
MAX_STEM = 120


def download_name(title: str, extension: str) -> str:
    """A file name from `title` (NFC, without characters a file system refuses), ending in `.extension`."""
    stem = _UNSAFE.sub("-", unicodedata.normalize("NFC", title or ""))
    stem = " ".join(stem.split()).strip(" .-")[:MAX_STEM].rstrip(" .-") or "tep"
    return f"{stem}.{extension.lower()}"


def content_disposition(filename: str, *, attachment: bool = True) -> str:
    """`attachment; filename="mau-to-khai.docx"; filename*=UTF-8''M%E1%BA%ABu…` for `filename`."""
    stem, dot, extension = filename.rpartition(".")
    fallback = f"{slugify(fold(stem))[:MAX_STEM] or 'tep'}.{extension}" if dot else slugify(fold(filename)) or "tep"
    kind = "attachment" if attachment else "inline"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
