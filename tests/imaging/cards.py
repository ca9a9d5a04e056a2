"""Synthetic photos for the imaging tests, drawn with Pillow and qrcode: a CCCD card's back with its
QR code, its front side, and a phone photo's troubles (turned, blurred, unevenly lit, JPEG)."""

from __future__ import annotations

import io
import random

import qrcode
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
PAYLOAD = (
    "072190001111|385123456|Nguyễn Thị Lan|08031990|Nữ|Tổ 5, Khu phố 2, Phường 3, Thành phố Tây Ninh, Tây Ninh|15062021"
)
# A card is 85.6 × 54 mm; drawn at about 12 px a millimetre, a phone photo's close-up.
CARD_SIZE = (1030, 650)


def font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT_BOLD if bold else FONT, size)


def qr_image(payload: str, *, box: int = 4) -> Image.Image:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box, border=4)
    code.add_data(payload.encode("utf-8"))
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")


def card_back(payload: str = PAYLOAD) -> Image.Image:
    """The card's back on a table: a light card with printed lines and the QR in its top right."""
    card = Image.new("RGB", CARD_SIZE, (236, 238, 232))
    draw = ImageDraw.Draw(card)
    draw.text((40, 40), "Đặc điểm nhân dạng / Personal identification:", font=font(24), fill=(40, 40, 60))
    draw.text((40, 80), "Nốt ruồi C:1cm trên sau mép phải", font=font(24), fill=(40, 40, 60))
    draw.text((40, 170), "Ngày, tháng, năm / Date, month, year: 15/06/2021", font=font(22), fill=(40, 40, 60))
    draw.text((40, 205), "CỤC TRƯỞNG CỤC CẢNH SÁT", font=font(22, bold=True), fill=(40, 40, 60))
    draw.text((40, 240), "QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI", font=font(22, bold=True), fill=(40, 40, 60))
    draw.text((40, 560), "IDVNM1900011112072190001111<<8", font=font(26), fill=(30, 30, 30))
    qr = qr_image(payload)
    side = 280
    card.paste(qr.resize((side, side), Image.Resampling.NEAREST), (CARD_SIZE[0] - side - 40, 40))
    # The card photographed on a darker table, with a margin around it.
    photo = Image.new("RGB", (CARD_SIZE[0] + 240, CARD_SIZE[1] + 240), (120, 105, 90))
    photo.paste(card, (120, 120))
    return photo


def card_front() -> Image.Image:
    """The front side's printed text, as the card lays it out (photo and emblem left out)."""
    card = Image.new("RGB", (1600, 1000), (240, 242, 236))
    draw = ImageDraw.Draw(card)
    draw.text((420, 40), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", font=font(38, bold=True), fill=(20, 20, 40))
    draw.text((520, 95), "Độc lập - Tự do - Hạnh phúc", font=font(34, bold=True), fill=(20, 20, 40))
    draw.text((520, 170), "CĂN CƯỚC CÔNG DÂN", font=font(52, bold=True), fill=(160, 20, 20))
    draw.rectangle((60, 300, 380, 700), outline=(90, 90, 90), width=3)  # where the portrait is
    lines = [
        ("Số / No.: 072190001111", 40, True),
        ("Họ và tên / Full name:", 34, False),
        ("NGUYỄN THỊ LAN", 44, True),
        ("Ngày sinh / Date of birth: 08/03/1990", 34, False),
        ("Giới tính / Sex: Nữ    Quốc tịch / Nationality: Việt Nam", 34, False),
        ("Quê quán / Place of origin: Phường 3, Tây Ninh", 34, False),
    ]
    y = 270
    for text, size, bold in lines:
        draw.text((440, y), text, font=font(size, bold=bold), fill=(15, 15, 15))
        y += size + 40
    return card


# --- what a phone does to a photo ------------------------------------------------------------


def jpeg(image: Image.Image, *, quality: int = 70, exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=quality, **({"exif": exif} if exif is not None else {}))
    return out.getvalue()


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def rotated(image: Image.Image, angle: float) -> Image.Image:
    return image.rotate(angle, expand=True, fillcolor=(120, 105, 90), resample=Image.Resampling.BICUBIC)


def blurred(image: Image.Image, radius: float = 1.5) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(radius))


def unevenly_lit(image: Image.Image) -> Image.Image:
    """A strong left-to-right light gradient: the left in deep shadow (a fifth of the light), the right bright."""
    gradient = Image.linear_gradient("L").rotate(90).resize(image.size)  # black on the left, white on the right
    gradient = gradient.point(lambda value: 50 + value * 205 // 255)
    dark = Image.new("RGB", image.size, (0, 0, 0))
    return Image.composite(image, dark, gradient)


def noise_photo(width: int, height: int, *, seed: int = 0) -> Image.Image:
    """A photo-like image that compresses as a real one does: smooth shapes under fine noise."""
    rng = random.Random(seed)
    small = Image.new("RGB", (width // 16, height // 16))
    small.putdata(
        [(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(small.width * small.height)]
    )
    base = small.resize((width, height), Image.Resampling.BICUBIC)
    grain = Image.effect_noise((width, height), 40).convert("RGB")
    return Image.blend(base, grain, 0.35)
