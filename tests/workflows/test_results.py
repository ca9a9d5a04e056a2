"""Results as offices make them: a draft submitted to the head, approved or sent back with comments,
numbered by the records clerk in the agency's register and signed PAdES with the agency's certificate;
a refusal after appraisal the same way, handed back to the citizen by the desk (docs/domain.md)."""

import shutil
import subprocess

import pytest

from django.core.exceptions import PermissionDenied, ValidationError

from onestop_tayninh.directory.models import Agency
from onestop_tayninh.dossiers.events import payload_of
from onestop_tayninh.dossiers.models import IssuedDocument, OutgoingRegister
from onestop_tayninh.notifications.models import Message
from onestop_tayninh.notifications.rendering import message_render
from onestop_tayninh.signing.verification import Verdict, verify_pdf
from tests.signing_support import draft_pdf

from .conftest import local, receive, user
from .test_paths import CENTRE, JUSTICE, act

pytestmark = pytest.mark.django_db


def at_clerk(world, *, draft=True):
    """A justice dossier approved by the head, waiting for the records clerk."""
    dossier = receive(world)
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0))
    dossier = act(dossier, "lanhdao.tuphap", "phan-cong", local(2027, 3, 1, 10, 0), assignee=user("chuyenvien.tuphap"))
    dossier = act(dossier, "chuyenvien.tuphap", "trinh-duyet", local(2027, 3, 2, 9, 0), result_file=draft_pdf())
    return act(dossier, "lanhdao.tuphap", "phe-duyet", local(2027, 3, 2, 14, 0), comment="Đồng ý.")


def keys_for_justice(signing_keys, **kwargs):
    justice = Agency.objects.get(code=JUSTICE)
    return signing_keys.issue(JUSTICE, kwargs.pop("holder", justice.name), **kwargs)


def test_approved_draft_is_numbered_signed_and_sent_back_to_the_desk(world, signing_keys, tmp_path):
    keys_for_justice(signing_keys)
    dossier = at_clerk(world)
    assert (dossier.state.code, dossier.current_agency.code) == ("cho-van-thu", JUSTICE)
    assert not dossier.result_file

    dossier = act(dossier, "vanthu.tuphap", "phat-hanh", local(2027, 3, 3, 8, 30), symbol="QĐ-STP")
    assert (dossier.state.code, dossier.current_agency.code) == ("cho-tra-ket-qua", CENTRE)
    issued = IssuedDocument.objects.get(dossier=dossier)
    assert issued.reference == "01/QĐ-STP" and issued.year == 2027
    assert issued.approved_by.username == "lanhdao.tuphap" and issued.issued_by.username == "vanthu.tuphap"
    # The citizen's electronic result is the signed PDF itself.
    with dossier.result_file.open("rb") as handle:
        signed = handle.read()
    assert signed.startswith(b"%PDF") and b"/ETSI.CAdES.detached" in signed
    with issued.file.open("rb") as handle:
        assert handle.read() == signed
    event = dossier.events.filter(action="transition").last()
    assert payload_of(event).document_number == "01/QĐ-STP"

    # The verification page's check: genuine; then one changed byte inside the signed range.
    assert verify_pdf(signed).verdict == Verdict.GENUINE
    offset = signed.index(b"Filter") - 2
    tampered = signed[:offset] + bytes([signed[offset] ^ 0x01]) + signed[offset + 1 :]
    assert verify_pdf(tampered).verdict == Verdict.CHANGED

    # An independent tool (poppler's pdfsig) agrees: the signature covers the file and is valid.
    if shutil.which("pdfsig") is None:
        pytest.fail("pdfsig (poppler-utils) is not installed: scripts/setup.sh installs it")
    path = tmp_path / "ket-qua.pdf"
    path.write_bytes(signed)
    report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout
    assert "Signature is Valid" in report and "ETSI.CAdES.detached" in report
    assert "Total document signed" in report
    (tmp_path / "changed.pdf").write_bytes(tampered)
    report = subprocess.run(["pdfsig", str(tmp_path / "changed.pdf")], capture_output=True, text=True).stdout
    assert "Signature is Valid" not in report

    # The register goes on: the next document of the agency this year is 02.
    second = at_clerk(world)
    second = act(second, "vanthu.tuphap", "phat-hanh", local(2027, 3, 3, 9, 0), symbol="QĐ-STP")
    assert IssuedDocument.objects.get(dossier=second).reference == "02/QĐ-STP"


