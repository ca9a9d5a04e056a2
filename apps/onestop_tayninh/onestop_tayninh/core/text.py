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


def money(amount: int) -> str:
    """Whole đồng grouped the Vietnamese way: 1500000 → "1.500.000"."""
    return f"{int(amount):,}".replace(",", ".")


_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_SCALES = ("", "nghìn", "triệu")
_BILLION = 1_000_000_000


def _hundreds_in_words(number: int, *, leading: bool) -> list[str]:
    """One group of three digits; `leading`: the first group said, which needs no "không trăm"."""
    hundreds, tens, units = number // 100, number // 10 % 10, number % 10
    words: list[str] = []
    if hundreds or not leading:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("lẻ")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units:
        if units == 1 and tens >= 2:
            words.append("mốt")
        elif units == 5 and tens >= 1:
            words.append("lăm")
        else:
            words.append(_DIGITS[units])
    return words


def _words(amount: int, *, leading: bool) -> list[str]:
    """`amount` (above 0) in words; `leading`: nothing was said before it.

    Below a billion the groups of three digits take nghìn and triệu; above, the billions are said
    first, themselves in words, then "tỷ" ("một nghìn tỷ", "năm tỷ tỷ"), then the rest in full
    ("một tỷ không trăm lẻ năm triệu"). An all-zero group is not said.
    """
    billions, rest = divmod(amount, _BILLION)
    words: list[str] = []
    if billions:
        words = [*_words(billions, leading=leading), "tỷ"]
    groups = (rest // 1_000_000, rest // 1000 % 1000, rest % 1000)
    for scale, group in zip(reversed(_SCALES), groups, strict=True):
        if group:
            words += _hundreds_in_words(group, leading=leading and not words)
            if scale:
                words.append(scale)
    return words


def amount_in_words(amount: int) -> str:
    """An amount of đồng in words, as receipts write it: 1005000 → "Một triệu không trăm lẻ năm nghìn đồng"."""
    amount = int(amount)
    if amount < 0:
        raise ValueError("Số tiền không được âm.")
    if amount == 0:
        return "Không đồng"
    text = " ".join(_words(amount, leading=True)) + " đồng"
    return text[:1].upper() + text[1:]
