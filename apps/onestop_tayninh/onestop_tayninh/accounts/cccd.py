"""The shape of a CCCD number (docs/domain.md, "Identity at registration").

Twelve digits: three for the province or city where the birth was registered, one for the
century of birth and the sex, two for the last two digits of the year of birth, six at random
(Decree 137/2015/NĐ-CP and the Ministry of Public Security's circular on the personal
identification number). A number that contradicts the stated date of birth or sex is mistyped
or someone else's; the check proves nothing more than the shape (only VNeID or an officer who
looks at the card proves the person holds it).
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from .constants import Sex
from .identifiers import CCCD_PATTERN

#: Province codes of the place of birth registration: the 63 provinces and cities before the
#: 2025 merger. The 34 provinces since 1 July 2025 each keep the code of one of them, so the
#: list covers numbers issued before and after; it is data, kept in one place.
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Thành phố Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

#: The first year of the century the fourth digit names: 0/1 the 20th century, 2/3 the 21st, …
_CENTURY_START = {0: 1900, 1: 2000, 2: 2100, 3: 2200, 4: 2300}


def century_and_sex(digit: int) -> tuple[int, str]:
    """(first year of the century, sex) the fourth digit stands for: even male, odd female."""
    return _CENTURY_START[digit // 2], Sex.MALE if digit % 2 == 0 else Sex.FEMALE


def cccd_problems(cccd: str, *, date_of_birth: dt.date | None = None, sex: str = "") -> list[str]:
    """Every fault of the number's shape, one Vietnamese message each; [] if it is well formed.

    `cccd` is already normalised (separators removed). The century, sex and year digits are
    checked only against what is given.
    """
    if not CCCD_PATTERN.fullmatch(cccd or ""):
        return [_("Số CCCD gồm đúng 12 chữ số, ví dụ 072190001234.")]
    problems = []
    province = cccd[:3]
    if province not in PROVINCE_CODES:
        problems.append(
            _(
                "Ba chữ số đầu của số CCCD (%(code)s) phải là mã tỉnh, thành phố nơi đăng ký khai sinh "
                "(ví dụ 072 là Tây Ninh, 080 là Long An); %(code)s không phải mã tỉnh nào."
            )
            % {"code": province}
        )
    start, digit_sex = century_and_sex(int(cccd[3]))
    if date_of_birth is not None:
        if not start <= date_of_birth.year < start + 100:
            problems.append(
                _(
                    "Chữ số thứ tư của số CCCD (%(digit)s) ứng với người sinh trong các năm %(start)d–%(end)d, "
                    "không khớp với năm sinh %(year)d."
                )
                % {"digit": cccd[3], "start": start, "end": start + 99, "year": date_of_birth.year}
            )
        if cccd[4:6] != f"{date_of_birth.year % 100:02d}":
            problems.append(
                _(
                    "Chữ số thứ năm và thứ sáu của số CCCD (%(digits)s) phải là hai số cuối của năm sinh "
                    "(%(expected)s với năm sinh %(year)d)."
                )
                % {"digits": cccd[4:6], "expected": f"{date_of_birth.year % 100:02d}", "year": date_of_birth.year}
            )
    if sex and sex != digit_sex:
        problems.append(
            _("Chữ số thứ tư của số CCCD (%(digit)s) ứng với giới tính %(cccd_sex)s, không khớp với giới tính đã chọn.")
            % {"digit": cccd[3], "cccd_sex": Sex(digit_sex).label.lower()}
        )
    return problems
