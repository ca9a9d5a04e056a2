"""The CCCD card read from photos: the QR code of its back under a phone's troubles, the QR text's
rules, and the front side's OCR suggestion."""

import datetime as dt

import pytest
from PIL import Image, ImageEnhance

from onestop_tayninh.imaging.idcard import CccdData, cccd_from_front_ocr, cccd_from_photo, cccd_parse
from tests.imaging import cards

EXPECTED = CccdData(
    number="072190001111",
    old_id_number="385123456",
    full_name="Nguyễn Thị Lan",
    date_of_birth=dt.date(1990, 3, 8),
    sex="Nữ",
    address="Tổ 5, Khu phố 2, Phường 3, Thành phố Tây Ninh, Tây Ninh",
    issued_on=dt.date(2021, 6, 15),
    source="qr",
)


@pytest.fixture(scope="module")
def back() -> Image.Image:
    return cards.card_back()


# --- the QR text -------------------------------------------------------------------------------


def test_card_qr_text_is_parsed_into_its_fields():
    assert cccd_parse(cards.PAYLOAD) == EXPECTED


def test_card_without_old_identity_number_parses():
    parsed = cccd_parse(cards.PAYLOAD.replace("|385123456|", "||"))
    assert parsed is not None
    assert parsed.old_id_number == ""


def test_name_and_address_are_composed_and_spaced_once():
    decomposed = cards.PAYLOAD.replace("Nguyễn Thị Lan", "Nguye\u0302\u0303n  Thi\u0323 Lan ")
    parsed = cccd_parse(decomposed)
    assert parsed is not None
    assert parsed.full_name == "Nguyễn Thị Lan"


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "https://dichvucong.gov.vn/",
        "072190001111|385123456|Nguyễn Thị Lan|08031990|Nữ|Tây Ninh",  # a field missing
        cards.PAYLOAD + "|extra",
        cards.PAYLOAD.replace("072190001111", "07219000111"),  # 11 digits
        cards.PAYLOAD.replace("072190001111", "072090001111"),  # the 4th digit says male
        cards.PAYLOAD.replace("072190001111", "072191001111"),  # born in '91 by the number
        cards.PAYLOAD.replace("072190001111", "072390001111"),  # born 2000–2099 by the number
        cards.PAYLOAD.replace("072190001111", "999190001111"),  # no province 999
        cards.PAYLOAD.replace("|385123456|", "|38512|"),
        cards.PAYLOAD.replace("|08031990|", "|31021990|"),  # 31 February
        cards.PAYLOAD.replace("|08031990|", "|1990-03-08|"),
        cards.PAYLOAD.replace("|Nữ|", "|Nu|"),
        cards.PAYLOAD.replace("|Nguyễn Thị Lan|", "||"),
        cards.PAYLOAD.replace("|Nguyễn Thị Lan|", "|Nguyễn Thị Lan 2|"),
        cards.PAYLOAD.replace("|15062021", "|15062099"),  # issued in the future
        cards.PAYLOAD.replace("|15062021", "|15061980"),  # issued before birth
    ],
)
def test_malformed_qr_text_is_not_a_card(payload):
    assert cccd_parse(payload) is None


# --- the QR code in a photo ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "trouble",
    [
        pytest.param(lambda image: image, id="as-taken"),
        pytest.param(lambda image: cards.rotated(image, 90), id="turned-90"),
        pytest.param(lambda image: cards.rotated(image, 180), id="upside-down"),
        pytest.param(lambda image: cards.rotated(image, 10), id="tilted-10"),
        pytest.param(lambda image: cards.blurred(image, 1.5), id="blurred"),
        pytest.param(cards.unevenly_lit, id="uneven-light"),
        pytest.param(lambda image: cards.unevenly_lit(cards.blurred(cards.rotated(image, 10))), id="all-at-once"),
        # Needs a preparation (zbar alone does not read it): the card far away and a little out
        # of focus, enlarged and sharpened; a faded card in shadow, its contrast stretched.
        pytest.param(
            lambda image: cards.blurred(image.resize((image.width // 3, image.height // 3)), 0.7), id="far-and-soft"
        ),
        pytest.param(
            lambda image: cards.unevenly_lit(cards.blurred(ImageEnhance.Contrast(image).enhance(0.06))), id="faded"
        ),
    ],
)
def test_card_qr_is_read_from_a_phone_photo(back, trouble):
    assert cccd_from_photo(cards.jpeg(trouble(back), quality=70)) == EXPECTED


def test_card_qr_is_read_from_a_png():
    assert cccd_from_photo(cards.png(cards.card_back())) == EXPECTED


def test_qr_that_is_not_a_card_reads_as_none():
    bad = cards.card_back(payload="072190001111|385123456|Nguyễn Thị Lan|08031990|Nam|Tây Ninh|15062021")
    assert cccd_from_photo(cards.jpeg(bad)) is None


def test_photo_without_a_qr_reads_as_none():
    assert cccd_from_photo(cards.jpeg(cards.card_front())) is None


def test_something_not_an_image_reads_as_none():
    assert cccd_from_photo(b"%PDF-1.4\n%%EOF\n") is None


# --- the front side by OCR ----------------------------------------------------------------------


def test_front_side_ocr_suggests_the_number_name_and_date_of_birth():
    suggestion = cccd_from_front_ocr(cards.jpeg(cards.card_front(), quality=85))
    assert suggestion is not None
    assert suggestion.number == "072190001111"
    assert suggestion.full_name == "Nguyễn Thị Lan"
    assert suggestion.date_of_birth == dt.date(1990, 3, 8)
    assert "CĂN CƯỚC CÔNG DÂN" in suggestion.raw_text


def test_front_side_ocr_of_a_blank_photo_suggests_nothing():
    assert cccd_from_front_ocr(cards.jpeg(Image.new("RGB", (800, 500), (240, 240, 240)))) is None


def test_utf8_qr_read_as_latin1_by_zbar_is_repaired():
    from onestop_tayninh.imaging.idcard import _payload

    misread = cards.PAYLOAD.encode("utf-8").decode("latin-1").encode("utf-8")
    assert _payload(misread) == cards.PAYLOAD
    assert _payload(cards.PAYLOAD.encode("utf-8")) == cards.PAYLOAD
