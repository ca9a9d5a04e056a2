"""Every page a citizen can reach reads in Vietnamese: no English text of Django's shows through,
whether on a page, in a form's errors, in a refusal or on an error page.

The English to look for is Django's own: the opening words of every message of its form fields,
validators, model fields, authentication forms and password rules, taken from Django itself (so a
message added in a later Django version is looked for too), plus the words of Django's stock error
pages. Only what a person reads is searched (text, titles, placeholders, button labels), not
the markup: `type="password"` is no leak. A refused file must not show its MIME type or the name
of the virus found either.
"""

import re
from html.parser import HTMLParser

import pytest

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.core import validators
from django.core.files.base import ContentFile
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

from onestop_tayninh.portal.services import draft_submit
from tests.security.test_antivirus import EICAR

from ..workflows.conftest import local
from .conftest import filled_draft

pytestmark = pytest.mark.django_db

# Words of Django's stock error pages and of its form messages (issue #18 point 9); matched case-insensitively.
STOCK_WORDS = [
    "Bad Request",
    "Forbidden",
    "Not Found",
    "Server Error",
    "Method Not Allowed",
    "CSRF verification failed",
    "requested resource",
    "password",
    "characters",
    "Upload a valid",
    "The submitted file",
    "This field",
]
PASSWORD_VALIDATORS = [
    password_validation.UserAttributeSimilarityValidator(),
    password_validation.MinimumLengthValidator(),
    password_validation.CommonPasswordValidator(),
    password_validation.NumericPasswordValidator(),
]
FILLED = re.compile(r"\b1\b|\{\w*\}")


class Ones(dict):
    """Message arguments that are all 1."""

    def __missing__(self, key):
        return 1


def _classes(module, base):
    return [value for value in vars(module).values() if isinstance(value, type) and issubclass(value, base)]


def _messages(classes, *attributes: str) -> list:
    """The messages classes declare in `attributes` (a dict of messages, or one message)."""
    found = []
    for cls in classes:
        for attribute in attributes:
            value = cls.__dict__.get(attribute)
            if isinstance(value, dict):
                found += value.values()
            elif isinstance(value, str | Promise):
                found.append(value)
    return found


def django_english() -> list[str]:
    """The longest fixed part of each of Django's own user-facing messages, in English."""
    with translation.override("en"):
        texts = [
            *_messages(_classes(forms.fields, forms.Field), "default_error_messages"),
            *_messages(_classes(forms.models, forms.Field), "default_error_messages"),
            *_messages(_classes(models.fields, models.Field), "default_error_messages"),
            *_messages(_classes(validators, object), "message", "messages"),
            *_messages(_classes(auth_forms, forms.BaseForm), "error_messages"),
            *auth_forms.SetPasswordMixin.error_messages.values(),
        ]
        for validator in PASSWORD_VALIDATORS:
            texts += [validator.get_help_text(), validator.get_error_message()]
        fragments = set()
        for text in texts:
            # Every placeholder filled with 1 (a plural message picks its form from the number), then
            # cut there: the opening words and the longest fixed part are what a page would show.
            pieces = [piece.strip(" “”\"'.,:;()") for piece in FILLED.split(str(text % Ones()))]
            fragments |= {piece for piece in (pieces[0], max(pieces, key=len)) if len(piece) >= 12}
    return sorted(fragments)


ENGLISH = [*STOCK_WORDS, *django_english()]