def test_head_sends_the_draft_back_with_comments_and_a_new_round_starts(world):
    dossier = receive(world)
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0))
    dossier = act(dossier, "lanhdao.tuphap", "phan-cong", local(2027, 3, 1, 10, 0), assignee=user("chuyenvien.tuphap"))
    with pytest.raises(ValidationError, match="dự thảo kết quả"):
        act(dossier, "chuyenvien.tuphap", "trinh-duyet", local(2027, 3, 2, 9, 0))
    dossier.refresh_from_db()
    dossier = act(dossier, "chuyenvien.tuphap", "trinh-duyet", local(2027, 3, 2, 9, 0), result_file=draft_pdf())
    with pytest.raises(ValidationError, match="cần ghi ý kiến"):
        act(dossier, "lanhdao.tuphap", "tra-lai", local(2027, 3, 2, 10, 0))
    dossier.refresh_from_db()
    dossier = act(dossier, "lanhdao.tuphap", "tra-lai", local(2027, 3, 2, 10, 0), comment="Sai ngày sinh ở dòng 2.")
    first = dossier.result_drafts.get(round=1)
    assert (first.status, first.decision_comment, first.decided_by.username) == (
        "sent_back",
        "Sai ngày sinh ở dòng 2.",
        "lanhdao.tuphap",
    )
    assert dossier.state.code == "tham-dinh"
    dossier = act(dossier, "chuyenvien.tuphap", "trinh-duyet", local(2027, 3, 2, 11, 0), result_file=draft_pdf())
    assert list(dossier.result_drafts.values_list("round", "status")) == [(1, "sent_back"), (2, "pending")]


@pytest.mark.parametrize(
    ("certificate", "message"),
    [
        ({"expired": True}, "đã hết hạn ngày 01/01/2021"),
        ({"other_ca": True}, "không do tổ chức chứng thực được tin cậy cấp"),
        ({"holder": "Sở Y tế tỉnh Tây Ninh"}, "cấp cho “Sở Y tế tỉnh Tây Ninh”, không phải cho"),
    ],
)
def test_a_bad_certificate_is_refused_and_nothing_is_issued(world, signing_keys, certificate, message):
    keys_for_justice(signing_keys, **certificate)
    dossier = at_clerk(world)
    version = dossier.lock_version
    with pytest.raises(ValidationError, match=message):
        act(dossier, "vanthu.tuphap", "phat-hanh", local(2027, 3, 3, 8, 30), symbol="QĐ-STP")
    dossier.refresh_from_db()
    assert (dossier.state.code, dossier.lock_version, bool(dossier.result_file)) == ("cho-van-thu", version, False)
    assert not IssuedDocument.objects.exists() and not OutgoingRegister.objects.exists()
    assert dossier.result_drafts.get().status == "approved"


def test_no_certificate_and_a_wrong_symbol_are_refused_in_vietnamese(world, signing_keys):
    dossier = at_clerk(world)
    with pytest.raises(ValidationError, match="Chưa có chứng thư số của Sở Tư pháp"):
        act(dossier, "vanthu.tuphap", "phat-hanh", local(2027, 3, 3, 8, 30))
    keys_for_justice(signing_keys)
    dossier.refresh_from_db()
    with pytest.raises(ValidationError, match="Ký hiệu văn bản “QĐ/STP” không đúng"):
        act(dossier, "vanthu.tuphap", "phat-hanh", local(2027, 3, 3, 8, 30), symbol="qđ/stp")
    with pytest.raises(PermissionDenied, match="không được thực hiện"):
        act(dossier, "chuyenvien.tuphap", "phat-hanh", local(2027, 3, 3, 8, 30))


def test_pkcs11_without_configuration_says_what_is_missing(world, signing_keys, settings):
    settings.ONESTOP_SIGNING_BACKEND = "pkcs11"
    settings.ONESTOP_SIGNING_PKCS11_MODULE = ""
    dossier = at_clerk(world)
    with pytest.raises(
        ValidationError, match="Chưa cấu hình thiết bị ký số PKCS#11: thiếu ONESTOP_SIGNING_PKCS11_MODULE"
    ):
        act(dossier, "vanthu.tuphap", "phat-hanh", local(2027, 3, 3, 8, 30))


