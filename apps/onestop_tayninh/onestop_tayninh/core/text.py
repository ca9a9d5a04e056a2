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
_SCALES = ("", "nghìn", "triệu", "tỷ")


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


def amount_in_words(amount: int) -> str:
    """An amount of đồng in words, as receipts write it: 1005000 → "Một triệu không trăm lẻ năm nghìn đồng".

    Groups of three digits take nghìn, triệu, tỷ; above a thousand billion the groups start again
    ("một nghìn tỷ"). An all-zero group is not said.
    """
    amount = int(amount)
    if amount < 0:
        raise ValueError("Số tiền không được âm.")
    if amount == 0:
        return "Không đồng"
    groups: list[int] = []
    while amount:
        groups.append(amount % 1000)
        amount //= 1000
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            # "một tỷ" is still said for a thousand billion: the tỷ of a higher cycle.
            if index % 3 == 0 and index and words and words[-1] != "tỷ":
                words.append("tỷ")
            continue
        words += _hundreds_in_words(group, leading=not words)
        scale = _SCALES[index % 3] if index % 3 else ("tỷ" if index else "")
        if scale:
            words.append(scale)
    text = " ".join(words) + " đồng"
    return text[:1].upper() + text[1:]