class VisibleText(HTMLParser):
    """The text a person reads on a page: text nodes outside scripts and styles, and the attributes
    a browser shows (title, placeholder, alt, aria-label, a button's value)."""

    SHOWN = {"title", "placeholder", "alt", "aria-label"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden += 1
        values = dict(attrs)
        self.parts += [value for name, value in attrs if name in self.SHOWN and value]
        if tag == "input" and values.get("type") in ("submit", "button", "reset") and values.get("value"):
            self.parts.append(values["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


# What a refusal of a file must not show: a MIME type, or the name the virus scanner gave a signature.
TECHNICAL = re.compile(r"\b(?:application|image|text)/[\w.+-]+|Eicar|\bFOUND\b", re.IGNORECASE)


def assert_vietnamese(response, *, status: int | None = None, shows: str = "") -> str:
    """The page's visible text, after checking it holds none of Django's English and no technical
    detail of a refused file (and, if given, that it `shows` an expected phrase)."""
    assert "text/html" in response["Content-Type"], response["Content-Type"]
    if status is not None:
        assert response.status_code == status
    text = visible_text(response.content.decode())
    lowered = text.lower()
    leaks = [english for english in ENGLISH if english.lower() in lowered] + TECHNICAL.findall(text)
    assert not leaks, (response.request["PATH_INFO"], leaks, text[:2000])
    assert shows in text, (response.request["PATH_INFO"], shows, text[:2000])
    return text


def test_the_english_list_holds_djangos_messages():
    """The list is built from Django: a broken build would make every page pass."""
    english = set(ENGLISH)
    assert {"This field is required", "Enter a valid date", "Select a valid choice"} <= english
    assert any(fragment.startswith("Ensure this value has at most") for fragment in english)
    assert any("too similar" in fragment for fragment in english)
    assert len(english) > 60


def test_the_visible_text_leaves_out_markup_and_scripts():
    html = '<input type="password" name="password"><script>var password;</script><p title="Mật khẩu">Đăng nhập</p>'
    assert visible_text(html) == "Mật khẩu Đăng nhập"
    assert "Not Found" in visible_text('<input type="submit" value="Not Found">')


def test_anonymous_pages_and_their_errors_are_vietnamese(client, online):
    code = online["online"].procedure.code
    for path in [
        "/",
        "/thu-tuc/",
        "/thu-tuc/?q=khai+sinh&sector=999999&level=9",
        f"/thu-tuc/{code}/",
        f"/thu-tuc/{code}/nop-truc-tuyen/",
        "/tra-cuu/",
        "/xac-minh-ket-qua/",
        "/tai-khoan/dang-nhap/",
        "/tai-khoan/dang-ky/",
        "/tai-khoan/quen-mat-khau/",
    ]:
        assert_vietnamese(client.get(path), status=200)
    assert_vietnamese(client.get("/tai-khoan/dang-xuat/"), status=200, shows="đã đăng xuất rồi")

    post = client.post
    assert_vietnamese(post("/tra-cuu/", {"code": "", "secret": "12"}), shows="Hãy nhập đúng 6 chữ số")
    assert_vietnamese(post("/tra-cuu/", {"code": "X" * 41, "secret": "123456"}), shows="tối đa 40 kí tự")
    assert_vietnamese(post("/xac-minh-ket-qua/", {}), shows="Hãy chọn tệp PDF")
    assert_vietnamese(post("/xac-minh-ket-qua/", {"file": ContentFile(b"", name="rong.pdf")}), shows="rỗng")
    assert_vietnamese(post("/xac-minh-ket-qua/", {"file": ContentFile(b"not a pdf", name="a.pdf")}))
    assert_vietnamese(post("/tai-khoan/dang-nhap/", {}), status=400, shows="Hãy nhập mật khẩu")
    wrong_login = {"username": "0912000999", "password": "sai"}
    assert_vietnamese(post("/tai-khoan/dang-nhap/", wrong_login), status=400, shows="không đúng")
    assert_vietnamese(post("/tai-khoan/dang-ky/", {"full_name": ""}), status=400, shows="Hãy nhập họ và tên")
    wrong = {
        "applicant_kind": "robot",
        "full_name": "A" * 151,
        "cccd": "12ab",
        "date_of_birth": "31/02/1990",
        "sex": "x",
        "phone": "12",
        "email": "khong-phai-email",
        "password": "123",
        "password_confirm": "1234",
    }
    assert_vietnamese(post("/tai-khoan/dang-ky/", wrong), status=400, shows="lựa chọn hợp lệ")
    individual = {**wrong, "applicant_kind": "individual"}
    assert_vietnamese(post("/tai-khoan/dang-ky/", individual), status=400, shows="Mật khẩu quá ngắn")
    assert_vietnamese(post("/tai-khoan/quen-mat-khau/", {"contact": ""}), status=400)
    assert_vietnamese(post("/tai-khoan/quen-mat-khau/", {"contact": "khong@"}), status=400)
    assert_vietnamese(client.get("/tai-khoan/quen-mat-khau/abc/def/"), shows="liên kết mới")

    # A page that needs an account leads a stranger to the login page, which says why.
    assert_vietnamese(client.get("/ho-so-cua-toi/", follow=True), status=200)
    # The error pages: missing, a form's address opened directly, a form sent without its token.
    assert_vietnamese(client.get("/khong-co-trang-nay/"), status=404, shows="Không tìm thấy trang")
    assert_vietnamese(client.get("/ho-so/khong-phai-ma/"), status=404)
    assert_vietnamese(client.get("/thong-bao/da-xem-tat-ca/"), status=405, shows="không mở trực tiếp được")
    csrf = Client(enforce_csrf_checks=True).post("/tra-cuu/", {"code": "a"})
    assert_vietnamese(csrf, status=403, shows="Biểu mẫu đã hết hạn")


def test_a_citizens_pages_and_their_errors_are_vietnamese(client, online, citizen):
    dossier = draft_submit(draft=filled_draft(online, citizen), citizen=citizen, at=local(2027, 3, 1, 8, 30))
    draft = filled_draft(online, citizen, files=False)
    requirement = online["online"].documents.first()
    client.force_login(citizen)
    for path in [
        "/ho-so-cua-toi/",
        f"/ho-so-cua-toi/{dossier.pk}/",
        "/thong-bao/",
        "/kho-du-lieu/",
        "/tai-khoan/",
        "/tai-khoan/doi-mat-khau/",
        f"/thu-tuc/{online['online'].procedure.code}/nop-truc-tuyen/",
        f"/nop-ho-so/{draft.pk}/",
        f"/nop-ho-so/{draft.pk}/xoa/",
    ]:
        assert_vietnamese(client.get(path), status=200)
    assert_vietnamese(client.get("/tai-khoan/dang-xuat/"), status=200, shows="Bấm nút “Đăng xuất”")

    post, draft_url = client.post, reverse("portal:draft", args=[draft.pk])
    not_a_document = {f"file-{requirement.pk}": ContentFile(b"MZ\x90\x00 not a document", name="giay.pdf")}
    refused = "Tệp giay.pdf không đúng định dạng cho phép (chỉ nhận PDF, ảnh JPEG hoặc ảnh PNG)."
    assert_vietnamese(post(draft_url, {"action": "save", **not_a_document}), shows=refused)
    infected = {f"file-{requirement.pk}": ContentFile(b"%PDF-1.4\n" + EICAR, name="to-khai.pdf")}
    malware = "Tệp to-khai.pdf chứa mã độc (virus) nên đã bị từ chối; tệp không được lưu lại."
    assert_vietnamese(post(draft_url, {"action": "save", **infected}), shows=malware)
    wrong = {"action": "submit", "f-cccd_me": "07219", "email": "khong-phai-email", "return_method": "bay"}
    assert_vietnamese(post(draft_url, wrong), status=200, shows="Chưa nộp được hồ sơ")

    mine = reverse("portal:my_dossier", args=[dossier.pk])
    assert_vietnamese(post(f"{mine}rut/", {"reason": ""}, follow=True), shows="Hãy cho biết lý do rút hồ sơ")
    assert_vietnamese(post(f"{mine}bo-sung/", {}, follow=True), shows="Hãy chọn tệp giấy tờ cần bổ sung")
    assert_vietnamese(post(f"{mine}danh-gia/", {"satisfied": "?"}, follow=True), shows="Hãy trả lời đủ")
    profile = {"email": "x@", "date_of_birth": "hôm qua", "phone": "1"}
    assert_vietnamese(post("/tai-khoan/", profile), status=400, shows="Ngày sinh không hợp lệ")
    password = {"old_password": "sai", "new_password1": "1", "new_password2": "1"}
    assert_vietnamese(post("/tai-khoan/doi-mat-khau/", password), shows="Mật khẩu cũ không chính xác")
    assert_vietnamese(client.get(f"{mine}rut/"), status=405, shows="không mở trực tiếp được")
    assert_vietnamese(client.get("/ho-so-cua-toi/999999/"), status=404)
    # A submitted dossier's draft is not deleted: the 403 page, in Vietnamese too.
    assert_vietnamese(post(reverse("portal:draft_delete", args=[dossier.draft.pk])), status=403)


def test_the_verify_page_tells_neither_a_setting_nor_the_validators_english(client, signing_keys, monkeypatch):
    """Whatever goes wrong behind /xac-minh-ket-qua/ stays in the log: a citizen reads Vietnamese."""
    from pyhanko.sign import validation
    from pyhanko.sign.validation.errors import SignatureValidationError

    from onestop_tayninh.signing.services import pdf_sign
    from tests.signing.test_certificates import AT, JUSTICE
    from tests.signing_support import demo_look, draft_pdf

    signing_keys.issue(JUSTICE.code, JUSTICE.name)
    look = demo_look(JUSTICE.name)
    signed = pdf_sign(pdf=draft_pdf().read(), agency=JUSTICE, at=AT, look=look, reason="Phát hành kết quả").data

    def broken(*args, **kwargs):
        raise SignatureValidationError("The signature's embedded certificate could not be parsed")

    monkeypatch.setattr(validation, "validate_pdf_signature", broken)
    page = assert_vietnamese(client.post("/xac-minh-ket-qua/", {"file": ContentFile(signed, name="kq.pdf")}))
    assert "Chữ ký số không kiểm tra được: tệp đã bị sửa đổi." in page and "certificate" not in page

    signing_keys.directory.joinpath("ca.pem").unlink()  # a server that lost its trust roots
    page = assert_vietnamese(client.post("/xac-minh-ket-qua/", {"file": ContentFile(signed, name="kq.pdf")}))
    assert "Hệ thống tạm thời chưa xác minh được chữ ký số" in page and "ONESTOP_" not in page