def test_refusal_after_appraisal_is_approved_signed_and_handed_back_by_the_desk(world, signing_keys):
    keys_for_justice(signing_keys)
    dossier = receive(world)
    dossier.email = "hong@example.vn"
    dossier.save(update_fields=["email"])
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0))
    dossier = act(dossier, "lanhdao.tuphap", "phan-cong", local(2027, 3, 1, 10, 0), assignee=user("chuyenvien.tuphap"))
    reason = "Người yêu cầu không thuộc đối tượng được cấp phiếu lý lịch tư pháp số 2."
    dossier = act(dossier, "chuyenvien.tuphap", "de-xuat-tu-choi", local(2027, 3, 2, 9, 0), comment=reason)
    draft = dossier.result_drafts.get()
    # No draft uploaded: the competent body's notice was drawn with the reasons, for the head to read.
    assert (draft.kind, draft.reason, draft.status) == ("refusal", reason, "pending") and draft.file
    assert dossier.state.code == "cho-duyet-tu-choi" and dossier.closed_at is None
    dossier = act(dossier, "lanhdao.tuphap", "duyet-tu-choi", local(2027, 3, 2, 10, 0))
    dossier = act(dossier, "vanthu.tuphap", "phat-hanh-tu-choi", local(2027, 3, 2, 11, 0), symbol="TB-STP")
    assert (dossier.state.code, dossier.state.kind, dossier.current_agency.code) == (
        "cho-tra-tu-choi",
        "refusal_ready",
        CENTRE,
    )
    issued = IssuedDocument.objects.get(dossier=dossier)
    assert (issued.kind, issued.reference) == ("refusal", "01/TB-STP")
    with issued.file.open("rb") as handle:
        assert verify_pdf(handle.read()).verdict == Verdict.GENUINE
    assert not dossier.result_file and dossier.closed_at is None
    # The notice drawn when the refusal was proposed is listed with the number the clerk gave it.
    from onestop_tayninh.printing.selectors import issued_numbers

    assert issued_numbers(dossier)[("refusal_notice", local(2027, 3, 2, 9, 0))] == "01/TB-STP"
    notice = Message.objects.get(template_key="refusal_ready", channel="email")
    subject, body = message_render(notice)
    assert "từ chối giải quyết" in subject and "01/TB-STP" in body and reason in body
    # The desk's inbox has it to hand back; handing it back closes the dossier.
    from onestop_tayninh.dossiers.selectors import inbox

    assert dossier in inbox(user=user("tiepnhan.tinh"), bucket="tra-ket-qua", at=local(2027, 3, 2, 12, 0))
    dossier = act(dossier, "tiepnhan.tinh", "tra-van-ban-tu-choi", local(2027, 3, 2, 14, 0))
    assert dossier.state.kind == "refused" and dossier.closed_at == local(2027, 3, 2, 14, 0)


def test_verification_page_by_qr_code_and_by_upload(world, signing_keys, client):
    keys_for_justice(signing_keys)
    dossier = act(at_clerk(world), "vanthu.tuphap", "phat-hanh", local(2027, 3, 3, 8, 30), symbol="QĐ-STP")
    issued = IssuedDocument.objects.get(dossier=dossier)
    page = client.get("/xac-minh-ket-qua/", {"ma": dossier.code, "kt": issued.check_code}).content.decode()
    assert "01/QĐ-STP" in page and "Sở Tư pháp tỉnh Tây Ninh" in page
    page = client.get("/xac-minh-ket-qua/", {"ma": dossier.code, "kt": "0000000000000000"}).content.decode()
    assert "Không tìm thấy văn bản nào khớp với mã QR này" in page
    with issued.file.open("rb") as handle:
        signed = handle.read()
    page = client.post("/xac-minh-ket-qua/", {"file": draft_pdf(name="a.pdf")}).content.decode()
    assert "Văn bản không có chữ ký số" in page
    from django.core.files.base import ContentFile

    page = client.post("/xac-minh-ket-qua/", {"file": ContentFile(signed, name="k.pdf")}).content.decode()
    assert "Văn bản hợp lệ, chưa bị thay đổi" in page and "01/QĐ-STP" in page
    page = client.post("/xac-minh-ket-qua/", {"file": ContentFile(b"not a pdf", name="x.pdf")}).content.decode()
    assert "Không xác minh được tệp" in page
