"""The shape of a CCCD number: province of birth, century and sex, year of birth (accounts.cccd)."""

import datetime as dt

import pytest

from onestop_tayninh.accounts.cccd import PROVINCE_CODES, cccd_problems, century_and_sex


def test_the_official_list_holds_the_63_province_codes():
    assert len(PROVINCE_CODES) == 63
    assert PROVINCE_CODES["072"] == "Tây Ninh" and PROVINCE_CODES["080"] == "Long An"
    assert PROVINCE_CODES["001"] == "Hà Nội" and PROVINCE_CODES["096"] == "Cà Mau"
    assert all(len(code) == 3 and code.isdigit() for code in PROVINCE_CODES)


@pytest.mark.parametrize(
    ("digit", "century", "sex"),
    [
        (0, 1900, "male"),
        (1, 1900, "female"),
        (2, 2000, "male"),
        (3, 2000, "female"),
        (4, 2100, "male"),
        (9, 2300, "female"),
    ],
)
def test_the_fourth_digit_names_century_and_sex(digit, century, sex):
    assert century_and_sex(digit) == (century, sex)


@pytest.mark.parametrize(
    ("cccd", "born", "sex"),
    [
        ("072190001234", dt.date(1990, 5, 17), "female"),
        ("080088001234", dt.date(1988, 1, 1), "male"),
        ("001303001234", dt.date(2003, 12, 31), "female"),
        ("079200001234", dt.date(2000, 2, 29), "male"),
    ],
)
def test_a_well_formed_number_has_no_problem(cccd, born, sex):
    assert cccd_problems(cccd, date_of_birth=born, sex=sex) == []


@pytest.mark.parametrize(
    ("cccd", "born", "sex", "messages"),
    [
        ("07219000123", None, "", ["Số CCCD gồm đúng 12 chữ số"]),
        (
            "003190001234",
            None,
            "",
            ["Ba chữ số đầu của số CCCD (003) phải là mã tỉnh, thành phố nơi đăng ký khai sinh"],
        ),
        (
            "072290001234",
            dt.date(1990, 5, 17),
            "",
            ["Chữ số thứ tư của số CCCD (2) ứng với người sinh trong các năm 2000–2099, không khớp với năm sinh 1990."],
        ),
        (
            "072191001234",
            dt.date(1990, 5, 17),
            "",
            ["Chữ số thứ năm và thứ sáu của số CCCD (91) phải là hai số cuối của năm sinh (90 với năm sinh 1990)."],
        ),
        (
            "072190001234",
            None,
            "male",
            ["Chữ số thứ tư của số CCCD (1) ứng với giới tính nữ, không khớp với giới tính đã chọn."],
        ),
        # Every fault at once, one message each.
        ("999300001234", dt.date(1985, 1, 1), "male", ["(999)", "2000–2099", "(00)", "giới tính nữ"]),
    ],
)
def test_each_fault_has_its_own_vietnamese_message(cccd, born, sex, messages):
    problems = cccd_problems(cccd, date_of_birth=born, sex=sex)
    assert len(problems) == len(messages)
    for problem, expected in zip(problems, messages, strict=True):
        assert expected in problem
