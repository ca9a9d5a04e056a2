"""Vietnamese text helpers."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case ASCII form for search: "Đăng ký Khai sinh" → "dang ky khai sinh".

    Removes every diacritic (NFD, then drop combining marks) and maps đ/Đ, which is a
    letter of its own rather than d + mark, to d.
    """
    decomposed = unicodedata.normalize("NFD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.replace("đ", "d").replace("Đ", "D").lower()).strip()
